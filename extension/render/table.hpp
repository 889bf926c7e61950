// The shape of a report result as every renderer sees it: columns with a kind, and rows of cells.
//
// Pure C++ (no PostgreSQL): the glue (render/cells_pg.cpp) converts each PostgreSQL value into a Cell once,
// and every renderer (CSV, JSON, HTML, Markdown, XLSX, SVG) reads the same cells. Renderers stream:
// begin(), then row() for each row, then end(), writing to an Output as they go.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoreport::render {

// What a column holds, as far as rendering cares. The PostgreSQL type name is kept for display.
enum class Kind {
  Boolean, // boolean
  Integer, // int2, int4, int8: exact in Cell::integer
  Float, // float4, float8: Cell::number; text is PostgreSQL's shortest exact form, or NaN/Infinity/-Infinity
  Numeric,     // numeric: text is exact; number is the nearest double (may be NaN/Infinity)
  Text,        // text, varchar, char, name, enum, uuid, inet and every other type, as its output text
  Date,        // date: text YYYY-MM-DD; integer = days since 1970-01-01 (finite dates only)
  Timestamp,   // timestamp without time zone: text YYYY-MM-DDTHH:MM:SS[.ffffff]; integer = microseconds since
               // epoch
  TimestampTz, // timestamptz: text with offset, e.g. 2026-01-31T09:00:00+00:00; integer = microseconds since
               // epoch UTC
  Time,        // time: text HH:MM:SS[.ffffff]
  Interval,    // interval: text ISO 8601 duration, e.g. P1DT2H
  Json,        // json, jsonb: text is the JSON document
  Bytes,       // bytea: text holds the raw bytes
};

// True for kinds whose values are numbers (right-aligned in tables, plotted in charts).
inline bool is_numeric(Kind k) {
  return k == Kind::Integer || k == Kind::Float || k == Kind::Numeric;
}
// True for date and time kinds that are points in time (the x axis of a line chart).
inline bool is_temporal(Kind k) {
  return k == Kind::Date || k == Kind::Timestamp || k == Kind::TimestampTz;
}

// How a number column is shown to people (define_report's `columns`); machine formats ignore it.
enum class NumberStyle {
  automatic, // grouped, at the type's declared scale (identifiers and years not grouped)
  number,    // grouped, always
  currency,  // with Column::currency's symbol, at its decimals (2 for most)
  percent,   // the value × 100 with a percent sign: 0.125 is 12.5%
  text,      // as PostgreSQL writes it, never grouped (codes, ids)
};

// What a totals row (render option "totals") shows for a column.
enum class Total { automatic, none, sum, avg, min, max, count };

struct Column {
  Column() = default;
  Column(std::string name_, Kind kind_, std::string type_name_ = "")
      : name(std::move(name_)), kind(kind_), type_name(std::move(type_name_)) {}

  std::string name;
  Kind kind = Kind::Text;
  std::string type_name; // as PostgreSQL names it: "numeric(12,2)", "timestamp with time zone", ...
  // Presentation (render/presentation.hpp): what human formats (HTML, Markdown, XLSX, PDF) show.
  std::string label; // the heading; empty: the name humanised
  NumberStyle style = NumberStyle::automatic;
  std::string currency; // ISO 4217 code, for NumberStyle::currency
  int decimals = -1;    // digits after the point; -1: the style's or the type's default
  Total total = Total::automatic;
};

// One value. Valid until the next row() call: renderers copy what they keep.
struct Cell {
  bool is_null = true;
  std::string_view text;  // see Kind; empty for NULL
  double number = 0;      // Integer, Float, Numeric
  int64_t integer = 0;    // Integer; Date (days); Timestamp/TimestampTz (microseconds since 1970-01-01 UTC)
  bool boolean = false;   // Boolean
  bool finite = true;     // false for NaN/±Infinity numbers and ±infinity dates and timestamps
  int32_t utc_offset = 0; // TimestampTz: seconds east of UTC of the zone the text is written in
};

// What a document says about itself (HTML caption, SVG title, XLSX properties).
struct TableInfo {
  std::vector<Column> columns;
  std::string title;                                           // the report's name
  std::string description;                                     // the report's description
  std::vector<std::pair<std::string, std::string>> parameters; // name, value as text, in order
  std::string generated_at;                                    // ISO 8601 with offset
  std::string time_zone; // the zone timestamptz values are written in (render option "time_zone")
  std::string locale;    // the locale when the render gives none (the session's lc_numeric, if known)
};

// Where rendered bytes go. write() may throw autoreport::Error (e.g. when a size limit is reached).
class Output {
public:
  virtual ~Output() = default;
  virtual void write(std::string_view bytes) = 0;
};

// Appends to a std::string, refusing to grow past a limit (PostgreSQL's bytea limit, say).
class StringOutput : public Output {
public:
  explicit StringOutput(size_t limit = SIZE_MAX) : limit_(limit) {}
  void write(std::string_view bytes) override;
  const std::string& data() const noexcept { return data_; }
  std::string take() noexcept { return std::move(data_); }

private:
  std::string data_;
  size_t limit_;
};

class Renderer {
public:
  virtual ~Renderer() = default;
  virtual void begin(const TableInfo& info) = 0;
  virtual void row(std::span<const Cell> cells) = 0;
  virtual void end() = 0;
};

} // namespace autoreport::render
