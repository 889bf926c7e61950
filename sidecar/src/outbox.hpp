// A connection's bounded queue of frames waiting to be written.
//
// Fan-out shares one immutable buffer per notification among all its recipients; each connection
// queues only a pointer. A slow client's queue is bounded by messages and by bytes: a push that would
// exceed either limit is refused, and the server closes that client (close code 1008, reason
// "slow consumer"), counted in the metrics, so that it never slows the others.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace autoreport::sidecar {

using Frame = std::shared_ptr<const std::string>;

class Outbox {
public:
  Outbox(size_t max_messages, size_t max_bytes) : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // False (and nothing queued) when the frame would overflow the queue.
  bool push(Frame frame);
  // The next frame to write, or nullptr when empty; it stays queued until pop().
  const Frame& front() const;
  void pop();
  bool empty() const noexcept { return frames_.empty(); }
  size_t size() const noexcept { return frames_.size(); }
  size_t bytes() const noexcept { return bytes_; }

private:
  std::deque<Frame> frames_;
  size_t bytes_ = 0;
  size_t max_messages_;
  size_t max_bytes_;
};

} // namespace autoreport::sidecar
