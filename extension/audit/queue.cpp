// The audit queue's slot logic (see queue.hpp).
#include "audit/queue.hpp"
#include "common/error.hpp"

#include <algorithm>
#include <cstring>

#include "common/pure.hpp"

namespace autoreport::audit {

namespace {

constexpr size_t align8(size_t n) {
  return (n + 7) & ~size_t{7};
}

size_t free_stack_offset() {
  return align8(sizeof(QueueHeader));
}

size_t slots_offset(uint32_t capacity) {
  return align8(free_stack_offset() + sizeof(uint32_t) * capacity);
}

// Copies text into a NUL-terminated field of size bytes, cut on a character boundary.
void copy_field(char* field, size_t size, std::string_view text, const ClipFn& clip) {
  const size_t n = text.size() < size ? text.size() : std::min(clip(text, size - 1), size - 1);
  std::memcpy(field, text.data(), n);
  field[n] = '\0';
}

} // namespace

void pack_run(const RunRecord& record, uint32_t database, uint32_t role, int64_t at, const ClipFn& clip,
              QueuedRun& out) {
  QueuedRunHead& h = out.head;
  h = QueuedRunHead{};
  h.database = database;
  h.role = role;
  h.at = at;
  h.rows = record.rows < 0 ? -1 : record.rows;
  h.bytes = record.bytes < 0 ? -1 : record.bytes;
  h.duration_ms = record.duration_ms;
  h.version = record.version > 0 ? record.version : 0;
  h.cache_hit = record.cache_hit ? 1 : 0;
  copy_field(h.report, sizeof h.report, record.report, clip);
  copy_field(h.format, sizeof h.format, record.format, clip);
  // A SQLSTATE is five ASCII characters; anything else is not one.
  if (record.error_sqlstate.size() == kSqlstateBytes - 1) {
    std::memcpy(h.sqlstate, record.error_sqlstate.data(), kSqlstateBytes - 1);
  } else if (!record.error_sqlstate.empty() || !record.error_message.empty()) {
    std::memcpy(h.sqlstate, sqlstate::internal_error.data(), kSqlstateBytes - 1);
  }
  const std::string_view error = record.error_message;
  const size_t error_len =
      error.size() <= kMaxErrorBytes ? error.size() : std::min(clip(error, kMaxErrorBytes), kMaxErrorBytes);
  const size_t room = kTextBytes - error_len;
  const std::string_view params = record.params_json;
  size_t params_len = params.size();
  if (params_len > room) {
    params_len = std::min(clip(params, room), room);
    h.params_truncated = 1;
  }
  h.params_len = static_cast<uint16_t>(params_len);
  h.error_len = static_cast<uint16_t>(error_len);
  std::memcpy(out.text, params.data(), params_len);
  std::memcpy(out.text + params_len, error.data(), error_len);
}

size_t QueueView::bytes_for(uint32_t capacity) noexcept {
  return slots_offset(capacity) + sizeof(Slot) * capacity;
}

QueueView QueueView::create(void* memory, uint32_t capacity) noexcept {
  auto* base = static_cast<char*>(memory);
  auto* header = reinterpret_cast<QueueHeader*>(base);
  header->capacity = capacity;
  header->free_count = capacity;
  header->next_seq = 1;
  QueueView q = attach(memory);
  for (uint32_t i = 0; i < capacity; ++i) {
    // Popped from the end: slot 0 is used first.
    q.free_stack_[i] = capacity - 1 - i;
    std::memset(&q.slots_[i].head, 0, sizeof(SlotHead));
    q.slots_[i].head.state = SlotState::free;
  }
  return q;
}

QueueView QueueView::attach(void* memory) noexcept {
  auto* base = static_cast<char*>(memory);
  auto* header = reinterpret_cast<QueueHeader*>(base);
  return QueueView(header, reinterpret_cast<uint32_t*>(base + free_stack_offset()),
                   reinterpret_cast<Slot*>(base + slots_offset(header->capacity)));
}

bool QueueView::push(const QueuedRun& run) noexcept {
  if (header_->free_count == 0) {
    return false;
  }
  const uint32_t i = free_stack_[--header_->free_count];
  Slot& s = slots_[i];
  std::memcpy(&s.run, &run, run.used_bytes());
  s.head.seq = header_->next_seq++;
  s.head.state = SlotState::ready;
  s.head.database = run.head.database;
  s.head.claimed_by = 0;
  return true;
}

size_t QueueView::claim(uint32_t database, int32_t pid, std::span<uint32_t> out) noexcept {
  if (out.empty()) {
    return 0;
  }
  // A max-heap by sequence number of the oldest out.size() ready slots seen so far.
  const auto newer = [this](uint32_t a, uint32_t b) { return slots_[a].head.seq < slots_[b].head.seq; };
  size_t n = 0;
  for (uint32_t i = 0; i < header_->capacity; ++i) {
    const SlotHead& h = slots_[i].head;
    if (h.state != SlotState::ready || h.database != database) {
      continue;
    }
    if (n < out.size()) {
      out[n++] = i;
      std::push_heap(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), newer);
    } else if (h.seq < slots_[out[0]].head.seq) {
      std::pop_heap(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), newer);
      out[n - 1] = i;
      std::push_heap(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), newer);
    }
  }
  std::sort_heap(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), newer);
  for (size_t k = 0; k < n; ++k) {
    slots_[out[k]].head.state = SlotState::claimed;
    slots_[out[k]].head.claimed_by = pid;
  }
  return n;
}

void QueueView::release(std::span<const uint32_t> slots) noexcept {
  for (uint32_t i : slots) {
    SlotHead& h = slots_[i].head;
    if (h.state == SlotState::free) {
      continue;
    }
    h.state = SlotState::free;
    h.claimed_by = 0;
    free_stack_[header_->free_count++] = i;
  }
}

size_t QueueView::unclaim(uint32_t database) noexcept {
  size_t n = 0;
  for (uint32_t i = 0; i < header_->capacity; ++i) {
    SlotHead& h = slots_[i].head;
    if (h.state == SlotState::claimed && h.database == database) {
      h.state = SlotState::ready;
      h.claimed_by = 0;
      ++n;
    }
  }
  return n;
}

size_t QueueView::pending(uint32_t database, uint64_t through_seq) const noexcept {
  size_t n = 0;
  for (uint32_t i = 0; i < header_->capacity; ++i) {
    const SlotHead& h = slots_[i].head;
    if (h.state != SlotState::free && h.database == database && h.seq <= through_seq) {
      ++n;
    }
  }
  return n;
}

size_t QueueView::ready_databases(std::span<uint32_t> out) const noexcept {
  size_t n = 0;
  for (uint32_t i = 0; i < header_->capacity && n < out.size(); ++i) {
    const SlotHead& h = slots_[i].head;
    if (h.state == SlotState::ready &&
        std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), h.database) ==
            out.begin() + static_cast<std::ptrdiff_t>(n)) {
      out[n++] = h.database;
    }
  }
  return n;
}

} // namespace autoreport::audit
