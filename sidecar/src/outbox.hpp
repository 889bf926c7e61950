// A connection's bounded queue of messages waiting to be written.
//
// Fan-out shares one immutable buffer per notification among all its recipients: a queued message is
// a small per-connection prefix (a notify frame's `{"type":"notify","seq":N,`) and a pointer to the
// shared body, written together as one frame. A slow client's queue is bounded by messages and by
// bytes: a push that would exceed either limit is refused, and the server closes that client (close
// code 1008, reason "slow consumer"), counted in the metrics, so that it never slows the others.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace autoreport::sidecar {

using Frame = std::shared_ptr<const std::string>;

struct Message {
  static constexpr size_t kPrefixMax = 48;
  std::array<char, kPrefixMax> prefix{};
  size_t prefix_size = 0;
  Frame body; // shared, immutable
  // When the database's notification reached the sidecar (for the delay histogram); zero for frames
  // that are not notifications.
  std::chrono::steady_clock::time_point received{};

  std::string_view prefix_view() const noexcept { return {prefix.data(), prefix_size}; }
  size_t size() const noexcept { return prefix_size + (body ? body->size() : 0); }
};

class Outbox {
public:
  Outbox(size_t max_messages, size_t max_bytes) : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // False (and nothing queued) when the message would overflow the queue.
  bool push(Message message);
  bool push(Frame frame) { return push(Message{{}, 0, std::move(frame), {}}); }
  // The next message to write; it stays queued until pop(). Only when !empty().
  const Message& front() const { return messages_.front(); }
  void pop();
  bool empty() const noexcept { return messages_.empty(); }
  size_t size() const noexcept { return messages_.size(); }
  size_t bytes() const noexcept { return bytes_; }

private:
  std::deque<Message> messages_;
  size_t bytes_ = 0;
  size_t max_messages_;
  size_t max_bytes_;
};

} // namespace autoreport::sidecar
