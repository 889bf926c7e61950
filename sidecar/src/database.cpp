// libpq in the event loop.
#include "database.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

namespace autoreport::sidecar {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

Database::Database(asio::io_context& io, std::string conninfo, std::chrono::seconds connect_timeout,
                   std::chrono::seconds query_timeout, NotifyFn on_notify, ConnectedFn on_connected,
                   std::string name)
    : io_(io), conninfo_(std::move(conninfo)), name_(std::move(name)), connect_timeout_(connect_timeout),
      query_timeout_(query_timeout), on_notify_(std::move(on_notify)), on_connected_(std::move(on_connected)),
      retry_(io), connect_deadline_(io), query_timer_(io) {}

Database::~Database() {
  stop();
}

void Database::start() {
  connect();
}

void Database::stop() {
  stopped_ = true;
  ++attempt_;
  retry_.cancel();
  connect_deadline_.cancel();
  query_timer_.cancel();
  if (socket_) {
    socket_->release(); // libpq owns the descriptor
    socket_.reset();
  }
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  ready_ = false;
  connecting_ = false;
}

Database::Problem Database::problem() const noexcept {
  if (connected()) {
    return abandoned_ ? Problem::Timeout : Problem::None;
  }
  if (!ever_connected_ && last_error_ == "not connected yet") {
    return Problem::Connecting;
  }
  return last_failure_timeout_ ? Problem::Timeout : Problem::Unreachable;
}

void Database::log(const std::string& what) const {
  std::cerr << "autoreport-sidecar: " << name_ << ": " << what << "\n";
}

// Starts a connection attempt without blocking: PQconnectStart, then PQconnectPoll each time the socket
// is ready the way libpq asks. An attempt still unfinished after --connect-timeout is abandoned.
// (Host names are resolved by libpq in PQconnectStart itself; give an address to avoid that wait.)
void Database::connect() {
  if (stopped_) {
    return;
  }
  const uint64_t attempt = ++attempt_;
  conn_ = PQconnectStart(conninfo_.c_str());
  if (conn_ == nullptr) {
    fail("out of memory", false);
    return;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    fail(PQerrorMessage(conn_), false);
    return;
  }
  connecting_ = true;
  connect_deadline_.expires_after(connect_timeout_);
  connect_deadline_.async_wait([this, attempt](const error_code& ec) {
    if (!ec && attempt == attempt_ && connecting_) {
      ++timeouts_;
      fail("connection attempt timed out after " + std::to_string(connect_timeout_.count()) + " s", true);
    }
  });
  poll_connect(PGRES_POLLING_WRITING);
}

// Waits on libpq's socket as PQconnectPoll asked (the descriptor may change between steps, when libpq
// tries another address), then polls again.
void Database::poll_connect(PostgresPollingStatusType status) {
  if (status == PGRES_POLLING_FAILED) {
    fail(PQerrorMessage(conn_), false);
    return;
  }
  if (status == PGRES_POLLING_OK) {
    on_connect_ok();
    return;
  }
  watch_socket();
  if (!socket_) {
    fail("the connection has no socket", false);
    return;
  }
  const auto kind = status == PGRES_POLLING_READING ? asio::posix::stream_descriptor::wait_read
                                                    : asio::posix::stream_descriptor::wait_write;
  socket_->async_wait(kind, [this, attempt = attempt_](const error_code& ec) {
    if (ec || attempt != attempt_ || !connecting_ || conn_ == nullptr) {
      return; // released, timed out or stopped
    }
    poll_connect(PQconnectPoll(conn_));
  });
}

// (Re)registers libpq's current socket with the loop.
void Database::watch_socket() {
  if (socket_) {
    socket_->release();
    socket_.reset();
  }
  if (const int fd = PQsocket(conn_); fd >= 0) {
    socket_ = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
  }
}

void Database::on_connect_ok() {
  connecting_ = false;
  connect_deadline_.cancel();
  if (PQsetnonblocking(conn_, 1) != 0) {
    fail(PQerrorMessage(conn_), false);
    return;
  }
  watch_socket();
  ready_ = true;
  backoff_ = std::chrono::milliseconds(100);
  last_error_.clear();
  last_failure_timeout_ = false;
  const bool again = ever_connected_;
  ever_connected_ = true;
  if (again) {
    ++reconnects_;
    log("connected again");
  }
  wait_readable();
  if (on_connected_) {
    on_connected_(again);
  }
  send_next();
}

void Database::fail(const std::string& why, bool timed_out) {
  last_error_ = why;
  while (!last_error_.empty() && (last_error_.back() == '\n' || last_error_.back() == ' ')) {
    last_error_.pop_back();
  }
  last_failure_timeout_ = timed_out;
  log(last_error_);
  ++attempt_; // handlers of this connection are stale from here on
  ready_ = false;
  connecting_ = false;
  abandoned_ = false;
  connect_deadline_.cancel();
  query_timer_.cancel();
  if (socket_) {
    socket_->release();
    socket_.reset();
  }
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  // Commands waiting or in flight fail; the server answers their clients.
  std::deque<Command> pending;
  pending.swap(queue_);
  in_flight_ = false;
  for (Command& c : pending) {
    if (c.done) {
      c.done(false, "database unavailable: " + last_error_);
    }
  }
  schedule_reconnect();
}

void Database::schedule_reconnect() {
  if (stopped_) {
    return;
  }
  retry_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
  retry_.async_wait([this](const error_code& ec) {
    if (!ec) {
      connect();
    }
  });
}

void Database::enqueue(Command c) {
  c.deadline = std::chrono::steady_clock::now() + query_timeout_;
  queue_.push_back(std::move(c));
  send_next();
}

void Database::listen(const std::string& channel, DoneFn done) {
  enqueue({"LISTEN", {channel}, std::move(done), true, {}});
}

void Database::unlisten(const std::string& channel, DoneFn done) {
  enqueue({"UNLISTEN", {channel}, std::move(done), true, {}});
}

void Database::query(std::string sql, std::vector<std::string> params, DoneFn done) {
  std::vector<std::optional<std::string>> values(std::make_move_iterator(params.begin()),
                                                 std::make_move_iterator(params.end()));
  enqueue({std::move(sql), std::move(values), std::move(done), false, {}});
}

void Database::query_nullable(std::string sql, std::vector<std::optional<std::string>> params, DoneFn done) {
  enqueue({std::move(sql), std::move(params), std::move(done), false, {}});
}

void Database::expire(std::chrono::steady_clock::time_point now) {
  // The first command is in flight while in_flight_ (and not in the queue once abandoned).
  const size_t first = in_flight_ && !abandoned_ ? 1 : 0;
  std::vector<DoneFn> late;
  for (size_t i = first; i < queue_.size();) {
    if (queue_[i].deadline <= now) {
      late.push_back(std::move(queue_[i].done));
      queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  if (!late.empty()) {
    timeouts_ += late.size();
    log(std::to_string(late.size()) + " queued commands timed out");
  }
  for (DoneFn& done : late) {
    if (done) {
      done(false, "database command timed out");
    }
  }
}

void Database::send_next() {
  if (in_flight_ || !ready_ || queue_.empty()) {
    return;
  }
  Command& c = queue_.front();
  std::string sql = c.sql;
  std::vector<const char*> values;
  if (c.identifier_command) {
    const std::string& channel = c.params[0].value();
    char* quoted = PQescapeIdentifier(conn_, channel.c_str(), channel.size());
    if (quoted == nullptr) {
      fail(PQerrorMessage(conn_), false);
      return;
    }
    sql += " ";
    sql += quoted;
    PQfreemem(quoted);
  } else {
    for (const std::optional<std::string>& p : c.params) {
      values.push_back(p ? p->c_str() : nullptr);
    }
  }
  const int sent = PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                     values.empty() ? nullptr : values.data(), nullptr, nullptr, 0);
  if (sent != 1) {
    fail(PQerrorMessage(conn_), false);
    return;
  }
  in_flight_ = true;
  result_ok_ = true;
  result_value_.clear();
  const uint64_t serial = ++command_serial_;
  query_timer_.expires_after(query_timeout_);
  query_timer_.async_wait([this, serial](const error_code& ec) {
    if (!ec) {
      on_query_timeout(serial);
    }
  });
  // Small commands leave in one go; if libpq could not send everything yet, finish on writability.
  if (PQflush(conn_) == 1) {
    socket_->async_wait(asio::posix::stream_descriptor::wait_write,
                        [this, attempt = attempt_](const error_code& ec) {
                          if (!ec && attempt == attempt_ && conn_ != nullptr && PQflush(conn_) < 0) {
                            fail(PQerrorMessage(conn_), false);
                          }
                        });
  }
}

// The command in flight outlived --query-timeout: its caller and every queued one are answered now,
// the server is asked to cancel it, and its result is awaited for one more --query-timeout; if none
// comes, the connection is given up and made again.
void Database::on_query_timeout(uint64_t serial) {
  if (serial != command_serial_ || !in_flight_ || conn_ == nullptr) {
    return;
  }
  if (abandoned_) {
    fail("a cancelled command did not finish within " + std::to_string(query_timeout_.count()) + " s", true);
    return;
  }
  ++timeouts_;
  log("a command took longer than " + std::to_string(query_timeout_.count()) + " s: cancelling it");
  abandoned_ = true;
  std::deque<Command> pending;
  pending.swap(queue_); // the abandoned command leaves the queue; its result is dropped when it comes
  send_cancel();
  query_timer_.expires_after(query_timeout_);
  query_timer_.async_wait([this, serial](const error_code& ec) {
    if (!ec) {
      on_query_timeout(serial);
    }
  });
  for (Command& c : pending) {
    if (c.done) {
      c.done(false, "database command timed out");
    }
  }
}

// PQcancel opens a connection of its own and blocks: it runs on a short-lived thread with its own
// PGcancel object, never on the loop.
void Database::send_cancel() {
  PGcancel* cancel = PQgetCancel(conn_);
  if (cancel == nullptr) {
    return;
  }
  try {
    std::thread([cancel] {
      char error[256];
      PQcancel(cancel, error, sizeof error);
      PQfreeCancel(cancel);
    }).detach();
  } catch (const std::system_error& e) {
    PQfreeCancel(cancel);
    log(std::string("cannot start a thread to cancel: ") + e.what());
  }
}

void Database::wait_readable() {
  if (!socket_) {
    return;
  }
  socket_->async_wait(asio::posix::stream_descriptor::wait_read,
                      [this, attempt = attempt_](const error_code& ec) {
                        if (ec || attempt != attempt_ || conn_ == nullptr) {
                          return; // released or stopped
                        }
                        on_readable();
                      });
}

void Database::finish_command(bool ok, const std::string& value) {
  in_flight_ = false;
  ++command_serial_; // its deadline no longer applies
  query_timer_.cancel();
  if (abandoned_) {
    abandoned_ = false; // its caller was answered at the deadline
    return;
  }
  if (queue_.empty()) {
    return;
  }
  Command c = std::move(queue_.front());
  queue_.pop_front();
  if (c.done) {
    c.done(ok, value);
  }
}

void Database::on_readable() {
  if (PQconsumeInput(conn_) != 1) {
    fail(PQerrorMessage(conn_), false);
    return;
  }
  process();
}

// Finished results, then at most kNotifySlice notifications; when more may be waiting, the rest are
// handled in a later turn of the loop (posted), and the socket is watched again only once all are.
void Database::process() {
  const uint64_t attempt = attempt_;
  while (in_flight_ && PQisBusy(conn_) == 0) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      const bool ok = result_ok_;
      const std::string value = result_value_;
      finish_command(ok, value);
      if (attempt != attempt_) {
        return; // a callback ended the connection
      }
      send_next();
      break;
    }
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0) {
      result_value_ = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      result_ok_ = false;
      result_value_ = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  if (attempt != attempt_ || conn_ == nullptr) {
    return;
  }
  for (int i = 0; i < kNotifySlice; ++i) {
    PGnotify* n = PQnotifies(conn_);
    if (n == nullptr) {
      if (PQstatus(conn_) != CONNECTION_OK) {
        fail(PQerrorMessage(conn_), false);
        return;
      }
      wait_readable();
      return;
    }
    const std::string channel = n->relname;
    const std::string payload = n->extra ? n->extra : "";
    PQfreemem(n);
    if (on_notify_) {
      on_notify_(channel, payload);
    }
  }
  asio::post(io_, [this, attempt] {
    if (attempt == attempt_ && conn_ != nullptr) {
      process();
    }
  });
}

} // namespace autoreport::sidecar
