// Fuzz target for the sender's parsers and builders. The first byte picks one:
//   0: claim_deliveries' answer: parsed; each delivery read builds its webhook request (raw, json,
//      slack) and its e-mail headers, which must hold no CR or LF (no header injection);
//   1: a Retry-After value: nullopt or a wait from 0 to one hour;
//   2: a secrets file: parsed, every name found again by find_secret;
//   3: base64: decoding what was encoded gives the bytes back; csv and tsv first rows as a table;
//   4: a subject template: no control characters; its RFC 2047 words are at most 75 characters.
#include "delivery_message.hpp"
#include "delivery_policy.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace autoreport::sidecar;

namespace {

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

void claimed(std::string_view text) {
  const ClaimedBatch batch = parse_claimed(text);
  for (const ClaimedItem& item : batch.items) {
    if (!item.delivery) {
      continue;
    }
    ClaimedDelivery d = *item.delivery;
    const std::string secret = "s";
    for (const char* format : {"raw", "json", "slack"}) {
      d.target["format"] = format;
      for (const std::string& h : webhook_request(d, &secret, 1).headers) {
        check(h.find('\n') == std::string::npos || std::string_view(format) == "raw");
      }
    }
    for (const std::string& h : email_headers(d, "a@example.com", 0)) {
      const bool subject = h.rfind("Subject: ", 0) == 0;
      check(!subject || (h.find('\r') == std::string::npos && h.find('\n') == std::string::npos));
    }
    (void)email_text(d, email_inline(d));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
  case 0:
    claimed(rest);
    break;
  case 1: {
    const auto ms = parse_retry_after_ms(rest, 1800000000);
    check(!ms || (*ms >= 0 && *ms <= kMaxRetryMs));
    break;
  }
  case 2: {
    const SecretsResult r = parse_secrets_file(rest);
    for (const auto& [name, value] : r.secrets) {
      check(find_secret(r.secrets, name) != nullptr);
    }
    break;
  }
  case 3: {
    check(base64_decode(base64_encode(rest)) == std::string(rest));
    (void)base64_decode(rest);
    (void)text_table(first_rows(rest, ',', 10), 24, 2600);
    (void)text_table(first_rows(rest, '\t', 10), 24, 2600);
    break;
  }
  default: {
    ClaimedDelivery d;
    d.report = std::string(rest.substr(0, rest.size() / 2));
    const std::string subject = subject_from_template(rest, d);
    for (const char c : subject) {
      check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    }
    const std::string encoded = rfc2047_encode(subject);
    check(encoded.find('\n') == std::string::npos);
    (void)host_allowed(rest, {"*.example.com", "127.0.0.1"});
    (void)valid_host_pattern(rest);
    break;
  }
  }
  return 0;
}
