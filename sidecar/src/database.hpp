// The sidecar's one database connection, inside the event loop: libpq in non-blocking mode, its socket
// watched by Asio, connection attempts driven by PQconnectPoll with a deadline, commands queued one at
// a time each with a deadline (a late one is cancelled), notifications handed to the server a slice at
// a time, and reconnects with backoff when the connection fails. Nothing here blocks the loop.
#pragma once

#include <boost/asio.hpp>
#include <libpq-fe.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::sidecar {

class Database {
public:
  using NotifyFn = std::function<void(const std::string& channel, const std::string& payload)>;
  using ConnectedFn = std::function<void(bool reconnected)>;
  // A command's outcome: ok, and for a query its first value (or the error message when !ok).
  using DoneFn = std::function<void(bool ok, const std::string& value)>;
  // Notifications handed to the server per turn of the loop; the rest wait for the next turn, so that
  // the clients' writes drain between slices of a burst.
  static constexpr int kNotifySlice = 64;

  // Why the database cannot be used now (for /healthz).
  enum class Problem { None, Connecting, Unreachable, Timeout };

  // name tells this connection's log lines apart ("database", "deliver database").
  Database(boost::asio::io_context& io, std::string conninfo, std::chrono::seconds connect_timeout,
           std::chrono::seconds query_timeout, NotifyFn on_notify, ConnectedFn on_connected,
           std::string name = "database");
  ~Database();

  void start();
  void stop();
  bool connected() const noexcept { return conn_ != nullptr && ready_; }
  // What is wrong now: not connected (never yet, refused, or timed out), or a command has outlived its
  // deadline and has not come back from its cancel yet.
  Problem problem() const noexcept;
  const std::string& last_error() const noexcept { return last_error_; }
  uint64_t reconnects() const noexcept { return reconnects_; }
  // Connection attempts and commands abandoned at their deadline.
  uint64_t timeouts() const noexcept { return timeouts_; }

  void listen(const std::string& channel, DoneFn done = {});
  void unlisten(const std::string& channel, DoneFn done = {});
  // SELECT sql with text parameters; done gets the first column of the first row.
  void query(std::string sql, std::vector<std::string> params, DoneFn done);
  // The same with parameters that may be NULL (nullopt).
  void query_nullable(std::string sql, std::vector<std::optional<std::string>> params, DoneFn done);
  // Fails the commands that have waited in the queue (not sent yet) past their deadline.
  void expire(std::chrono::steady_clock::time_point now);

private:
  struct Command {
    std::string sql;
    std::vector<std::optional<std::string>> params;
    DoneFn done;
    bool identifier_command = false; // LISTEN/UNLISTEN: sql holds the verb, params[0] the channel
    std::chrono::steady_clock::time_point deadline;
  };
  void enqueue(Command c);
  void connect();
  void poll_connect(PostgresPollingStatusType status);
  void on_connect_ok();
  void watch_socket();
  void schedule_reconnect();
  void fail(const std::string& why, bool timed_out);
  void send_next();
  void on_query_timeout(uint64_t serial);
  void send_cancel();
  void wait_readable();
  void on_readable();
  void process();
  void finish_command(bool ok, const std::string& value);
  void log(const std::string& what) const;

  boost::asio::io_context& io_;
  std::string conninfo_;
  std::string name_;
  std::chrono::seconds connect_timeout_;
  std::chrono::seconds query_timeout_;
  NotifyFn on_notify_;
  ConnectedFn on_connected_;
  PGconn* conn_ = nullptr;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
  boost::asio::steady_timer retry_;
  boost::asio::steady_timer connect_deadline_;
  boost::asio::steady_timer query_timer_;
  std::chrono::milliseconds backoff_{100};
  std::deque<Command> queue_;
  bool in_flight_ = false;
  // The command in flight outlived its deadline: its caller was answered, its result is still owed.
  bool abandoned_ = false;
  bool ready_ = false;
  bool connecting_ = false;
  bool stopped_ = false;
  bool ever_connected_ = false;
  bool last_failure_timeout_ = false;
  uint64_t attempt_ = 0; // a new number per connection (attempt); stale handlers check it
  uint64_t command_serial_ = 0;
  uint64_t reconnects_ = 0;
  uint64_t timeouts_ = 0;
  std::string last_error_ = "not connected yet";
  std::string result_value_;
  bool result_ok_ = true;
};

} // namespace autoreport::sidecar
