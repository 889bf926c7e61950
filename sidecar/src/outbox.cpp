// The bounded per-connection frame queue.
#include "outbox.hpp"

namespace autoreport::sidecar {

bool Outbox::push(Frame frame) {
  const size_t n = frame ? frame->size() : 0;
  if (frames_.size() >= max_messages_ || n > max_bytes_ || bytes_ > max_bytes_ - n) {
    return false;
  }
  bytes_ += n;
  frames_.push_back(std::move(frame));
  return true;
}

const Frame& Outbox::front() const {
  static const Frame none;
  return frames_.empty() ? none : frames_.front();
}

void Outbox::pop() {
  if (!frames_.empty()) {
    bytes_ -= frames_.front() ? frames_.front()->size() : 0;
    frames_.pop_front();
  }
}

} // namespace autoreport::sidecar
