// Parsing and checking the sidecar's configuration.
#include "config.hpp"

#include "delivery_message.hpp"
#include "delivery_policy.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <sstream>

namespace autoreport::sidecar {

namespace {

// One option: its flag, what it does, its default as shown, and how to store a value.
struct Option {
  const char* flag;
  const char* help;
  const char* shown_default;
  std::function<std::string(Config&, const std::string&)> set; // returns an error, or ""
  bool boolean = false; // on/off; the flag alone (last, or before another flag) means on
};

std::string env_name(const char* flag) {
  std::string name = "AUTOREPORT_SIDECAR_";
  for (const char* p = flag; *p; ++p) {
    name += *p == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
  }
  return name;
}

std::function<std::string(Config&, const std::string&)> integer(int Config::*field, int min, int max) {
  return [field, min, max](Config& c, const std::string& v) -> std::string {
    int n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max) {
      return "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    }
    c.*field = n;
    return "";
  };
}

std::function<std::string(Config&, const std::string&)> on_off(bool Config::*field) {
  return [field](Config& c, const std::string& v) -> std::string {
    if (v != "on" && v != "off") {
      return "must be on or off";
    }
    c.*field = v == "on";
    return "";
  };
}

std::function<std::string(Config&, const std::string&)> text(std::string Config::*field) {
  return [field](Config& c, const std::string& v) -> std::string {
    c.*field = v;
    return "";
  };
}

const std::vector<Option>& options() {
  static const std::vector<Option> list = {
      {"listen", "address to listen on", "127.0.0.1", text(&Config::listen)},
      {"port", "port for HTTP and WebSocket", "8080", integer(&Config::port, 1, 65535)},
      {"database", "libpq connection string or URI of the database (required)", "", text(&Config::database)},
      {"jwt-algorithm", "the one accepted token algorithm: HS256, RS256 or ES256", "HS256",
       [](Config& c, const std::string& v) -> std::string {
         if (v != "HS256" && v != "RS256" && v != "ES256") {
           return "must be HS256, RS256 or ES256";
         }
         c.jwt_algorithm = v;
         return "";
       }},
      {"jwt-secret-file", "file holding the HS256 secret (or set AUTOREPORT_SIDECAR_JWT_SECRET)", "",
       text(&Config::jwt_secret_file)},
      {"jwt-public-key-file", "PEM public key for RS256 or ES256", "", text(&Config::jwt_public_key_file)},
      {"jwt-leeway", "seconds of clock skew allowed for exp and nbf", "30",
       integer(&Config::jwt_leeway_seconds, 0, 300)},
      {"max-token-lifetime", "seconds: a token whose exp is further away than this is refused", "86400",
       integer(&Config::max_token_lifetime_seconds, 60, 366 * 24 * 3600)},
      {"allow-superuser-tokens", "accept tokens naming superuser or BYPASSRLS roles (on/off)", "off",
       on_off(&Config::allow_superuser_tokens), true},
      {"grant-cache-entries", "database answers (grants, roles) kept at most", "10000",
       integer(&Config::grant_cache_entries, 1, 10000000)},
      {"allowed-origin", "a browser Origin allowed to connect (the only ones); repeat, or comma-separate", "",
       [](Config& c, const std::string& v) -> std::string {
         std::stringstream in(v);
         std::string origin;
         while (std::getline(in, origin, ',')) {
           if (!valid_origin(origin)) {
             return "must be origins like https://reports.example.com (scheme, host and port only: no path, "
                    "no trailing slash)";
           }
           c.allowed_origins.push_back(origin);
         }
         return "";
       }},
      {"max-connections", "clients at once", "10000", integer(&Config::max_connections, 1, 1000000)},
      {"max-subscriptions", "channels per client", "100", integer(&Config::max_subscriptions, 1, 100000)},
      {"max-frame-bytes", "largest client frame; larger closes with 1009", "65536",
       integer(&Config::max_frame_bytes, 128, 16 * 1024 * 1024)},
      {"max-messages-per-minute", "client frames per minute before it is closed with 1008", "600",
       integer(&Config::max_messages_per_minute, 1, 1000000)},
      {"ping-interval", "seconds of silence from a client before it is pinged", "25",
       integer(&Config::ping_interval_seconds, 1, 3600)},
      {"pong-timeout", "seconds to wait for a pong before closing", "5",
       integer(&Config::pong_timeout_seconds, 1, 600)},
      {"queue-messages", "frames queued per client before it is closed as too slow", "1000",
       integer(&Config::queue_messages, 1, 10000000)},
      {"queue-bytes", "bytes queued per client before it is closed as too slow", "1048576",
       integer(&Config::queue_bytes, 1024, 1024 * 1024 * 1024)},
      {"permessage-deflate", "compress frames (on/off)", "off", on_off(&Config::permessage_deflate), true},
      {"tls-certificate-file", "PEM certificate chain: serve HTTPS and WSS", "",
       text(&Config::tls_certificate_file)},
      {"tls-key-file", "PEM private key of the certificate", "", text(&Config::tls_key_file)},
      {"grant-cache-seconds", "how long the database's answer to may-this-role-listen is reused", "5",
       integer(&Config::grant_cache_seconds, 0, 3600)},
      {"shutdown-seconds", "how long clients get to close on SIGTERM", "5",
       integer(&Config::shutdown_seconds, 0, 600)},
      {"reuse-port", "share the port with other sidecars on this host (SO_REUSEPORT; on/off): one per core",
       "off", on_off(&Config::reuse_port), true},
      {"connect-timeout", "seconds one database connection attempt may take before it is abandoned", "5",
       integer(&Config::connect_timeout_seconds, 1, 600)},
      {"query-timeout", "seconds one database command may take before it is cancelled", "10",
       integer(&Config::query_timeout_seconds, 1, 3600)},
      {"slow-consumer-seconds",
       "seconds a client's queue may stay over --queue-messages or --queue-bytes, nothing leaving it, before "
       "it is closed as too slow (at 16 times either limit it is closed at once)",
       "5", integer(&Config::slow_consumer_seconds, 1, 600)},
      {"handshake-timeout", "seconds a new connection has to send its whole HTTP request", "10",
       integer(&Config::handshake_timeout_seconds, 1, 600)},
      {"deliver-allow",
       "hosts deliveries may go to, comma-separated (reports.example.com, *.example.com, 127.0.0.1, "
       "localhost); repeat to add. Empty: delivery is off and nothing is claimed",
       "",
       [](Config& c, const std::string& v) -> std::string {
         std::stringstream in(v);
         std::string pattern;
         while (std::getline(in, pattern, ',')) {
           while (!pattern.empty() && pattern.front() == ' ') {
             pattern.erase(0, 1);
           }
           while (!pattern.empty() && pattern.back() == ' ') {
             pattern.pop_back();
           }
           if (pattern.empty()) {
             continue;
           }
           if (!valid_host_pattern(pattern)) {
             return "must be host names, *.domain wildcards or IP addresses, comma-separated (not \"" +
                    pattern + "\")";
           }
           c.deliver_allow.push_back(pattern);
         }
         return "";
       }},
      {"deliver-allow-private",
       "let deliveries connect to loopback, private (RFC 1918, fc00::/7), link-local and CGNAT addresses "
       "(on/off; checked on the address connected to)",
       "off", on_off(&Config::deliver_allow_private), true},
      {"deliver-allow-http", "allow http:// webhooks (on/off; else https:// only)", "off",
       on_off(&Config::deliver_allow_http), true},
      {"deliver-secrets-file",
       "file of secrets destinations name: lines name=value, # comments (or set "
       "AUTOREPORT_SIDECAR_SECRET_<NAME>)",
       "", text(&Config::deliver_secrets_file)},
      {"deliver-timeout-seconds",
       "seconds one delivery attempt may take (a destination's timeout_seconds wins)", "30",
       integer(&Config::deliver_timeout_seconds, 1, 300)},
      {"deliver-max-attempts", "attempts before a delivery is given up", "8",
       integer(&Config::deliver_max_attempts, 1, 100)},
      {"deliver-max-bytes", "largest output delivered; a larger one is given up", "26214400",
       integer(&Config::deliver_max_bytes, 1, 128 * 1024 * 1024)},
      {"deliver-concurrency", "deliveries in flight at once (claimed ones waiting for a limit count too)",
       "32", integer(&Config::deliver_concurrency, 1, 4096)},
      {"deliver-lease-seconds",
       "seconds a claimed delivery stays this sidecar's; after that another sidecar may take it over (keep "
       "it "
       "longer than the longest timeout: a delivery still in flight at the end of its lease may be sent "
       "twice)",
       "300", integer(&Config::deliver_lease_seconds, 1, 86400)},
      {"deliver-ca-file",
       "PEM bundle of the CAs trusted for deliveries (replaces the system's bundle, e.g. a private CA)", "",
       text(&Config::deliver_ca_file)},
      {"smtp-url", "the mail server: smtp://host:port (STARTTLS) or smtps://host:port (TLS)", "",
       [](Config& c, const std::string& v) -> std::string {
         if (!v.empty() && v.rfind("smtp://", 0) != 0 && v.rfind("smtps://", 0) != 0) {
           return "must start with smtp:// or smtps://";
         }
         c.smtp_url = v;
         return "";
       }},
      {"smtp-from", "the sender address of e-mail deliveries", "",
       [](Config& c, const std::string& v) -> std::string {
         if (!v.empty() && !valid_email_address(v)) {
           return "must be an address like reports@example.com";
         }
         c.smtp_from = v;
         return "";
       }},
      {"smtp-starttls", "required: refuse a smtp:// server without STARTTLS; off: plain SMTP", "required",
       [](Config& c, const std::string& v) -> std::string {
         if (v != "required" && v != "off") {
           return "must be required or off";
         }
         c.smtp_starttls = v == "required";
         return "";
       }},
      {"smtp-auth-secret", "the secret (user:password) to log in to the mail server with", "",
       [](Config& c, const std::string& v) -> std::string {
         if (!v.empty() && !valid_secret_name(v)) {
           return "must be a secret's name (letters, digits and _)";
         }
         c.smtp_auth_secret = v;
         return "";
       }},
  };
  return list;
}

const Option* find(const std::string& flag) {
  for (const Option& o : options()) {
    if (flag == o.flag) {
      return &o;
    }
  }
  return nullptr;
}

} // namespace

ConfigResult parse_config(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env) {
  ConfigResult r;
  Config c;
  const auto fail = [&](std::string message) {
    r.error = std::move(message);
    return r;
  };
  for (const Option& o : options()) {
    if (const auto it = env.find(env_name(o.flag)); it != env.end()) {
      if (std::string e = o.set(c, it->second); !e.empty()) {
        return fail(env_name(o.flag) + " " + e);
      }
    }
  }
  if (const auto it = env.find("AUTOREPORT_SIDECAR_JWT_SECRET"); it != env.end()) {
    c.jwt_secret = it->second;
  }
  bool origins_from_flags = false;
  bool allow_from_flags = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      r.help_requested = true;
      return r;
    }
    if (a.rfind("--", 0) != 0) {
      return fail("unexpected argument " + a + " (see --help)");
    }
    std::string flag = a.substr(2);
    std::string value;
    const Option* bare = find(flag);
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (bare != nullptr && bare->boolean &&
               (i + 1 == args.size() || args[i + 1].rfind("--", 0) == 0)) {
      value = "on";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail("--" + flag + " needs a value");
    }
    if (flag == "jwt-secret") {
      return fail("--jwt-secret is not accepted (flags are visible to other users): use --jwt-secret-file or "
                  "AUTOREPORT_SIDECAR_JWT_SECRET");
    }
    const Option* o = find(flag);
    if (o == nullptr) {
      return fail("unknown option --" + flag + " (see --help)");
    }
    if (flag == "allowed-origin" && !origins_from_flags) {
      c.allowed_origins.clear(); // flags replace the variable's list
      origins_from_flags = true;
    }
    if (flag == "deliver-allow" && !allow_from_flags) {
      c.deliver_allow.clear();
      allow_from_flags = true;
    }
    if (std::string e = o->set(c, value); !e.empty()) {
      return fail("--" + flag + " " + e);
    }
  }
  if (c.database.empty()) {
    return fail("--database is required (or AUTOREPORT_SIDECAR_DATABASE)");
  }
  if (!c.jwt_secret.empty() && !c.jwt_secret_file.empty()) {
    return fail("the HS256 secret is given twice: AUTOREPORT_SIDECAR_JWT_SECRET and --jwt-secret-file (or "
                "AUTOREPORT_SIDECAR_JWT_SECRET_FILE); give one");
  }
  if (c.jwt_algorithm == "HS256" && c.jwt_secret.empty() && c.jwt_secret_file.empty()) {
    return fail("HS256 needs a secret: --jwt-secret-file or AUTOREPORT_SIDECAR_JWT_SECRET");
  }
  if (c.jwt_algorithm != "HS256" && c.jwt_public_key_file.empty()) {
    return fail(c.jwt_algorithm + " needs --jwt-public-key-file");
  }
  if (c.tls_certificate_file.empty() != c.tls_key_file.empty()) {
    return fail("TLS needs both --tls-certificate-file and --tls-key-file");
  }
  if (!c.smtp_url.empty() && c.smtp_from.empty()) {
    return fail("--smtp-url needs --smtp-from (the sender address)");
  }
  r.config = std::move(c);
  return r;
}

std::string hs256_secret_weakness(std::string_view secret) {
  const size_t n = secret.size();
  if (n < 32) {
    return "an HS256 secret must be at least 32 bytes long";
  }
  // Periodic: s[i] == s[i + p] for every i, with a period of at most half the length.
  for (size_t p = 1; p <= n / 2; ++p) {
    if (secret.substr(p) == secret.substr(0, n - p)) {
      return "the HS256 secret is one shorter sequence repeated";
    }
  }
  std::array<size_t, 256> counts{};
  for (const char ch : secret) {
    ++counts[static_cast<unsigned char>(ch)];
  }
  double bits_per_byte = 0;
  for (const size_t k : counts) {
    if (k != 0) {
      const double f = static_cast<double>(k) / static_cast<double>(n);
      bits_per_byte -= f * std::log2(f);
    }
  }
  if (bits_per_byte * static_cast<double>(n) < 128.0) {
    return "the HS256 secret has too little entropy (under 128 bits by its byte frequencies); use e.g. "
           "openssl rand -base64 32";
  }
  return "";
}

bool valid_origin(std::string_view text) {
  std::string_view rest;
  if (text.rfind("http://", 0) == 0) {
    rest = text.substr(7);
  } else if (text.rfind("https://", 0) == 0) {
    rest = text.substr(8);
  } else {
    return false;
  }
  if (rest.empty() || rest.front() == ':' || rest.back() == ':') {
    return false;
  }
  for (const char ch : rest) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                    ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']';
    if (!ok) {
      return false; // a path, a trailing slash, a query, user info, spaces
    }
  }
  return true;
}

std::string config_help() {
  std::string out =
      "autoreport-sidecar: PostgreSQL LISTEN/NOTIFY to web clients over WebSocket\n\n"
      "Each option may also be set by its environment variable; a flag wins over its variable,\n"
      "which wins over the default. A secret given in two ways is refused.\n\n";
  for (const Option& o : options()) {
    out += "  --" + std::string(o.flag) + "\n      " + o.help + "\n      env " + env_name(o.flag);
    if (*o.shown_default) {
      out += ", default " + std::string(o.shown_default);
    }
    out += "\n";
  }
  out += "\n  AUTOREPORT_SIDECAR_JWT_SECRET\n      the HS256 secret (environment only)\n";
  out +=
      "  AUTOREPORT_SIDECAR_SECRET_<NAME>\n      a delivery secret named NAME (upper case; environment only; "
      "a name also in --deliver-secrets-file is refused)\n";
  return out;
}

} // namespace autoreport::sidecar
