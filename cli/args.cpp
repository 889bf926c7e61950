// The command line of the autoreport client (see args.hpp).
#include "cli/args.hpp"

#include <array>
#include <charconv>

namespace autoreport::cli {

namespace {

struct Flag {
  std::string_view long_name;
  char short_name; // 0: none
  bool takes_value;
};

constexpr std::array kFlags = {
    Flag{"host", 'h', true},       Flag{"port", 'p', true},         Flag{"username", 'U', true},
    Flag{"dbname", 'd', true},     Flag{"no-password", 'w', false}, Flag{"password", 'W', false},
    Flag{"param", 0, true},        Flag{"params-json", 0, true},    Flag{"option", 0, true},
    Flag{"options-json", 0, true}, Flag{"format", 'F', true},       Flag{"output", 'o', true},
    Flag{"chunk-size", 0, true},   Flag{"json", 0, false},          Flag{"help", '?', false},
    Flag{"version", 'V', false},
};

const Flag* find_long(std::string_view name) {
  for (const Flag& f : kFlags) {
    if (f.long_name == name) {
      return &f;
    }
  }
  return nullptr;
}

const Flag* find_short(char c) {
  for (const Flag& f : kFlags) {
    if (f.short_name == c) {
      return &f;
    }
  }
  return nullptr;
}

// Applies one flag; returns an error message or "".
std::string apply(Args& a, const Flag& f, const std::string& value, bool& help, bool& version) {
  const std::string_view n = f.long_name;
  if (n == "host") {
    a.connection.host = value;
  } else if (n == "port") {
    a.connection.port = value;
  } else if (n == "username") {
    a.connection.user = value;
  } else if (n == "dbname") {
    a.connection.dbname = value;
  } else if (n == "no-password") {
    a.connection.never_prompt = true;
  } else if (n == "password") {
    a.connection.force_prompt = true;
  } else if (n == "param" || n == "option") {
    const std::optional<Setting> s = parse_setting(value);
    if (!s) {
      return "--" + std::string(n) + " must be NAME=VALUE or NAME:=JSON, not \"" + value + "\"";
    }
    (n == "param" ? a.params : a.options).push_back(*s);
  } else if (n == "params-json") {
    a.params_json = value;
  } else if (n == "options-json") {
    a.options_json = value;
  } else if (n == "format") {
    a.format = value;
  } else if (n == "output") {
    a.output = value;
  } else if (n == "chunk-size") {
    long long v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || v < 1) {
      return "--chunk-size must be a positive number of bytes, not \"" + value + "\"";
    }
    a.chunk_size = v;
  } else if (n == "json") {
    a.json = true;
  } else if (n == "help") {
    help = true;
  } else if (n == "version") {
    version = true;
  }
  return "";
}

std::optional<Command> command_named(std::string_view word) {
  if (word == "render") {
    return Command::Render;
  }
  if (word == "list") {
    return Command::List;
  }
  if (word == "describe") {
    return Command::Describe;
  }
  return std::nullopt;
}

// Checks that the positional words make one command with its operands.
std::string take_command(Args& a, const std::vector<std::string>& words) {
  if (words.empty()) {
    return "no command given (render, list or describe)";
  }
  const std::optional<Command> c = command_named(words[0]);
  if (!c) {
    return "unknown command \"" + words[0] + "\" (render, list or describe)";
  }
  a.command = *c;
  const size_t operands = (*c == Command::List) ? 0 : 1;
  if (words.size() - 1 < operands) {
    return words[0] + " needs a report name";
  }
  if (words.size() - 1 > operands) {
    return "too many arguments for " + words[0] + ": \"" + words[operands + 1] + "\"";
  }
  if (operands == 1) {
    a.report = words[1];
  }
  return "";
}

// Options that belong to one command only, given to another, are refused rather than ignored.
std::string check_scope(const Args& a) {
  if (a.command != Command::Render) {
    if (!a.params.empty() || a.params_json) {
      return "--param and --params-json belong to render";
    }
    if (!a.options.empty() || a.options_json || a.format || a.output) {
      return "--option, --options-json, --format and --output belong to render";
    }
  } else if (a.json) {
    return "--json belongs to list and describe (render takes --format json)";
  }
  if (a.connection.never_prompt && a.connection.force_prompt) {
    return "-w (--no-password) and -W (--password) cannot both be given";
  }
  return "";
}

} // namespace

std::optional<Setting> parse_setting(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return std::nullopt;
  }
  Setting s;
  s.name = std::string(text.substr(0, eq));
  s.value = std::string(text.substr(eq + 1));
  if (!s.name.empty() && s.name.back() == ':') {
    s.name.pop_back();
    s.raw_json = true;
  }
  if (s.name.empty()) {
    return std::nullopt;
  }
  return s;
}

ParseResult parse_args(const std::vector<std::string>& argv) {
  Args a;
  std::vector<std::string> words;
  bool help = false;
  bool version = false;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      words.push_back(arg); // "-" alone is an operand too
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const Flag* f = nullptr;
    std::optional<std::string> value;
    std::string shown;
    if (arg[1] == '-') {
      const size_t eq = arg.find('=');
      const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      f = find_long(name);
      shown = "--" + name;
      if (f == nullptr) {
        return {std::nullopt, "unrecognized option \"" + shown + "\""};
      }
      if (eq != std::string::npos) {
        if (!f->takes_value) {
          return {std::nullopt, "option \"" + shown + "\" takes no value"};
        }
        value = arg.substr(eq + 1);
      }
    } else {
      f = find_short(arg[1]);
      shown = arg.substr(0, 2);
      if (f == nullptr) {
        return {std::nullopt, "invalid option \"" + shown + "\""};
      }
      if (arg.size() > 2) {
        if (!f->takes_value) {
          return {std::nullopt,
                  "option \"" + shown + "\" takes no value (give each short option on its own)"};
        }
        value = arg.substr(2);
      }
    }
    if (f->takes_value && !value) {
      if (i + 1 >= argv.size()) {
        return {std::nullopt, "option \"" + shown + "\" needs a value"};
      }
      value = argv[++i];
    }
    const std::string error = apply(a, *f, value.value_or(""), help, version);
    if (!error.empty()) {
      return {std::nullopt, error};
    }
  }
  if (help || version) {
    a.command = help ? Command::Help : Command::Version;
    return {a, ""};
  }
  std::string error = take_command(a, words);
  if (error.empty()) {
    error = check_scope(a);
  }
  if (!error.empty()) {
    return {std::nullopt, error};
  }
  return {a, ""};
}

std::string usage() {
  return R"(autoreport runs, lists and describes the reports of the autoreport PostgreSQL extension.

Usage:
  autoreport [OPTION]... render NAME [--param NAME=VALUE]... [-F FORMAT] [-o FILE]
  autoreport [OPTION]... list [--json]
  autoreport [OPTION]... describe NAME [--json]

Render options:
  --param NAME=VALUE       a report parameter, as text the server reads with the parameter's type
                           (5, 2026-01-01, true); for an array parameter, give it once per element
  --param NAME:=JSON       a parameter as a JSON value: null, ["north","south"], [], 12.50
  --params-json JSON       all parameters as one JSON object (--param entries override its keys)
  --option KEY=VALUE       a rendering option (header=false, delimiter=";", sheet_name=Sales);
  --option KEY:=JSON       true/false and numbers are typed by the option's name, or give JSON
  --options-json JSON      all options as one JSON object (--option entries override its keys)
  -F, --format=FORMAT      csv, tsv, json, ndjson, html, markdown, xlsx, svg, pdf, png
                           (default: from the output file's extension, else csv)
  -o, --output=FILE        write to FILE (written whole or not at all); "-" or none: standard output
  --chunk-size=BYTES       bytes per chunk streamed from the server (1024 to 268435456;
                           default 1048576)

List and describe options:
  --json                   JSON instead of a table

Connection options (default: libpq's, from PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICE, ...):
  -h, --host=HOSTNAME      database server host or socket directory
  -p, --port=PORT          database server port
  -U, --username=USERNAME  database user name
  -d, --dbname=DBNAME      database name, or a connection string or URI
  -w, --no-password        never prompt for a password
  -W, --password           prompt for a password before connecting

Other options:
  -V, --version            print the version and exit
  -?, --help               show this help and exit

Exit status: 0 success; 1 a local error (bad usage, a file that cannot be written); 2 no connection
to the server, or the connection was lost; 3 the server reported an error (an unknown report, a bad
parameter value).
)";
}

} // namespace autoreport::cli
