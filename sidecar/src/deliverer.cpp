// The sender (see deliverer.hpp).
#include "deliverer.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <iostream>

namespace autoreport::sidecar {

namespace asio = boost::asio;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

void log(const std::string& what) {
  std::cerr << "autoreport-sidecar: deliver: " << what << "\n";
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string make_worker() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) {
    std::strcpy(host, "unknown");
  }
  std::random_device random;
  char tail[24];
  std::snprintf(tail, sizeof tail, "%08x", random());
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + tail;
}

// Text fit for last_reply: at most 500 bytes of valid UTF-8 (a reply cut mid-character or in Latin-1
// would be refused by the database, and its outcome never recorded).
std::string reply_text(std::string_view s) {
  return safe_text(s, 500);
}

DeliveryKind kind_of(const ClaimedDelivery& d) {
  return d.kind == "email" ? DeliveryKind::Email : DeliveryKind::Webhook;
}

std::optional<int> target_int(const nlohmann::json& target, const char* key) {
  if (!target.is_object()) {
    return std::nullopt;
  }
  const auto it = target.find(key);
  if (it == target.end() || !it->is_number_integer()) {
    return std::nullopt;
  }
  return it->get<int>();
}

std::string target_text(const nlohmann::json& target, const char* key) {
  if (!target.is_object()) {
    return "";
  }
  const auto it = target.find(key);
  return it != target.end() && it->is_string() ? it->get<std::string>() : "";
}

} // namespace

// One delivery on the wire: the easy handle and everything it points to, freed together.
struct Deliverer::Transfer {
  ClaimedDelivery d;
  CURL* easy = nullptr;
  CURLU* url = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* recipients = nullptr;
  curl_mime* mime = nullptr;
  std::string body;
  std::string response;  // the start of the HTTP response's body
  std::string last_line; // the last reply line (SMTP) or status line (HTTP)
  std::optional<std::string> retry_after;
  std::string refused; // the last address refused by the private-address rule, and why
  bool opened = false; // a socket was opened
  bool allow_private = false;
  int timeout_seconds = 30;
  char error[CURL_ERROR_SIZE] = {};

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    if (easy != nullptr) {
      curl_easy_cleanup(easy);
    }
    curl_mime_free(mime);
    curl_slist_free_all(headers);
    curl_slist_free_all(recipients);
    curl_url_cleanup(url);
  }
};

Deliverer::Deliverer(asio::io_context& io, const Config& config, Secrets secrets)
    : io_(io), config_(config), secrets_(std::move(secrets)), worker_(make_worker()),
      db_(
          io, config.database, std::chrono::seconds(config.connect_timeout_seconds),
          std::chrono::seconds(config.query_timeout_seconds),
          [this](const std::string& channel, const std::string&) {
            if (channel == kChannel) {
              claim();
            }
          },
          [this](bool again) { on_connected(again); }, "deliver database"),
      curl_(io), tick_(io), rng_(std::random_device{}()) {
  if (!config_.smtp_auth_secret.empty()) {
    if (const std::string* s = find_secret(secrets_, config_.smtp_auth_secret)) {
      smtp_auth_ = *s;
    }
  }
}

Deliverer::~Deliverer() {
  abandon();
}

std::string Deliverer::describe(const Config& c) {
  if (c.deliver_allow.empty()) {
    return "delivery off (--deliver-allow is empty: nothing is claimed)";
  }
  std::string hosts;
  for (const std::string& h : c.deliver_allow) {
    hosts += (hosts.empty() ? "" : ",") + h;
  }
  std::string s =
      "delivery on: webhooks to " + hosts + (c.deliver_allow_http ? " (https and http)" : " (https)") +
      (c.deliver_allow_private ? ", private and loopback addresses allowed"
                               : ", private and loopback addresses refused") +
      "; e-mail " +
      (c.smtp_url.empty()
           ? std::string("off (no --smtp-url)")
           : "through " + c.smtp_url +
                 (c.smtp_starttls && c.smtp_url.rfind("smtp:", 0) == 0 ? " (STARTTLS required)" : "")) +
      "; at most " + std::to_string(c.deliver_concurrency) + " in flight";
  if (c.deliver_lease_seconds <= c.deliver_timeout_seconds) {
    s +=
        "; warning: --deliver-lease-seconds is not longer than --deliver-timeout-seconds, so a slow delivery "
        "may be sent twice";
  }
  return s;
}

void Deliverer::start() {
  log("worker " + worker_);
  db_.start();
  tick();
}

void Deliverer::stop() {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  // Waiting deliveries go back at once, for another sidecar (or this one, restarted) to take.
  std::deque<Waiting> waiting;
  waiting.swap(waiting_);
  for (Waiting& w : waiting) {
    report({w.delivery.id, "release", std::nullopt, std::nullopt,
            std::string("the sidecar stopped before sending it"), 0, Clock::now()});
  }
}

void Deliverer::abandon() {
  if (abandoned_) {
    return;
  }
  abandoned_ = true;
  stopping_ = true;
  tick_.cancel();
  curl_.stop();
  if (!transfers_.empty()) {
    log("abandoned " + std::to_string(transfers_.size()) +
        " deliveries in flight (their leases expire and they are sent again)");
  }
  transfers_.clear();
  waiting_.clear();
  db_.stop();
}

bool Deliverer::busy() const noexcept {
  return !transfers_.empty() || reporting_ > 0 || !to_report_.empty() || claiming_ ||
         (!unreported_.empty() && db_.connected());
}

double Deliverer::unit() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

void Deliverer::on_connected(bool again) {
  if (again) {
    log("connected again: listening and claiming");
  }
  // Claims carry JSON and reports text: UTF-8 whatever the database's encoding (commands run in order,
  // so this comes first).
  db_.query("SELECT pg_catalog.set_config('client_encoding', 'UTF8', false)", {},
            [this](bool ok, const std::string& error) {
              if (!ok && !abandoned_) {
                log("cannot set client_encoding to UTF8: " + error);
              }
            });
  db_.listen(kChannel, [this](bool ok, const std::string& error) {
    if (!ok) {
      log("cannot LISTEN " + std::string(kChannel) + ": " + error);
    }
  });
  claim(); // deliveries left pending while this sidecar was away
}

// Once a second: command deadlines, limits that let waiting deliveries start, reports to write again,
// and a claim every kClaimInterval.
void Deliverer::tick() {
  const auto now = Clock::now();
  db_.expire(now);
  pump();
  // A delivery held back by its destination's limit for half its lease goes back to the database
  // rather than have its lease run out here.
  const auto hold = std::chrono::seconds(std::max(1, config_.deliver_lease_seconds / 2));
  while (!waiting_.empty() && now - waiting_.front().since >= hold) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    DestinationLimit& limit = limits_[w.delivery.destination];
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(limit.next_start(now) - now);
    // Handed back unsent: "release" gives back the attempt its claim counted.
    report({w.delivery.id, "release", std::nullopt, std::nullopt,
            std::string("held back by the destination's concurrency or per_minute limit in this sidecar"),
            std::max<int64_t>(0, wait.count()), now});
  }
  if (db_.connected() && !renewing_ && now - last_renewal_ >= renewal_interval()) {
    renew_leases();
  }
  if (db_.connected() && !unreported_.empty() && reporting_ == 0) {
    std::deque<Report> again;
    again.swap(unreported_);
    for (Report& r : again) {
      if (now - r.first_try < std::chrono::seconds(config_.deliver_lease_seconds)) {
        report(std::move(r));
      } else {
        log("delivery " + std::to_string(r.id) + ": could not record its outcome (" + r.outcome +
            ") before its lease ended; it may be sent again");
      }
    }
  }
  if (!stopping_ && (now - last_claim_ >= kClaimInterval || (retry_due_ && now >= *retry_due_))) {
    retry_due_.reset();
    claim();
  }
  if (abandoned_) {
    return;
  }
  tick_.expires_after(std::chrono::seconds(1));
  tick_.async_wait([this](const error_code& ec) {
    if (!ec && !abandoned_) {
      tick();
    }
  });
}

std::chrono::seconds Deliverer::renewal_interval() const noexcept {
  return std::chrono::seconds(std::max(1, config_.deliver_lease_seconds / 3));
}

// Extends the leases of the deliveries this sidecar holds (on the wire, waiting for a limit, or with an
// outcome not yet recorded), so that a transfer longer than the lease is not taken over by another
// sidecar while this one is alive; only a sidecar that stops renewing (it died) loses them.
void Deliverer::renew_leases() {
  last_renewal_ = Clock::now();
  std::string ids;
  const auto add = [&ids](int64_t id) {
    ids += ids.empty() ? "{" : ",";
    ids += std::to_string(id);
  };
  for (const auto& [easy, t] : transfers_) {
    add(t->d.id);
  }
  for (const Waiting& w : waiting_) {
    add(w.delivery.id);
  }
  for (const Report& r : unreported_) {
    add(r.id);
  }
  for (const Report& r : to_report_) {
    add(r.id);
  }
  if (ids.empty()) {
    return;
  }
  ids += "}";
  renewing_ = true;
  db_.query("SELECT autoreport.renew_deliveries($1, $2::bigint[], $3)",
            {worker_, ids, std::to_string(config_.deliver_lease_seconds)},
            [this](bool ok, const std::string& value) {
              renewing_ = false;
              if (!ok && !abandoned_) {
                log("could not renew the leases of the deliveries in flight: " + value);
              }
            });
}

void Deliverer::claim() {
  if (stopping_ || !db_.connected()) {
    return;
  }
  if (claiming_) {
    claim_again_ = true;
    return;
  }
  last_claim_ = Clock::now();
  const size_t held = transfers_.size() + waiting_.size();
  const auto concurrency = static_cast<size_t>(config_.deliver_concurrency);
  if (held >= concurrency) {
    last_full_ = true; // more may be pending: claim when a slot frees
    return;
  }
  const int asked = static_cast<int>(concurrency - held);
  claiming_ = true;
  db_.query("SELECT autoreport.claim_deliveries($1,$2,$3,$4,$5)",
            {worker_, std::to_string(asked), std::to_string(config_.deliver_lease_seconds),
             std::to_string(config_.deliver_max_bytes), std::to_string(config_.deliver_max_attempts)},
            [this, asked](bool ok, const std::string& value) { on_claimed(ok, value, asked); });
}

void Deliverer::on_claimed(bool ok, const std::string& value, int asked) {
  claiming_ = false;
  if (abandoned_) {
    return;
  }
  if (!ok) {
    std::string error = value;
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) {
      error.pop_back();
    }
    if (error != last_claim_error_) {
      log("cannot claim deliveries: " + error);
      last_claim_error_ = error;
    }
    return;
  }
  last_claim_error_.clear();
  ClaimedBatch batch = parse_claimed(value);
  if (!batch.error.empty()) {
    log(batch.error);
    return;
  }
  last_full_ = static_cast<int>(batch.items.size()) >= asked;
  const auto now = Clock::now();
  for (ClaimedItem& item : batch.items) {
    if (!item.delivery) {
      log(item.error);
      if (item.id != 0) {
        report({item.id, "give_up", std::nullopt, std::nullopt, item.error, 0, now});
      }
      continue;
    }
    if (stopping_) {
      report({item.id, "release", std::nullopt, std::nullopt,
              std::string("the sidecar stopped before sending it"), 0, now});
      continue;
    }
    DestinationLimit& limit = limits_[item.delivery->destination];
    const std::optional<int> per_minute = target_int(item.delivery->target, "per_minute");
    limit.configure(target_int(item.delivery->target, "concurrency").value_or(4), per_minute.value_or(0));
    waiting_.push_back({std::move(*item.delivery), now});
  }
  pump();
  if (claim_again_ || (last_full_ && transfers_.size() + waiting_.size() <
                                         static_cast<size_t>(config_.deliver_concurrency))) {
    claim_again_ = false;
    claim();
  }
}

void Deliverer::pump() {
  if (stopping_) {
    return;
  }
  const auto now = Clock::now();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    DestinationLimit& limit = limits_[it->delivery.destination];
    if (!limit.may_start(now)) {
      ++it;
      continue;
    }
    limit.started(now);
    ClaimedDelivery d = std::move(it->delivery);
    it = waiting_.erase(it);
    send(std::move(d));
  }
}

// A slot freed: waiting deliveries may start, and after a full batch more are claimed once a quarter
// of the slots are free (or none is busy), so that claims come in batches rather than one by one.
void Deliverer::freed() {
  pump();
  const size_t held = transfers_.size() + waiting_.size();
  const auto concurrency = static_cast<size_t>(config_.deliver_concurrency);
  if (last_full_ && !stopping_ &&
      (held == 0 || concurrency - std::min(held, concurrency) >= std::max<size_t>(1, concurrency / 4))) {
    claim();
  }
}

void Deliverer::send(ClaimedDelivery d) {
  ++metrics_.attempts[static_cast<size_t>(kind_of(d))];
  auto t = std::make_unique<Transfer>();
  t->easy = curl_easy_init();
  const std::string destination = d.destination;
  t->d = std::move(d);
  const auto give_up = [&](const std::string& why) {
    limits_[destination].finished();
    conclude(t->d, Decision{Outcome::GiveUp, 0, why}, std::nullopt, "");
  };
  if (t->easy == nullptr) {
    give_up("libcurl cannot create a transfer");
    return;
  }
  if (t->d.size > config_.deliver_max_bytes) {
    give_up("the output is " + std::to_string(t->d.size) + " bytes, over the sidecar's limit of " +
            std::to_string(config_.deliver_max_bytes) + " bytes (--deliver-max-bytes)");
    return;
  }
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_PROXY, ""); // never a proxy from the environment
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  t->timeout_seconds = target_int(t->d.target, "timeout_seconds").value_or(config_.deliver_timeout_seconds);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->timeout_seconds) * 1000L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(t->timeout_seconds, 30)) * 1000L);
  if (!config_.deliver_ca_file.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, config_.deliver_ca_file.c_str());
  }
  curl_easy_setopt(
      e, CURLOPT_HEADERFUNCTION, +[](char* data, size_t size, size_t n, void* p) -> size_t {
        auto* tr = static_cast<Transfer*>(p);
        std::string_view line(data, size * n);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
          line.remove_suffix(1);
        }
        if (line.rfind("HTTP/", 0) == 0) {
          tr->retry_after.reset(); // a new response (after 100 Continue)
          tr->last_line = std::string(line);
        } else if (line.size() > 12 && strncasecmp(line.data(), "retry-after:", 12) == 0) {
          tr->retry_after = std::string(line.substr(12));
        } else if (tr->d.kind == "email" && !line.empty()) {
          tr->last_line = std::string(line.substr(0, 500));
        }
        return size * n;
      });
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(
      e, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* p) -> size_t {
        auto* tr = static_cast<Transfer*>(p);
        if (tr->response.size() < 500) {
          tr->response.append(data, std::min(size * n, 500 - tr->response.size()));
        }
        return size * n;
      });
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  const std::string refused = t->d.kind == "email" ? prepare_email(*t) : prepare_webhook(*t);
  if (!refused.empty()) {
    give_up(refused);
    return;
  }
  CURL* easy = t->easy;
  transfers_.emplace(easy, std::move(t));
  if (!curl_.add(easy, [this, easy](CURLcode result) { on_done(easy, result); })) {
    auto it = transfers_.find(easy);
    std::unique_ptr<Transfer> failed = std::move(it->second);
    transfers_.erase(it);
    limits_[failed->d.destination].finished();
    conclude(failed->d,
             decide(Outcome::Retry, failed->d.attempt, config_.deliver_max_attempts, std::nullopt, unit(),
                    "libcurl refused the transfer"),
             std::nullopt, "");
  }
}

std::string Deliverer::prepare_webhook(Transfer& t) {
  const std::string url_text = target_text(t.d.target, "url");
  t.url = curl_url();
  if (t.url == nullptr || curl_url_set(t.url, CURLUPART_URL, url_text.c_str(), 0) != CURLUE_OK) {
    return "the webhook's url cannot be read: " + url_text;
  }
  char* scheme = nullptr;
  char* host = nullptr;
  curl_url_get(t.url, CURLUPART_SCHEME, &scheme, 0);
  curl_url_get(t.url, CURLUPART_HOST, &host, 0);
  const std::string s = scheme != nullptr ? scheme : "";
  const std::string h = host != nullptr ? host : "";
  curl_free(scheme);
  curl_free(host);
  if (s == "http" && !config_.deliver_allow_http) {
    return "http:// webhooks are not allowed by this sidecar (--deliver-allow-http)";
  }
  if (s != "https" && s != "http") {
    return "the webhook's url must be https:// (or http:// with --deliver-allow-http)";
  }
  if (!host_allowed(h, config_.deliver_allow)) {
    return "the host " + h + " is not in the sidecar's allow-list (--deliver-allow)";
  }
  const std::string* secret = nullptr;
  if (const std::string name = target_text(t.d.target, "secret"); !name.empty()) {
    secret = find_secret(secrets_, name);
    if (secret == nullptr) {
      return "unknown secret \"" + name + "\": the sidecar has no such secret (--deliver-secrets-file or " +
             "AUTOREPORT_SIDECAR_SECRET_<NAME>)";
    }
  }
  WebhookRequest request = webhook_request(t.d, secret, unix_now());
  std::string().swap(t.d.content); // the body holds what is sent
  t.body = std::move(request.body);
  request.headers.emplace_back("Expect:"); // no 100-continue round trip
  for (const std::string& header : request.headers) {
    curl_slist* next = curl_slist_append(t.headers, header.c_str());
    if (next == nullptr) {
      return "out of memory";
    }
    t.headers = next;
  }
  CURL* e = t.easy;
  curl_easy_setopt(e, CURLOPT_CURLU, t.url);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, config_.deliver_allow_http ? "https,http" : "https");
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
  t.allow_private = config_.deliver_allow_private;
  // The address actually connected to is checked, so a name that resolves (or rebinds) to a private
  // address is refused whatever the allow-list said about the name.
  const curl_opensocket_callback open_socket = [](void* p, curlsocktype /*purpose*/,
                                                  curl_sockaddr* address) -> curl_socket_t {
    auto* tr = static_cast<Transfer*>(p);
    AddressKind kind = AddressKind::Reserved;
    char text[INET6_ADDRSTRLEN] = "?";
    if (address->family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&address->addr);
      std::array<uint8_t, 4> a{};
      std::memcpy(a.data(), &in->sin_addr, 4);
      kind = classify_ipv4(a);
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    } else if (address->family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
      std::array<uint8_t, 16> a{};
      std::memcpy(a.data(), &in6->sin6_addr, 16);
      kind = classify_ipv6(a);
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    }
    if (kind != AddressKind::Public && !tr->allow_private) {
      tr->refused = std::string(text) + " (a " + address_kind_name(kind) + " address)";
      return CURL_SOCKET_BAD;
    }
    const int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd >= 0) {
      tr->opened = true;
    }
    return fd < 0 ? CURL_SOCKET_BAD : fd;
  };
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
  return "";
}

std::string Deliverer::prepare_email(Transfer& t) {
  if (config_.smtp_url.empty() || config_.smtp_from.empty()) {
    return "e-mail delivery is not configured in this sidecar (--smtp-url and --smtp-from)";
  }
  std::vector<std::string> recipients = email_list(t.d.target, "to");
  const std::vector<std::string> cc = email_list(t.d.target, "cc");
  recipients.insert(recipients.end(), cc.begin(), cc.end());
  if (recipients.empty()) {
    return "the destination has no recipient";
  }
  for (const std::string& r : recipients) {
    if (!valid_email_address(r)) {
      return "not an e-mail address: " + r;
    }
    curl_slist* next = curl_slist_append(t.recipients, r.c_str());
    if (next == nullptr) {
      return "out of memory";
    }
    t.recipients = next;
  }
  std::optional<std::string> auth = smtp_auth_;
  if (const std::string name = target_text(t.d.target, "secret"); !name.empty()) {
    const std::string* secret = find_secret(secrets_, name);
    if (secret == nullptr) {
      return "unknown secret \"" + name + "\": the sidecar has no such secret (--deliver-secrets-file or " +
             "AUTOREPORT_SIDECAR_SECRET_<NAME>)";
    }
    auth = *secret;
  }
  for (const std::string& header : email_headers(t.d, config_.smtp_from, unix_now())) {
    curl_slist* next = curl_slist_append(t.headers, header.c_str());
    if (next == nullptr) {
      return "out of memory";
    }
    t.headers = next;
  }
  CURL* e = t.easy;
  t.mime = curl_mime_init(e);
  const bool inline_output = email_inline(t.d);
  if (inline_output) {
    // The output is the message: html as text/html, markdown as text, svg as an inline image.
    curl_mimepart* part = curl_mime_addpart(t.mime);
    curl_mime_data(part, t.d.content.data(), t.d.content.size());
    const std::string type = t.d.format == "html"       ? "text/html; charset=utf-8"
                             : t.d.format == "markdown" ? "text/plain; charset=utf-8"
                                                        : t.d.mime_type;
    curl_mime_type(part, type.c_str());
    curl_mime_encoder(part, t.d.format == "svg" ? "base64" : "quoted-printable");
    if (t.d.format == "svg") {
      curl_slist* disposition = curl_slist_append(
          nullptr, ("Content-Disposition: " + content_disposition(t.d.file_name, "inline")).c_str());
      curl_mime_headers(part, disposition, 1);
    }
  } else {
    t.body = email_text(t.d, false);
    curl_mimepart* text = curl_mime_addpart(t.mime);
    curl_mime_data(text, t.body.data(), t.body.size());
    curl_mime_type(text, "text/plain; charset=utf-8");
    curl_mime_encoder(text, "quoted-printable");
    curl_mimepart* file = curl_mime_addpart(t.mime);
    curl_mime_data(file, t.d.content.data(), t.d.content.size());
    curl_mime_type(file, t.d.mime_type.c_str());
    curl_mime_filename(file, t.d.file_name.c_str());
    curl_mime_encoder(file, "base64");
  }
  curl_easy_setopt(e, CURLOPT_URL, config_.smtp_url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(e, CURLOPT_USE_SSL,
                   config_.smtp_starttls ? static_cast<long>(CURLUSESSL_ALL)
                                         : static_cast<long>(CURLUSESSL_NONE));
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, config_.smtp_from.c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, t.recipients);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
  curl_easy_setopt(e, CURLOPT_MIMEPOST, t.mime);
  if (auth) {
    const size_t colon = auth->find(':');
    const std::string user = auth->substr(0, colon);
    const std::string password = colon == std::string::npos ? "" : auth->substr(colon + 1);
    curl_easy_setopt(e, CURLOPT_USERNAME, user.c_str()); // curl copies strings it is given
    curl_easy_setopt(e, CURLOPT_PASSWORD, password.c_str());
  }
  return "";
}

void Deliverer::on_done(CURL* easy, CURLcode result) {
  const auto it = transfers_.find(easy);
  if (it == transfers_.end()) {
    return;
  }
  std::unique_ptr<Transfer> t = std::move(it->second);
  transfers_.erase(it);
  limits_[t->d.destination].finished();
  long code = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  const int attempt = t->d.attempt;
  const int max = config_.deliver_max_attempts;
  const std::string detail = t->error[0] != '\0' ? std::string(t->error) : curl_easy_strerror(result);
  std::optional<long> status = code > 0 ? std::optional<long>(code) : std::nullopt;
  const bool email = t->d.kind == "email";
  const std::string reply = reply_text(email ? t->last_line : t->response);
  Decision decision;
  if (result == CURLE_OK && !email) {
    const Outcome wanted = classify_http(code);
    std::optional<int64_t> retry_after;
    if (wanted == Outcome::Retry && t->retry_after) {
      retry_after = parse_retry_after_ms(*t->retry_after, unix_now());
    }
    std::string error;
    if (wanted != Outcome::Delivered) {
      std::string line = t->last_line;
      if (line.rfind("HTTP/", 0) == 0 && line.find(' ') != std::string::npos) {
        line =
            line.substr(line.find(' ') + 1); // "HTTP/1.1 503 Service Unavailable" → "503 Service Unavailable"
      }
      error = "the receiver answered " + reply_text(line.empty() ? std::to_string(code) : line) +
              (code >= 300 && code < 400 ? " (redirects are not followed)" : "");
    }
    decision = decide(wanted, attempt, max, retry_after, unit(), error);
  } else if (result == CURLE_OK) {
    decision = decide(classify_smtp(code == 0 ? 250 : code), attempt, max, std::nullopt, unit(), "");
  } else if (!t->refused.empty() && !t->opened) {
    decision = {Outcome::GiveUp, 0,
                "refused to connect to " + t->refused +
                    ": private, loopback and link-local addresses are not allowed (--deliver-allow-private)"};
  } else if (result == CURLE_OPERATION_TIMEDOUT) {
    decision = decide(Outcome::Retry, attempt, max, std::nullopt, unit(),
                      "timed out after " + std::to_string(t->timeout_seconds) + " s: " + detail);
  } else if (email && result == CURLE_USE_SSL_FAILED) {
    decision = {Outcome::GiveUp, 0,
                "the mail server does not offer STARTTLS, which this sidecar requires (--smtp-starttls): " +
                    detail};
  } else if (email && result == CURLE_LOGIN_DENIED) {
    decision = {Outcome::GiveUp, 0, "the mail server refused the login: " + detail};
  } else if (email && code >= 400) {
    decision = decide(classify_smtp(code), attempt, max, std::nullopt, unit(),
                      "the mail server answered " + (reply.empty() ? std::to_string(code) : reply));
  } else if (result == CURLE_UNSUPPORTED_PROTOCOL) {
    decision = {Outcome::GiveUp, 0, detail};
  } else {
    decision = decide(Outcome::Retry, attempt, max, std::nullopt, unit(), detail);
  }
  conclude(t->d, decision, status, reply);
  t.reset();
  freed();
}

void Deliverer::conclude(const ClaimedDelivery& d, const Decision& decision, std::optional<long> status,
                         const std::string& reply) {
  const DeliveryKind kind = kind_of(d);
  switch (decision.outcome) {
  case Outcome::Delivered:
    metrics_.count(kind, DeliveryOutcome::Delivered);
    if (const auto created = parse_iso8601_utc_micros(d.created_at)) {
      const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      metrics_.latency.observe(static_cast<double>(std::max<int64_t>(0, now - *created)) / 1e6);
    }
    break;
  case Outcome::Retry:
    metrics_.count(kind, DeliveryOutcome::Retried);
    break;
  case Outcome::GiveUp:
    metrics_.count(kind, DeliveryOutcome::GivenUp);
    log("delivery " + std::to_string(d.id) + " (" + d.destination + ") given up: " + decision.error);
    break;
  }
  report({d.id, outcome_name(decision.outcome),
          status ? std::optional<std::string>(std::to_string(*status)) : std::nullopt,
          reply.empty() ? std::nullopt : std::optional<std::string>(reply),
          decision.error.empty() ? std::nullopt : std::optional<std::string>(decision.error),
          decision.retry_in_ms, Clock::now()});
}

// Records an outcome with autoreport.finish_delivery. Reports made while one is being written wait and
// go together in one statement (one round trip and one commit for many); a report the database could
// not take is tried again (tick) while the lease lasts.
void Deliverer::report(Report r) {
  if (abandoned_) {
    return;
  }
  // Only valid UTF-8 reaches the database, whatever a receiver or libcurl said.
  if (r.reply) {
    r.reply = safe_text(*r.reply, 500);
  }
  if (r.error) {
    r.error = safe_text(*r.error, 2000);
  }
  if (r.outcome == "retry" || r.outcome == "release") {
    const auto due = Clock::now() + std::chrono::milliseconds(r.retry_in_ms);
    retry_due_ = retry_due_ ? std::min(*retry_due_, due) : due;
  }
  to_report_.push_back(std::move(r));
  flush_reports();
}

void Deliverer::flush_reports() {
  if (reporting_ > 0 || to_report_.empty() || abandoned_) {
    return;
  }
  // After a batch failed, its reports go one statement each.
  const size_t most = single_reports_ > 0 ? 1 : kReportBatch;
  std::vector<Report> batch;
  while (!to_report_.empty() && batch.size() < most) {
    batch.push_back(std::move(to_report_.front()));
    to_report_.pop_front();
  }
  reporting_ = batch.size();
  const auto done = [this, batch](bool ok, const std::string& value) {
    reporting_ = 0;
    if (abandoned_) {
      return;
    }
    const nlohmann::json answers = ok ? nlohmann::json::parse(value, nullptr, false) : nlohmann::json();
    for (size_t i = 0; i < batch.size(); ++i) {
      const Report& r = batch[i];
      if (!ok) {
        if (batch.size() == 1) {
          log("delivery " + std::to_string(r.id) + ": cannot record its outcome now: " + value);
          unreported_.push_back(r);
        } else {
          to_report_.push_front(r); // one by one, so that one refused report does not hold the others
        }
        continue;
      }
      const std::string answer = batch.size() == 1 ? value
                                 : answers.is_array() && i < answers.size() && answers[i].is_string()
                                     ? answers[i].get<std::string>()
                                     : "";
      if (answer == "lost") {
        log("delivery " + std::to_string(r.id) +
            ": its lease was lost (another sidecar took it over); the outcome was not recorded");
      }
    }
    if (!ok && batch.size() > 1) {
      single_reports_ = batch.size();
    }
    flush_reports();
  };
  if (batch.size() == 1 || single_reports_ > 0) {
    if (single_reports_ > 0) {
      --single_reports_;
    }
    const Report& r = batch.front();
    std::vector<std::optional<std::string>> params = {
        std::to_string(r.id), worker_, r.outcome, r.status, r.reply, r.error, std::to_string(r.retry_in_ms)};
    db_.query_nullable("SELECT autoreport.finish_delivery($1,$2,$3,$4,$5,$6,$7)", std::move(params), done);
    return;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const Report& r : batch) {
    rows.push_back({{"n", rows.size()},
                    {"id", r.id},
                    {"outcome", r.outcome},
                    {"status", r.status ? nlohmann::json(std::stol(*r.status)) : nlohmann::json(nullptr)},
                    {"reply", r.reply ? nlohmann::json(*r.reply) : nlohmann::json(nullptr)},
                    {"error", r.error ? nlohmann::json(*r.error) : nlohmann::json(nullptr)},
                    {"retry_in_ms", r.retry_in_ms}});
  }
  db_.query(
      "SELECT pg_catalog.json_agg(autoreport.finish_delivery(r.id, $1, r.outcome, r.status, r.reply, "
      "r.error, r.retry_in_ms) ORDER BY r.n)::text FROM pg_catalog.json_to_recordset($2::json) "
      "AS r(n integer, id bigint, outcome text, status integer, reply text, error text, retry_in_ms bigint)",
      {worker_, rows.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}, done);
}

} // namespace autoreport::sidecar
