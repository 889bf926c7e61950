// The sidecar's configuration: command-line flags, each with an environment variable
// (AUTOREPORT_SIDECAR_<NAME>) and a default. One rule of precedence: a flag wins over its variable,
// which wins over the default. Secrets come from files or the environment, never from flags (which
// other users can read in the process list); a secret given in two ways (the variable
// AUTOREPORT_SIDECAR_JWT_SECRET and a secret file) is refused rather than one silently winning.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::sidecar {

struct Config {
  std::string listen = "127.0.0.1";
  int port = 8080;
  std::string database; // a libpq connection string or URI; required
  std::string jwt_algorithm = "HS256";
  std::string jwt_secret; // HS256: from AUTOREPORT_SIDECAR_JWT_SECRET or --jwt-secret-file
  std::string jwt_secret_file;
  std::string jwt_public_key_file; // RS256, ES256
  int jwt_leeway_seconds = 30;
  // Hardening (issue 12): token lifetime, privileged roles, the grant cache's size.
  int max_token_lifetime_seconds = 24 * 3600; // a token whose exp is further away is refused
  bool allow_superuser_tokens = false;        // tokens naming superuser or BYPASSRLS roles
  int grant_cache_entries = 10000;            // answers kept at most (least recently used out first)
  std::vector<std::string> allowed_origins;   // besides the sidecar's own origin
  int max_connections = 10000;
  int max_subscriptions = 100; // per connection
  int max_frame_bytes = 64 * 1024;
  int max_messages_per_minute = 600;
  int ping_interval_seconds = 25;
  int pong_timeout_seconds = 5;
  int queue_messages = 1000; // per connection
  int queue_bytes = 1024 * 1024;
  bool permessage_deflate = false;
  std::string tls_certificate_file;
  std::string tls_key_file;
  int grant_cache_seconds = 5;
  int shutdown_seconds = 5;
  bool reuse_port = false; // several sidecars on one port, the kernel spreading connections among them
  // Availability (a hung database, bursts, stuck clients, idle sockets).
  int connect_timeout_seconds = 5;    // one database connection attempt
  int query_timeout_seconds = 10;     // one database command
  int slow_consumer_seconds = 5;      // a queue over its limit this long closes the client
  int handshake_timeout_seconds = 10; // from accept to a complete HTTP request
  // Delivery (issue 18): the sender of scheduled reports' outputs to webhooks and e-mail.
  std::vector<std::string> deliver_allow; // host patterns; empty: delivery is off
  bool deliver_allow_private = false;     // loopback, private, link-local, CGNAT addresses
  bool deliver_allow_http = false;        // http:// webhooks besides https://
  std::string deliver_secrets_file;
  int deliver_timeout_seconds = 30;
  int deliver_max_attempts = 8;
  int deliver_max_bytes = 25 * 1024 * 1024;
  int deliver_concurrency = 32; // transfers in flight (and claimed deliveries held) in all
  int deliver_lease_seconds = 300;
  std::string deliver_ca_file;
  std::string smtp_url; // smtp://host:port or smtps://host:port
  std::string smtp_from;
  bool smtp_starttls = true; // --smtp-starttls required|off
  std::string smtp_auth_secret;
};

struct ConfigResult {
  std::optional<Config> config; // nullopt with help_requested or an error
  bool help_requested = false;
  std::string error;
};

// Reads flags (argv[1..]) over environment variables (env: name → value) over defaults, and checks
// them. Files named by the configuration are not read here.
ConfigResult parse_config(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env);

// Why an HS256 secret is too weak to accept, or "" when it is strong enough. The rule: at least 32
// bytes; not one shorter sequence repeated ("abab...", "passwordpassword..."); and at least 128 bits
// by its byte-frequency estimate, length x Shannon entropy per byte (so "aaaa...ab" or a word
// repeated with a suffix fail, while 32 random bytes, base64 or 64 hex digits pass).
std::string hs256_secret_weakness(std::string_view secret);

// Whether text is a browser origin as it appears in an Origin header: scheme://host[:port] with
// scheme http or https, nothing after (no path, not even a trailing slash, no query or user info).
bool valid_origin(std::string_view text);

// What --help prints: every flag, its variable, its default and what it does.
std::string config_help();

} // namespace autoreport::sidecar
