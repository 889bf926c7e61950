// Turning (time, value) rows into a regular series: the step detected from the data, rows bucketed
// onto it, gaps filled by a declared rule; and the seasonal periods a step suggests.
//
// Times are wall-clock microseconds (local time as the session sees it, as PostgreSQL's timestamp
// without time zone holds it), so that a day is always 24 hours and a month is a calendar month.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::forecast {

// A step of the regular series: whole calendar months, or a fixed number of microseconds.
struct Step {
  int64_t months = 0;
  int64_t micros = 0;
  bool operator==(const Step&) const = default;
};

inline constexpr int64_t kMicrosPerSecond = 1000000;
inline constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// The step of sorted times: when most gaps between neighbours are equal, that gap (a month, quarter
// or year when the times fall on the same day of month); otherwise the median gap rounded down to a
// whole second, minute, 5/10/15/30 minutes, hour, day or week. Error 22023 with fewer than 2
// distinct times.
Step detect_step(std::span<const int64_t> sorted_times);

// t + k steps (months keep the day of month, clamped to the month's length).
int64_t add_steps(int64_t t, const Step& step, int64_t k);

// The step as PostgreSQL interval text: "1 mon", "3 mons", "1 day", "00:05:00", ...
std::string step_text(const Step& step);

// How rows that fall in one bucket are combined.
enum class Aggregate { Sum, Mean, Last };
Aggregate parse_aggregate(std::string_view name); // "sum", "mean", "last"; 22023 otherwise

// How a bucket without a value is filled.
enum class Fill { Linear, Previous, Zero, Error };
Fill parse_fill(std::string_view name); // "linear", "previous", "zero", "error"; 22023 otherwise

struct RegularSeries {
  int64_t start = 0; // the time of the first bucket
  Step step;
  std::vector<double> values;
  std::vector<bool> missing; // per bucket: no value (or only NULLs), filled by the rule
  size_t filled = 0;         // how many buckets are missing
};

// Buckets rows onto start, start + step, ... (start: the earliest time) and fills the gaps. Rows with a
// NULL value count as missing. Error 22023 when no value is present, when fill is Error and a bucket is
// empty, or when the series would have more than max_points buckets.
RegularSeries regularise(std::span<const int64_t> times, std::span<const std::optional<double>> values,
                         const Step& step, Aggregate aggregate, Fill fill, size_t max_points);

// Fills missing values in place of nullopt: Linear interpolates between neighbours (and repeats the
// nearest value before the first and after the last), Previous carries the last value forward (the
// first back), Zero puts 0. Error 22023 when every value is missing, or for Error and any missing.
std::vector<double> fill_missing(std::span<const std::optional<double>> values, Fill fill, size_t* filled);

// The seasonal periods, in steps, that a step suggests, the most likely first: a day in hours, a
// week in days, a year in weeks, months or quarters.
std::vector<size_t> seasonal_candidates(const Step& step);

} // namespace autoreport::forecast
