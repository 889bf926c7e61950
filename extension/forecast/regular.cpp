// Regular series from (time, value) rows.
#include "forecast/regular.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "common/calendar.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

// Loops over rows and buckets check for interrupts this often (a series may have millions of either).
constexpr size_t kCheckEvery = 65536;

[[noreturn]] void fail(std::string message) {
  throw Error(sqlstate::invalid_parameter_value, std::move(message));
}

struct Civil {
  int64_t year;
  int64_t month; // 1..12
  int64_t day;
  int64_t micros_of_day;
};

Civil civil(int64_t t) {
  const int64_t days = floor_div(t, kMicrosPerDay);
  const CivilDate d = civil_from_days(days);
  return {d.year, d.month, d.day, floor_mod(t, kMicrosPerDay)};
}

int64_t days_in_month(int64_t year, int64_t month) {
  const int64_t next_year = month == 12 ? year + 1 : year;
  const unsigned next_month = month == 12 ? 1 : static_cast<unsigned>(month + 1);
  return days_from_civil(next_year, next_month, 1) - days_from_civil(year, static_cast<unsigned>(month), 1);
}

[[noreturn]] void out_of_range() {
  throw Error(sqlstate::invalid_parameter_value,
              "the series' times would pass the supported range (up to the year 294000)")
      .with_hint("use a shorter horizon or a coarser frequency");
}

// How the times sit in their months, and how far their time of day strays from the latest time of day
// within an hour of the first's.
struct Alignment {
  bool same_day = true;  // every time on the anchor's day of month (up to the 28th)
  bool month_end = true; // every time on its month's last day
  bool same_time = true; // every time of day within an hour of the anchor's
  int64_t slack = 0;     // the most a time of day falls before the anchor's
  int64_t lead = 0;      // the anchor's time of day less the first's
};

// Times are judged shifted so that the anchor falls at noon: a daylight-saving hour then never changes
// the day.
Alignment alignment(std::span<const int64_t> sorted_times) {
  constexpr int64_t kNoon = kMicrosPerDay / 2;
  const int64_t front = sorted_times.front();
  Alignment a;
  // The anchor: the first time moved to the latest time of day within an hour of its own.
  int64_t shift = kNoon - floor_mod(front, kMicrosPerDay);
  for (const int64_t t : sorted_times) {
    const int64_t late = floor_mod(t + shift, kMicrosPerDay) - kNoon;
    if (late > a.lead && late <= kMicrosPerHour) {
      a.lead = late;
    }
  }
  shift = kNoon - floor_mod(front + a.lead, kMicrosPerDay);
  const Civil anchor = civil(front + a.lead + shift);
  a.same_day = anchor.day <= 28;
  for (const int64_t t : sorted_times) {
    const Civil c = civil(t + shift);
    const int64_t early = kNoon - c.micros_of_day;
    a.same_time = a.same_time && early <= kMicrosPerHour && -early <= kMicrosPerHour;
    a.slack = std::max(a.slack, early);
    a.same_day = a.same_day && c.day == anchor.day;
    a.month_end = a.month_end && c.day == days_in_month(c.year, c.month);
  }
  if (!a.same_time) {
    a.same_day = a.month_end = false;
    a.slack = a.lead = 0;
  }
  return a;
}

} // namespace

Step detect_step(std::span<const int64_t> sorted_times) {
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < sorted_times.size(); ++i) {
    if (sorted_times[i] > sorted_times[i - 1]) {
      gaps.push_back(sorted_times[i] - sorted_times[i - 1]);
    }
  }
  if (gaps.empty()) {
    fail("cannot detect the series' frequency from fewer than 2 distinct times");
  }
  std::vector<int64_t> sorted_gaps = gaps;
  std::nth_element(sorted_gaps.begin(), sorted_gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                   sorted_gaps.end());
  const int64_t median = sorted_gaps[gaps.size() / 2];
  const Alignment aligned = alignment(sorted_times);
  const double median_days = static_cast<double>(median) / static_cast<double>(kMicrosPerDay);
  if (aligned.same_day || aligned.month_end) {
    for (const int64_t months : {1, 3, 12}) {
      const double lo = 28.0 * static_cast<double>(months) - (months > 1 ? 2 : 0);
      const double hi = 31.0 * static_cast<double>(months) + (months > 1 ? 1 : 0);
      if (median_days >= lo && median_days <= hi) {
        return Step{months, 0, !aligned.same_day, aligned.slack, aligned.lead};
      }
    }
  }
  // Whole days: a daylight-saving hour makes gaps of 23 or 25 hours, not the median's 24.
  const int64_t days = (median + kMicrosPerDay / 2) / kMicrosPerDay;
  if (aligned.same_time && days >= 1 && median % kMicrosPerDay != 0 &&
      std::llabs(median - days * kMicrosPerDay) <= kMicrosPerHour) {
    return Step{0, days * kMicrosPerDay, false, aligned.slack, aligned.lead};
  }
  // Regular data: most gaps equal the median.
  const auto equal = static_cast<size_t>(std::count(gaps.begin(), gaps.end(), median));
  if (equal * 2 > gaps.size()) {
    const bool whole_days = median % kMicrosPerDay == 0;
    return Step{0, median, false, whole_days ? aligned.slack : 0, whole_days ? aligned.lead : 0};
  }
  // Irregular data: the median rounded down to a round step.
  static constexpr std::array<int64_t, 14> kRound{1,    60,    300,   600,   900,   1800,   3600,
                                                  7200, 10800, 21600, 43200, 86400, 604800, 0};
  int64_t chosen = kMicrosPerSecond;
  for (const int64_t seconds : kRound) {
    if (seconds > 0 && seconds * kMicrosPerSecond <= median) {
      chosen = seconds * kMicrosPerSecond;
    }
  }
  return Step{0, chosen};
}

size_t gaps_equal_to(std::span<const int64_t> sorted_times, int64_t step) {
  size_t equal = 0;
  for (size_t i = 1; i < sorted_times.size(); ++i) {
    equal += sorted_times[i] - sorted_times[i - 1] == step ? 1 : 0; // repeats make gaps of 0
  }
  return equal;
}

Step fit_step(const Step& given, std::span<const int64_t> sorted_times) {
  Step step = given;
  if (sorted_times.empty() || (step.months == 0 && step.micros % kMicrosPerDay != 0)) {
    return step;
  }
  const Alignment aligned = alignment(sorted_times);
  step.month_end = step.months != 0 && aligned.month_end && !aligned.same_day;
  step.slack = aligned.slack;
  step.lead = aligned.lead;
  return step;
}

int64_t add_steps(int64_t t, const Step& step, int64_t k) {
  if (step.months == 0) {
    int64_t offset = 0;
    int64_t result = 0;
    if (__builtin_mul_overflow(step.micros, k, &offset) || __builtin_add_overflow(t, offset, &result) ||
        result < kFirstTime || result >= kEndTime) {
      out_of_range();
    }
    return result;
  }
  const Civil c = civil(t);
  // Months stay far inside int64 for any k that keeps the year in range; check k first.
  constexpr int64_t kMaxMonths = 300000 * 12;
  if (k > kMaxMonths || k < -kMaxMonths || step.months > kMaxMonths) {
    out_of_range();
  }
  const int64_t index = c.year * 12 + (c.month - 1) + step.months * k;
  const int64_t year = floor_div(index, 12);
  const int64_t month = floor_mod(index, 12) + 1;
  const int64_t length = days_in_month(year, month);
  const int64_t day = step.month_end ? length : std::min(c.day, length);
  if (year < -4714 || year >= 294000) {
    out_of_range();
  }
  const int64_t result =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kMicrosPerDay +
      c.micros_of_day;
  if (result < kFirstTime || result >= kEndTime) {
    out_of_range();
  }
  return result;
}

int64_t bucket_of(int64_t start, const Step& step, int64_t t) {
  const int64_t u = t + step.slack;
  if (step.months == 0) {
    return floor_div(u - start, step.micros);
  }
  const Civil a = civil(start);
  const Civil b = civil(u);
  int64_t k = floor_div((b.year * 12 + b.month) - (a.year * 12 + a.month), step.months);
  // The calendar estimate is off by at most one either way (day of month, time of day, month ends).
  while (k > 0 && add_steps(start, step, k) > u) {
    --k;
  }
  while (add_steps(start, step, k + 1) <= u) {
    ++k;
  }
  return k;
}

std::string step_text(const Step& step) {
  if (step.months != 0) {
    return std::to_string(step.months) + (step.months == 1 ? " mon" : " mons");
  }
  if (step.micros % kMicrosPerDay == 0) {
    const int64_t days = step.micros / kMicrosPerDay;
    return std::to_string(days) + (days == 1 ? " day" : " days");
  }
  const int64_t seconds = step.micros / kMicrosPerSecond;
  const int64_t fraction = step.micros % kMicrosPerSecond;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  std::string text = buffer;
  if (fraction != 0) {
    std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(fraction));
    text += buffer;
  }
  return text;
}

Aggregate parse_aggregate(std::string_view name) {
  if (name == "sum") {
    return Aggregate::Sum;
  }
  if (name == "mean") {
    return Aggregate::Mean;
  }
  if (name == "last") {
    return Aggregate::Last;
  }
  throw Error(sqlstate::invalid_parameter_value, "unknown aggregate \"" + std::string(name) + "\"")
      .with_hint("use sum, mean or last");
}

Fill parse_fill(std::string_view name) {
  if (name == "linear") {
    return Fill::Linear;
  }
  if (name == "previous") {
    return Fill::Previous;
  }
  if (name == "zero") {
    return Fill::Zero;
  }
  if (name == "error") {
    return Fill::Error;
  }
  throw Error(sqlstate::invalid_parameter_value, "unknown fill rule \"" + std::string(name) + "\"")
      .with_hint("use linear, previous, zero or error");
}

std::string_view fill_name(Fill fill) {
  switch (fill) {
  case Fill::Linear:
    return "linear";
  case Fill::Previous:
    return "previous";
  case Fill::Zero:
    return "zero";
  case Fill::Error:
    break;
  }
  return "error";
}

std::vector<double> fill_missing(std::span<const std::optional<double>> values, Fill fill, size_t* filled) {
  std::vector<double> out(values.size(), 0.0);
  size_t missing = 0;
  std::optional<size_t> first;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % kCheckEvery == 0) {
      check_interrupts();
    }
    if (values[i]) {
      out[i] = *values[i];
      if (!first) {
        first = i;
      }
    } else {
      ++missing;
    }
  }
  if (!first) {
    fail("the series has no values (all are NULL or missing)");
  }
  if (missing > 0 && fill == Fill::Error) {
    throw Error(sqlstate::invalid_parameter_value,
                "the series has " + std::to_string(missing) + " missing value" + (missing == 1 ? "" : "s"))
        .with_hint("choose a fill rule: linear, previous or zero");
  }
  if (filled) {
    *filled = missing;
  }
  if (fill == Fill::Zero) {
    return out;
  }
  size_t last = *first;
  for (size_t i = 0; i < *first; ++i) {
    out[i] = out[*first];
  }
  for (size_t i = *first + 1; i < values.size(); ++i) {
    if (i % kCheckEvery == 0) {
      check_interrupts(); // a gap of millions of buckets is filled below, in one go: cheap enough
    }
    if (!values[i]) {
      continue;
    }
    for (size_t j = last + 1; j < i; ++j) {
      if (fill == Fill::Previous) {
        out[j] = out[last];
      } else {
        const double w = static_cast<double>(j - last) / static_cast<double>(i - last);
        out[j] = out[last] + w * (out[i] - out[last]);
      }
    }
    last = i;
  }
  for (size_t j = last + 1; j < values.size(); ++j) {
    out[j] = out[last];
  }
  return out;
}

RegularSeries regularise(std::span<const int64_t> times, std::span<const std::optional<double>> values,
                         const Step& step, Aggregate aggregate, Fill fill, size_t max_points) {
  if (times.size() != values.size()) {
    fail("times and values differ in number");
  }
  if (times.empty()) {
    fail("the series has no rows");
  }
  if (step.months <= 0 && step.micros <= 0) {
    fail("the step of a series must be positive");
  }
  RegularSeries r;
  r.step = step;
  r.start = *std::min_element(times.begin(), times.end()) + step.lead;
  const int64_t end = *std::max_element(times.begin(), times.end());
  const auto index_of = [&](int64_t t) { return bucket_of(r.start, step, t); };
  const int64_t last = index_of(end);
  if (last < 0 || static_cast<uint64_t>(last) >= max_points) {
    fail("the series would have more than " + std::to_string(max_points) + " points at a step of " +
         step_text(step));
  }
  const auto count = static_cast<size_t>(last + 1);
  std::vector<double> sum(count, 0.0);
  std::vector<size_t> n(count, 0);
  std::vector<int64_t> latest(count, 0);
  for (size_t i = 0; i < times.size(); ++i) {
    if (i % kCheckEvery == 0) {
      check_interrupts();
    }
    if (!values[i]) {
      continue;
    }
    if (!std::isfinite(*values[i])) {
      fail("the series' values must be finite (no NaN or infinity)");
    }
    const auto b = static_cast<size_t>(index_of(times[i]));
    if (aggregate == Aggregate::Last) {
      if (n[b] == 0 || times[i] >= latest[b]) {
        sum[b] = *values[i];
        latest[b] = times[i];
      }
    } else {
      sum[b] += *values[i];
    }
    ++n[b];
  }
  std::vector<std::optional<double>> buckets(count);
  // Filled with zero, an empty bucket is a zero observed (nothing to add up), not a gap.
  r.missing.assign(count, fill != Fill::Zero);
  for (size_t b = 0; b < count; ++b) {
    if (b % kCheckEvery == 0) {
      check_interrupts();
    }
    if (n[b] > 0) {
      buckets[b] = aggregate == Aggregate::Mean ? sum[b] / static_cast<double>(n[b]) : sum[b];
      r.missing[b] = false;
    }
  }
  r.values = fill_missing(buckets, fill, &r.filled);
  return r;
}

std::vector<size_t> seasonal_candidates(const Step& step) {
  if (step.months == 1) {
    return {12};
  }
  if (step.months == 3) {
    return {4};
  }
  if (step.months != 0) {
    return {};
  }
  std::vector<size_t> out;
  for (const int64_t span : {kMicrosPerDay, 7 * kMicrosPerDay, 365 * kMicrosPerDay + kMicrosPerDay / 4}) {
    // Whole steps in a day, a week, a year (a year of weeks: 52).
    const int64_t steps = span / step.micros;
    if (steps >= 2 && (span % step.micros == 0 || span > 7 * kMicrosPerDay)) {
      if (std::find(out.begin(), out.end(), static_cast<size_t>(steps)) == out.end()) {
        out.push_back(static_cast<size_t>(steps));
      }
    }
  }
  return out;
}

} // namespace autoreport::forecast
