// One pair of shared-memory hooks, chained to the previous ones, serving every capability.
#include "common/shmem_pg.hpp"
#include "common/boundary_pg.hpp"

extern "C" {
#include "storage/ipc.h"
#include "storage/lwlock.h"
}

namespace autoreport::pg {

namespace {

struct Piece {
  void (*request)();
  void (*attach)();
};
constexpr int kMaxPieces = 8;
Piece g_pieces[kMaxPieces];
int g_count = 0;
shmem_request_hook_type g_prev_request = nullptr;
shmem_startup_hook_type g_prev_startup = nullptr;

void request_all() {
  if (g_prev_request) {
    g_prev_request();
  }
  for (int i = 0; i < g_count; ++i) {
    g_pieces[i].request();
  }
}

void attach_all() {
  if (g_prev_startup) {
    g_prev_startup();
  }
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  for (int i = 0; i < g_count; ++i) {
    g_pieces[i].attach();
  }
  LWLockRelease(AddinShmemInitLock);
}

} // namespace

void register_shared_memory(void (*request)(), void (*attach)()) {
  if (!process_shared_preload_libraries_in_progress) {
    return;
  }
  if (g_count == kMaxPieces) {
    throw Error(sqlstate::internal_error, "too many autoreport shared memory pieces");
  }
  if (g_count == 0) {
    g_prev_request = shmem_request_hook;
    shmem_request_hook = request_all;
    g_prev_startup = shmem_startup_hook;
    shmem_startup_hook = attach_all;
  }
  g_pieces[g_count++] = {request, attach};
}

} // namespace autoreport::pg
