// The sidecar's one database connection, inside the event loop: libpq in non-blocking mode, its socket
// watched by Asio, commands queued one at a time, notifications handed to the server, and reconnects
// with backoff when the connection fails.
#pragma once

#include <boost/asio.hpp>
#include <libpq-fe.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace autoreport::sidecar {

class Database {
public:
  using NotifyFn = std::function<void(const std::string& channel, const std::string& payload)>;
  using ConnectedFn = std::function<void(bool reconnected)>;
  // A command's outcome: ok, and for a query its first value (or the error message when !ok).
  using DoneFn = std::function<void(bool ok, const std::string& value)>;

  Database(boost::asio::io_context& io, std::string conninfo, NotifyFn on_notify, ConnectedFn on_connected);
  ~Database();

  void start();
  void stop();
  bool connected() const noexcept { return conn_ != nullptr && ready_; }
  const std::string& last_error() const noexcept { return last_error_; }
  uint64_t reconnects() const noexcept { return reconnects_; }

  void listen(const std::string& channel, DoneFn done = {});
  void unlisten(const std::string& channel, DoneFn done = {});
  // SELECT sql with text parameters; done gets the first column of the first row.
  void query(std::string sql, std::vector<std::string> params, DoneFn done);

private:
  struct Command {
    std::string sql;
    std::vector<std::string> params;
    DoneFn done;
    bool identifier_command = false; // LISTEN/UNLISTEN: sql holds the verb, params[0] the channel
  };
  void connect();
  void schedule_reconnect();
  void fail(const std::string& why);
  void send_next();
  void wait_readable();
  void on_readable();
  void finish_command(bool ok, const std::string& value);

  boost::asio::io_context& io_;
  std::string conninfo_;
  NotifyFn on_notify_;
  ConnectedFn on_connected_;
  PGconn* conn_ = nullptr;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
  boost::asio::steady_timer retry_;
  std::chrono::milliseconds backoff_{100};
  std::deque<Command> queue_;
  bool in_flight_ = false;
  bool ready_ = false;
  bool stopped_ = false;
  bool ever_connected_ = false;
  uint64_t reconnects_ = 0;
  std::string last_error_ = "not connected yet";
  std::string result_value_;
  bool result_ok_ = true;
};

} // namespace autoreport::sidecar
