// The sender's rules (see delivery_policy.hpp).
#include "delivery_policy.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace autoreport::sidecar {

namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

bool ipv4_text(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) != 0) {
      ++j;
    }
    if (j == i || j - i > 3) {
      return false;
    }
    int v = 0;
    std::from_chars(s.data() + i, s.data() + j, v);
    if (v > 255) {
      return false;
    }
    ++parts;
    if (j == s.size()) {
      break;
    }
    if (s[j] != '.') {
      return false;
    }
    i = j + 1;
  }
  return parts == 4;
}

bool ipv6_text(std::string_view s) {
  if (s.size() < 2 || s.find(':') == std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
  });
}

// A host name: labels of letters, digits and '-', separated by single dots.
bool host_name(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.' || s.front() == '-') {
    return false;
  }
  if (s.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), host_char);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int month_number(std::string_view name) {
  static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < months.size(); ++i) {
    if (name.size() == 3 && strncasecmp(name.data(), months[i], 3) == 0) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

// An HTTP date in any of the three forms RFC 9110 asks a recipient to accept, as Unix seconds.
std::optional<int64_t> parse_http_date(std::string_view text) {
  const std::string s(text.substr(0, 64));
  char wday[16] = {}, mon[4] = {};
  int d = 0, y = 0, hh = 0, mm = 0, ss = 0;
  char zone[4] = {};
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d %3s", wday, &d, mon, &y, &hh, &mm, &ss,
                  zone) == 8) {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  } else if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %3s", wday, &d, mon, &y, &hh, &mm,
                         &ss, zone) == 8) {
    y += y < 70 ? 2000 : 1900; // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  } else if (std::sscanf(s.c_str(), "%15[A-Za-z] %3s %2d %2d:%2d:%2d %4d", wday, mon, &d, &hh, &mm, &ss,
                         &y) == 7) {
    std::strcpy(zone, "GMT"); // asctime: Sun Nov  6 08:49:37 1994
  } else {
    return std::nullopt;
  }
  const int m = month_number(mon);
  if (m == 0 || std::strcmp(zone, "GMT") != 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 ||
      y < 1970) {
    return std::nullopt;
  }
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400 + hh * 3600 +
         mm * 60 + ss;
}

} // namespace

// ---- the allow-list --------------------------------------------------------------------------------

bool valid_host_pattern(std::string_view p) {
  if (p.size() > 2 && p.front() == '[' && p.back() == ']') {
    return ipv6_text(p.substr(1, p.size() - 2));
  }
  if (ipv6_text(p)) {
    return true;
  }
  if (p.rfind("*.", 0) == 0) {
    return host_name(p.substr(2)) && p.substr(2).find('.') != std::string_view::npos;
  }
  return host_name(p);
}

std::string normalize_host(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!host.empty() && host.back() == '.') {
    host.remove_suffix(1);
  }
  std::string out;
  out.reserve(host.size());
  for (const char c : host) {
    out += lower(c);
  }
  return out;
}

bool host_allowed(std::string_view host, const std::vector<std::string>& patterns) {
  const std::string h = normalize_host(host);
  if (h.empty()) {
    return false;
  }
  for (const std::string& raw : patterns) {
    const std::string p = normalize_host(raw);
    if (p.rfind("*.", 0) == 0) {
      const std::string_view suffix = std::string_view(p).substr(1); // ".example.com"
      if (h.size() > suffix.size() && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          !ipv4_text(h)) {
        return true;
      }
    } else if (h == p) {
      return true;
    }
  }
  return false;
}

// ---- addresses -------------------------------------------------------------------------------------

AddressKind classify_ipv4(const std::array<uint8_t, 4>& a) {
  const uint32_t v = (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
  const auto in = [v](uint32_t net, int bits) { return (v >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x00000000, 8)) {
    return AddressKind::Unspecified; // 0.0.0.0/8 ("this network"; 0.0.0.0 reaches the host itself)
  }
  if (in(0x7f000000, 8)) {
    return AddressKind::Loopback;
  }
  if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16)) {
    return AddressKind::Private;
  }
  if (in(0xa9fe0000, 16)) {
    return AddressKind::LinkLocal; // 169.254/16, cloud metadata services among them
  }
  if (in(0x64400000, 10)) {
    return AddressKind::SharedCgnat;
  }
  if (in(0xe0000000, 4)) {
    return AddressKind::Multicast;
  }
  if (in(0xf0000000, 4) || in(0xc0000000, 24) || in(0xc6120000, 15)) {
    return AddressKind::Reserved; // 240/4 and broadcast, IETF protocol assignments, benchmarking
  }
  return AddressKind::Public;
}

AddressKind classify_ipv6(const std::array<uint8_t, 16>& a) {
  const bool zero10 = std::all_of(a.begin(), a.begin() + 10, [](uint8_t b) { return b == 0; });
  if (zero10 && ((a[10] == 0xff && a[11] == 0xff) || (a[10] == 0 && a[11] == 0 && (a[12] | a[13]) != 0))) {
    return classify_ipv4({a[12], a[13], a[14], a[15]}); // ::ffff:a.b.c.d and ::a.b.c.d
  }
  const bool zero15 = std::all_of(a.begin(), a.begin() + 15, [](uint8_t b) { return b == 0; });
  if (zero15 && a[15] == 1) {
    return AddressKind::Loopback;
  }
  if (zero15 && a[15] == 0) {
    return AddressKind::Unspecified;
  }
  if (a[0] == 0x64 && a[1] == 0xff && a[2] == 0x9b &&
      std::all_of(a.begin() + 3, a.begin() + 12, [](uint8_t b) { return b == 0; })) {
    return classify_ipv4({a[12], a[13], a[14], a[15]}); // NAT64 64:ff9b::/96
  }
  if ((a[0] & 0xfe) == 0xfc) {
    return AddressKind::Private; // fc00::/7 unique local
  }
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
    return AddressKind::LinkLocal; // fe80::/10
  }
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) {
    return AddressKind::Private; // fec0::/10, deprecated site-local
  }
  if (a[0] == 0xff) {
    return AddressKind::Multicast;
  }
  return AddressKind::Public;
}

const char* address_kind_name(AddressKind kind) {
  switch (kind) {
  case AddressKind::Public:
    return "public";
  case AddressKind::Loopback:
    return "loopback";
  case AddressKind::Private:
    return "private";
  case AddressKind::LinkLocal:
    return "link-local";
  case AddressKind::SharedCgnat:
    return "shared (CGNAT)";
  case AddressKind::Unspecified:
    return "unspecified";
  case AddressKind::Multicast:
    return "multicast";
  case AddressKind::Reserved:
    return "reserved";
  }
  return "unknown";
}

// ---- secrets ---------------------------------------------------------------------------------------

bool valid_secret_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}
} // namespace

SecretsResult parse_secrets_file(std::string_view text) {
  SecretsResult r;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') {
      continue;
    }
    const size_t eq = line.find('=');
    std::string_view name =
        line.substr(start, eq == std::string_view::npos ? std::string_view::npos : eq - start);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
      name.remove_suffix(1);
    }
    if (eq == std::string_view::npos || !valid_secret_name(name)) {
      r.error =
          "line " + std::to_string(line_no) + ": expected name=value with a name of letters, digits and _";
      return r;
    }
    if (!r.secrets.emplace(upper(name), std::string(line.substr(eq + 1))).second) {
      r.error = "line " + std::to_string(line_no) + ": the secret " + std::string(name) + " is given twice";
      return r;
    }
  }
  return r;
}

SecretsResult collect_secrets(const Secrets& from_file, const std::map<std::string, std::string>& env) {
  static constexpr std::string_view kPrefix = "AUTOREPORT_SIDECAR_SECRET_";
  SecretsResult r;
  r.secrets = from_file;
  for (const auto& [key, value] : env) {
    if (key.size() <= kPrefix.size() || key.compare(0, kPrefix.size(), kPrefix) != 0) {
      continue;
    }
    const std::string name = key.substr(kPrefix.size());
    if (!valid_secret_name(name)) {
      r.error = key + ": a secret's name is letters, digits and _ (at most 64)";
      return r;
    }
    if (!r.secrets.emplace(upper(name), value).second) {
      r.error =
          "the secret " + name + " is given twice: in " + key + " and in --deliver-secrets-file; give one";
      return r;
    }
  }
  return r;
}

const std::string* find_secret(const Secrets& secrets, std::string_view name) {
  const auto it = secrets.find(upper(name));
  return it == secrets.end() ? nullptr : &it->second;
}

// ---- outcomes and retries --------------------------------------------------------------------------

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
  case Outcome::Delivered:
    return "delivered";
  case Outcome::Retry:
    return "retry";
  case Outcome::GiveUp:
    return "give_up";
  }
  return "give_up";
}

int64_t backoff_ms(int attempt, double unit) {
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const int64_t ceiling = std::min<int64_t>(kMaxRetryMs, int64_t{1000} << exponent);
  const double u = std::clamp(unit, 0.0, 1.0);
  return std::min(ceiling, static_cast<int64_t>(std::floor(u * static_cast<double>(ceiling + 1))));
}

std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_unix_seconds) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) {
      return kMaxRetryMs;
    }
    int64_t seconds = 0;
    std::from_chars(value.data(), value.data() + value.size(), seconds);
    return std::min(kMaxRetryMs, seconds * 1000);
  }
  const std::optional<int64_t> at = parse_http_date(value);
  if (!at) {
    return std::nullopt;
  }
  return std::clamp<int64_t>((*at - now_unix_seconds) * 1000, 0, kMaxRetryMs);
}

Outcome classify_http(long status) {
  if (status >= 200 && status <= 299) {
    return Outcome::Delivered;
  }
  if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
    return Outcome::Retry;
  }
  return Outcome::GiveUp;
}

Outcome classify_smtp(long code) {
  if (code >= 200 && code <= 399) {
    return Outcome::Delivered;
  }
  if (code >= 400 && code <= 499) {
    return Outcome::Retry;
  }
  return Outcome::GiveUp;
}

Decision decide(Outcome wanted, int attempt, int max_attempts, std::optional<int64_t> retry_after_ms,
                double unit, std::string error) {
  Decision d{wanted, 0, std::move(error)};
  if (wanted != Outcome::Retry) {
    return d;
  }
  if (attempt >= max_attempts) {
    d.outcome = Outcome::GiveUp;
    d.error = "gave up after " + std::to_string(attempt) + " attempts (--deliver-max-attempts " +
              std::to_string(max_attempts) + "): " + d.error;
    return d;
  }
  d.retry_in_ms =
      retry_after_ms ? std::clamp<int64_t>(*retry_after_ms, 0, kMaxRetryMs) : backoff_ms(attempt, unit);
  return d;
}

// ---- the signature ---------------------------------------------------------------------------------

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static const unsigned char kEmpty = 0;
  const auto* data = message.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(message.data());
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data, message.size(), mac, &length) ==
      nullptr) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

std::string signature_header(std::string_view secret, int64_t timestamp, std::string_view body) {
  std::string signed_text = std::to_string(timestamp);
  signed_text += '.';
  signed_text.append(body);
  return "sha256=" + hmac_sha256_hex(secret, signed_text);
}

// ---- per-destination limits ------------------------------------------------------------------------

void DestinationLimit::configure(int concurrency, int per_minute) noexcept {
  concurrency_ = std::max(1, concurrency);
  per_minute_ = std::max(0, per_minute);
}

void DestinationLimit::forget(Clock::time_point now) {
  while (!starts_.empty() && now - starts_.front() >= std::chrono::minutes(1)) {
    starts_.pop_front();
  }
}

bool DestinationLimit::may_start(Clock::time_point now) {
  if (active_ >= concurrency_) {
    return false;
  }
  forget(now);
  return per_minute_ == 0 || starts_.size() < static_cast<size_t>(per_minute_);
}

void DestinationLimit::started(Clock::time_point now) {
  ++active_;
  if (per_minute_ > 0) {
    starts_.push_back(now);
  }
}

void DestinationLimit::finished() noexcept {
  if (active_ > 0) {
    --active_;
  }
}

DestinationLimit::Clock::time_point DestinationLimit::next_start(Clock::time_point now) {
  forget(now);
  if (per_minute_ == 0 || starts_.size() < static_cast<size_t>(per_minute_)) {
    return now;
  }
  // The start that must leave the window before one more fits.
  return starts_[starts_.size() - static_cast<size_t>(per_minute_)] + std::chrono::minutes(1);
}

} // namespace autoreport::sidecar
