// HTTP + WebSocket sessions on one port, and the hub that joins them to the database.
#include "server.hpp"

#include "protocol.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <iostream>

namespace autoreport::sidecar {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t now_seconds() {
  return now_micros() / 1000000;
}

// The token of a handshake: "Authorization: Bearer <token>", else the token query parameter.
std::string token_of(const http::request<http::string_body>& req) {
  const auto auth = req[http::field::authorization];
  if (auth.size() > 7 && beast::iequals(auth.substr(0, 7), "Bearer ")) {
    return std::string(auth.substr(7));
  }
  const std::string_view target = req.target();
  const size_t q = target.find('?');
  if (q == std::string_view::npos) {
    return "";
  }
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.rfind("token=", 0) == 0) {
      return std::string(pair.substr(6));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return "";
}

// A browser's Origin must be the sidecar's own or on the allow-list; clients without one pass.
bool origin_ok(const http::request<http::string_body>& req, const Config& config) {
  const auto origin = req[http::field::origin];
  if (origin.empty()) {
    return true;
  }
  const std::string host(req[http::field::host]);
  if (origin == "http://" + host || origin == "https://" + host) {
    return true;
  }
  for (const std::string& allowed : config.allowed_origins) {
    if (origin == allowed) {
      return true;
    }
  }
  return false;
}

} // namespace

// One WebSocket client.
class WsSession : public std::enable_shared_from_this<WsSession> {
public:
  WsSession(tcp::socket socket, Hub& hub, std::string role)
      : ws_(std::move(socket)), hub_(hub), role_(std::move(role)),
        outbox_(static_cast<size_t>(hub.config().queue_messages),
                static_cast<size_t>(hub.config().queue_bytes)) {}

  void accept(http::request<http::string_body> req) {
    ws_.read_message_max(static_cast<size_t>(hub_.config().max_frame_bytes));
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::server);
    t.idle_timeout =
        std::chrono::seconds(hub_.config().ping_interval_seconds + hub_.config().pong_timeout_seconds);
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        return;
      }
      self->id_ = self->hub_.add(self);
      self->read();
    });
  }

  // Queues a frame; a client whose queue is full is closed as too slow.
  void send(Frame frame) {
    if (closing_) {
      return;
    }
    if (!outbox_.push(std::move(frame))) {
      ++hub_.metrics().closed_slow;
      close(websocket::close_code::policy_error, "slow consumer");
      return;
    }
    if (!writing_) {
      write();
    }
  }

  void send_text(std::string text) { send(std::make_shared<const std::string>(std::move(text))); }

  uint64_t next_seq() { return ++seq_; }

  void close(websocket::close_code code, const char* reason) {
    if (closing_) {
      return;
    }
    closing_ = true;
    ws_.async_close(websocket::close_reason(code, reason), [self = shared_from_this()](beast::error_code) {});
  }

private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        close(websocket::close_code::too_big, "frame too large");
      }
      hub_.remove(id_);
      return;
    }
    ++hub_.metrics().frames_in;
    if (!within_rate()) {
      ++hub_.metrics().closed_rate;
      close(websocket::close_code::policy_error, "message rate limit");
      hub_.remove(id_);
      return;
    }
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
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
      send_text(error_frame(r.error_code, r.error_message, std::nullopt));
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

  void write() {
    if (outbox_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(*outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) {
                        self->writing_ = false;
                        return;
                      }
                      ++self->hub_.metrics().frames_out;
                      self->outbox_.pop();
                      self->write();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Hub& hub_;
  std::string role_;
  Outbox outbox_;
  beast::flat_buffer buffer_;
  SessionId id_ = 0;
  uint64_t seq_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  double tokens_ = 0;
  bool rate_started_ = false;
  std::chrono::steady_clock::time_point refilled_at_;
};

// One HTTP connection: answers /healthz and /metrics, or hands a checked handshake to a WsSession.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
  HttpSession(tcp::socket socket, Hub& hub) : stream_(std::move(socket)), hub_(hub) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
  }

private:
  void on_request(beast::error_code ec) {
    if (ec) {
      return;
    }
    if (websocket::is_upgrade(req_)) {
      if (!origin_ok(req_, hub_.config())) {
        ++hub_.metrics().refused_origin;
        respond(http::status::forbidden, R"({"error":"origin not allowed"})");
        return;
      }
      const auto verified = hub_.verifier().verify(token_of(req_), now_seconds());
      if (!verified.claims) {
        ++hub_.metrics().refused_auth;
        respond(http::status::unauthorized, nlohmann::json{{"error", verified.error}}.dump());
        return;
      }
      if (static_cast<int>(hub_.sessions()) >= hub_.config().max_connections || hub_.stopping()) {
        respond(http::status::service_unavailable, R"({"error":"too many connections"})");
        return;
      }
      stream_.expires_never();
      auto session = std::make_shared<WsSession>(stream_.release_socket(), hub_, verified.claims->role);
      session->accept(std::move(req_));
      return;
    }
    const std::string_view target = req_.target();
    if (target == "/healthz") {
      if (hub_.healthy()) {
        respond(http::status::ok, R"({"status":"ok"})");
      } else {
        respond(http::status::service_unavailable,
                nlohmann::json{{"status", "unavailable"}, {"reason", hub_.health_reason()}}.dump());
      }
      return;
    }
    if (target == "/metrics") {
      respond(http::status::ok, hub_.metrics_text(), "text/plain; version=0.0.4");
      return;
    }
    respond(http::status::not_found, R"({"error":"not found"})");
  }

  void respond(http::status status, std::string body, const char* type = "application/json") {
    auto res = std::make_shared<http::response<http::string_body>>(status, req_.version());
    res->set(http::field::server, "autoreport-sidecar");
    res->set(http::field::content_type, type);
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  Hub& hub_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

Hub::Hub(asio::io_context& io, Config config, std::unique_ptr<JwtVerifier> verifier)
    : io_(io), config_(std::move(config)), verifier_(std::move(verifier)),
      db_(
          io, config_.database, [this](const std::string& c, const std::string& p) { on_notify(c, p); },
          [this](bool again) { on_connected(again); }),
      acceptor_(io) {}

void Hub::start() {
  const tcp::endpoint endpoint(asio::ip::make_address(config_.listen),
                               static_cast<unsigned short>(config_.port));
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  db_.start();
  accept();
}

void Hub::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopping_) {
      return;
    }
    if (!ec) {
      std::make_shared<HttpSession>(std::move(socket), *this)->start();
    }
    accept();
  });
}

void Hub::shutdown() {
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) {
      s->close(websocket::close_code::going_away, "server shutting down");
    }
  }
  shutdown_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(config_.shutdown_seconds);
  finish_shutdown();
}

// Ends the loop once every client has gone, or at the shutdown deadline.
void Hub::finish_shutdown() {
  if (sessions_.empty() || std::chrono::steady_clock::now() >= shutdown_deadline_) {
    db_.stop();
    io_.stop();
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(50));
  timer->async_wait([this, timer](beast::error_code) { finish_shutdown(); });
}

SessionId Hub::add(const std::shared_ptr<WsSession>& session) {
  const SessionId id = next_id_++;
  sessions_[id] = session;
  ++metrics_.connections_total;
  return id;
}

void Hub::remove(SessionId id) {
  if (sessions_.erase(id) == 0) {
    return;
  }
  for (const std::string& channel : subs_.remove_session(id)) {
    db_.unlisten(channel);
  }
}

std::shared_ptr<WsSession> Hub::session(SessionId id) const {
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.lock();
}

void Hub::allowed(const std::string& role, const std::string& channel, const std::string& action,
                  std::function<void(bool, const std::string&)> done) {
  const auto key = std::make_tuple(role, channel, action);
  const auto now = std::chrono::steady_clock::now();
  if (const auto it = grants_.find(key);
      it != grants_.end() && now - it->second.second < std::chrono::seconds(config_.grant_cache_seconds)) {
    done(it->second.first, "");
    return;
  }
  db_.query("SELECT autoreport.channel_allowed($1, $2, $3)", {role, channel, action},
            [this, key, now, done = std::move(done)](bool ok, const std::string& value) {
              if (!ok) {
                done(false, value);
                return;
              }
              const bool yes = value == "t";
              grants_[key] = {yes, now};
              done(yes, "");
            });
}

void Hub::subscribe(SessionId id, const std::string& role, const std::string& channel,
                    const nlohmann::json* request_id) {
  const std::optional<nlohmann::json> rid =
      request_id ? std::optional<nlohmann::json>(*request_id) : std::nullopt;
  if (subs_.count(id) >= static_cast<size_t>(config_.max_subscriptions) && !subs_.subscribed(id, channel)) {
    if (auto s = session(id)) {
      s->send_text(error_frame("too_many_subscriptions", "subscription limit reached", rid));
    }
    return;
  }
  allowed(role, channel, "listen", [this, id, channel, rid](bool yes, const std::string& error) {
    auto s = session(id);
    if (!s) {
      return;
    }
    if (!error.empty()) {
      s->send_text(error_frame("unavailable", "cannot check the grant now", rid));
      return;
    }
    if (!yes) {
      s->send_text(error_frame("forbidden", "no grant to listen on " + channel, rid));
      return;
    }
    if (subs_.subscribe(id, channel) == Subscriptions::Change::Listen) {
      db_.listen(channel, [this, id, channel, rid](bool ok, const std::string&) {
        if (auto s2 = session(id)) {
          s2->send_text(ok ? reply_frame("subscribed", channel, rid)
                           : error_frame("unavailable", "cannot listen now", rid));
        }
      });
    } else {
      s->send_text(reply_frame("subscribed", channel, rid));
    }
  });
}

void Hub::unsubscribe(SessionId id, const std::string& channel, const nlohmann::json* request_id) {
  const std::optional<nlohmann::json> rid =
      request_id ? std::optional<nlohmann::json>(*request_id) : std::nullopt;
  if (subs_.unsubscribe(id, channel) == Subscriptions::Change::Unlisten) {
    db_.unlisten(channel);
  }
  if (auto s = session(id)) {
    s->send_text(reply_frame("unsubscribed", channel, rid));
  }
}

void Hub::publish(SessionId id, const std::string& role, const std::string& channel,
                  const std::string& payload, const nlohmann::json* request_id) {
  const std::optional<nlohmann::json> rid =
      request_id ? std::optional<nlohmann::json>(*request_id) : std::nullopt;
  allowed(role, channel, "publish", [this, id, channel, payload, rid](bool yes, const std::string& error) {
    auto s = session(id);
    if (!s) {
      return;
    }
    if (!yes || !error.empty()) {
      s->send_text(error_frame(error.empty() ? "forbidden" : "unavailable",
                               error.empty() ? "no grant to publish on " + channel : "cannot publish now",
                               rid));
      return;
    }
    db_.query("SELECT pg_notify($1, $2)", {channel, payload},
              [this, id, channel, rid](bool ok, const std::string&) {
                if (auto s2 = session(id)) {
                  s2->send_text(ok ? reply_frame("published", channel, rid)
                                   : error_frame("unavailable", "cannot publish now", rid));
                }
              });
  });
}

void Hub::on_notify(const std::string& channel, const std::string& payload) {
  ++metrics_.notifications;
  const std::string time = iso8601_utc(now_micros());
  for (SessionId id : subs_.subscribers(channel)) {
    if (auto s = session(id)) {
      s->send_text(notify_frame(channel, payload, s->next_seq(), time));
    }
  }
}

void Hub::on_connected(bool reconnected) {
  if (!reconnected) {
    return;
  }
  // Notifications sent while the connection was down are lost: LISTEN again, and say so.
  for (const std::string& channel : subs_.channels()) {
    db_.listen(channel);
  }
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) {
      const auto channels = subs_.channels_of(id);
      if (!channels.empty()) {
        s->send_text(gap_frame(channels, "database connection was lost and restored", s->next_seq()));
      }
    }
  }
}

std::string Hub::metrics_text() const {
  std::string out;
  const auto gauge = [&](const char* name, const char* help, uint64_t value, const char* type) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
           std::to_string(value) + "\n";
  };
  gauge("autoreport_sidecar_connections", "WebSocket clients connected now", sessions_.size(), "gauge");
  gauge("autoreport_sidecar_subscriptions", "subscriptions now", subs_.total(), "gauge");
  gauge("autoreport_sidecar_connections_total", "WebSocket clients accepted", metrics_.connections_total,
        "counter");
  gauge("autoreport_sidecar_frames_in_total", "frames received from clients", metrics_.frames_in, "counter");
  gauge("autoreport_sidecar_frames_out_total", "frames written to clients", metrics_.frames_out, "counter");
  gauge("autoreport_sidecar_notifications_total", "notifications received from the database",
        metrics_.notifications, "counter");
  gauge("autoreport_sidecar_closed_slow_total", "clients closed because their queue was full",
        metrics_.closed_slow, "counter");
  gauge("autoreport_sidecar_closed_rate_total", "clients closed for sending too many frames",
        metrics_.closed_rate, "counter");
  gauge("autoreport_sidecar_refused_auth_total", "handshakes refused for a bad token", metrics_.refused_auth,
        "counter");
  gauge("autoreport_sidecar_refused_origin_total", "handshakes refused for their Origin",
        metrics_.refused_origin, "counter");
  gauge("autoreport_sidecar_database_up", "1 when the database connection is up", db_.connected() ? 1 : 0,
        "gauge");
  gauge("autoreport_sidecar_reconnects_total", "database reconnections", db_.reconnects(), "counter");
  return out;
}

} // namespace autoreport::sidecar
