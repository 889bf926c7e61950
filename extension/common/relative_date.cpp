// The relative-date grammar of relative_date.hpp: tokens, parser, canonical text and resolution.
#include "common/relative_date.hpp"

#include "common/calendar.hpp"
#include "common/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/pure.hpp"

namespace autoreport {

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kMaxAmount = 100000;
constexpr size_t kMaxTerms = 8;

constexpr std::array<std::string_view, 5> kPeriods = {"day", "week", "month", "quarter", "year"};
constexpr std::array<std::string_view, 4> kUnits = {"day", "week", "month", "year"};

struct Token {
  enum Kind { word, number, sign, end } kind;
  std::string text; // lower case for words
  size_t position;  // 1-based
};

[[noreturn]] void fail(std::string_view text, size_t position, const std::string& what) {
  throw Error(sqlstate::invalid_parameter_value, "invalid relative date \"" + std::string(text) +
                                                     "\": at position " + std::to_string(position) + ": " +
                                                     what)
      .with_hint("Write now, today, yesterday, tomorrow or start of this|last|next day|week|month|quarter|"
                 "year, then any number of + N or - N days|weeks|months|years: \"today - 7 days\", "
                 "\"start of last month + 1 day\".");
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    const size_t start = i;
    if (std::isalpha(c)) {
      std::string word;
      while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
        ++i;
      }
      tokens.push_back({Token::word, word, start + 1});
    } else if (std::isdigit(c)) {
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        ++i;
      }
      tokens.push_back({Token::number, std::string(text.substr(start, i - start)), start + 1});
    } else if (c == '+' || c == '-') {
      tokens.push_back({Token::sign, std::string(1, static_cast<char>(c)), start + 1});
      ++i;
    } else {
      fail(text, start + 1, "unexpected character \"" + std::string(1, static_cast<char>(c)) + "\"");
    }
  }
  tokens.push_back({Token::end, "", text.size() + 1});
  return tokens;
}

std::string describe(const Token& t) {
  return t.kind == Token::end ? "the end" : "\"" + t.text + "\"";
}

int64_t weekday_of(int64_t days) { // 0 = Sunday
  return floor_mod(days + 4, 7);
}

unsigned days_in_month(int64_t year, unsigned month) {
  const int64_t first = days_from_civil(year, month, 1);
  const int64_t next = month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, month + 1, 1);
  return static_cast<unsigned>(next - first);
}

// The day `months` months after the given date, clamped to the end of a shorter month.
int64_t add_months(int64_t days, int64_t months) {
  const CivilDate c = civil_from_days(days);
  const int64_t total = c.year * 12 + (c.month - 1) + months;
  const int64_t year = floor_div(total, 12);
  const auto month = static_cast<unsigned>(floor_mod(total, 12) + 1);
  return days_from_civil(year, month, std::min(c.day, days_in_month(year, month)));
}

} // namespace

RelativeDate parse_relative_date(std::string_view text) {
  const std::vector<Token> tokens = tokenize(text);
  size_t k = 0;
  RelativeDate date;
  const Token& first = tokens[k++];
  if (first.kind == Token::word && first.text == "now") {
    date.now = true;
  } else if (first.kind == Token::word &&
             (first.text == "today" || first.text == "yesterday" || first.text == "tomorrow")) {
    date.which = first.text == "today" ? 0 : first.text == "yesterday" ? -1 : 1;
  } else if (first.kind == Token::word && first.text == "start") {
    if (tokens[k].kind != Token::word || tokens[k].text != "of") {
      fail(text, tokens[k].position, "expected \"of\" after \"start\", found " + describe(tokens[k]));
    }
    ++k;
    const Token& which = tokens[k++];
    if (which.kind != Token::word || (which.text != "this" && which.text != "last" && which.text != "next")) {
      fail(text, which.position, "expected this, last or next, found " + describe(which));
    }
    date.which = which.text == "this" ? 0 : which.text == "last" ? -1 : 1;
    const Token& period = tokens[k++];
    const auto found = std::find(kPeriods.begin(), kPeriods.end(), period.text);
    if (period.kind != Token::word || found == kPeriods.end()) {
      fail(text, period.position, "expected day, week, month, quarter or year, found " + describe(period));
    }
    date.period = static_cast<RelativeDate::Period>(found - kPeriods.begin());
  } else {
    fail(text, first.position,
         "expected now, today, yesterday, tomorrow or start of ..., found " + describe(first));
  }
  while (tokens[k].kind != Token::end) {
    const Token& sign = tokens[k++];
    if (sign.kind != Token::sign) {
      fail(text, sign.position, "expected + or -, found " + describe(sign));
    }
    const Token& number = tokens[k++];
    if (number.kind != Token::number) {
      fail(text, number.position, "expected a number after " + sign.text + ", found " + describe(number));
    }
    if (number.text.size() > 6 || std::stoll(number.text) > kMaxAmount) {
      fail(text, number.position, number.text + " is more than " + std::to_string(kMaxAmount));
    }
    const Token& unit = tokens[k++];
    std::string_view singular = unit.text;
    if (singular.size() > 1 && singular.back() == 's') {
      singular.remove_suffix(1);
    }
    const auto found = std::find(kUnits.begin(), kUnits.end(), singular);
    if (unit.kind != Token::word || found == kUnits.end()) {
      fail(text, unit.position, "expected days, weeks, months or years, found " + describe(unit));
    }
    if (date.offsets.size() == kMaxTerms) {
      fail(text, sign.position, "more than " + std::to_string(kMaxTerms) + " terms");
    }
    const int64_t amount = std::stoll(number.text);
    date.offsets.push_back(
        {sign.text == "-" ? -amount : amount, static_cast<RelativeDate::Unit>(found - kUnits.begin())});
  }
  return date;
}

std::string RelativeDate::text() const {
  std::string out;
  if (now) {
    out = "now";
  } else if (period == Period::day) {
    out = which == 0 ? "today" : which < 0 ? "yesterday" : "tomorrow";
  } else {
    out = std::string("start of ") +
          (which == 0  ? "this "
           : which < 0 ? "last "
                       : "next ") +
          std::string(kPeriods[static_cast<size_t>(period)]);
  }
  for (const Offset& o : offsets) {
    const int64_t n = o.amount < 0 ? -o.amount : o.amount;
    out += o.amount < 0 ? " - " : " + ";
    out += std::to_string(n) + " " + std::string(kUnits[static_cast<size_t>(o.unit)]) + (n == 1 ? "" : "s");
  }
  return out;
}

int64_t LocalDateTime::days() const {
  return floor_div(local_seconds, kDay);
}

int64_t LocalDateTime::instant(const TimeZone& zone) const {
  return local_to_utc(local_seconds, zone);
}

LocalDateTime resolve(const RelativeDate& date, int64_t at, const TimeZone& zone) {
  const int64_t local = at + zone.utc_offset(at);
  LocalDateTime out;
  if (date.now) {
    out.local_seconds = local;
    out.has_time = true;
  } else {
    const int64_t today = floor_div(local, kDay);
    const CivilDate c = civil_from_days(today);
    int64_t day = today;
    switch (date.period) {
    case RelativeDate::Period::day:
      day = today + date.which;
      break;
    case RelativeDate::Period::week:
      day = today - floor_mod(weekday_of(today) + 6, 7) + 7 * static_cast<int64_t>(date.which);
      break;
    case RelativeDate::Period::month:
      day = add_months(days_from_civil(c.year, c.month, 1), date.which);
      break;
    case RelativeDate::Period::quarter:
      day = add_months(days_from_civil(c.year, (c.month - 1) / 3 * 3 + 1, 1),
                       3 * static_cast<int64_t>(date.which));
      break;
    case RelativeDate::Period::year:
      day = days_from_civil(c.year + date.which, 1, 1);
      break;
    }
    out.local_seconds = day * kDay;
  }
  for (const RelativeDate::Offset& o : date.offsets) {
    const int64_t time_of_day = floor_mod(out.local_seconds, kDay);
    int64_t day = floor_div(out.local_seconds, kDay);
    switch (o.unit) {
    case RelativeDate::Unit::days:
      day += o.amount;
      break;
    case RelativeDate::Unit::weeks:
      day += 7 * o.amount;
      break;
    case RelativeDate::Unit::months:
      day = add_months(day, o.amount);
      break;
    case RelativeDate::Unit::years:
      day = add_months(day, 12 * o.amount);
      break;
    }
    out.local_seconds = day * kDay + time_of_day;
  }
  const int64_t year = civil_from_days(out.days()).year;
  if (year < 1 || year > 9999) {
    throw Error(sqlstate::datetime_field_overflow,
                "relative date \"" + date.text() + "\" falls outside the years 1 to 9999");
  }
  return out;
}

} // namespace autoreport
