// autoreport: the command-line client of the autoreport extension, for the shell and cron.
//
//   autoreport render top_products --param n=5 -o top.xlsx
//   autoreport list
//   autoreport describe top_products
//
// Connection as psql's (libpq defaults, PG* variables, service files, .pgpass), errors as psql prints
// them, exit statuses as psql's (cli/status.hpp). `autoreport --help` says all of it.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/db.hpp"
#include "cli/interrupt.hpp"
#include "cli/status.hpp"

#include <cstdio>
#include <exception>

#ifndef AUTOREPORT_VERSION
#define AUTOREPORT_VERSION "unknown"
#endif

namespace autoreport::cli {

void fail(int status, const std::string& message, const std::string& hint) {
  std::fprintf(stderr, "autoreport: error: %s\n", message.c_str());
  if (!hint.empty()) {
    std::fprintf(stderr, "autoreport: hint: %s\n", hint.c_str());
  }
  throw Exit{status};
}

namespace {

int run(const std::vector<std::string>& argv) {
  const ParseResult parsed = parse_args(argv);
  if (!parsed.args) {
    fail(kLocalError, parsed.error, "Try \"autoreport --help\" for more information.");
  }
  const Args& a = *parsed.args;
  switch (a.command) {
  case Command::Help:
    std::fputs(usage().c_str(), stdout);
    return kOk;
  case Command::Version:
    std::puts("autoreport (autoreport) " AUTOREPORT_VERSION);
    return kOk;
  default:
    break;
  }
  interrupt::install();
  Db db(a.connection);
  if (a.command == Command::Render) {
    render(db, a);
  } else if (a.command == Command::List) {
    list(db, a);
  } else {
    describe(db, a);
  }
  if (std::fflush(stdout) != 0) {
    fail(kLocalError, "could not write to standard output");
  }
  return kOk;
}

} // namespace

} // namespace autoreport::cli

int main(int argc, char** argv) {
  try {
    return autoreport::cli::run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const autoreport::cli::Exit& e) {
    return e.status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "autoreport: error: %s\n", e.what());
    return autoreport::cli::kLocalError;
  }
}
