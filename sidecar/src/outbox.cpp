// The bounded per-connection message queue.
#include "outbox.hpp"

namespace autoreport::sidecar {

bool Outbox::push(Message message) {
  const size_t n = message.size();
  if (messages_.size() >= max_messages_ || n > max_bytes_ || bytes_ > max_bytes_ - n) {
    return false;
  }
  bytes_ += n;
  messages_.push_back(std::move(message));
  return true;
}

void Outbox::pop() {
  if (!messages_.empty()) {
    bytes_ -= messages_.front().size();
    messages_.pop_front();
  }
}

} // namespace autoreport::sidecar
