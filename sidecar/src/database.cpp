// libpq in the event loop.
#include "database.hpp"

#include <algorithm>

namespace autoreport::sidecar {

Database::Database(boost::asio::io_context& io, std::string conninfo, NotifyFn on_notify,
                   ConnectedFn on_connected)
    : io_(io), conninfo_(std::move(conninfo)), on_notify_(std::move(on_notify)),
      on_connected_(std::move(on_connected)), retry_(io) {}

Database::~Database() {
  stop();
}

void Database::start() {
  connect();
}

void Database::stop() {
  stopped_ = true;
  retry_.cancel();
  if (socket_) {
    socket_->release(); // libpq owns the descriptor
    socket_.reset();
  }
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
}

// Connects (blocking for the connection's own round trips, which are short on a local network),
// then watches the socket. A failure is retried with exponential backoff up to 5 s.
void Database::connect() {
  if (stopped_) {
    return;
  }
  conn_ = PQconnectdb(conninfo_.c_str());
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK || PQsetnonblocking(conn_, 1) != 0) {
    fail(conn_ ? PQerrorMessage(conn_) : "out of memory");
    return;
  }
  socket_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, PQsocket(conn_));
  ready_ = true;
  backoff_ = std::chrono::milliseconds(100);
  last_error_.clear();
  const bool again = ever_connected_;
  ever_connected_ = true;
  if (again) {
    ++reconnects_;
  }
  wait_readable();
  if (on_connected_) {
    on_connected_(again);
  }
  send_next();
}

void Database::fail(const std::string& why) {
  last_error_ = why;
  while (!last_error_.empty() && (last_error_.back() == '\n' || last_error_.back() == ' ')) {
    last_error_.pop_back();
  }
  ready_ = false;
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
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      connect();
    }
  });
}

void Database::listen(const std::string& channel, DoneFn done) {
  queue_.push_back({"LISTEN", {channel}, std::move(done), true});
  send_next();
}

void Database::unlisten(const std::string& channel, DoneFn done) {
  queue_.push_back({"UNLISTEN", {channel}, std::move(done), true});
  send_next();
}

void Database::query(std::string sql, std::vector<std::string> params, DoneFn done) {
  queue_.push_back({std::move(sql), std::move(params), std::move(done), false});
  send_next();
}

void Database::send_next() {
  if (in_flight_ || !ready_ || queue_.empty()) {
    return;
  }
  Command& c = queue_.front();
  std::string sql = c.sql;
  std::vector<const char*> values;
  if (c.identifier_command) {
    char* quoted = PQescapeIdentifier(conn_, c.params[0].c_str(), c.params[0].size());
    if (quoted == nullptr) {
      fail(PQerrorMessage(conn_));
      return;
    }
    sql += " ";
    sql += quoted;
    PQfreemem(quoted);
  } else {
    for (const std::string& p : c.params) {
      values.push_back(p.c_str());
    }
  }
  const int sent = PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                     values.empty() ? nullptr : values.data(), nullptr, nullptr, 0);
  if (sent != 1) {
    fail(PQerrorMessage(conn_));
    return;
  }
  in_flight_ = true;
  result_ok_ = true;
  result_value_.clear();
  // Small commands leave in one go; if libpq could not send everything yet, finish on writability.
  if (PQflush(conn_) == 1) {
    socket_->async_wait(boost::asio::posix::stream_descriptor::wait_write,
                        [this](const boost::system::error_code& ec) {
                          if (!ec && conn_ != nullptr && PQflush(conn_) < 0) {
                            fail(PQerrorMessage(conn_));
                          }
                        });
  }
}

void Database::wait_readable() {
  if (!socket_) {
    return;
  }
  socket_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                      [this](const boost::system::error_code& ec) {
                        if (ec || conn_ == nullptr) {
                          return; // released or stopped
                        }
                        on_readable();
                      });
}

void Database::finish_command(bool ok, const std::string& value) {
  in_flight_ = false;
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
    fail(PQerrorMessage(conn_));
    return;
  }
  while (in_flight_ && PQisBusy(conn_) == 0) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      const bool ok = result_ok_;
      const std::string value = result_value_;
      finish_command(ok, value);
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
  while (PGnotify* n = PQnotifies(conn_)) {
    const std::string channel = n->relname;
    const std::string payload = n->extra ? n->extra : "";
    PQfreemem(n);
    if (on_notify_) {
      on_notify_(channel, payload);
    }
  }
  if (conn_ != nullptr && PQstatus(conn_) != CONNECTION_OK) {
    fail(PQerrorMessage(conn_));
    return;
  }
  wait_readable();
}

} // namespace autoreport::sidecar
