// Shared memory for autoreport's capabilities, through one pair of chained hooks.
#pragma once

namespace autoreport::pg {

// Registers a capability's piece of shared memory: request() runs in shmem_request_hook (to call
// RequestAddinShmemSpace, RequestNamedLWLockTranche), attach() in shmem_startup_hook under
// AddinShmemInitLock (ShmemInitStruct, and initialisation when the struct is new). Call from
// _PG_init; outside shared_preload_libraries it does nothing.
void register_shared_memory(void (*request)(), void (*attach)());

} // namespace autoreport::pg
