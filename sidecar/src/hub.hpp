// The hub: the state every session shares (as the "shared state" of Beast's chat example). It keeps
// the sessions and their subscriptions, asks the database for grants, fans notifications out, pings
// clients and shuts down in order.
#pragma once

#include "config.hpp"
#include "database.hpp"
#include "jwt.hpp"
#include "listener.hpp"
#include "metrics.hpp"
#include "outbox.hpp"
#include "subscriptions.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace autoreport::sidecar {

class Session;
class Hub;

// One accepted socket, counted against --max-connections while it is open. The HTTP session holds it
// and hands it to the WebSocket session after an upgrade.
// (The count is shared, so that a session outliving the hub, as at exit, is harmless.)
class SocketSlot {
public:
  explicit SocketSlot(Hub& hub);
  SocketSlot(SocketSlot&& other) noexcept : count_(std::move(other.count_)) {}
  SocketSlot(const SocketSlot&) = delete;
  SocketSlot& operator=(const SocketSlot&) = delete;
  SocketSlot& operator=(SocketSlot&&) = delete;
  ~SocketSlot() { release(); }
  void release() noexcept;

private:
  std::shared_ptr<size_t> count_;
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
  // A frame was written to a client.
  void wrote(const Message& message) noexcept;
  // Answers within kHealthDeadline: nullptr when the database answers a query, else a reason code
  // ("database_connecting", "database_unreachable", "database_timeout", "database_error",
  // "shutting_down"). Details go to the log, not to the caller.
  using HealthFn = std::function<void(const char* reason)>;
  static constexpr std::chrono::seconds kHealthDeadline{2};
  void check_health(HealthFn done);
  // Open sockets (HTTP and WebSocket) and the most allowed at once: --max-connections, or fewer when
  // the descriptor limit is lower.
  size_t sockets() const noexcept { return *sockets_; }
  size_t socket_limit() const noexcept { return socket_limit_; }
  // Connections accepted that have not sent a whole request yet: the oldest is closed first when a
  // socket is needed (wait_for_request returns the id to pass to request_arrived). close returns
  // false when the connection had already gone.
  uint64_t wait_for_request(std::function<bool()> close);
  void request_arrived(uint64_t id) { waiting_.erase(id); }
  bool close_oldest_waiting();
  std::string metrics_text() const;
  size_t sessions() const noexcept { return sessions_.size(); }
  bool stopping() const noexcept { return stopping_; }

private:
  // Once a second: lets every session ping or drop its client (Session::tick).
  void keepalive();
  // Every --grant-cache-seconds: asks the database whether each (role, channel) subscribed to is still
  // granted, and ends the subscriptions whose grant was revoked.
  void revalidate();
  void finish_shutdown();
  void answer_health(const char* reason);
  friend class SocketSlot;
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
  Listener listener_;
  boost::asio::steady_timer keepalive_timer_;
  boost::asio::steady_timer revalidate_timer_;
  std::map<SessionId, std::string> roles_;
  bool revalidating_ = false;
  std::map<std::tuple<std::string, std::string, std::string>,
           std::pair<bool, std::chrono::steady_clock::time_point>>
      grants_;
  Metrics metrics_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point shutdown_deadline_;
  std::shared_ptr<size_t> sockets_ = std::make_shared<size_t>(0);
  size_t socket_limit_ = 0;
  std::map<uint64_t, std::function<bool()>> waiting_; // by accept order
  uint64_t next_waiting_ = 1;
  std::vector<HealthFn> health_waiters_;
  bool probing_ = false;
  std::chrono::steady_clock::time_point probe_started_;
  boost::asio::steady_timer health_timer_;
};

} // namespace autoreport::sidecar
