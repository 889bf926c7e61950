// Fuzz target for the binary renderers: SVG charts and XLSX workbooks.
//
// The input is decoded into a small table: a title, up to 6 columns of any kind (the first one often a
// date or timestamp, so that line charts are drawn), up to 200 rows of cells that are NULL, numbers
// (NaN, ±Infinity, ±1e308 and subnormals included), int64 values of any size (dates and timestamps far
// outside any calendar) and texts of arbitrary bytes ('<', '&', control characters, invalid UTF-8).
// Each table is rendered as SVG (small sizes, small max_points, so downsampling and cramped layouts are
// exercised) and as XLSX with a few rows per sheet (so the spill to further sheets is too).
//
// Checked beyond "no crash, no sanitizer report": the SVG is one <svg> element, valid UTF-8, whose every
// '<' opens one of the elements the renderer writes, and no text from the table appears with a raw '<';
// the XLSX is a zip file ("PK"). autoreport::Error (e.g. no numeric column) is an expected outcome.
#include "common/error.hpp"
#include "fuzz_reader.hpp"
#include "render/svg.hpp"
#include "render/utf8.hpp"
#include "render/xlsx.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace autoreport::render;

using autoreport::fuzz::Reader;

// A double from the input: ordinary values mostly, the awkward ones often.
double number(Reader& in) {
  switch (in.byte() % 8) {
  case 0:
    return std::numeric_limits<double>::quiet_NaN();
  case 1:
    return (in.byte() & 1) ? INFINITY : -INFINITY;
  case 2: {
    double d;
    const uint64_t bits = in.u64();
    std::memcpy(&d, &bits, sizeof d); // any bit pattern: subnormals, 1e308, -0
    return d;
  }
  default:
    return static_cast<double>(static_cast<int16_t>(in.byte() << 8 | in.byte())) * ((in.byte() % 5) + 1);
  }
}

// One cell of a column of the given kind; texts are kept in `store`.
Cell make_cell(Reader& in, Kind kind, std::deque<std::string>& store) {
  Cell c;
  const uint8_t tag = in.byte();
  if (tag % 7 == 0) {
    return c; // NULL
  }
  c.is_null = false;
  switch (kind) {
  case Kind::Boolean:
    c.boolean = tag & 1;
    c.text = c.boolean ? "true" : "false";
    break;
  case Kind::Integer:
    c.integer = (tag & 2) ? static_cast<int64_t>(in.u64()) : static_cast<int8_t>(in.byte());
    c.number = static_cast<double>(c.integer);
    c.text = store.emplace_back(std::to_string(c.integer));
    break;
  case Kind::Float:
  case Kind::Numeric:
    c.number = number(in);
    c.finite = std::isfinite(c.number);
    if (kind == Kind::Numeric && (tag & 8)) {
      c.text = store.emplace_back(in.text(40)); // whatever digits (or not) the glue might pass
    } else {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.17g", c.number);
      c.text = store.emplace_back(std::isnan(c.number)   ? "NaN"
                                  : std::isinf(c.number) ? (c.number > 0 ? "Infinity" : "-Infinity")
                                                         : buffer);
    }
    break;
  case Kind::Date:
  case Kind::Timestamp:
  case Kind::TimestampTz:
    c.finite = (tag & 4) == 0;
    if (tag & 2) {
      c.integer = static_cast<int64_t>(in.u64()); // far outside any calendar
    } else {
      const int64_t unit = kind == Kind::Date ? 1 : 3600LL * 1000000;
      c.integer = (20000 + static_cast<int16_t>(in.byte() << 8 | in.byte())) * unit;
    }
    c.text = store.emplace_back(in.text(12));
    break;
  default:
    c.text = store.emplace_back(in.text(60));
    break;
  }
  return c;
}

// The element names the SVG renderer writes.
constexpr std::array<std::string_view, 10> element_names = {"svg", "title", "desc",     "rect",   "text",
                                                            "g",   "line",  "polyline", "circle", "clipPath"};

// True when the '<' at svg[pos] opens or closes one of our elements; any other '<' is an injection.
bool known_tag(std::string_view svg, size_t pos) {
  std::string_view rest = svg.substr(pos + 1);
  if (!rest.empty() && rest[0] == '/') {
    rest.remove_prefix(1);
  }
  for (std::string_view name : element_names) {
    if (rest.starts_with(name) && rest.size() > name.size() &&
        (rest[name.size()] == ' ' || rest[name.size()] == '>' || rest[name.size()] == '/')) {
      return true;
    }
  }
  return false;
}

// True when text starting with '<' could be (the start of) markup the renderer writes itself.
bool could_be_ours(std::string_view tail) {
  for (std::string_view name : element_names) {
    for (const std::string& tag : {"<" + std::string(name), "</" + std::string(name)}) {
      if (tag.starts_with(tail) || tail.starts_with(tag)) {
        return true;
      }
    }
  }
  return false;
}

// True when every byte sequence of s is well-formed UTF-8.
bool valid_utf8(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    const size_t start = pos;
    const char32_t c = decode_utf8(s, pos);
    if (c == replacement_character && s.substr(start, pos - start) != "\uFFFD") {
      return false;
    }
  }
  return true;
}

void check_svg(const std::string& svg, const std::vector<std::string>& texts) {
  if (!svg.starts_with("<svg") || svg.find("</svg>") == std::string::npos || !valid_utf8(svg)) {
    std::fprintf(stderr, "malformed svg:\n%s\n", svg.c_str());
    std::abort();
  }
  for (size_t pos = svg.find('<'); pos != std::string::npos; pos = svg.find('<', pos + 1)) {
    if (!known_tag(svg, pos)) {
      std::fprintf(stderr, "unexpected markup at %zu: %.40s\n", pos, svg.c_str() + pos);
      std::abort();
    }
  }
  // A text with '<' followed by something none of our tags starts with must not appear raw.
  for (const std::string& t : texts) {
    for (size_t pos = t.find('<'); pos != std::string::npos; pos = t.find('<', pos + 1)) {
      const std::string tail = t.substr(pos, 5);
      if (tail.size() >= 2 && !could_be_ours(tail) && svg.find(tail) != std::string::npos) {
        std::fprintf(stderr, "raw text from the table in the svg: %s\n", tail.c_str());
        std::abort();
      }
    }
  }
}

// Renders the table with one renderer; autoreport::Error is a legitimate answer to odd input.
template <typename Make>
bool render(Make make, const TableInfo& info, const std::vector<std::vector<Cell>>& rows,
            std::string& result) {
  try {
    StringOutput out;
    std::unique_ptr<Renderer> r = make(out);
    r->begin(info);
    for (const auto& row : rows) {
      r->row(row);
    }
    r->end();
    result = out.take();
    return true;
  } catch (const autoreport::Error&) {
    return false;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in(data, size);
  const uint8_t shape = in.byte();
  TableInfo info;
  info.title = in.text(40);
  info.description = in.text(40);
  std::vector<std::string> texts = {info.title, info.description};

  static constexpr Kind kinds[] = {Kind::Boolean, Kind::Integer,  Kind::Float,     Kind::Numeric,
                                   Kind::Text,    Kind::Date,     Kind::Timestamp, Kind::TimestampTz,
                                   Kind::Time,    Kind::Interval, Kind::Json,      Kind::Bytes};
  static constexpr Kind temporal[] = {Kind::Date, Kind::Timestamp, Kind::TimestampTz};
  const size_t ncols = 1 + shape % 6;
  for (size_t i = 0; i < ncols; ++i) {
    const uint8_t k = in.byte();
    Column column;
    column.kind = i == 0 && (shape & 0x40) ? temporal[k % 3] : kinds[k % 12];
    column.name = in.text(12);
    texts.push_back(column.name);
    info.columns.push_back(column);
  }

  std::deque<std::string> store;
  std::vector<std::vector<Cell>> rows;
  const size_t nrows = in.byte() % 201;
  for (size_t r = 0; r < nrows && !in.done(); ++r) {
    std::vector<Cell> row;
    const size_t n = (shape & 0x80) && r % 17 == 16 ? ncols - 1 : ncols; // now and then a short row
    for (size_t c = 0; c < n; ++c) {
      row.push_back(make_cell(in, info.columns[c].kind, store));
      if (!row.back().is_null && !is_numeric(info.columns[c].kind)) {
        texts.emplace_back(row.back().text);
      }
    }
    rows.push_back(std::move(row));
  }

  const std::string svg_options = "{\"width\": " + std::to_string(200 + (shape % 5) * 150) +
                                  ", \"height\": " + std::to_string(150 + (shape % 3) * 125) +
                                  ", \"max_points\": " + std::to_string(10 + shape % 40) + "}";
  std::string svg;
  if (render([&](Output& out) { return make_svg(Options::parse(svg_options), out); }, info, rows, svg)) {
    check_svg(svg, texts);
  }

  const std::string xlsx_options = (shape & 0x20) ? R"({"header": false})" : "";
  std::string xlsx;
  if (render(
          [&](Output& out) {
            return make_xlsx_with_row_limit(Options::parse(xlsx_options), out, 3 + shape % 5);
          },
          info, rows, xlsx)) {
    if (!xlsx.starts_with("PK")) {
      std::abort();
    }
  }
  return 0;
}
