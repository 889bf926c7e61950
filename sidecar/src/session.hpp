// What the hub needs of a WebSocket client, whatever its transport (TCP or TLS).
#pragma once

#include "outbox.hpp"
#include "protocol.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

namespace autoreport::sidecar {

class Session {
public:
  virtual ~Session() = default;
  // Queues a frame; a client whose queue is full is closed as too slow.
  virtual void send(Message message) = 0;
  void send_text(std::string text) {
    Message m;
    m.body = std::make_shared<const std::string>(std::move(text));
    send(std::move(m));
  }
  // Queues a notification: this connection's prefix with its next sequence number, then the shared body.
  void send_notify(const Frame& body, std::chrono::steady_clock::time_point received) {
    Message m;
    m.prefix_size = notify_prefix(next_seq(), m.prefix.data());
    m.body = body;
    m.received = received;
    send(std::move(m));
  }
  uint64_t next_seq() { return ++seq_; }
  virtual void close(boost::beast::websocket::close_code code, const char* reason) = 0;
  // Called every second: pings a client that has been quiet for ping_interval, and drops one that has
  // not answered a ping within pong_timeout.
  virtual void tick(std::chrono::steady_clock::time_point now) = 0;

private:
  uint64_t seq_ = 0;
};

static_assert(Message::kPrefixMax >= kNotifyPrefixMax);

} // namespace autoreport::sidecar
