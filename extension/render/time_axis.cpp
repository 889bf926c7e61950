// Calendar ticks for time axes.
#include "render/time_axis.hpp"

#include "common/calendar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr double max_abs_seconds = 2e14;
constexpr int64_t day = 86400;
constexpr int64_t monday = 4 * day; // 1970-01-05, the first Monday after the epoch

enum class Unit { Second, Month, Year };
enum class Label { Year, Month, Day, Minute, Second };

struct Step {
  Unit unit;
  int64_t size; // seconds, months or years
  Label label;
  int64_t offset = 0; // for seconds: where the steps start (Mondays for weeks)
};

// Characters of a label.
double label_chars(Label label) {
  switch (label) {
  case Label::Year:
    return 4;
  case Label::Month:
    return 7;
  case Label::Day:
    return 10;
  case Label::Minute:
    return 16;
  case Label::Second:
    return 19;
  }
  return 19;
}

// Every step, finest first.
std::vector<Step> all_steps() {
  std::vector<Step> steps;
  for (int64_t s : {1, 2, 5, 10, 15, 30}) {
    steps.push_back({Unit::Second, s, Label::Second});
  }
  for (int64_t m : {1, 2, 5, 10, 15, 30}) {
    steps.push_back({Unit::Second, m * 60, Label::Minute});
  }
  for (int64_t h : {1, 2, 3, 6, 12}) {
    steps.push_back({Unit::Second, h * 3600, Label::Minute});
  }
  steps.push_back({Unit::Second, day, Label::Day});
  steps.push_back({Unit::Second, 2 * day, Label::Day});
  steps.push_back({Unit::Second, 7 * day, Label::Day, monday});
  steps.push_back({Unit::Second, 14 * day, Label::Day, monday});
  for (int64_t m : {1, 2, 3, 6}) {
    steps.push_back({Unit::Month, m, Label::Month});
  }
  for (int64_t y = 1; y <= 10000000; y *= 10) {
    for (int64_t k : {1, 2, 5}) {
      steps.push_back({Unit::Year, y * k, Label::Year});
    }
  }
  return steps;
}

// The first multiple of step (counted from offset) at or after t, in step units.
int64_t first_index(int64_t t, int64_t step, int64_t offset) {
  return -floor_div(-(t - offset), step);
}

// The ticks of one step between lo and hi (whole seconds), or false when more than `limit`.
bool ticks_for(const Step& step, int64_t lo, int64_t hi, size_t limit, std::vector<int64_t>& out) {
  out.clear();
  if (step.unit == Unit::Second) {
    const int64_t first = first_index(lo, step.size, step.offset);
    const int64_t last = floor_div(hi - step.offset, step.size);
    if (last - first + 1 > static_cast<int64_t>(limit)) {
      return false;
    }
    for (int64_t i = first; i <= last; ++i) {
      out.push_back(step.offset + i * step.size);
    }
    return true;
  }
  // Months and years: count in months since year 0, starting at the first boundary at or after lo.
  const CivilDate start = civil_from_days(floor_div(lo, day));
  const int64_t months_per = step.unit == Unit::Year ? 12 * step.size : step.size;
  int64_t month = start.year * 12 + (start.month - 1);
  if (days_from_civil(start.year, start.month, 1) * day < lo) {
    ++month;
  }
  month = -floor_div(-month, months_per) * months_per; // aligned: quarters, January of round years
  const CivilDate end = civil_from_days(floor_div(hi, day));
  const int64_t last = floor_div(end.year * 12 + (end.month - 1), months_per) * months_per;
  if (last < month) {
    return true;
  }
  if ((last - month) / months_per + 1 > static_cast<int64_t>(limit)) {
    return false;
  }
  for (; month <= last; month += months_per) {
    const int64_t t =
        days_from_civil(floor_div(month, 12), static_cast<unsigned>(floor_mod(month, 12) + 1), 1) * day;
    if (t >= lo && t <= hi) {
      out.push_back(t);
    }
  }
  return true;
}

// The text of a tick.
std::string label_text(int64_t t, Label label) {
  const std::string date = format_date(floor_div(t, day));
  switch (label) {
  case Label::Year:
    return date.substr(0, date.size() - 6); // without "-MM-DD"
  case Label::Month:
    return date.substr(0, date.size() - 3); // without "-DD"
  case Label::Day:
    return date;
  case Label::Minute:
    return format_date_time(t, false);
  case Label::Second:
    return format_date_time(t, true);
  }
  return {};
}

} // namespace

std::vector<TimeTick> time_ticks(double min, double max, bool dates_only, double width_px, double char_px) {
  min = std::isfinite(min) ? std::clamp(min, -max_abs_seconds, max_abs_seconds) : 0;
  max = std::isfinite(max) ? std::clamp(max, -max_abs_seconds, max_abs_seconds) : 0;
  if (min > max) {
    std::swap(min, max);
  }
  const auto lo = static_cast<int64_t>(std::ceil(min));
  const auto hi = static_cast<int64_t>(std::floor(max));
  std::vector<int64_t> found;
  const Step* chosen = nullptr;
  static const std::vector<Step> steps = all_steps();
  for (const Step& step : steps) {
    if (dates_only && step.unit == Unit::Second && step.size < day) {
      continue;
    }
    // As many labels as fit with two characters of space between them, at most 8, at least 2.
    const double fit = std::floor(width_px / ((label_chars(step.label) + 2) * char_px));
    const auto limit = static_cast<size_t>(std::clamp(fit, 2.0, 8.0));
    if (ticks_for(step, lo, hi, limit, found)) {
      chosen = &step;
      break;
    }
  }
  std::vector<TimeTick> ticks;
  if (chosen == nullptr) {
    return ticks;
  }
  for (int64_t t : found) {
    ticks.push_back({static_cast<double>(t), label_text(t, chosen->label)});
  }
  return ticks;
}

} // namespace autoreport::render
