// Cron expressions: the parser and the evaluator of cron.hpp.
#include "schedules/cron.hpp"

#include "common/calendar.hpp"
#include "common/error.hpp"
#include "common/time_zone.hpp"

#include <array>
#include <cctype>
#include <limits>

#include "common/pure.hpp"

namespace autoreport::schedules {

namespace {

constexpr int64_t kDay = 86400;
// Days in 400 Gregorian years (the calendar repeats after them) and one more year of slack.
constexpr int64_t kSearchDays = 146097 + 366;

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

enum FieldKind { kSecond, kMinute, kHour, kDayOfMonth, kMonth, kDayOfWeek };

struct FieldInfo {
  const char* name;
  int min;
  int max;
};

constexpr std::array<FieldInfo, 6> kFields = {{{"second", 0, 59},
                                               {"minute", 0, 59},
                                               {"hour", 0, 23},
                                               {"day of month", 1, 31},
                                               {"month", 1, 12},
                                               {"day of week", 0, 7}}};

// Where a parse error is: the expression, the field and the position of the offending text.
struct Where {
  std::string_view text;
  int field_number; // 1-based, as written
  FieldKind kind;
  size_t position; // 0-based byte offset in text
};

[[noreturn]] void fail(const Where& w, const std::string& what) {
  throw Error(sqlstate::invalid_parameter_value, "invalid cron expression \"" + std::string(w.text) +
                                                     "\": field " + std::to_string(w.field_number) + " (" +
                                                     kFields[w.kind].name + ") at position " +
                                                     std::to_string(w.position + 1) + ": " + what)
      .with_hint("Fields: [second] minute hour day-of-month month day-of-week; each a list of *, N, N-M, "
                 "*/S, N-M/S; L, LW, NW in day of month; D#K, DL in day of week; or @daily, @hourly..., "
                 "or every N seconds|minutes|hours.");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 9) {
    return false;
  }
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
  }
  return v;
}

// A value of a field: a number within the field's bounds, or a month or weekday name.
int parse_value(std::string_view token, const Where& w) {
  const FieldInfo& f = kFields[w.kind];
  int v;
  if (all_digits(token)) {
    v = to_int(token);
  } else {
    const std::string name = lower(token);
    v = -1;
    if (w.kind == kMonth) {
      for (size_t i = 0; i < kMonthNames.size(); ++i) {
        if (name == kMonthNames[i]) {
          v = static_cast<int>(i) + 1;
        }
      }
    } else if (w.kind == kDayOfWeek) {
      for (size_t i = 0; i < kDayNames.size(); ++i) {
        if (name == kDayNames[i]) {
          v = static_cast<int>(i);
        }
      }
    }
    if (v < 0) {
      fail(w, "\"" + std::string(token) + "\" is not a " +
                  (w.kind == kMonth ? "month" : std::string("number")) +
                  (w.kind == kMonth || w.kind == kDayOfWeek ? " or a name" : ""));
    }
  }
  if (v < f.min || v > f.max) {
    fail(w, std::to_string(v) + " is out of range " + std::to_string(f.min) + "-" + std::to_string(f.max));
  }
  return v;
}

void set_bit(CronSchedule& s, FieldKind kind, int v) {
  switch (kind) {
  case kSecond:
    s.seconds.set(v);
    break;
  case kMinute:
    s.minutes.set(v);
    break;
  case kHour:
    s.hours.set(v);
    break;
  case kDayOfMonth:
    s.days.set(v);
    break;
  case kMonth:
    s.months.set(v);
    break;
  case kDayOfWeek:
    s.weekdays.set(v % 7);
    break;
  }
}

// One item of a field's comma list, starting at byte `at` of the expression.
void parse_item(CronSchedule& s, std::string_view item, Where w) {
  const FieldInfo& f = kFields[w.kind];
  if (item.empty()) {
    fail(w, "an empty list item");
  }
  const std::string low = lower(item);
  if (w.kind == kDayOfMonth) {
    if (low == "l") {
      s.last_day = true;
      return;
    }
    if (low == "lw") {
      s.last_weekday = true;
      return;
    }
    if (low.size() > 1 && low.back() == 'w' && all_digits(std::string_view(low).substr(0, low.size() - 1))) {
      s.nearest_weekday.push_back(parse_value(item.substr(0, item.size() - 1), w));
      return;
    }
  }
  if (w.kind == kDayOfWeek) {
    const size_t hash = item.find('#');
    if (hash != std::string_view::npos) {
      const int day = parse_value(item.substr(0, hash), w);
      const std::string_view nth = item.substr(hash + 1);
      if (!all_digits(nth) || to_int(nth) < 1 || to_int(nth) > 5) {
        fail(Where{w.text, w.field_number, w.kind, w.position + hash + 1}, "the week after # must be 1 to 5");
      }
      s.nth_weekday.emplace_back(day % 7, to_int(nth));
      return;
    }
    if (low.size() > 1 && low.back() == 'l') {
      s.last_of_weekday.push_back(parse_value(item.substr(0, item.size() - 1), w) % 7);
      return;
    }
  }
  // [range][/step], range being *, ?, N or N-M.
  std::string_view range = item;
  int step = 1;
  const size_t slash = item.find('/');
  if (slash != std::string_view::npos) {
    range = item.substr(0, slash);
    const std::string_view step_text = item.substr(slash + 1);
    if (!all_digits(step_text) || to_int(step_text) == 0) {
      fail(Where{w.text, w.field_number, w.kind, w.position + slash + 1}, "a step must be a positive number");
    }
    step = to_int(step_text);
  }
  int lo;
  int hi;
  if (range == "*" || range == "?") {
    if (range == "?" && w.kind != kDayOfMonth && w.kind != kDayOfWeek) {
      fail(w, "? is only for day of month and day of week");
    }
    lo = f.min;
    hi = w.kind == kDayOfWeek ? 6 : f.max;
  } else {
    const size_t dash = range.find('-');
    if (dash != std::string_view::npos) {
      lo = parse_value(range.substr(0, dash), w);
      hi = parse_value(range.substr(dash + 1), Where{w.text, w.field_number, w.kind, w.position + dash + 1});
      if (lo > hi) {
        fail(w, "range " + std::string(range) + " starts after it ends");
      }
    } else {
      lo = parse_value(range, w);
      // N/S runs from N to the end of the field.
      hi = slash != std::string_view::npos ? (w.kind == kDayOfWeek ? 6 : f.max) : lo;
    }
  }
  for (int v = lo; v <= hi; v += step) {
    set_bit(s, w.kind, v);
  }
}

void parse_field(CronSchedule& s, std::string_view field, Where w) {
  size_t start = 0;
  for (;;) {
    const size_t comma = field.find(',', start);
    const std::string_view item =
        field.substr(start, comma == std::string_view::npos ? field.npos : comma - start);
    parse_item(s, item, Where{w.text, w.field_number, w.kind, w.position + start});
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
}

// "every N unit": the period in seconds, or 0 when the text is not of that form.
int64_t parse_every(std::string_view text, const std::vector<std::pair<std::string_view, size_t>>& words) {
  if (words.empty() || lower(words[0].first) != "every") {
    return 0;
  }
  const Where w{text, 1, kSecond, words[0].second};
  if (words.size() != 3 || !all_digits(words[1].first) || to_int(words[1].first) == 0) {
    throw Error(sqlstate::invalid_parameter_value,
                "invalid cron expression \"" + std::string(text) +
                    "\": an interval is written every N seconds|minutes|hours")
        .with_hint("For example: every 10 seconds, every 5 minutes, every 2 hours.");
  }
  const int64_t n = to_int(words[1].first);
  const std::string unit = lower(words[2].first);
  int64_t scale = 0;
  if (unit == "second" || unit == "seconds") {
    scale = 1;
  } else if (unit == "minute" || unit == "minutes") {
    scale = 60;
  } else if (unit == "hour" || unit == "hours") {
    scale = 3600;
  } else {
    fail(Where{w.text, 3, kSecond, words[2].second}, "the unit must be seconds, minutes or hours");
  }
  return n * scale;
}

// The weekday (0 = Sunday) of a day number (1970-01-01 was a Thursday).
int weekday_of(int64_t days) {
  return static_cast<int>(floor_mod(days + 4, 7));
}

unsigned days_in_month(int64_t year, unsigned month) {
  const int64_t first = days_from_civil(year, month, 1);
  const int64_t next = month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, month + 1, 1);
  return static_cast<unsigned>(next - first);
}

// The first time of day (seconds since midnight) at or after `from` that the schedule runs at, or -1.
int64_t first_time_of_day(const CronSchedule& s, int64_t from) {
  const int h0 = static_cast<int>(from / 3600);
  const int m0 = static_cast<int>(from % 3600 / 60);
  const int s0 = static_cast<int>(from % 60);
  for (int h = h0; h < 24; ++h) {
    if (!s.hours[h]) {
      continue;
    }
    for (int m = h == h0 ? m0 : 0; m < 60; ++m) {
      if (!s.minutes[m]) {
        continue;
      }
      for (int sec = (h == h0 && m == m0) ? s0 : 0; sec < 60; ++sec) {
        if (s.seconds[sec]) {
          return h * 3600 + m * 60 + sec;
        }
      }
    }
  }
  return -1;
}

} // namespace

CronSchedule parse_cron(std::string_view text) {
  // Words and their byte offsets.
  std::vector<std::pair<std::string_view, size_t>> words;
  for (size_t i = 0; i < text.size();) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    words.emplace_back(text.substr(start, i - start), start);
  }
  CronSchedule s;
  if (const int64_t every = parse_every(text, words)) {
    s.every_seconds = every;
    return s;
  }
  if (words.size() == 1 && words[0].first.starts_with('@')) {
    const std::string macro = lower(words[0].first);
    const char* expansion = macro == "@yearly" || macro == "@annually"  ? "0 0 1 1 *"
                            : macro == "@monthly"                       ? "0 0 1 * *"
                            : macro == "@weekly"                        ? "0 0 * * 0"
                            : macro == "@daily" || macro == "@midnight" ? "0 0 * * *"
                            : macro == "@hourly"                        ? "0 * * * *"
                                                                        : nullptr;
    if (expansion == nullptr) {
      throw Error(sqlstate::invalid_parameter_value, "invalid cron expression \"" + std::string(text) +
                                                         "\": unknown macro " + std::string(words[0].first))
          .with_hint("Macros: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.");
    }
    return parse_cron(expansion);
  }
  if (words.size() != 5 && words.size() != 6) {
    throw Error(sqlstate::invalid_parameter_value, "invalid cron expression \"" + std::string(text) +
                                                       "\": it has " + std::to_string(words.size()) +
                                                       " fields, not 5 or 6")
        .with_hint("Five fields: minute hour day-of-month month day-of-week; six with seconds first.");
  }
  const bool with_seconds = words.size() == 6;
  if (!with_seconds) {
    s.seconds.set(0);
  }
  for (size_t i = 0; i < words.size(); ++i) {
    const auto kind = static_cast<FieldKind>(with_seconds ? i : i + 1);
    parse_field(s, words[i].first, Where{text, static_cast<int>(i) + 1, kind, words[i].second});
    const char first = words[i].first.front();
    if (kind == kDayOfMonth) {
      s.days_restricted = first != '*' && first != '?';
    } else if (kind == kDayOfWeek) {
      s.weekdays_restricted = first != '*' && first != '?';
    }
  }
  return s;
}

bool matches_day(const CronSchedule& s, int64_t year, unsigned month, unsigned day) {
  const int64_t days = days_from_civil(year, month, day);
  const int weekday = weekday_of(days);
  const unsigned dim = days_in_month(year, month);
  bool dom = s.days[day] || (s.last_day && day == dim);
  if (!dom && s.last_weekday) {
    const int last = weekday_of(days_from_civil(year, month, dim));
    const unsigned target = last == 6 ? dim - 1 : last == 0 ? dim - 2 : dim;
    dom = day == target;
  }
  for (const int n : s.nearest_weekday) {
    if (dom || static_cast<unsigned>(n) > dim) {
      continue;
    }
    const int wd = weekday_of(days_from_civil(year, month, static_cast<unsigned>(n)));
    int target = n;
    if (wd == 6) {
      target = n == 1 ? 3 : n - 1;
    } else if (wd == 0) {
      target = static_cast<unsigned>(n) == dim ? n - 2 : n + 1;
    }
    dom = day == static_cast<unsigned>(target);
  }
  bool dow = s.weekdays[weekday];
  for (const auto& [d, k] : s.nth_weekday) {
    dow = dow || (d == weekday && (day - 1) / 7 + 1 == static_cast<unsigned>(k));
  }
  for (const int d : s.last_of_weekday) {
    dow = dow || (d == weekday && day + 7 > dim);
  }
  if (s.days_restricted && s.weekdays_restricted) {
    return dom || dow;
  }
  if (s.days_restricted) {
    return dom;
  }
  if (s.weekdays_restricted) {
    return dow;
  }
  return true;
}

std::optional<int64_t> next_run(const CronSchedule& s, int64_t after, const TimeZone& zone) {
  if (s.every_seconds > 0) {
    return (floor_div(after, s.every_seconds) + 1) * s.every_seconds;
  }
  const int64_t start = after + zone.utc_offset(after) + 1; // local seconds
  const int64_t first_day = floor_div(start, kDay);
  int64_t from = start - first_day * kDay; // time of day to search from, on the day in hand
  for (int64_t d = first_day; d < first_day + kSearchDays; ++d, from = 0) {
    const CivilDate c = civil_from_days(d);
    if (!s.months[c.month] || !matches_day(s, c.year, c.month, c.day)) {
      continue;
    }
    while (from < kDay) {
      const int64_t t = first_time_of_day(s, from);
      if (t < 0) {
        break;
      }
      const int64_t u = local_to_utc(d * kDay + t, zone);
      if (u > after) {
        return u;
      }
      from = t + 1; // a time in a gap that maps back before `after`: try the next one
    }
  }
  return std::nullopt;
}

CronSchedule parse_schedule(std::string_view text) {
  CronSchedule s = parse_cron(text);
  if (s.every_seconds == 0 && !next_run(s, 0, FixedZone())) {
    throw Error(sqlstate::invalid_parameter_value, "cron expression \"" + std::string(text) + "\" never runs")
        .with_detail("No date matches its day of month, month and day of week.")
        .with_hint("Check the day of month against the month: \"0 0 30 2 *\" asks for February 30.");
  }
  return s;
}

} // namespace autoreport::schedules
