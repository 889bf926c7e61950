// The sidecar's server: HTTP (healthz, metrics) and WebSocket on one port, sessions, fan-out.
#pragma once

#include "config.hpp"
#include "database.hpp"
#include "jwt.hpp"
#include "outbox.hpp"
#include "subscriptions.hpp"

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace autoreport::sidecar {

class WsSession;

struct Metrics {
  uint64_t connections_total = 0;
  uint64_t frames_in = 0;
  uint64_t frames_out = 0;
  uint64_t notifications = 0;
  uint64_t closed_slow = 0;
  uint64_t closed_rate = 0;
  uint64_t refused_auth = 0;
  uint64_t refused_origin = 0;
};

class Hub {
public:
  Hub(boost::asio::io_context& io, Config config, std::unique_ptr<JwtVerifier> verifier);
  void start();
  // Tells every client "going away" (1001) and stops accepting; the loop ends when all are gone.
  void shutdown();

  // Sessions and their requests (called on the loop's thread).
  SessionId add(const std::shared_ptr<WsSession>& session);
  void remove(SessionId id);
  void subscribe(SessionId id, const std::string& role, const std::string& channel,
                 const nlohmann::json* request_id);
  void unsubscribe(SessionId id, const std::string& channel, const nlohmann::json* request_id);
  void publish(SessionId id, const std::string& role, const std::string& channel, const std::string& payload,
               const nlohmann::json* request_id);

  const Config& config() const noexcept { return config_; }
  const JwtVerifier& verifier() const noexcept { return *verifier_; }
  Metrics& metrics() noexcept { return metrics_; }
  bool healthy() const noexcept { return db_.connected(); }
  std::string health_reason() const { return db_.last_error(); }
  std::string metrics_text() const;
  size_t sessions() const noexcept { return sessions_.size(); }
  bool stopping() const noexcept { return stopping_; }

private:
  void accept();
  void finish_shutdown();
  void on_notify(const std::string& channel, const std::string& payload);
  void on_connected(bool reconnected);
  // Whether role may act on channel: the database decides; answers are reused briefly.
  void allowed(const std::string& role, const std::string& channel, const std::string& action,
               std::function<void(bool allowed, const std::string& error)> done);
  std::shared_ptr<WsSession> session(SessionId id) const;

  boost::asio::io_context& io_;
  Config config_;
  std::unique_ptr<JwtVerifier> verifier_;
  Database db_;
  Subscriptions subs_;
  std::map<SessionId, std::weak_ptr<WsSession>> sessions_;
  SessionId next_id_ = 1;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::map<std::tuple<std::string, std::string, std::string>,
           std::pair<bool, std::chrono::steady_clock::time_point>>
      grants_;
  Metrics metrics_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point shutdown_deadline_;
};

} // namespace autoreport::sidecar
