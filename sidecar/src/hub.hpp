// The hub: the state every session shares (as the "shared state" of Beast's chat example). It keeps
// the sessions and their subscriptions, asks the database for grants, fans notifications out, pings
// clients and shuts down in order.
#pragma once

#include "config.hpp"
#include "database.hpp"
#include "deliverer.hpp"
#include "jwt.hpp"
#include "listener.hpp"
#include "metrics.hpp"
#include "outbox.hpp"
#include "subscriptions.hpp"
#include "ttl_cache.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
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
  // secrets: the delivery secrets (--deliver-secrets-file and AUTOREPORT_SIDECAR_SECRET_*).
  Hub(boost::asio::io_context& io, Config config, std::unique_ptr<JwtVerifier> verifier,
      Secrets secrets = {});
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

  // Whether a token's role may connect: "ok", "missing" (no such role), "privileged" (a superuser or
  // BYPASSRLS role, refused unless --allow-superuser-tokens) or "unavailable" (the database cannot say
  // now). One query per role, its answer cached like the grants.
  void check_role(const std::string& role, std::function<void(const std::string& status)> done);
  // The process's exit status: 1 after a fatal error at start (the database role is not a member of
  // autoreport_sidecar), else 0.
  int exit_code() const noexcept { return exit_code_; }

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
  // The ticket of the shutdown: clients gone and deliveries in flight finished, or the deadline.
  bool drained() const noexcept;
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
  // Operations on one (session, channel) run one at a time, in the order the client sent them: op gets
  // a function to call when it has answered, which starts the next.
  using ChannelOp = std::function<void(std::function<void()> done)>;
  void enqueue(SessionId id, const std::string& channel, ChannelOp op);
  void run_next(const std::pair<SessionId, std::string>& key);
  // decided runs once the grant is known (the subscribe is then held or refused); done once answered.
  void subscribe_now(SessionId id, const std::string& role, const std::string& channel,
                     const std::optional<nlohmann::json>& rid, const std::function<void()>& decided,
                     std::function<void()> done);
  // The first connection: the sidecar's own role must be a member of autoreport_sidecar.
  void check_own_role();

  boost::asio::io_context& io_;
  Config config_;
  std::unique_ptr<JwtVerifier> verifier_;
  Database db_;
  std::unique_ptr<Deliverer> deliverer_; // null when delivery is off (--deliver-allow empty)
  Subscriptions subs_;
  std::map<SessionId, std::weak_ptr<Session>> sessions_;
  SessionId next_id_ = 1;
  Listener listener_;
  boost::asio::steady_timer keepalive_timer_;
  boost::asio::steady_timer revalidate_timer_;
  std::map<SessionId, std::string> roles_;
  bool revalidating_ = false;
  TtlCache<std::tuple<std::string, std::string, std::string>, bool> grants_;
  TtlCache<std::string, std::string> role_status_;
  std::map<std::pair<SessionId, std::string>, std::deque<ChannelOp>> channel_ops_;
  std::map<SessionId, size_t> pending_subscribes_; // asked, not yet answered
  int exit_code_ = 0;
  bool own_role_checked_ = false;
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
