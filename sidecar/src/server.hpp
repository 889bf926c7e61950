// The sidecar's server: HTTP (healthz, metrics) and WebSocket on one port, sessions, fan-out.
#pragma once

#include "config.hpp"
#include "database.hpp"
#include "jwt.hpp"
#include "outbox.hpp"
#include "subscriptions.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl/context.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace autoreport::sidecar {

class Session;

// Why the sidecar closed a client.
enum class DropReason { SlowConsumer, RateLimit, FrameTooLarge, PongTimeout };
constexpr size_t kDropReasons = 4;

// A Prometheus histogram of seconds with fixed bucket bounds.
class Histogram {
public:
  static constexpr std::array<double, 14> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                     0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
  void observe(double seconds) noexcept;
  // The histogram's lines for metric name (with _bucket, _sum and _count).
  std::string text(const char* name, const char* help) const;

private:
  std::array<uint64_t, kBounds.size() + 1> counts_{}; // the last is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

struct Metrics {
  uint64_t connections_total = 0;
  uint64_t frames_in = 0;
  uint64_t frames_out = 0;
  uint64_t notifications = 0;
  std::array<uint64_t, kDropReasons> drops{};
  uint64_t refused_auth = 0;
  uint64_t refused_origin = 0;
  uint64_t refused_capacity = 0;
  uint64_t tls_failures = 0;
  // From a notification reaching the sidecar to its frame being written to a client's socket.
  Histogram delivery_delay;
};

class Hub {
public:
  Hub(boost::asio::io_context& io, Config config, std::unique_ptr<JwtVerifier> verifier);
  void start();
  // Tells every client "going away" (1001) and stops accepting; the loop ends when all are gone.
  void shutdown();

  // Sessions and their requests (called on the loop's thread).
  SessionId add(const std::shared_ptr<Session>& session, const std::string& role);
  void remove(SessionId id);
  void subscribe(SessionId id, const std::string& role, const std::string& channel,
                 const nlohmann::json* request_id);
  void unsubscribe(SessionId id, const std::string& channel, const nlohmann::json* request_id);
  void publish(SessionId id, const std::string& role, const std::string& channel, const std::string& payload,
               const nlohmann::json* request_id);

  const Config& config() const noexcept { return config_; }
  const JwtVerifier& verifier() const noexcept { return *verifier_; }
  Metrics& metrics() noexcept { return metrics_; }
  void count_drop(DropReason reason) noexcept { ++metrics_.drops[static_cast<size_t>(reason)]; }
  // A frame was written to a client.
  void wrote(const Message& message) noexcept;
  bool healthy() const noexcept { return db_.connected(); }
  std::string health_reason() const { return db_.last_error(); }
  std::string metrics_text() const;
  size_t sessions() const noexcept { return sessions_.size(); }
  bool stopping() const noexcept { return stopping_; }

private:
  void accept();
  // Once a second: lets every session ping or drop its client (Session::tick).
  void keepalive();
  // Every --grant-cache-seconds: asks the database whether each (role, channel) subscribed to is still
  // granted, and ends the subscriptions whose grant was revoked.
  void revalidate();
  void finish_shutdown();
  void on_notify(const std::string& channel, const std::string& payload);
  void on_connected(bool reconnected);
  // Whether role may act on channel: the database decides; answers are reused briefly.
  void allowed(const std::string& role, const std::string& channel, const std::string& action,
               std::function<void(bool allowed, const std::string& error)> done);
  std::shared_ptr<Session> session(SessionId id) const;

  boost::asio::io_context& io_;
  Config config_;
  std::unique_ptr<JwtVerifier> verifier_;
  Database db_;
  Subscriptions subs_;
  std::map<SessionId, std::weak_ptr<Session>> sessions_;
  SessionId next_id_ = 1;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer keepalive_timer_;
  boost::asio::steady_timer revalidate_timer_;
  std::map<SessionId, std::string> roles_;
  bool revalidating_ = false;
  std::unique_ptr<boost::asio::ssl::context> tls_; // when serving HTTPS/WSS only
  std::map<std::tuple<std::string, std::string, std::string>,
           std::pair<bool, std::chrono::steady_clock::time_point>>
      grants_;
  Metrics metrics_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point shutdown_deadline_;
};

} // namespace autoreport::sidecar
