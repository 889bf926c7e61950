// The client's libpq connection: connecting as psql does, queries with bound parameters, streaming,
// and errors printed as psql prints them with the exit status they mean.
#pragma once

#include "cli/args.hpp"

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::cli {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// A query parameter: text, or NULL.
using Value = std::optional<std::string>;

class Db {
public:
  // Connects with libpq's defaults under the flags given; prompts for a password when the server
  // asks for one and a terminal is there (unless -w). Fails with status 2.
  explicit Db(const Connection& c);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one statement with bound parameters (never spliced into the SQL), text results.
  // A server error is printed as psql prints it and fails with status 3 (2 if the connection is lost).
  Result query(const std::string& sql, const std::vector<Value>& params);

  // Runs one statement returning one bytea column in binary, row by row (single-row mode), handing
  // each value to `sink` as it arrives: memory stays bounded whatever the result's size.
  void stream(const std::string& sql, const std::vector<Value>& params,
              const std::function<void(const char*, size_t)>& sink);

private:
  [[noreturn]] void failed(const PGresult* r);
  PGconn* conn_ = nullptr;
  PGcancel* cancel_ = nullptr;
};

} // namespace autoreport::cli
