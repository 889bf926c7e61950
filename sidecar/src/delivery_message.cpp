// What the sender sends (see delivery_message.hpp).
#include "delivery_message.hpp"

#include "delivery_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace autoreport::sidecar {

namespace {

using ordered_json = nlohmann::ordered_json;

std::string dump(const ordered_json& j) {
  // Output text that is not UTF-8 (a file name, a cell) is replaced rather than failing the delivery.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string text_of(const nlohmann::json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    return "";
  }
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::optional<int64_t> number_of(const nlohmann::json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) {
    if (it != o.end() && it->is_string()) { // bigint as text
      int64_t v = 0;
      const std::string s = it->get<std::string>();
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && end == s.data() + s.size()) {
        return v;
      }
    }
    return std::nullopt;
  }
  return it->get<int64_t>();
}

bool utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view s, size_t max) {
  if (s.size() <= max) {
    return s;
  }
  size_t n = max;
  while (n > 0 && utf8_continuation(s[n])) {
    --n;
  }
  return s.substr(0, n);
}

size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !utf8_continuation(c); }));
}

// Cuts s to at most max code points.
std::string cut_cell(std::string_view s, size_t max) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!utf8_continuation(s[i])) {
      if (points == max) {
        return std::string(s.substr(0, i > 0 ? i : 0)) + "…";
      }
      ++points;
    }
  }
  return std::string(s);
}

// Slack's mrkdwn needs &, < and > escaped.
std::string slack_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string rows_text(const ClaimedDelivery& d) {
  return d.rows ? std::to_string(*d.rows) : std::string("an unknown number of");
}

} // namespace

ClaimedBatch parse_claimed(std::string_view json) {
  ClaimedBatch batch;
  const nlohmann::json all = nlohmann::json::parse(json, nullptr, false);
  if (all.is_discarded() || !all.is_array()) {
    batch.error = "claim_deliveries did not return a JSON array";
    return batch;
  }
  for (const nlohmann::json& o : all) {
    ClaimedItem item;
    if (!o.is_object() || !number_of(o, "id")) {
      item.error = "a claimed delivery without an id";
      batch.items.push_back(std::move(item));
      continue;
    }
    item.id = *number_of(o, "id");
    ClaimedDelivery d;
    d.id = item.id;
    d.attempt = static_cast<int>(number_of(o, "attempt").value_or(1));
    d.idempotency_key = text_of(o, "idempotency_key");
    d.kind = text_of(o, "kind");
    d.destination = text_of(o, "destination");
    if (const auto t = o.find("target"); t != o.end() && t->is_object()) {
      d.target = *t;
    }
    d.job = text_of(o, "job");
    d.job_id = number_of(o, "job_id").value_or(0);
    d.report = text_of(o, "report");
    d.run = number_of(o, "run").value_or(0);
    d.format = text_of(o, "format");
    d.rows = number_of(o, "rows");
    d.output = number_of(o, "output").value_or(0);
    d.file_name = text_of(o, "file_name");
    d.mime_type = text_of(o, "mime_type");
    d.size = number_of(o, "size").value_or(-1);
    d.sha256 = text_of(o, "sha256");
    d.scheduled_for = text_of(o, "scheduled_for");
    d.finished_at = text_of(o, "finished_at");
    d.created_at = text_of(o, "created_at");
    d.channel = text_of(o, "channel");
    std::optional<std::string> content = base64_decode(text_of(o, "content"));
    if (d.idempotency_key.empty() || (d.kind != "webhook" && d.kind != "email")) {
      item.error = "the claimed delivery has no idempotency key or an unknown kind \"" + d.kind + "\"";
    } else if (!content) {
      item.error = "the claimed delivery's content is not base64";
    } else if (d.size >= 0 && static_cast<int64_t>(content->size()) != d.size) {
      item.error = "the claimed delivery's content is " + std::to_string(content->size()) + " bytes, not " +
                   std::to_string(d.size);
    } else {
      d.content = std::move(*content);
      d.size = static_cast<int64_t>(d.content.size());
      if (d.mime_type.empty()) {
        d.mime_type = "application/octet-stream";
      }
      item.delivery = std::move(d);
    }
    batch.items.push_back(std::move(item));
  }
  return batch;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (i + 1 < bytes.size()) {
      v |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    }
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  size_t symbols = 0;
  for (const char c : text) {
    int v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      ++padding;
      continue;
    } else if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      continue;
    } else {
      return std::nullopt;
    }
    if (padding > 0) {
      return std::nullopt; // data after padding
    }
    ++symbols;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (padding > 2 || symbols % 4 == 1 || (padding > 0 && (symbols + padding) % 4 != 0)) {
    return std::nullopt;
  }
  return out;
}

std::optional<int64_t> parse_iso8601_utc_micros(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  const auto num = [&](size_t at, size_t n) -> std::optional<int> {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, v);
    if (ec != std::errc() || end != s.data() + at + n) {
      return std::nullopt;
    }
    return v;
  };
  const auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *se > 60) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000;
    const size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
      micros += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) {
      return std::nullopt;
    }
  }
  const std::string_view zone = s.substr(i);
  if (zone != "Z" && zone != "+00" && zone != "+00:00") {
    return std::nullopt;
  }
  // days from civil, as in delivery_policy.cpp
  int64_t yy = *y - (*mo <= 2 ? 1 : 0);
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const auto yoe = static_cast<unsigned>(yy - era * 400);
  const auto m = static_cast<unsigned>(*mo);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(*d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + static_cast<int64_t>(doe) - 719468;
  return ((days * 86400 + *h * 3600 + *mi * 60 + *se) * 1000000) + micros;
}

// ---- webhooks --------------------------------------------------------------------------------------

std::string content_disposition(std::string_view file_name, std::string_view type) {
  std::string ascii;
  bool plain = true;
  for (const char c : file_name) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20 || u == 0x7f) {
      plain = false;
      ascii += '_';
    } else if (c == '"' || c == '\\') {
      ascii += '\\';
      ascii += c;
    } else {
      ascii += c;
    }
  }
  std::string out = std::string(type) + "; filename=\"" + ascii + "\"";
  if (!plain) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += "; filename*=UTF-8''";
    for (const char c : file_name) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) != 0 || c == '.' || c == '-' || c == '_' || c == '~') {
        out += c;
      } else {
        out += '%';
        out += kHex[u >> 4];
        out += kHex[u & 15];
      }
    }
  }
  return out;
}

std::string json_body(const ClaimedDelivery& d) {
  ordered_json j;
  j["event"] = "report_ready";
  j["delivery"] = d.id;
  j["job"] = d.job;
  j["report"] = d.report;
  j["run"] = d.run;
  j["format"] = d.format;
  j["file_name"] = d.file_name;
  j["mime_type"] = d.mime_type;
  j["size"] = d.size;
  j["sha256"] = d.sha256;
  j["rows"] = d.rows ? ordered_json(*d.rows) : ordered_json(nullptr);
  j["scheduled_for"] = d.scheduled_for;
  j["finished_at"] = d.finished_at;
  j["content_base64"] = base64_encode(d.content);
  return dump(j);
}

std::vector<std::vector<std::string>> first_rows(std::string_view content, char separator, size_t max_rows) {
  std::vector<std::vector<std::string>> rows;
  if (content.rfind("\xEF\xBB\xBF", 0) == 0) {
    content.remove_prefix(3); // a byte order mark
  }
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  bool any = false;
  for (size_t i = 0; i < content.size() && rows.size() < max_rows + 1; ++i) {
    const char c = content[i];
    if (separator == ',' && quoted) {
      if (c == '"' && i + 1 < content.size() && content[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
      continue;
    }
    if (separator == ',' && c == '"' && cell.empty()) {
      quoted = true;
      any = true;
    } else if (c == separator) {
      row.push_back(std::move(cell));
      cell.clear();
      any = true;
    } else if (c == '\n') {
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else if (c != '\r') {
      cell += c;
      any = true;
    }
  }
  if ((any || !cell.empty()) && rows.size() < max_rows + 1) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string text_table(const std::vector<std::vector<std::string>>& rows, size_t max_cell, size_t max_bytes) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    std::vector<std::string> cut;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string v = cut_cell(row[c], max_cell);
      for (char& ch : v) {
        if (static_cast<unsigned char>(ch) < 0x20) {
          ch = ' ';
        }
      }
      if (widths.size() <= c) {
        widths.push_back(0);
      }
      widths[c] = std::max(widths[c], code_points(v));
      cut.push_back(std::move(v));
    }
    cells.push_back(std::move(cut));
  }
  std::string out;
  for (size_t r = 0; r < cells.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < cells[r].size(); ++c) {
      if (c > 0) {
        line += "  ";
      }
      line += cells[r][c];
      if (c + 1 < cells[r].size()) {
        line.append(widths[c] - code_points(cells[r][c]), ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    line += '\n';
    if (r == 0 && cells.size() > 1) {
      size_t total = 0;
      for (size_t c = 0; c < cells[r].size(); ++c) {
        total += widths[c] + (c > 0 ? 2 : 0);
      }
      line += std::string(total, '-') + '\n';
    }
    if (out.size() + line.size() > max_bytes) {
      break;
    }
    out += line;
  }
  return out;
}

std::string slack_body(const ClaimedDelivery& d) {
  const std::string summary = "*" + slack_escape(d.report) + "*: job *" + slack_escape(d.job) + "* ran for " +
                              slack_escape(d.scheduled_for) + ", " + rows_text(d) + " rows (" +
                              slack_escape(d.format) + ", " + slack_escape(d.file_name) + ", " +
                              std::to_string(d.size) + " bytes)";
  ordered_json blocks = ordered_json::array();
  blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", summary}}}});
  if (d.format == "csv" || d.format == "tsv") {
    constexpr size_t kRows = 10;
    const auto rows = first_rows(d.content, d.format == "csv" ? ',' : '\t', kRows);
    if (!rows.empty()) {
      std::string table = slack_escape(text_table(rows, 24, 2600));
      if (rows.size() > kRows) {
        table += "…\n";
      }
      blocks.push_back(
          {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "```\n" + table + "```"}}}});
    }
  }
  blocks.push_back(
      {{"type", "context"},
       {"elements", ordered_json::array({{{"type", "mrkdwn"},
                                          {"text", "autoreport delivery " + std::to_string(d.id) + ", run " +
                                                       std::to_string(d.run) + ", finished " +
                                                       slack_escape(d.finished_at)}}})}});
  ordered_json j;
  j["text"] = d.report + ": job " + d.job + " ran for " + d.scheduled_for + ", " + rows_text(d) + " rows";
  j["blocks"] = std::move(blocks);
  return dump(j);
}

WebhookRequest webhook_request(const ClaimedDelivery& d, const std::string* secret,
                               int64_t now_unix_seconds) {
  WebhookRequest r;
  const std::string format = d.target.is_object() ? d.target.value("format", std::string("raw")) : "raw";
  if (format == "json") {
    r.body = json_body(d);
    r.headers.push_back("Content-Type: application/json");
  } else if (format == "slack") {
    r.body = slack_body(d);
    r.headers.push_back("Content-Type: application/json");
  } else {
    r.body = d.content;
    r.headers.push_back("Content-Type: " + d.mime_type);
    r.headers.push_back("Content-Disposition: " + content_disposition(d.file_name));
  }
  r.headers.push_back("User-Agent: autoreport-sidecar");
  r.headers.push_back("Idempotency-Key: " + d.idempotency_key);
  r.headers.push_back("X-Autoreport-Delivery: " + std::to_string(d.id));
  r.headers.push_back("X-Autoreport-Event: report_ready");
  r.headers.push_back("X-Autoreport-Timestamp: " + std::to_string(now_unix_seconds));
  if (secret != nullptr) {
    r.headers.push_back("X-Autoreport-Signature: " + signature_header(*secret, now_unix_seconds, r.body));
  }
  return r;
}

std::string safe_text(std::string_view s, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto u = static_cast<unsigned char>(s[i]);
    size_t n = u < 0x80 ? 1 : (u >> 5) == 0x6 ? 2 : (u >> 4) == 0xe ? 3 : (u >> 3) == 0x1e ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    }
    if (ok && n > 1) { // no overlong forms, surrogates or code points past U+10FFFF
      const auto b1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(n == 2 && u < 0xc2) && !(n == 3 && u == 0xe0 && b1 < 0xa0) &&
           !(n == 3 && u == 0xed && b1 >= 0xa0) && !(n == 4 && u == 0xf0 && b1 < 0x90) &&
           !(n == 4 && (u > 0xf4 || (u == 0xf4 && b1 >= 0x90)));
    }
    const std::string_view piece = ok ? s.substr(i, n) : std::string_view("\xEF\xBF\xBD"); // U+FFFD
    if (out.size() + piece.size() > max_bytes) {
      break;
    }
    if (piece.size() == 1 && (u < 0x20 || u == 0x7f)) {
      out += ' ';
    } else {
      out += piece;
    }
    i += ok ? n : 1;
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

// ---- e-mail ----------------------------------------------------------------------------------------

bool valid_email_address(std::string_view text) {
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size() || text.size() > 254) {
    return false;
  }
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == ',' || c == '<' || c == '>' || c == '"';
  });
}

std::string subject_from_template(std::string_view tmpl, const ClaimedDelivery& d) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{') {
      const size_t close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = tmpl.substr(i + 1, close - i - 1);
        std::optional<std::string> value;
        if (name == "report") {
          value = d.report;
        } else if (name == "job") {
          value = d.job;
        } else if (name == "scheduled_for") {
          value = d.scheduled_for;
        } else if (name == "rows") {
          value = d.rows ? std::to_string(*d.rows) : std::string("?");
        } else if (name == "format") {
          value = d.format;
        } else if (name == "file_name") {
          value = d.file_name;
        }
        if (value) {
          out += *value;
          i = close;
          continue;
        }
      }
    }
    out += tmpl[i];
  }
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = ' ';
    }
  }
  return std::string(cut_utf8(out, 400));
}

std::string rfc2047_encode(std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
  if (plain && text.find("=?") == std::string_view::npos) {
    return std::string(text);
  }
  // Encoded words of at most 75 characters: 45 bytes of text (60 of base64) each, never splitting a
  // UTF-8 sequence.
  std::string out;
  while (!text.empty()) {
    const std::string_view chunk = cut_utf8(text, 45);
    const std::string_view piece = chunk.empty() ? text.substr(0, 1) : chunk;
    if (!out.empty()) {
      out += ' ';
    }
    out += "=?UTF-8?B?" + base64_encode(piece) + "?=";
    text.remove_prefix(piece.size());
  }
  return out;
}

std::string rfc5322_date(int64_t unix_seconds) {
  static constexpr std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                days[static_cast<size_t>(tm.tm_wday)], tm.tm_mday, months[static_cast<size_t>(tm.tm_mon)],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::vector<std::string> email_list(const nlohmann::json& target, const char* key) {
  std::vector<std::string> out;
  if (!target.is_object()) {
    return out;
  }
  const auto it = target.find(key);
  if (it == target.end()) {
    return out;
  }
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const auto& a : *it) {
      if (a.is_string()) {
        out.push_back(a.get<std::string>());
      }
    }
  }
  return out;
}

std::vector<std::string> email_headers(const ClaimedDelivery& d, std::string_view from,
                                       int64_t now_unix_seconds) {
  const auto join = [](const std::vector<std::string>& list) {
    std::string s;
    for (const std::string& a : list) {
      s += (s.empty() ? "" : ", ") + a;
    }
    return s;
  };
  std::vector<std::string> h;
  h.push_back("From: " + std::string(from));
  h.push_back("To: " + join(email_list(d.target, "to")));
  if (const auto cc = email_list(d.target, "cc"); !cc.empty()) {
    h.push_back("Cc: " + join(cc));
  }
  const std::string tmpl =
      d.target.is_object() && d.target.contains("subject") && d.target["subject"].is_string()
          ? d.target["subject"].get<std::string>()
          : "{report}: {job} ({scheduled_for})";
  h.push_back("Subject: " + rfc2047_encode(subject_from_template(tmpl, d)));
  h.push_back("Date: " + rfc5322_date(now_unix_seconds));
  h.push_back("Message-ID: <" + d.idempotency_key + "@autoreport>");
  h.push_back("MIME-Version: 1.0");
  return h;
}

bool email_inline(const ClaimedDelivery& d) {
  const bool wants = d.target.is_object() && d.target.value("body", std::string("attachment")) == "inline";
  return wants && (d.format == "html" || d.format == "markdown" || d.format == "svg");
}

std::string email_text(const ClaimedDelivery& d, bool inline_output) {
  std::string s = "The report " + d.report + " of job " + d.job + ", scheduled for " + d.scheduled_for +
                  ", finished at " + d.finished_at + " with " + rows_text(d) + " rows.\r\n";
  if (!inline_output) {
    s += "The output is attached: " + d.file_name + " (" + d.mime_type + ", " + std::to_string(d.size) +
         " bytes).\r\n";
  }
  s += "\r\n-- \r\nautoreport delivery " + std::to_string(d.id) + ", run " + std::to_string(d.run) + "\r\n";
  return s;
}

} // namespace autoreport::sidecar
