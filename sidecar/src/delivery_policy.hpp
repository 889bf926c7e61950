// The sender's rules, pure (no libcurl, no libpq, no Asio): which hosts and addresses may be reached,
// where secrets come from, how a reply becomes an outcome (delivered, retry, give up), how long to
// wait before the next attempt, the signature, and each destination's concurrency and rate limits.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::sidecar {

// ---- the allow-list --------------------------------------------------------------------------------

// Whether text is a host pattern of --deliver-allow: a host name (letters, digits, '-', '.'), a
// wildcard "*.example.com" (any name below example.com, not example.com itself), an IPv4 address or
// an IPv6 address (bare or in brackets).
bool valid_host_pattern(std::string_view pattern);
// A host as compared: lower case, without IPv6 brackets or a trailing dot.
std::string normalize_host(std::string_view host);
// Whether host (as in a URL) matches one of the patterns.
bool host_allowed(std::string_view host, const std::vector<std::string>& patterns);

// ---- addresses -------------------------------------------------------------------------------------

// What kind of address a connection would go to. Everything but Public is refused unless
// --deliver-allow-private.
enum class AddressKind {
  Public,
  Loopback,
  Private,
  LinkLocal,
  SharedCgnat,
  Unspecified,
  Multicast,
  Reserved
};
AddressKind classify_ipv4(const std::array<uint8_t, 4>& a);
// IPv4-mapped and IPv4-compatible addresses are classified as their IPv4 address.
AddressKind classify_ipv6(const std::array<uint8_t, 16>& a);
// "loopback", "private", "link-local", ... for error messages.
const char* address_kind_name(AddressKind kind);

// ---- secrets ---------------------------------------------------------------------------------------

// Secrets by upper-cased name (the environment's spelling: finance_hook is
// AUTOREPORT_SIDECAR_SECRET_FINANCE_HOOK).
using Secrets = std::map<std::string, std::string>;
struct SecretsResult {
  Secrets secrets;
  std::string error; // non-empty: refused
};
// Names as the extension accepts them: ^[A-Za-z0-9_]{1,64}$.
bool valid_secret_name(std::string_view name);
// The --deliver-secrets-file format: lines name=value; blank lines and lines starting with '#' are
// skipped; the value is everything after the first '=' (a trailing CR is dropped).
SecretsResult parse_secrets_file(std::string_view text);
// The file's secrets and the AUTOREPORT_SIDECAR_SECRET_<NAME> variables of env, together; a name in
// both is refused.
SecretsResult collect_secrets(const Secrets& from_file, const std::map<std::string, std::string>& env);
// The value of a secret, or nullptr.
const std::string* find_secret(const Secrets& secrets, std::string_view name);

// ---- outcomes and retries --------------------------------------------------------------------------

enum class Outcome { Delivered, Retry, GiveUp };
// "delivered", "retry", "give_up": finish_delivery's outcome argument.
const char* outcome_name(Outcome outcome);

constexpr int64_t kMaxRetryMs = 3600 * 1000;
// Full-jitter exponential backoff: a wait in [0, min(1 h, 1 s x 2^(attempt-1))], unit in [0, 1)
// choosing where.
int64_t backoff_ms(int attempt, double unit);
// A Retry-After header's value (delta seconds, or an HTTP date, RFC 9110 5.6.7) as milliseconds from
// now, capped at one hour; nullopt when unreadable.
std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_unix_seconds);
// What an HTTP status means: 2xx delivered; 408, 429 and 5xx retry; anything else (3xx, other 4xx)
// give up.
Outcome classify_http(long status);
// What an SMTP reply code means: 2xx and 3xx delivered, 4xx retry, 5xx (and anything else) give up.
Outcome classify_smtp(long code);

struct Decision {
  Outcome outcome = Outcome::GiveUp;
  int64_t retry_in_ms = 0;
  std::string error; // last_error; empty when delivered
};
// The outcome to report for an attempt that wanted `wanted`: a retry at or past max_attempts gives
// up (saying so in the error); a retry waits retry_after_ms when the receiver said (Retry-After),
// else the backoff.
Decision decide(Outcome wanted, int attempt, int max_attempts, std::optional<int64_t> retry_after_ms,
                double unit, std::string error);

// ---- the signature ---------------------------------------------------------------------------------

// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// X-Autoreport-Signature's value: "sha256=" + hex HMAC-SHA256(secret, "<timestamp>.<body>").
std::string signature_header(std::string_view secret, int64_t timestamp, std::string_view body);

// ---- per-destination limits ------------------------------------------------------------------------

// One destination's limits in one sidecar: at most `concurrency` at once, and at most `per_minute`
// started in any 60 seconds (0: no rate limit).
class DestinationLimit {
public:
  using Clock = std::chrono::steady_clock;
  void configure(int concurrency, int per_minute) noexcept;
  // Whether one more may start now.
  bool may_start(Clock::time_point now);
  void started(Clock::time_point now);
  void finished() noexcept;
  // When the rate limit lets the next one start (now when it does already; the concurrency limit
  // frees on finished(), not at a time).
  Clock::time_point next_start(Clock::time_point now);
  int active() const noexcept { return active_; }

private:
  void forget(Clock::time_point now);
  int concurrency_ = 4;
  int per_minute_ = 0;
  int active_ = 0;
  std::deque<Clock::time_point> starts_; // within the last minute, when per_minute_ > 0
};

} // namespace autoreport::sidecar
