// Exit statuses of the autoreport client, as psql's: scripts and cron tell the cases apart by them.
#pragma once

#include <string>

namespace autoreport::cli {

enum Status : int {
  kOk = 0,
  kLocalError = 1,  // bad usage, a file that cannot be written, a report that does not exist locally
  kConnection = 2,  // cannot connect, or the connection was lost
  kServerError = 3, // the server reported an error (unknown report, bad parameter value, ...)
};

// Thrown once the message has been printed; main() returns its status after destructors ran (so a
// half-written output file is removed).
struct Exit {
  int status;
};

// Prints "autoreport: error: MESSAGE" (and "autoreport: hint: HINT") on stderr, then throws Exit.
[[noreturn]] void fail(int status, const std::string& message, const std::string& hint = "");

} // namespace autoreport::cli
