// How human-facing formats (HTML, Markdown, XLSX, PDF) write numbers, dates and words for a locale: the
// `locale` render option ("en-US", "de-DE", "fr-FR", ...). Machine formats (CSV, JSON) keep
// PostgreSQL's text so that pipelines read the same bytes whatever the reader's country.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::render {

enum class DateOrder { ymd, dmy, mdy };
enum class CurrencyPlace {
  before,       // $1,234.50
  before_space, // R$ 1.234,50
  after_space,  // 1.234,50 €
};

struct Locale {
  std::string_view tag;     // BCP 47, as the option names it
  std::string_view decimal; // decimal separator
  std::string_view group;   // thousands separator (may be a no-break space)
  DateOrder order;
  std::string_view date_separator;
  CurrencyPlace currency;
  bool percent_space; // "12,5 %" (a no-break space before the sign)
  std::string_view yes, no, total;
  std::string_view excel_date; // the Excel number format of a date in this locale
};

// The locales autoreport knows, in the order the documentation lists them.
const std::vector<Locale>& locales();

// The locale named `tag` (case-insensitive, "_" read as "-"); 22023 listing the known tags otherwise.
const Locale& find_locale(std::string_view tag);

// The locale of a POSIX locale name such as "de_DE.UTF-8" (lc_numeric), or nothing when unknown
// ("C", "POSIX" and unknown names): the caller falls back to en-US.
const Locale* locale_from_posix(std::string_view posix);

// The symbol shown for an ISO 4217 currency code ("EUR" → "€"); the code itself when it has none.
std::string currency_symbol(std::string_view code);
// Digits after the point a currency shows by default (JPY 0, most 2).
int currency_decimals(std::string_view code);

// Digits after the point a number of this column shows: the column's decimals, else its style's and
// type's default (currency: the currency's; percent: the type's scale less 2, else 1; otherwise the
// type's scale); -1 keeps the value's own digits.
int decimals_for(const Column& column);

// A number cell as the column's presentation and the locale write it: grouped, rounded to the column's
// decimals, as currency or percent. The cell's text when it is not a finite number.
std::string format_number(const Column& column, const Cell& cell, const Locale& locale);
// The same for an exact decimal text (a total).
std::string format_number_text(const Column& column, std::string_view text, const Locale& locale);

// A date or timestamp (Cell::text, ISO 8601) in the locale's order: "31.01.2026", "01/31/2026 09:00:00".
// Time zone offsets are left out (the document says which zone its times are in); text that is not in
// the expected shape (infinity, BC dates) is returned as it is.
std::string format_temporal(Kind kind, std::string_view iso, const Locale& locale);

// The text a human-facing format shows for a non-NULL cell: numbers (format_number) and dates
// (format_temporal) as the locale writes them, booleans as its Yes and No, bytea as base64, and
// everything else as PostgreSQL's text.
std::string human_text(const Column& column, const Cell& cell, const Locale& locale);

// The "locale" render option, checked (22023 for an unknown one), or nullptr when it is not given.
const Locale* locale_option(const Options& options);
// The locale a render uses: the option's, else the document's default (TableInfo::locale), else en-US.
const Locale& resolve_locale(const Locale* option, const TableInfo& info);

} // namespace autoreport::render
