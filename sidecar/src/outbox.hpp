// A connection's bounded queue of messages waiting to be written.
//
// Fan-out shares one immutable buffer per notification among all its recipients: a queued message is
// a small per-connection prefix (a notify frame's `{"type":"notify","seq":N,`) and a pointer to the
// shared body, written together as one frame. A queue has soft limits in messages and bytes, and a
// hard cap at kHardFactor times either. A burst, or a server that has fallen behind, may take a queue
// over its soft limits: the client is slow only when its queue has stayed over them, with no message
// written meanwhile, for a while (slow()). A client whose socket takes frames is not blamed for the
// server's own lag.
// A push past the hard cap is refused, so that memory stays bounded; the server then closes that
// client at once (close code 1008, reason "slow consumer"), counted in the metrics.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
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
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kHardFactor = 16;

  Outbox(size_t max_messages, size_t max_bytes) : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // False (and nothing queued) when the message would take the queue past its hard cap.
  bool push(Message message, Clock::time_point now = Clock::now());
  bool push(Frame frame, Clock::time_point now = Clock::now()) {
    return push(Message{{}, 0, std::move(frame), {}}, now);
  }
  // Since when the queue has been over a soft limit without coming back under; nullopt when it is not.
  std::optional<Clock::time_point> over_since() const noexcept { return over_since_; }
  // Whether the queue has stayed over a soft limit, and no message has left it, for at least `allowed`.
  bool slow(Clock::time_point now, Clock::duration allowed) const noexcept {
    return over_since_ && now - std::max(*over_since_, last_pop_) >= allowed;
  }
  // Drops all but the first `keep` messages (a client being closed gets nothing more; the message being
  // written stays).
  void truncate(size_t keep) noexcept;
  // The next message to write; it stays queued until pop(). Only when !empty().
  const Message& front() const { return messages_.front(); }
  void pop(Clock::time_point now = Clock::now());
  bool empty() const noexcept { return messages_.empty(); }
  size_t size() const noexcept { return messages_.size(); }
  size_t bytes() const noexcept { return bytes_; }

private:
  std::deque<Message> messages_;
  size_t bytes_ = 0;
  std::optional<Clock::time_point> over_since_;
  Clock::time_point last_pop_{};
  size_t max_messages_;
  size_t max_bytes_;
};

} // namespace autoreport::sidecar
