// The detail of an alert finding: aggregate source text and bounded JSON.
#include "schedules/alert_detail.hpp"

#include "render/escape.hpp"
#include "render/utf8.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include "common/pure.hpp"

namespace autoreport::schedules {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6"; // U+2026, marks where a value was cut
constexpr size_t kMaxKeyBytes = 200;
constexpr size_t kMaxValueBytes = 300;
constexpr std::string_view kCutMember = ",\"cut\":true";

bool ident_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool ident_char(unsigned char c) {
  return ident_start(c) || std::isdigit(c) || c == '$';
}

// Past a comment starting at pos (-- or /*, nested as PostgreSQL nests them); npos if unterminated.
size_t skip_comment(std::string_view s, size_t pos) {
  if (s.compare(pos, 2, "--") == 0) {
    const size_t eol = s.find('\n', pos);
    return eol == std::string_view::npos ? s.size() : eol + 1;
  }
  int depth = 0;
  size_t i = pos;
  while (i + 1 < s.size()) {
    if (s[i] == '/' && s[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (s[i] == '*' && s[i + 1] == '/') {
      i += 2;
      if (--depth == 0) {
        return i;
      }
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

bool starts_comment(std::string_view s, size_t pos) {
  return pos + 1 < s.size() && ((s[pos] == '-' && s[pos + 1] == '-') || (s[pos] == '/' && s[pos + 1] == '*'));
}

// Past white space and comments from pos; npos when a comment does not end.
size_t skip_space(std::string_view s, size_t pos) {
  while (pos < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[pos]))) {
      ++pos;
    } else if (starts_comment(s, pos)) {
      pos = skip_comment(s, pos);
      if (pos == std::string_view::npos) {
        return pos;
      }
    } else {
      break;
    }
  }
  return pos;
}

// The dollar-quote tag ($tag$ or $$) starting at pos, or an empty view when there is none.
std::string_view dollar_tag(std::string_view s, size_t pos) {
  if (pos > 0 && ident_char(static_cast<unsigned char>(s[pos - 1]))) {
    return {}; // a$b is an identifier, not a quote
  }
  size_t i = pos + 1;
  if (i < s.size() && s[i] != '$' && !ident_start(static_cast<unsigned char>(s[i]))) {
    return {}; // $1 is a parameter
  }
  while (i < s.size() && s[i] != '$' && ident_char(static_cast<unsigned char>(s[i]))) {
    ++i;
  }
  if (i >= s.size() || s[i] != '$') {
    return {};
  }
  return s.substr(pos, i + 1 - pos);
}

// Past the quoted token (string, quoted identifier or dollar quote) starting at pos; npos if it does
// not end. pos holds ' " or $ (a $ that starts no quote is one byte).
size_t skip_quoted(std::string_view s, size_t pos) {
  const char q = s[pos];
  if (q == '$') {
    const std::string_view tag = dollar_tag(s, pos);
    if (tag.empty()) {
      return pos + 1;
    }
    const size_t close = s.find(tag, pos + tag.size());
    return close == std::string_view::npos ? close : close + tag.size();
  }
  // E'...' strings take backslash escapes; standard strings and identifiers only doubled quotes.
  const bool backslashes = q == '\'' && pos > 0 && (s[pos - 1] == 'E' || s[pos - 1] == 'e') &&
                           (pos == 1 || !ident_char(static_cast<unsigned char>(s[pos - 2])));
  size_t i = pos + 1;
  while (i < s.size()) {
    if (backslashes && s[i] == '\\') {
      i += 2;
    } else if (s[i] == q) {
      if (i + 1 < s.size() && s[i + 1] == q) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

// Past the parenthesised group starting at pos (which holds '('); npos when it is not closed.
size_t skip_group(std::string_view s, size_t pos) {
  int depth = 0;
  size_t i = pos;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '(') {
      ++depth;
      ++i;
    } else if (c == ')') {
      ++i;
      if (--depth == 0) {
        return i;
      }
    } else if (c == '\'' || c == '"' || c == '$') {
      i = skip_quoted(s, i);
    } else if (starts_comment(s, i)) {
      i = skip_comment(s, i);
    } else {
      ++i;
    }
    if (i == std::string_view::npos) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Whether the key word `word` (lower case) is at pos, as a whole word.
bool keyword_at(std::string_view s, size_t pos, std::string_view word) {
  if (pos == std::string_view::npos || pos + word.size() > s.size()) {
    return false;
  }
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[pos + i])) != word[i]) {
      return false;
    }
  }
  return pos + word.size() == s.size() || !ident_char(static_cast<unsigned char>(s[pos + word.size()]));
}

// Past `words` (each a key word, separated by space) and the group that follows them, or npos.
size_t skip_clause(std::string_view s, size_t pos, std::initializer_list<std::string_view> words) {
  for (const std::string_view w : words) {
    pos = skip_space(s, pos);
    if (!keyword_at(s, pos, w)) {
      return std::string_view::npos;
    }
    pos += w.size();
  }
  pos = skip_space(s, pos);
  if (pos == std::string_view::npos || pos >= s.size() || s[pos] != '(') {
    return std::string_view::npos;
  }
  return skip_group(s, pos);
}

bool is_json_number(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
      ++i;
    }
    return i > from;
  };
  if (i < t.size() && t[i] == '-') {
    ++i;
  }
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) {
      return false;
    }
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
      ++i;
    }
    if (!digits()) {
      return false;
    }
  }
  return i == t.size();
}

// The JSON escape of each character of s (invalid UTF-8 as U+FFFD), quotes left out.
std::vector<std::string> escaped_characters(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t from = pos;
    render::decode_utf8(s, pos);
    std::string quoted = render::json_quote(s.substr(from, pos - from));
    out.push_back(quoted.substr(1, quoted.size() - 2));
  }
  return out;
}

} // namespace

std::optional<size_t> call_end(std::string_view text, size_t start) {
  size_t pos = start;
  // The name: parts separated by dots, each an identifier or a quoted identifier.
  for (;;) {
    if (pos >= text.size()) {
      return std::nullopt;
    }
    if (text[pos] == '"') {
      pos = skip_quoted(text, pos);
      if (pos == std::string_view::npos) {
        return std::nullopt;
      }
    } else if (ident_start(static_cast<unsigned char>(text[pos]))) {
      while (pos < text.size() && ident_char(static_cast<unsigned char>(text[pos]))) {
        ++pos;
      }
    } else {
      return std::nullopt;
    }
    pos = skip_space(text, pos);
    if (pos == std::string_view::npos || pos >= text.size()) {
      return std::nullopt;
    }
    if (text[pos] != '.') {
      break;
    }
    pos = skip_space(text, pos + 1);
    if (pos == std::string_view::npos) {
      return std::nullopt;
    }
  }
  if (text[pos] != '(') {
    return std::nullopt;
  }
  size_t end = skip_group(text, pos);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  // percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FILTER (WHERE y): both clauses belong to the call.
  if (const size_t within = skip_clause(text, end, {"within", "group"}); within != std::string_view::npos) {
    end = within;
  }
  if (const size_t filter = skip_clause(text, end, {"filter"}); filter != std::string_view::npos) {
    end = filter;
  }
  return end;
}

std::string json_string_within(std::string_view text, size_t max_bytes, bool keep_end, bool* cut) {
  max_bytes = std::max<size_t>(max_bytes, 8);
  // A character's escape is never shorter than its bytes, so only max_bytes of the input (and one
  // character more) can be shown.
  const size_t window = max_bytes + 4;
  if (text.size() <= max_bytes) {
    std::string whole = render::json_quote(text);
    if (whole.size() <= max_bytes) {
      return whole;
    }
  }
  if (cut != nullptr) {
    *cut = true;
  }
  const size_t budget = max_bytes - 2 - kEllipsis.size();
  std::string kept;
  if (!keep_end) {
    const std::vector<std::string> chars = escaped_characters(text.substr(0, std::min(text.size(), window)));
    for (const std::string& c : chars) {
      if (kept.size() + c.size() > budget) {
        break;
      }
      kept += c;
    }
    return "\"" + kept + std::string(kEllipsis) + "\"";
  }
  size_t from = text.size() > window ? text.size() - window : 0;
  // Start on a character: skip continuation bytes.
  for (int i = 0; i < 3 && from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80;
       ++i) {
    ++from;
  }
  const std::vector<std::string> chars = escaped_characters(text.substr(from));
  size_t first = chars.size();
  size_t size = 0;
  while (first > 0 && size + chars[first - 1].size() <= budget) {
    size += chars[--first].size();
  }
  for (size_t i = first; i < chars.size(); ++i) {
    kept += chars[i];
  }
  return "\"" + std::string(kEllipsis) + kept + "\"";
}

std::string json_value_within(const AlertValue& value, size_t max_bytes, bool* cut) {
  switch (value.kind) {
  case AlertValue::Kind::null:
    return "null";
  case AlertValue::Kind::boolean:
    return value.text == "t" || value.text == "true" ? "true" : "false";
  case AlertValue::Kind::number:
    if (is_json_number(value.text) && value.text.size() <= max_bytes) {
      return value.text;
    }
    return json_string_within(value.text, max_bytes, false, cut);
  case AlertValue::Kind::array:
    return json_string_within(value.text, max_bytes, true, cut);
  case AlertValue::Kind::text:
    break;
  }
  return json_string_within(value.text, max_bytes, false, cut);
}

std::string row_detail_json(uint64_t matching_rows, const std::vector<AlertRow>& rows) {
  bool cut = rows.size() > kMaxAlertSampleRows;
  const size_t shown = std::min(rows.size(), kMaxAlertSampleRows);
  std::string out = "{\"matching_rows\":" + std::to_string(matching_rows) + ",\"rows\":[";
  // What is left for the rows once the frame and a possible "cut" member are written.
  const size_t room = kMaxAlertDetailBytes - out.size() - 2 - kCutMember.size() - shown;
  const size_t per_row = shown == 0 ? 0 : room / shown;
  for (size_t r = 0; r < shown; ++r) {
    std::string row = "{";
    for (const auto& [name, value] : rows[r]) {
      // Room for the key, a colon, a separator, the closing brace and at least a short value.
      if (row.size() + 1 + 12 > per_row) {
        cut = true;
        break;
      }
      const size_t left = per_row - row.size() - 1;
      const std::string key = json_string_within(name, std::min(kMaxKeyBytes, left), false, &cut);
      if (key.size() + 2 + 8 > left) {
        cut = true; // the rest of the row's columns are left out
        break;
      }
      const std::string v = json_value_within(value, std::min(kMaxValueBytes, left - key.size() - 2), &cut);
      row += (row.size() > 1 ? "," : "") + key + ":" + v;
    }
    out += (r ? "," : "") + row + "}";
  }
  out += "]";
  if (cut) {
    out += kCutMember;
  }
  return out + "}";
}

std::string result_detail_json(const std::vector<std::pair<std::string, AlertValue>>& values) {
  bool cut = false;
  std::string out = "{\"values\":{";
  const size_t limit = kMaxAlertDetailBytes - 2 - kCutMember.size();
  bool first = true;
  for (const auto& [name, value] : values) {
    const std::string key = json_string_within(name, kMaxKeyBytes, false, &cut);
    bool value_cut = false;
    const std::string v = json_value_within(value, kMaxValueBytes, &value_cut);
    if (out.size() + 1 + key.size() + 1 + v.size() > limit) {
      cut = true; // this value and the ones after it are left out
      break;
    }
    cut = cut || value_cut;
    out += (first ? "" : ",") + key + ":" + v;
    first = false;
  }
  out += "}";
  if (cut) {
    out += kCutMember;
  }
  return out + "}";
}

} // namespace autoreport::schedules
