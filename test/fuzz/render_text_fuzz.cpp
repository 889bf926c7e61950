// Fuzz target for the text renderers (CSV, TSV, JSON, NDJSON, Markdown, HTML).
//
// The input bytes are decoded into a small table (columns with kinds and names, rows of cells with
// null/boolean/finite flags, texts and integers) plus rendering options; the table is rendered in
// every text format and each output is checked against what its readers rely on. A broken
// invariant calls abort(), which libFuzzer reports with the input.
#include "render/column_names.hpp"
#include "render/csv.hpp"
#include "render/escape.hpp"
#include "render/html.hpp"
#include "render/json.hpp"
#include "render/markdown.hpp"
#include "render/utf8.hpp"

#include "common/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace autoreport;
using namespace autoreport::render;

namespace {

// Reads the fuzz input front to back; past the end every read gives zero or empty.
struct Reader {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;

  bool done() const { return pos >= size; }
  uint8_t byte() { return pos < size ? data[pos++] : 0; }
  std::string_view text(size_t max_length) {
    const size_t length = std::min<size_t>(byte() % (max_length + 1), size - std::min(pos, size));
    std::string_view t(reinterpret_cast<const char*>(data) + pos, length);
    pos += length;
    return t;
  }
};

struct Table {
  TableInfo info;
  std::vector<std::vector<Cell>> rows;
  std::string null_text;
  bool header = true;
  bool guard = true;
  bool large_as_number = false;
  std::string lang;
};

void check(bool ok) {
  if (!ok) {
    abort();
  }
}

// Decodes the fuzz input into a table and options (texts point into the input).
Table decode(Reader& in) {
  Table t;
  const uint8_t flags = in.byte();
  t.header = (flags & 1) != 0;
  t.guard = (flags & 2) != 0;
  t.large_as_number = (flags & 4) != 0;
  static const char* const nulls[] = {"", "NULL", "\\N", "-", "a,b", "n/a"};
  t.null_text = nulls[(flags >> 3) % 6];
  static const char* const langs[] = {"en", "pt-BR", "en_US", "zh-Hant-TW"};
  t.lang = langs[(flags >> 6) % 4];
  const size_t columns = in.byte() % 6;
  for (size_t i = 0; i < columns; ++i) {
    const Kind kind = static_cast<Kind>(in.byte() % 12);
    t.info.columns.push_back(Column{std::string(in.text(8)), kind, "type"});
  }
  t.info.title = std::string(in.text(8));
  t.info.description = std::string(in.text(8));
  t.info.generated_at = "2026-01-31T09:00:00+00:00";
  t.info.parameters.emplace_back(std::string(in.text(4)), std::string(in.text(4)));
  static const int64_t integers[] = {
      0, -1, 9007199254740991, 9007199254740992, -9007199254740992, INT64_MIN, INT64_MAX, 42};
  while (!in.done() && t.rows.size() < 32) {
    std::vector<Cell> row;
    for (size_t i = 0; i < columns; ++i) {
      const uint8_t f = in.byte();
      Cell c;
      c.is_null = (f & 1) != 0;
      c.boolean = (f & 2) != 0;
      c.finite = (f & 4) == 0;
      c.integer = integers[(f >> 3) % 8];
      if (!c.is_null) {
        c.text = in.text(24);
      }
      row.push_back(c);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

// Renders the table; an option error must be 22023 and gives nullopt.
template <typename Make>
std::optional<std::string> render_table(const Table& t, const nlohmann::json& options, Make make) {
  StringOutput out;
  try {
    auto r = make(Options::parse(options.dump()), out);
    r->begin(t.info);
    for (const auto& row : t.rows) {
      r->row(row);
    }
    r->end();
  } catch (const Error& e) {
    check(e.sqlstate() == "22023");
    return std::nullopt;
  }
  return out.take();
}

// True when text is valid UTF-8.
bool valid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    if (decode_utf8(text, pos) == replacement_character &&
        text.substr(start, pos - start) != "\xEF\xBF\xBD") {
      return false;
    }
  }
  return true;
}

struct Field {
  std::string text;
  bool quoted = false;
};

// Parses RFC 4180 text strictly (CRLF records, quoted fields); aborts on anything malformed.
std::vector<std::vector<Field>> parse_delimited(std::string_view s, char delimiter) {
  std::vector<std::vector<Field>> records;
  std::vector<Field> record;
  size_t i = 0;
  while (i < s.size()) {
    Field f;
    if (s[i] == '"') {
      f.quoted = true;
      ++i;
      while (true) {
        if (i >= s.size()) {
          abort(); // an unterminated quoted field
        }
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            f.text += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f.text += s[i++];
      }
    } else {
      while (i < s.size() && s[i] != delimiter && s[i] != '\r') {
        check(s[i] != '"' && s[i] != '\n');
        f.text += s[i++];
      }
    }
    record.push_back(std::move(f));
    if (i >= s.size()) {
      abort(); // every record ends with CRLF
    }
    if (s[i] == delimiter) {
      ++i;
      check(i < s.size()); // a record never ends with a delimiter
      continue;
    }
    check(s.substr(i, 2) == "\r\n");
    i += 2;
    records.push_back(std::move(record));
    record.clear();
  }
  return records;
}

// True for the kinds the CSV formula guard protects.
bool guarded_kind(Kind k) {
  return !(is_numeric(k) || k == Kind::Boolean || k == Kind::Date || k == Kind::Timestamp ||
           k == Kind::TimestampTz);
}

// The text CSV writes for a value, before quoting.
std::string expected_field(const Table& t, std::string text, bool guard) {
  if (guard && t.guard && !text.empty() &&
      std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos) {
    text = "'" + text;
  }
  return text;
}

void check_delimited(const Table& t, char delimiter) {
  nlohmann::json options = {{"header", t.header}, {"null", t.null_text}, {"formula_guard", t.guard}};
  const auto out =
      render_table(t, options, [&](const Options& o, Output& w) { return make_delimited(o, w, delimiter); });
  if (!out) {
    check(t.null_text.find(delimiter) != std::string::npos);
    return;
  }
  const auto records = parse_delimited(*out, delimiter);
  const size_t columns = t.info.columns.size();
  check(records.size() == t.rows.size() + (t.header ? 1 : 0));
  if (columns == 0) {
    return;
  }
  size_t r = 0;
  if (t.header) {
    check(records[0].size() == columns);
    for (size_t i = 0; i < columns; ++i) {
      check(records[0][i].text == expected_field(t, t.info.columns[i].name, true));
    }
    r = 1;
  }
  for (const auto& row : t.rows) {
    const auto& rec = records[r++];
    check(rec.size() == columns);
    for (size_t i = 0; i < columns; ++i) {
      const Cell& c = row[i];
      const Kind k = t.info.columns[i].kind;
      const bool reads_as_null = !rec[i].quoted && rec[i].text == t.null_text;
      check(reads_as_null == c.is_null); // NULL and values never mix up
      if (c.is_null) {
        continue;
      }
      const std::string value = k == Kind::Boolean ? (c.boolean ? "true" : "false")
                                : k == Kind::Bytes ? base64_encode(c.text)
                                                   : std::string(c.text);
      check(rec[i].text == expected_field(t, value, guarded_kind(k)));
    }
  }
}

// Checks one parsed row object: its keys are the unique column keys; text survives when valid.
void check_object(const Table& t, const nlohmann::json& object, const std::vector<Cell>& row) {
  check(object.is_object());
  std::vector<Column> columns = t.info.columns;
  for (Column& c : columns) {
    c.name = repair_utf8(c.name);
  }
  const std::vector<std::string> keys = unique_keys(columns);
  check(object.size() == keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    check(object.contains(keys[i]));
    const nlohmann::json& v = object[keys[i]];
    const Cell& c = row[i];
    // SQL NULL is JSON null; so is a json/jsonb value that is the JSON literal null, embedded as it is
    // (as row_to_json does).
    check(c.is_null ? v.is_null()
                    : !v.is_null() || (t.info.columns[i].kind == Kind::Json &&
                                       nlohmann::json::parse(c.text, nullptr, false).is_null()));
    if (!c.is_null && t.info.columns[i].kind == Kind::Text && valid_utf8(c.text)) {
      check(v.is_string() && v.get<std::string>() == c.text);
    }
  }
}

// Parses JSON text; nullopt when it is valid JSON that nlohmann cannot hold (a number beyond double).
std::optional<nlohmann::json> parse_json(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::out_of_range&) {
    return std::nullopt;
  } catch (const nlohmann::json::exception&) {
    abort();
  }
}

void check_json(const Table& t) {
  nlohmann::json options = {{"large_integers", t.large_as_number ? "number" : "string"}};
  const auto out =
      render_table(t, options, [](const Options& o, Output& w) { return make_json(o, w, false); });
  check(out.has_value() && valid_utf8(*out));
  check(out->find("\xE2\x80\xA8") == std::string::npos && out->find("\xE2\x80\xA9") == std::string::npos);
  const auto doc = parse_json(*out);
  if (doc) {
    check(doc->is_array() && doc->size() == t.rows.size());
    for (size_t r = 0; r < t.rows.size(); ++r) {
      check_object(t, (*doc)[r], t.rows[r]);
    }
  }

  const auto nd = render_table(t, options, [](const Options& o, Output& w) { return make_json(o, w, true); });
  check(nd.has_value());
  size_t start = 0;
  size_t r = 0;
  while (start < nd->size()) {
    const size_t end = nd->find('\n', start);
    check(end != std::string::npos && r < t.rows.size());
    const auto line = parse_json(std::string_view(*nd).substr(start, end - start));
    if (line) {
      check_object(t, *line, t.rows[r]);
    }
    ++r;
    start = end + 1;
  }
  check(r == t.rows.size());
}

void check_markdown(const Table& t) {
  const auto out = render_table(t, {{"null", t.null_text}},
                                [](const Options& o, Output& w) { return make_markdown(o, w); });
  check(out.has_value() && valid_utf8(*out));
  const size_t columns = t.info.columns.size();
  if (columns == 0) {
    check(out->empty());
    return;
  }
  check(out->find('\r') == std::string::npos);
  size_t lines = 0;
  size_t start = 0;
  while (start < out->size()) {
    const size_t end = out->find('\n', start);
    check(end != std::string::npos);
    const std::string_view line = std::string_view(*out).substr(start, end - start);
    check(line.starts_with("| ") && line.ends_with(" |"));
    size_t pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i; // an escaped character
      } else if (line[i] == '|') {
        ++pipes;
      } else {
        check(line[i] != '<' || line.substr(i, 4) == "<br>"); // the only raw HTML
      }
    }
    check(pipes == columns + 1);
    ++lines;
    start = end + 1;
  }
  check(lines == t.rows.size() + 2);
}

void check_html(const Table& t) {
  const nlohmann::json options = {{"lang", t.lang}, {"null", t.null_text}};
  const auto out = render_table(t, options, [](const Options& o, Output& w) { return make_html(o, w); });
  if (!out) {
    check(t.lang == "en_US");
    return;
  }
  const std::string& s = *out;
  check(valid_utf8(s));
  check(s.starts_with("<!DOCTYPE html>\n<html lang=\"") && s.ends_with("</html>\n"));
  // Every markup character is one we wrote: values never open a tag or an entity of their own.
  static const std::set<std::string_view> tags = {
      "html", "head", "meta", "title", "style", "body", "main", "table", "caption", "span",
      "p",    "ul",   "li",   "time",  "thead", "tr",   "th",   "tbody", "td",      "tfoot"};
  size_t rows = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      if (s.compare(i, 15, "<!DOCTYPE html>") == 0) {
        continue;
      }
      size_t j = i + 1 + (i + 1 < s.size() && s[i + 1] == '/' ? 1 : 0);
      size_t k = j;
      while (k < s.size() && s[k] >= 'a' && s[k] <= 'z') {
        ++k;
      }
      check(k < s.size() && (s[k] == '>' || s[k] == ' ') &&
            tags.count(std::string_view(s).substr(j, k - j)) == 1);
      rows += s.compare(i, 4, "<tr>") == 0 ? 1 : 0;
    } else if (s[i] == '&') {
      const std::string_view rest = std::string_view(s).substr(i + 1, 5);
      check(rest.starts_with("amp;") || rest.starts_with("lt;") || rest.starts_with("gt;") ||
            rest.starts_with("quot;") || rest.starts_with("#39;"));
    }
  }
  check(rows == t.rows.size() + 2); // header row, data rows, footer row
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  const Table t = decode(in);
  check_delimited(t, ',');
  check_delimited(t, '\t');
  check_json(t);
  check_markdown(t);
  check_html(t);
  return 0;
}
