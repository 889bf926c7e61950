// The bounded per-connection message queue.
#include "outbox.hpp"

namespace autoreport::sidecar {

bool Outbox::push(Message message, Clock::time_point now) {
  const size_t n = message.size();
  const size_t hard_messages = max_messages_ * kHardFactor;
  const size_t hard_bytes = max_bytes_ * kHardFactor;
  if (messages_.size() >= hard_messages || n > hard_bytes || bytes_ > hard_bytes - n) {
    return false;
  }
  bytes_ += n;
  messages_.push_back(std::move(message));
  if (!over_since_ && (messages_.size() > max_messages_ || bytes_ > max_bytes_)) {
    over_since_ = now;
  }
  return true;
}

void Outbox::pop(Clock::time_point now) {
  last_pop_ = now;
  if (!messages_.empty()) {
    bytes_ -= messages_.front().size();
    messages_.pop_front();
  }
  if (messages_.size() <= max_messages_ && bytes_ <= max_bytes_) {
    over_since_.reset();
  }
}

void Outbox::truncate(size_t keep) noexcept {
  while (messages_.size() > keep) {
    bytes_ -= messages_.back().size();
    messages_.pop_back();
  }
  if (messages_.size() <= max_messages_ && bytes_ <= max_bytes_) {
    over_since_.reset();
  }
}

} // namespace autoreport::sidecar
