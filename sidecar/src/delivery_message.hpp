// What the sender sends, pure (no libcurl, no libpq, no Asio): a claimed delivery as
// autoreport.claim_deliveries returns it, and from it the webhook's headers and body (raw, json,
// slack) and the e-mail's headers, subject and text.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::sidecar {

// One element of claim_deliveries' array.
struct ClaimedDelivery {
  int64_t id = 0;
  int attempt = 0;
  std::string idempotency_key;
  std::string kind; // webhook | email
  std::string destination;
  nlohmann::json target = nlohmann::json::object();
  std::string job;
  int64_t job_id = 0;
  std::string report;
  int64_t run = 0;
  std::string format;
  std::optional<int64_t> rows;
  int64_t output = 0;
  std::string file_name;
  std::string mime_type;
  int64_t size = 0;
  std::string sha256;
  std::string scheduled_for;
  std::string finished_at;
  std::string created_at;
  std::string channel;
  std::string content; // decoded bytes
};

// An element that could be read, or why not (with its id when it had one, to give it up).
struct ClaimedItem {
  std::optional<ClaimedDelivery> delivery;
  int64_t id = 0;
  std::string error;
};
// claim_deliveries' answer; error set (and no items) when it is not a JSON array.
struct ClaimedBatch {
  std::vector<ClaimedItem> items;
  std::string error;
};
ClaimedBatch parse_claimed(std::string_view json);

// Standard base64 (RFC 4648 section 4) with padding; decoding skips whitespace and refuses anything
// else that is not base64.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
// "2026-12-07T10:00:00.123456Z" (fraction optional, Z or +00 / +00:00) as microseconds since the
// epoch.
std::optional<int64_t> parse_iso8601_utc_micros(std::string_view text);

// ---- webhooks --------------------------------------------------------------------------------------

struct WebhookRequest {
  std::string body;
  std::vector<std::string> headers; // "Name: value", Content-Type first
};
// The request for d's target (format raw, json or slack): headers of the spec and, with a secret, the
// signature over "<now>.<body>".
WebhookRequest webhook_request(const ClaimedDelivery& d, const std::string* secret, int64_t now_unix_seconds);
// The json format's body.
std::string json_body(const ClaimedDelivery& d);
// The slack format's body: a summary and, for csv and tsv outputs, the first rows as a monospace table.
std::string slack_body(const ClaimedDelivery& d);
// Content-Disposition: attachment with the file name (quoted, and RFC 8187 filename* when not ASCII).
std::string content_disposition(std::string_view file_name, std::string_view type = "attachment");
// The first rows of a csv (RFC 4180 quoting) or tsv output, header first, at most max_rows data rows.
std::vector<std::vector<std::string>> first_rows(std::string_view content, char separator, size_t max_rows);
// Rows as an aligned monospace table, each cell cut to max_cell characters, at most max_bytes long.
std::string text_table(const std::vector<std::vector<std::string>>& rows, size_t max_cell, size_t max_bytes);

// ---- e-mail ----------------------------------------------------------------------------------------

// Whether text is an address as the extension accepts them (local@domain, no spaces, CR/LF, commas,
// angle brackets or quotes).
// Text fit for a text column: valid UTF-8 (invalid bytes become U+FFFD), cut on a character boundary
// at most max_bytes long, control characters as spaces, no trailing blanks.
std::string safe_text(std::string_view s, size_t max_bytes);

bool valid_email_address(std::string_view text);
// The subject: the template with {report} {job} {scheduled_for} {rows} {format} {file_name} filled
// in (an unknown placeholder is kept as written); CR, LF and other control characters become spaces.
std::string subject_from_template(std::string_view tmpl, const ClaimedDelivery& d);
// A header value as RFC 2047 encoded words (UTF-8, base64) when it is not plain printable ASCII.
std::string rfc2047_encode(std::string_view text);
// An RFC 5322 date: "Mon, 07 Dec 2026 10:00:00 +0000".
std::string rfc5322_date(int64_t unix_seconds);
// The target's to and cc (each a string or an array of strings).
std::vector<std::string> email_list(const nlohmann::json& target, const char* key);
// The message's headers: From, To, Cc (when any), Subject, Date, Message-ID, MIME-Version.
std::vector<std::string> email_headers(const ClaimedDelivery& d, std::string_view from,
                                       int64_t now_unix_seconds);
// The text part of the message.
std::string email_text(const ClaimedDelivery& d, bool inline_output);
// Whether the target asks for the output in the body and the output is html, markdown or svg.
bool email_inline(const ClaimedDelivery& d);

} // namespace autoreport::sidecar
