// One WebSocket client: reads its requests and hands them to the hub, writes its queued frames one at
// a time, pings it when quiet and closes it when it is too slow, too fast or gone. A close that has not
// completed within kCloseDeadline is cut short: the socket is reset and its descriptor freed.
#pragma once

#include "corked_stream.hpp"
#include "hub.hpp"
#include "session.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <type_traits>

namespace autoreport::sidecar {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// The close code of a session whose token has expired (4000-4999 are for applications).
constexpr uint16_t kCloseTokenExpired = 4001;

// One WebSocket client over Stream (beast::tcp_stream, or beast::ssl_stream of one).
template <class Stream>
class WsSession : public Session, public std::enable_shared_from_this<WsSession<Stream>> {
public:
  static constexpr std::chrono::seconds kCloseDeadline{5};

  // expires_at: the token's exp (seconds since the epoch); the session is closed with 4001 after it.
  WsSession(Stream&& stream, Hub& hub, std::string role, int64_t expires_at, SocketSlot slot)
      : ws_(std::move(stream)), hub_(hub), slot_(std::move(slot)), role_(std::move(role)),
        expires_at_(expires_at), outbox_(static_cast<size_t>(hub.config().queue_messages),
                                         static_cast<size_t>(hub.config().queue_bytes)) {}

  void accept(http::request<http::string_body> req) {
    // The WebSocket stream keeps its own timeouts; the TCP stream's would cut idle clients.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.read_message_max(static_cast<size_t>(hub_.config().max_frame_bytes));
    // Pings are the hub's (tick()), so that --ping-interval and --pong-timeout mean exactly that.
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::server);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      last_heard_ = std::chrono::steady_clock::now();
      if (kind == websocket::frame_type::pong) {
        awaiting_pong_ = false;
      }
    });
    if (hub_.config().permessage_deflate) {
      websocket::permessage_deflate pmd;
      pmd.server_enable = true;
      pmd.msg_size_threshold = 256; // small frames are not worth compressing
      ws_.set_option(pmd);
    }
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "autoreport-sidecar"); }));
    ws_.text(true);
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) {
        return;
      }
      self->id_ = self->hub_.add(self, self->role_);
      self->read();
    });
  }

  void send(Message message) override {
    if (closing_) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    // Slow: the queue stayed over its soft limits, nothing leaving it, for --slow-consumer-seconds; or it
    // reached the hard cap.
    if (!outbox_.push(std::move(message), now) ||
        outbox_.slow(now, std::chrono::seconds(hub_.config().slow_consumer_seconds))) {
      close_slow();
      return;
    }
    if (!writing_) {
      write();
    }
  }

  void close(websocket::close_code code, const char* reason) override {
    if (closing_) {
      return;
    }
    closing_ = true;
    close_deadline_ = std::chrono::steady_clock::now() + kCloseDeadline;
    // Nothing more goes before the close frame (the write in flight stays).
    outbox_.truncate(writing_ ? 1 : 0);
    if constexpr (std::is_same_v<Stream, CorkedStream>) {
      ws_.next_layer().uncork(); // the close frame must not wait behind a cork
    }
    if (ping_in_flight_) {
      // Beast allows one ping or close at a time: close when the ping is out.
      pending_close_ = websocket::close_reason(code, reason);
      return;
    }
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = this->shared_from_this()](beast::error_code) {});
  }

  void tick(std::chrono::steady_clock::time_point now) override {
    if (torn_down_ || id_ == 0) {
      return;
    }
    if (closing_) {
      if (now >= close_deadline_) {
        tear_down(); // the peer does not take the close frame (or its answer never comes)
      }
      return;
    }
    if (outbox_.slow(now, std::chrono::seconds(hub_.config().slow_consumer_seconds))) {
      close_slow(); // its queue has not come back under the limits
      return;
    }
    const int64_t wall =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    if (wall > expires_at_ + hub_.verifier().leeway()) {
      // The token has expired (with the same leeway as at the handshake): the stream ends with it.
      hub_.metrics().count_drop(DropReason::TokenExpired);
      close(static_cast<websocket::close_code>(kCloseTokenExpired), "token expired");
      return;
    }
    if (awaiting_pong_) {
      if (now - ping_sent_ >= std::chrono::seconds(hub_.config().pong_timeout_seconds)) {
        // No answer: the peer is gone or stuck; there is no point in a closing handshake.
        hub_.metrics().count_drop(DropReason::PongTimeout);
        closing_ = true;
        tear_down();
      }
      return;
    }
    if (now - last_heard_ >= std::chrono::seconds(hub_.config().ping_interval_seconds) && !ping_in_flight_) {
      awaiting_pong_ = true;
      ping_in_flight_ = true;
      ping_sent_ = now;
      ws_.async_ping({}, [self = this->shared_from_this()](beast::error_code) {
        self->ping_in_flight_ = false;
        if (self->pending_close_) {
          const websocket::close_reason why = *self->pending_close_;
          self->pending_close_.reset();
          self->ws_.async_close(why, [self](beast::error_code) {});
        }
      });
    }
  }

private:
  void close_slow() {
    hub_.metrics().count_drop(DropReason::SlowConsumer);
    close(websocket::close_code::policy_error, "slow consumer");
  }

  // Resets the connection (no lingering in the kernel with unsent data) and frees its descriptor; the
  // pending read then fails, which removes the session from the hub.
  void tear_down() {
    torn_down_ = true;
    outbox_.truncate(writing_ ? 1 : 0);
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    slot_.release();
  }

  void read() {
    ws_.async_read(buffer_,
                   [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        hub_.metrics().count_drop(DropReason::FrameTooLarge);
        close(websocket::close_code::too_big, "frame too large");
      }
      hub_.remove(id_);
      return;
    }
    ++hub_.metrics().frames_in;
    last_heard_ = std::chrono::steady_clock::now();
    if (!within_rate()) {
      hub_.metrics().count_drop(DropReason::RateLimit);
      close(websocket::close_code::policy_error, "message rate limit");
      hub_.remove(id_);
      return;
    }
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (!ws_.got_text()) {
      send_text(error_frame("bad_frame", "frames must be text (JSON), not binary", std::nullopt));
      read();
      return;
    }
    handle(text);
    read();
  }

  // A token bucket: max_messages_per_minute frames a minute, refilled continuously, bursts up to the
  // same number.
  bool within_rate() {
    const double capacity = hub_.config().max_messages_per_minute;
    const auto now = std::chrono::steady_clock::now();
    if (!rate_started_) {
      tokens_ = capacity;
      rate_started_ = true;
    } else {
      const double minutes = std::chrono::duration<double, std::ratio<60>>(now - refilled_at_).count();
      tokens_ = std::min(capacity, tokens_ + minutes * capacity);
    }
    refilled_at_ = now;
    if (tokens_ < 1.0) {
      return false;
    }
    tokens_ -= 1.0;
    return true;
  }

  void handle(const std::string& text) {
    const ParseResult r = parse_client_message(text);
    if (!r.message) {
      send_text(error_frame(r.error_code, r.error_message, r.id));
      return;
    }
    const ClientMessage& m = *r.message;
    const nlohmann::json* id = m.id ? &*m.id : nullptr;
    switch (m.op) {
    case Op::Ping:
      send_text(pong_frame(m.id));
      return;
    case Op::Subscribe:
      hub_.subscribe(id_, role_, m.channel, id);
      return;
    case Op::Unsubscribe:
      hub_.unsubscribe(id_, m.channel, id);
      return;
    case Op::Publish:
      hub_.publish(id_, role_, m.channel, m.payload, id);
      return;
    }
  }

  // One write in flight: the front message's prefix and its (shared) body as one frame.
  void write() {
    if (outbox_.empty()) {
      writing_ = false;
      if constexpr (std::is_same_v<Stream, CorkedStream>) {
        ws_.next_layer().uncork(); // the queue is drained: send what was gathered in one write
      }
      return;
    }
    writing_ = true;
    if constexpr (std::is_same_v<Stream, CorkedStream>) {
      if (outbox_.size() > 1) {
        ws_.next_layer().cork(); // several frames queued: gather them
      }
    }
    const Message& m = outbox_.front();
    const std::array<asio::const_buffer, 2> frame = {asio::buffer(m.prefix.data(), m.prefix_size),
                                                     asio::buffer(*m.body)};
    ws_.async_write(frame, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->writing_ = false;
        if constexpr (std::is_same_v<Stream, CorkedStream>) {
          self->ws_.next_layer().uncork();
        }
        return;
      }
      self->hub_.wrote(self->outbox_.front());
      self->outbox_.pop();
      if (self->closing_) {
        self->writing_ = false; // closing: the close frame goes next, nothing after it
        return;
      }
      self->write();
    });
  }

  websocket::stream<Stream> ws_;
  Hub& hub_;
  SocketSlot slot_;
  std::string role_;
  int64_t expires_at_;
  Outbox outbox_;
  beast::flat_buffer buffer_;
  SessionId id_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool torn_down_ = false;
  std::chrono::steady_clock::time_point close_deadline_;
  std::chrono::steady_clock::time_point last_heard_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point ping_sent_;
  bool awaiting_pong_ = false;
  bool ping_in_flight_ = false;
  std::optional<websocket::close_reason> pending_close_;
  double tokens_ = 0;
  bool rate_started_ = false;
  std::chrono::steady_clock::time_point refilled_at_;
};

} // namespace autoreport::sidecar
