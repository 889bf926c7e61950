// The client's libpq connection (see db.hpp).
#include "cli/db.hpp"

#include "cli/interrupt.hpp"
#include "cli/status.hpp"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace autoreport::cli {

namespace {

std::string trimmed(const char* message) {
  std::string s = message == nullptr ? "" : message;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

// Reads a password from the terminal with echo off, as psql's prompt does. nullopt when there is no
// terminal (cron, a pipe): the client then fails instead of waiting for input that never comes.
std::optional<std::string> prompt_password(const std::string& user) {
  const int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  const std::string prompt = user.empty() ? "Password: " : "Password for user " + user + ": ";
  if (::write(fd, prompt.data(), prompt.size()) < 0) {
    close(fd);
    return std::nullopt;
  }
  termios saved = {};
  const bool have_tty = tcgetattr(fd, &saved) == 0;
  if (have_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string password;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') {
    password += c;
  }
  if (have_tty) {
    tcsetattr(fd, TCSAFLUSH, &saved);
  }
  if (::write(fd, "\n", 1) < 0) {
    // the newline only tidies the terminal
  }
  close(fd);
  return password;
}

PGconn* connect_once(const Connection& c, const std::optional<std::string>& password) {
  // psql's order: the keywords before dbname are overridden by a connection string given as -d.
  std::vector<const char*> keys;
  std::vector<const char*> values;
  const auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) {
      keys.push_back(key);
      values.push_back(value.c_str());
    }
  };
  add("host", c.host);
  add("port", c.port);
  add("user", c.user);
  if (password) {
    keys.push_back("password");
    values.push_back(password->c_str());
  }
  add("dbname", c.dbname);
  keys.push_back("fallback_application_name");
  values.push_back("autoreport");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return PQconnectdbParams(keys.data(), values.data(), 1);
}

} // namespace

Db::Db(const Connection& c) {
  std::optional<std::string> password;
  if (c.force_prompt) {
    password = prompt_password(c.user);
  }
  conn_ = connect_once(c, password);
  if (PQstatus(conn_) == CONNECTION_BAD && PQconnectionNeedsPassword(conn_) && !password && !c.never_prompt) {
    const std::string user = PQuser(conn_) == nullptr ? c.user : PQuser(conn_);
    password = prompt_password(user);
    if (password) {
      PQfinish(conn_);
      conn_ = connect_once(c, password);
    }
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    const std::string message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    fail(kConnection, message);
  }
  cancel_ = PQgetCancel(conn_);
  interrupt::set_cancel(cancel_);
}

Db::~Db() {
  interrupt::set_cancel(nullptr);
  if (cancel_ != nullptr) {
    PQfreeCancel(cancel_);
  }
  if (conn_ != nullptr) {
    PQfinish(conn_);
  }
}

void Db::failed(const PGresult* r) {
  if (PQstatus(conn_) == CONNECTION_BAD) {
    const std::string message = trimmed(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    if (!message.empty()) {
      std::fprintf(stderr, "%s\n", message.c_str());
    }
    fail(kConnection, "connection to server was lost");
  }
  // The server's message as psql prints it: "ERROR:  ...", then DETAIL, HINT and CONTEXT lines.
  const std::string message = trimmed(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  std::fprintf(stderr, "%s\n", message.c_str());
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state == nullptr ? "" : state;
  if ((sqlstate == "3F000" || sqlstate == "42P01" || sqlstate == "42883") &&
      message.find("autoreport") != std::string::npos) {
    std::fprintf(stderr,
                 "autoreport: hint: is the autoreport extension installed in database \"%s\"? "
                 "(CREATE EXTENSION autoreport)\n",
                 PQdb(conn_));
  }
  throw Exit{kServerError};
}

namespace {

// Parameter arrays for PQexecParams / PQsendQueryParams.
std::vector<const char*> pointers(const std::vector<Value>& params) {
  std::vector<const char*> out;
  for (const Value& v : params) {
    out.push_back(v ? v->c_str() : nullptr);
  }
  return out;
}

} // namespace

Result Db::query(const std::string& sql, const std::vector<Value>& params) {
  const std::vector<const char*> values = pointers(params);
  Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, 0));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    failed(r.get());
  }
  return r;
}

void Db::stream(const std::string& sql, const std::vector<Value>& params,
                const std::function<void(const char*, size_t)>& sink) {
  const std::vector<const char*> values = pointers(params);
  if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, 1) == 0) {
    failed(nullptr);
  }
  if (PQsetSingleRowMode(conn_) == 0) {
    fail(kLocalError, "could not switch the connection to single-row mode");
  }
  Result error;
  while (Result r{PQgetResult(conn_)}) {
    const ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_SINGLE_TUPLE) {
      if (PQnfields(r.get()) != 1) {
        fail(kLocalError, "the server's result has an unexpected shape");
      }
      if (!PQgetisnull(r.get(), 0, 0)) {
        sink(PQgetvalue(r.get(), 0, 0), static_cast<size_t>(PQgetlength(r.get(), 0, 0)));
      }
    } else if (status != PGRES_TUPLES_OK && !error) {
      error = std::move(r); // keep reading until libpq has no more results, then report
    }
  }
  if (error || PQstatus(conn_) == CONNECTION_BAD) {
    failed(error.get());
  }
}

} // namespace autoreport::cli
