// The command line of the autoreport client: what to do, with what, against which server.
//
//   autoreport [OPTION]... render NAME | list | describe NAME
//
// Options may come before or after the command, as with git; `--` ends them. Short options take their
// value joined or separate (-p5432, -p 5432), long ones with = or separate (--port=5432, --port 5432).
// Parsing knows nothing of libpq or the server: it is pure and unit-tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::cli {

enum class Command { None, Render, List, Describe, Help, Version };

// Connection flags, as psql spells them. Unset ones are left to libpq's defaults (PG* variables,
// service files, .pgpass).
struct Connection {
  std::string host;
  std::string port;
  std::string user;
  std::string dbname;        // a database name, a conninfo string ("host=... dbname=...") or a URI
  bool never_prompt = false; // -w
  bool force_prompt = false; // -W
};

// One --param or --option as written: NAME=VALUE (a string) or NAME:=JSON (a JSON value as is).
struct Setting {
  std::string name;
  std::string value;
  bool raw_json = false;
};

struct Args {
  Command command = Command::None;
  std::string report; // render, describe
  Connection connection;
  std::vector<Setting> params;
  std::optional<std::string> params_json;
  std::vector<Setting> options;
  std::optional<std::string> options_json;
  std::optional<std::string> format;
  std::optional<std::string> output; // "-" or absent: standard output
  long long chunk_size = 1048576;
  bool json = false; // list, describe
};

// The outcome of parsing: the arguments, or the message of a usage error (exit status 1).
struct ParseResult {
  std::optional<Args> args;
  std::string error;
};

ParseResult parse_args(const std::vector<std::string>& argv);

// Splits NAME=VALUE or NAME:=JSON; nullopt when there is no '=' or no name.
std::optional<Setting> parse_setting(std::string_view text);

// The --help text.
std::string usage();

} // namespace autoreport::cli
