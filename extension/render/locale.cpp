// Locales for human-facing formats (see locale.hpp).
//
// Decisions:
// - A small table of the locales our users asked for, with the separators, date order and words CLDR
//   gives them (no ICU: Debian's libicu would be a large dependency for a dozen rows). 24-hour times
//   everywhere.
// - Numbers are formatted from PostgreSQL's exact text (render/decimal.hpp), never through double, so a
//   numeric(30,10) amount keeps every digit.
// - Grouping: automatic style groups every number except identifier-like columns (id, *_id, year, ...,
//   presentation.cpp); style "text" never groups.
#include "render/locale.hpp"

#include "common/error.hpp"
#include "render/decimal.hpp"
#include "render/escape.hpp"
#include "render/presentation.hpp"

#include <algorithm>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr std::string_view nbsp = "\u00a0";  // no-break space
constexpr std::string_view nnbsp = "\u202f"; // narrow no-break space (French thousands)

std::string canonical_tag(std::string_view tag) {
  std::string out;
  bool region = false;
  for (char c : tag) {
    if (c == '_' || c == '-') {
      out.push_back('-');
      region = true;
    } else if (region) {
      out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
    } else {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
  }
  return out;
}

} // namespace

int decimals_for(const Column& column) {
  if (column.decimals >= 0) {
    return column.decimals;
  }
  const std::optional<int> scale = declared_scale(column.type_name);
  switch (column.style) {
  case NumberStyle::currency:
    return currency_decimals(column.currency);
  case NumberStyle::percent:
    return scale ? std::max(*scale - 2, 0) : 1;
  case NumberStyle::text:
    return -1;
  default:
    return scale ? *scale : -1;
  }
}

const std::vector<Locale>& locales() {
  static const std::vector<Locale> all = {
      {"en-US", ".", ",", DateOrder::mdy, "/", CurrencyPlace::before, false, "Yes", "No", "Total",
       "mm/dd/yyyy"},
      {"en-GB", ".", ",", DateOrder::dmy, "/", CurrencyPlace::before, false, "Yes", "No", "Total",
       "dd/mm/yyyy"},
      {"de-DE", ",", ".", DateOrder::dmy, ".", CurrencyPlace::after_space, true, "Ja", "Nein", "Summe",
       "dd.mm.yyyy"},
      {"de-CH", ".", "\u2019", DateOrder::dmy, ".", CurrencyPlace::before_space, false, "Ja", "Nein", "Total",
       "dd.mm.yyyy"},
      {"fr-FR", ",", nnbsp, DateOrder::dmy, "/", CurrencyPlace::after_space, true, "Oui", "Non", "Total",
       "dd/mm/yyyy"},
      {"es-ES", ",", ".", DateOrder::dmy, "/", CurrencyPlace::after_space, true, "Sí", "No", "Total",
       "dd/mm/yyyy"},
      {"it-IT", ",", ".", DateOrder::dmy, "/", CurrencyPlace::after_space, false, "Sì", "No", "Totale",
       "dd/mm/yyyy"},
      {"nl-NL", ",", ".", DateOrder::dmy, "-", CurrencyPlace::before_space, false, "Ja", "Nee", "Totaal",
       "dd-mm-yyyy"},
      {"pt-BR", ",", ".", DateOrder::dmy, "/", CurrencyPlace::before_space, false, "Sim", "Não", "Total",
       "dd/mm/yyyy"},
      {"pt-PT", ",", nbsp, DateOrder::dmy, "/", CurrencyPlace::after_space, false, "Sim", "Não", "Total",
       "dd/mm/yyyy"},
      {"da-DK", ",", ".", DateOrder::dmy, ".", CurrencyPlace::after_space, true, "Ja", "Nej", "I alt",
       "dd.mm.yyyy"},
      {"sv-SE", ",", nbsp, DateOrder::ymd, "-", CurrencyPlace::after_space, true, "Ja", "Nej", "Summa",
       "yyyy-mm-dd"},
      {"pl-PL", ",", nbsp, DateOrder::dmy, ".", CurrencyPlace::after_space, false, "Tak", "Nie", "Suma",
       "dd.mm.yyyy"},
      {"ja-JP", ".", ",", DateOrder::ymd, "/", CurrencyPlace::before, false, "はい", "いいえ", "合計",
       "yyyy/mm/dd"},
      {"zh-CN", ".", ",", DateOrder::ymd, "/", CurrencyPlace::before, false, "是", "否", "合计",
       "yyyy/mm/dd"},
  };
  return all;
}

const Locale& find_locale(std::string_view tag) {
  const std::string wanted = canonical_tag(tag);
  for (const Locale& l : locales()) {
    if (l.tag == wanted) {
      return l;
    }
  }
  std::string known;
  for (const Locale& l : locales()) {
    known += (known.empty() ? "" : ", ") + std::string(l.tag);
  }
  throw Error(sqlstate::invalid_parameter_value, "unknown locale \"" + std::string(tag) + "\"")
      .with_hint("Use one of: " + known + ".");
}

const Locale* locale_from_posix(std::string_view posix) {
  const std::string_view base = posix.substr(0, std::min(posix.find('.'), posix.find('@')));
  const std::string wanted = canonical_tag(base);
  for (const Locale& l : locales()) {
    if (l.tag == wanted) {
      return &l;
    }
  }
  return nullptr;
}

std::string currency_symbol(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> symbols[] = {
      {"EUR", "€"},  {"USD", "$"},   {"GBP", "£"},   {"JPY", "¥"},   {"CNY", "CN¥"}, {"INR", "₹"},
      {"BRL", "R$"}, {"KRW", "₩"},   {"CAD", "CA$"}, {"AUD", "A$"},  {"CHF", "CHF"}, {"SEK", "kr"},
      {"NOK", "kr"}, {"DKK", "kr."}, {"PLN", "zł"},  {"MXN", "MX$"},
  };
  for (const auto& [c, symbol] : symbols) {
    if (c == code) {
      return std::string(symbol);
    }
  }
  return std::string(code);
}

int currency_decimals(std::string_view code) {
  return code == "JPY" || code == "KRW" || code == "ISK" || code == "CLP" || code == "VND" ? 0 : 2;
}

std::string format_number_text(const Column& column, std::string_view text, const Locale& locale) {
  std::optional<Decimal> value = Decimal::parse(text);
  if (!value || column.style == NumberStyle::text) {
    return std::string(text);
  }
  if (column.style == NumberStyle::percent) {
    *value = value->shifted(2);
  }
  const int decimals = decimals_for(column);
  if (decimals >= 0) {
    *value = value->rounded(decimals);
  }
  const bool grouped = column.style != NumberStyle::automatic || !identifier_like(column.name);
  const bool negative = value->negative;
  value->negative = false;
  const std::string digits = value->text(locale.decimal, grouped ? locale.group : "");
  const std::string sign = negative ? "-" : "";
  switch (column.style) {
  case NumberStyle::currency: {
    const std::string symbol = currency_symbol(column.currency);
    switch (locale.currency) {
    case CurrencyPlace::before:
      return sign + symbol + digits;
    case CurrencyPlace::before_space:
      return sign + symbol + std::string(nbsp) + digits;
    case CurrencyPlace::after_space:
      return sign + digits + std::string(nbsp) + symbol;
    }
    return sign + digits;
  }
  case NumberStyle::percent:
    return sign + digits + (locale.percent_space ? std::string(nbsp) : "") + "%";
  default:
    return sign + digits;
  }
}

std::string format_number(const Column& column, const Cell& cell, const Locale& locale) {
  if (!cell.finite) {
    return std::string(cell.text);
  }
  return format_number_text(column, cell.text, locale);
}

std::string format_temporal(Kind kind, std::string_view iso, const Locale& locale) {
  // YYYY-MM-DD, then for timestamps THH:MM:SS, fractions and an offset.
  const auto digits = [&](size_t from, size_t n) {
    if (iso.size() < from + n) {
      return false;
    }
    return std::all_of(iso.begin() + static_cast<long>(from), iso.begin() + static_cast<long>(from + n),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(0, 4) || iso.size() < 10 || iso[4] != '-' || !digits(5, 2) || iso[7] != '-' || !digits(8, 2)) {
    return std::string(iso);
  }
  const std::string_view y = iso.substr(0, 4), m = iso.substr(5, 2), d = iso.substr(8, 2);
  const std::string sep(locale.date_separator);
  std::string out;
  switch (locale.order) {
  case DateOrder::ymd:
    out = std::string(y) + sep + std::string(m) + sep + std::string(d);
    break;
  case DateOrder::dmy:
    out = std::string(d) + sep + std::string(m) + sep + std::string(y);
    break;
  case DateOrder::mdy:
    out = std::string(m) + sep + std::string(d) + sep + std::string(y);
    break;
  }
  if (kind == Kind::Date) {
    return iso.size() == 10 ? out : std::string(iso);
  }
  if (iso.size() < 19 || iso[10] != 'T' || !digits(11, 2) || iso[13] != ':' || !digits(14, 2) ||
      iso[16] != ':' || !digits(17, 2)) {
    return std::string(iso);
  }
  return out + " " + std::string(iso.substr(11, 8));
}

std::string human_text(const Column& column, const Cell& cell, const Locale& locale) {
  switch (column.kind) {
  case Kind::Boolean:
    return std::string(cell.boolean ? locale.yes : locale.no);
  case Kind::Integer:
  case Kind::Float:
  case Kind::Numeric:
    return format_number(column, cell, locale);
  case Kind::Date:
  case Kind::Timestamp:
  case Kind::TimestampTz:
    return format_temporal(column.kind, cell.text, locale);
  case Kind::Bytes:
    return base64_encode(cell.text);
  default:
    return std::string(cell.text);
  }
}

const Locale* locale_option(const Options& options) {
  if (!options.has("locale")) {
    return nullptr;
  }
  return &find_locale(options.text("locale", ""));
}

const Locale& resolve_locale(const Locale* option, const TableInfo& info) {
  if (option != nullptr) {
    return *option;
  }
  if (!info.locale.empty()) {
    for (const Locale& l : locales()) {
      if (l.tag == info.locale) {
        return l;
      }
    }
  }
  return locales().front();
}

} // namespace autoreport::render
