// HTTP connections: the dashboard's files, /healthz and /metrics, and WebSocket handshakes (Origin,
// token, capacity) handed to a WebSocket session.
#include "http_session.hpp"

#include "hub.hpp"
#include "web_assets.hpp"
#include "websocket_session.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <type_traits>

namespace autoreport::sidecar {

using tcp = asio::ip::tcp;

namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
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

// A browser's Origin must be on the allow-list; clients without one pass. The sidecar's own origin is
// never derived from the Host header, which the client controls (DNS rebinding): list it.
bool origin_ok(const http::request<http::string_body>& req, const Config& config) {
  const auto origin = req[http::field::origin];
  if (origin.empty()) {
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

// One HTTP connection over Stream: answers the dashboard, /healthz and /metrics, or hands a checked
// handshake to a WsSession.
template <class Stream> class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
public:
  HttpSession(Stream&& stream, Hub& hub) : stream_(std::move(stream)), hub_(hub), slot_(hub) {}

  void start() {
    // Until the whole request is in: --handshake-timeout (TLS handshake included), and this connection
    // is the first to go when the sidecar needs a socket.
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(hub_.config().handshake_timeout_seconds));
    waiting_id_ = hub_.wait_for_request([weak = this->weak_from_this()] {
      auto self = weak.lock();
      if (!self || !self->slot_open_) {
        return false;
      }
      self->abort();
      return true;
    });
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  ++self->hub_.metrics().tls_failures;
                                  self->hub_.request_arrived(self->waiting_id_);
                                  return;
                                }
                                self->read();
                              });
    }
  }

private:
  // Closes the connection at once (RST) and gives its socket back.
  void abort() {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    slot_.release();
    slot_open_ = false;
  }

  void read() {
    http::async_read(stream_, buffer_, req_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->on_request(ec);
    });
  }

  void on_request(beast::error_code ec) {
    hub_.request_arrived(waiting_id_);
    if (ec == http::error::header_limit) {
      // Too long a header (a huge token, say): say so and count it, rather than closing silently.
      ++hub_.metrics().refused_header_too_large;
      req_ = {};
      respond(http::status::request_header_fields_too_large, R"({"error":"request header too large"})");
      return;
    }
    if (ec) {
      return;
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30)); // to write the answer
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
      // The role must exist, and be neither a superuser nor BYPASSRLS (one cached lookup).
      claims_ = *verified.claims;
      hub_.check_role(claims_.role, [self = this->shared_from_this()](const std::string& status) {
        self->on_role(status);
      });
      return;
    }
    const std::string_view target = req_.target();
    if (req_.method() != http::verb::get && req_.method() != http::verb::head) {
      respond(http::status::method_not_allowed, R"({"error":"only GET"})");
      return;
    }
    if (target == "/healthz") {
      hub_.check_health([self = this->shared_from_this()](const char* reason) {
        if (reason == nullptr) {
          self->respond(http::status::ok, R"({"status":"ok"})");
        } else {
          self->respond(http::status::service_unavailable,
                        nlohmann::json{{"status", "unavailable"}, {"reason", reason}}.dump());
        }
      });
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

  void on_role(const std::string& status) {
    if (status == "unavailable") {
      respond(http::status::service_unavailable, R"({"error":"cannot check the token's role now"})");
      return;
    }
    if (status == "missing") {
      ++hub_.metrics().refused_role;
      respond(http::status::forbidden, R"({"error":"the token's role does not exist"})");
      return;
    }
    if (status != "ok" && !(status == "privileged" && hub_.config().allow_superuser_tokens)) {
      ++hub_.metrics().refused_role;
      respond(http::status::forbidden,
              "{\"error\":\"the token's role is a superuser or has BYPASSRLS (refused "
              "unless the sidecar runs with --allow-superuser-tokens)\"}");
      return;
    }
    if (hub_.stopping()) {
      ++hub_.metrics().refused_capacity;
      respond(http::status::service_unavailable, R"({"error":"shutting down"})");
      return;
    }
    // Plain TCP sessions gather their frames (CorkedStream); TLS already writes records.
    using WsStream = std::conditional_t<std::is_same_v<Stream, beast::tcp_stream>, CorkedStream, Stream>;
    auto session = std::make_shared<WsSession<WsStream>>(WsStream(std::move(stream_)), hub_, claims_.role,
                                                         claims_.expires_at, std::move(slot_));
    session->accept(std::move(req_));
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
  SocketSlot slot_;
  bool slot_open_ = true;
  uint64_t waiting_id_ = 0;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  JwtVerifier::Claims claims_;
};

void serve_http(tcp::socket socket, Hub& hub, asio::ssl::context* tls) {
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls != nullptr) {
    std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
        beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls), hub)
        ->start();
  } else {
    std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), hub)->start();
  }
}

} // namespace autoreport::sidecar
