// HTTP + WebSocket sessions on one port, and the hub that joins them to the database.
#include "server.hpp"

#include "corked_stream.hpp"
#include "protocol.hpp"
#include "web_assets.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <iostream>
#include <set>
#include <type_traits>

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

// What the hub needs of a WebSocket client, whatever its transport (TCP or TLS).
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
  virtual void close(websocket::close_code code, const char* reason) = 0;
  // Called every second: pings a client that has been quiet for ping_interval, and drops one that has
  // not answered a ping within pong_timeout.
  virtual void tick(std::chrono::steady_clock::time_point now) = 0;

private:
  uint64_t seq_ = 0;
};

static_assert(Message::kPrefixMax >= kNotifyPrefixMax);

namespace {

// The embedded dashboard file for a request target ("/" is index.html), or nullptr.
const WebAsset* web_asset(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target == "/") {
    target = "/index.html";
  }
  for (const WebAsset* a = kWebAssets; a->path != nullptr; ++a) {
    if (target == a->path) {
      return a;
    }
  }
  return nullptr;
}

// The dashboard runs only its own script and style and talks only to this origin.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

} // namespace

// One WebSocket client over Stream (beast::tcp_stream, or beast::ssl_stream of one).
template <class Stream>
class WsSession : public Session, public std::enable_shared_from_this<WsSession<Stream>> {
public:
  WsSession(Stream&& stream, Hub& hub, std::string role)
      : ws_(std::move(stream)), hub_(hub), role_(std::move(role)),
        outbox_(static_cast<size_t>(hub.config().queue_messages),
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
    if (!outbox_.push(std::move(message))) {
      hub_.count_drop(DropReason::SlowConsumer);
      close(websocket::close_code::policy_error, "slow consumer");
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
    if (closing_ || id_ == 0) {
      return;
    }
    if (awaiting_pong_) {
      if (now - ping_sent_ >= std::chrono::seconds(hub_.config().pong_timeout_seconds)) {
        // No answer: the peer is gone or stuck; there is no point in a closing handshake.
        hub_.count_drop(DropReason::PongTimeout);
        closing_ = true;
        beast::get_lowest_layer(ws_).close();
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
  void read() {
    ws_.async_read(buffer_,
                   [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        hub_.count_drop(DropReason::FrameTooLarge);
        close(websocket::close_code::too_big, "frame too large");
      }
      hub_.remove(id_);
      return;
    }
    ++hub_.metrics().frames_in;
    last_heard_ = std::chrono::steady_clock::now();
    if (!within_rate()) {
      hub_.count_drop(DropReason::RateLimit);
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
  std::string role_;
  Outbox outbox_;
  beast::flat_buffer buffer_;
  SessionId id_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  std::chrono::steady_clock::time_point last_heard_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point ping_sent_;
  bool awaiting_pong_ = false;
  bool ping_in_flight_ = false;
  std::optional<websocket::close_reason> pending_close_;
  double tokens_ = 0;
  bool rate_started_ = false;
  std::chrono::steady_clock::time_point refilled_at_;
};

// One HTTP connection over Stream: answers the dashboard, /healthz and /metrics, or hands a checked
// handshake to a WsSession.
template <class Stream> class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
public:
  HttpSession(Stream&& stream, Hub& hub) : stream_(std::move(stream)), hub_(hub) {}

  void start() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  ++self->hub_.metrics().tls_failures;
                                  return;
                                }
                                self->read();
                              });
    }
  }

private:
  void read() {
    http::async_read(stream_, buffer_, req_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->on_request(ec);
    });
  }

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
        ++hub_.metrics().refused_capacity;
        respond(http::status::service_unavailable, R"({"error":"too many connections"})");
        return;
      }
      // Plain TCP sessions gather their frames (CorkedStream); TLS already writes records.
      using WsStream = std::conditional_t<std::is_same_v<Stream, beast::tcp_stream>, CorkedStream, Stream>;
      auto session =
          std::make_shared<WsSession<WsStream>>(WsStream(std::move(stream_)), hub_, verified.claims->role);
      session->accept(std::move(req_));
      return;
    }
    const std::string_view target = req_.target();
    if (req_.method() != http::verb::get && req_.method() != http::verb::head) {
      respond(http::status::method_not_allowed, R"({"error":"only GET"})");
      return;
    }
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
    if (const WebAsset* asset = web_asset(target)) {
      respond(http::status::ok, std::string(reinterpret_cast<const char*>(asset->data), asset->size),
              asset->content_type);
      return;
    }
    respond(http::status::not_found, R"({"error":"not found"})");
  }

  void respond(http::status status, std::string body, const char* type = "application/json") {
    auto res = std::make_shared<http::response<http::string_body>>(status, req_.version());
    res->set(http::field::server, "autoreport-sidecar");
    res->set(http::field::content_type, type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    res->set("Content-Security-Policy", kContentSecurityPolicy);
    res->set("Referrer-Policy", "no-referrer");
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    if (req_.method() == http::verb::head) {
      res->body().clear();
    }
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code, size_t) {
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      } else {
        // The session must outlive the TLS close_notify exchange.
        beast::get_lowest_layer(self->stream_).expires_after(std::chrono::seconds(5));
        self->stream_.async_shutdown([self](beast::error_code) {});
      }
    });
  }

  Stream stream_;
  Hub& hub_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

Hub::Hub(asio::io_context& io, Config config, std::unique_ptr<JwtVerifier> verifier)
    : io_(io), config_(std::move(config)), verifier_(std::move(verifier)),
      db_(
          io, config_.database, [this](const std::string& c, const std::string& p) { on_notify(c, p); },
          [this](bool again) { on_connected(again); }),
      acceptor_(io), keepalive_timer_(io), revalidate_timer_(io) {}

void Hub::start() {
  if (!config_.tls_certificate_file.empty()) {
    // TLS only: with a certificate configured, plain HTTP would carry tokens in the clear.
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    tls_->use_certificate_chain_file(config_.tls_certificate_file);
    tls_->use_private_key_file(config_.tls_key_file, asio::ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address(config_.listen),
                               static_cast<unsigned short>(config_.port));
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (config_.reuse_port) {
    acceptor_.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  }
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  db_.start();
  accept();
  keepalive();
  revalidate();
}

void Hub::revalidate() {
  revalidate_timer_.expires_after(std::chrono::seconds(std::max(1, config_.grant_cache_seconds)));
  revalidate_timer_.async_wait([this](beast::error_code ec) {
    if (ec || stopping_) {
      return;
    }
    revalidate();
    if (revalidating_ || !db_.connected()) {
      return;
    }
    // Every (role, channel) in use, asked in one query.
    nlohmann::json pairs = nlohmann::json::array();
    std::set<std::pair<std::string, std::string>> seen;
    for (const std::string& channel : subs_.channels()) {
      for (const SessionId id : subs_.subscribers(channel)) {
        if (const auto r = roles_.find(id); r != roles_.end() && seen.emplace(r->second, channel).second) {
          pairs.push_back({r->second, channel});
        }
      }
    }
    if (pairs.empty()) {
      return;
    }
    revalidating_ = true;
    db_.query("SELECT coalesce(json_agg(p), '[]')::text FROM json_array_elements($1::json) AS p "
              "WHERE NOT autoreport.channel_allowed(p->>0, p->>1, 'listen')",
              {pairs.dump()}, [this](bool ok, const std::string& value) {
                revalidating_ = false;
                if (!ok) {
                  return; // asked again next time
                }
                const nlohmann::json revoked = nlohmann::json::parse(value, nullptr, false);
                if (!revoked.is_array()) {
                  return;
                }
                for (const auto& pair : revoked) {
                  const std::string role = pair.at(0).get<std::string>();
                  const std::string channel = pair.at(1).get<std::string>();
                  grants_[std::make_tuple(role, channel, std::string("listen"))] = {
                      false, std::chrono::steady_clock::now()};
                  for (const SessionId id : subs_.subscribers(channel)) {
                    const auto r = roles_.find(id);
                    if (r == roles_.end() || r->second != role) {
                      continue;
                    }
                    if (subs_.unsubscribe(id, channel) == Subscriptions::Change::Unlisten) {
                      db_.unlisten(channel);
                    }
                    if (auto s = session(id)) {
                      s->send_text(revoked_frame(channel));
                    }
                  }
                }
              });
  });
}

void Hub::keepalive() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) {
      s->tick(now);
    }
  }
  keepalive_timer_.expires_after(std::chrono::seconds(1));
  keepalive_timer_.async_wait([this](beast::error_code ec) {
    if (!ec && !stopping_) {
      keepalive();
    }
  });
}

void Hub::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopping_) {
      return;
    }
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (tls_) {
        std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls_), *this)
            ->start();
      } else {
        std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), *this)
            ->start();
      }
    }
    accept();
  });
}

void Hub::wrote(const Message& message) noexcept {
  ++metrics_.frames_out;
  if (message.received != std::chrono::steady_clock::time_point{}) {
    metrics_.delivery_delay.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - message.received).count());
  }
}

void Histogram::observe(double seconds) noexcept {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) {
    ++i;
  }
  ++counts_[i];
  sum_ += seconds;
  ++count_;
}

std::string Histogram::text(const char* name, const char* help) const {
  std::string out = std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += counts_[i];
    char le[32];
    if (i < kBounds.size()) {
      std::snprintf(le, sizeof le, "%g", kBounds[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out += std::string(name) + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.9g", sum_);
  out += std::string(name) + "_sum " + sum + "\n" + name + "_count " + std::to_string(count_) + "\n";
  return out;
}

void Hub::shutdown() {
  stopping_ = true;
  keepalive_timer_.cancel();
  revalidate_timer_.cancel();
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

SessionId Hub::add(const std::shared_ptr<Session>& session, const std::string& role) {
  const SessionId id = next_id_++;
  sessions_[id] = session;
  roles_[id] = role;
  ++metrics_.connections_total;
  return id;
}

void Hub::remove(SessionId id) {
  if (sessions_.erase(id) == 0) {
    return;
  }
  roles_.erase(id);
  for (const std::string& channel : subs_.remove_session(id)) {
    db_.unlisten(channel);
  }
}

std::shared_ptr<Session> Hub::session(SessionId id) const {
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
  const auto received = std::chrono::steady_clock::now();
  // One immutable body for every recipient; each queues only its own sequence-number prefix.
  const Frame body =
      std::make_shared<const std::string>(notify_body(channel, payload, iso8601_utc(now_micros())));
  for (SessionId id : subs_.subscribers(channel)) {
    if (auto s = session(id)) {
      s->send_notify(body, received);
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
  out += "# HELP autoreport_sidecar_drops_total clients closed by the sidecar, by reason\n"
         "# TYPE autoreport_sidecar_drops_total counter\n";
  static constexpr std::array<const char*, kDropReasons> reasons = {"slow_consumer", "rate_limit",
                                                                    "frame_too_large", "pong_timeout"};
  for (size_t i = 0; i < kDropReasons; ++i) {
    out += std::string("autoreport_sidecar_drops_total{reason=\"") + reasons[i] + "\"} " +
           std::to_string(metrics_.drops[i]) + "\n";
  }
  gauge("autoreport_sidecar_refused_auth_total", "handshakes refused for a bad token", metrics_.refused_auth,
        "counter");
  gauge("autoreport_sidecar_refused_origin_total", "handshakes refused for their Origin",
        metrics_.refused_origin, "counter");
  gauge("autoreport_sidecar_refused_capacity_total", "handshakes refused at the connection limit",
        metrics_.refused_capacity, "counter");
  gauge("autoreport_sidecar_tls_failures_total", "TLS handshakes that failed", metrics_.tls_failures,
        "counter");
  gauge("autoreport_sidecar_database_up", "1 when the database connection is up", db_.connected() ? 1 : 0,
        "gauge");
  gauge("autoreport_sidecar_reconnects_total", "database reconnections", db_.reconnects(), "counter");
  out += metrics_.delivery_delay.text("autoreport_sidecar_delivery_delay_seconds",
                                      "from a notification reaching the sidecar to its frame being written");
  return out;
}

} // namespace autoreport::sidecar
