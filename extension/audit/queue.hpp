// The audit queue: runs waiting for their database's writer, in fixed-size slots of shared memory.
//
// Everything here is plain data and plain logic over memory the caller provides; the glue
// (queue_pg.cpp) puts it in shared memory and holds the lock around every call. The calls that run
// under the lock neither allocate nor throw.
//
// Slots are not a FIFO ring: each database has its own writer, and one slow database must not hold up
// the others. A slot is free, ready (waiting to be written) or claimed (being written by its
// database's writer); free slots are kept on a stack, and each writer takes the oldest ready slots of
// its database (by sequence number, the order in which runs were recorded).
#pragma once

#include "audit/run_record.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace autoreport::audit {

inline constexpr size_t kSlotBytes = 8192;
inline constexpr size_t kReportBytes = 64; // NAMEDATALEN: report names are identifiers
inline constexpr size_t kFormatBytes = 16;
inline constexpr size_t kSqlstateBytes = 6;
inline constexpr size_t kMaxErrorBytes = 2048;

// The fixed part of a queued run.
struct QueuedRunHead {
  uint32_t database;
  uint32_t role;
  int64_t at;
  int64_t rows;
  int64_t bytes;
  double duration_ms;
  int32_t version;
  uint16_t params_len;
  uint16_t error_len;
  uint8_t cache_hit;
  uint8_t params_truncated;
  char report[kReportBytes]; // NUL-terminated
  char format[kFormatBytes];
  char sqlstate[kSqlstateBytes];
};

enum class SlotState : uint32_t { free = 0, ready = 1, claimed = 2 };

struct SlotHead {
  uint64_t seq;
  SlotState state;
  uint32_t database;
  int32_t claimed_by; // the writer's pid while claimed
  uint32_t unused;
};

inline constexpr size_t kTextBytes = kSlotBytes - sizeof(SlotHead) - sizeof(QueuedRunHead);

// A run in the queue: the fixed part, then params_len bytes of parameters and error_len bytes of
// error message in text.
struct QueuedRun {
  QueuedRunHead head;
  char text[kTextBytes];

  std::string_view report() const noexcept { return head.report; }
  std::string_view format() const noexcept { return head.format; }
  std::string_view sqlstate() const noexcept { return head.sqlstate; }
  std::string_view params() const noexcept { return {text, head.params_len}; }
  std::string_view error() const noexcept { return {text + head.params_len, head.error_len}; }
  // The bytes worth copying: the fixed part and the text in use.
  size_t used_bytes() const noexcept { return sizeof(QueuedRunHead) + head.params_len + head.error_len; }
};

struct Slot {
  SlotHead head;
  QueuedRun run;
};
static_assert(sizeof(Slot) == kSlotBytes, "a queue slot is kSlotBytes long");

// Cuts text to at most max bytes on a character boundary of the server encoding; returns the length.
using ClipFn = std::function<size_t(std::string_view text, size_t max)>;

// Packs a run into a slot's run, cutting what does not fit: the report name and format to their
// fields, the error message to kMaxErrorBytes, the parameters to what is left (params_truncated is
// then set). Call it outside the lock (it may throw).
void pack_run(const RunRecord& record, uint32_t database, uint32_t role, int64_t at, const ClipFn& clip,
              QueuedRun& out);

struct QueueHeader {
  uint32_t capacity;
  uint32_t free_count;
  uint64_t next_seq; // the sequence number of the next run pushed; starts at 1
};

// A view of a queue laid out in caller-provided memory: header, free stack, slots.
class QueueView {
public:
  // The bytes a queue of `capacity` slots occupies.
  static size_t bytes_for(uint32_t capacity) noexcept;
  // Lays out an empty queue in memory of bytes_for(capacity) bytes, aligned to 8.
  static QueueView create(void* memory, uint32_t capacity) noexcept;
  // A queue laid out earlier by create().
  static QueueView attach(void* memory) noexcept;

  uint32_t capacity() const noexcept { return header_->capacity; }
  uint32_t used() const noexcept { return header_->capacity - header_->free_count; }
  // The sequence number of the last run pushed (0 before any).
  uint64_t last_seq() const noexcept { return header_->next_seq - 1; }

  // Copies run into a free slot and makes it ready; false when the queue is full.
  bool push(const QueuedRun& run) noexcept;
  // Claims for writer `pid` the oldest ready slots of `database`, at most out.size(); writes their
  // indexes into out, oldest first, and returns how many.
  size_t claim(uint32_t database, int32_t pid, std::span<uint32_t> out) noexcept;
  // Frees slots once their runs are written (or discarded).
  void release(std::span<const uint32_t> slots) noexcept;
  // Makes the claimed slots of `database` ready again (their writer ended before writing them).
  size_t unclaim(uint32_t database) noexcept;
  // Runs of `database` not yet written (ready or claimed); with through_seq, only those recorded up to it.
  size_t pending(uint32_t database, uint64_t through_seq = UINT64_MAX) const noexcept;
  // Distinct databases that have ready slots, at most out.size() of them; returns how many.
  size_t ready_databases(std::span<uint32_t> out) const noexcept;

  const QueuedRun& run(uint32_t slot) const noexcept { return slots_[slot].run; }
  const SlotHead& head(uint32_t slot) const noexcept { return slots_[slot].head; }

private:
  QueueView(QueueHeader* header, uint32_t* free_stack, Slot* slots) noexcept
      : header_(header), free_stack_(free_stack), slots_(slots) {}
  QueueHeader* header_;
  uint32_t* free_stack_;
  Slot* slots_;
};

} // namespace autoreport::audit
