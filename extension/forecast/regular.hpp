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
  // Months only: the series sits on the last day of each month (a month after January 31 is the end of
  // February, and the one after that the end of March).
  bool month_end = false;
  // How much earlier than its step a row may fall and still belong to its bucket: up to an hour when
  // detect_step saw the time of day move by a daylight-saving hour (times of another zone).
  int64_t slack = 0;
  // How much later than the earliest time the steps start (the later of the two times of day, when
  // the earliest row has the earlier one).
  int64_t lead = 0;
  bool operator==(const Step&) const = default;
};

inline constexpr int64_t kMicrosPerSecond = 1000000;
inline constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;

// The times a series may reach, microseconds since 1970: PostgreSQL's earliest timestamp (4714-11-24
// BC) to 294000-01-01 (PostgreSQL goes on to 294276, which this count from 1970 cannot hold).
inline constexpr int64_t kFirstTime = -210866803200000000;
inline constexpr int64_t kEndTime = 9215576668800000000;

// The step of sorted times: a month, quarter or year when every time falls on the same day of its
// month (up to the 28th) or on the month's last day, at the same time of day give or take a
// daylight-saving hour, and the median gap fits; otherwise, when most gaps between neighbours are
// equal, that gap; otherwise the median gap rounded down to a whole second, minute, 5/10/15/30
// minutes, hour, day or week. Steps of whole days or months get the slack of the hour when the time of
// day moved. Error 22023 with fewer than 2 distinct times.
Step detect_step(std::span<const int64_t> sorted_times);

// How many gaps between neighbouring sorted times equal the step (which clock the rows keep to).
size_t gaps_equal_to(std::span<const int64_t> sorted_times, int64_t step);

// A step the user gave, fitted to sorted times: a step of months takes the month's end when every time
// is on its month's last day (and, like a step of whole days, the slack of a daylight-saving hour).
Step fit_step(const Step& given, std::span<const int64_t> sorted_times);

// t + k steps (months keep the day of month, clamped to the month's length, or the month's end).
// Error 22023 when the result falls outside [kFirstTime, kEndTime).
int64_t add_steps(int64_t t, const Step& step, int64_t k);

// The bucket of time t on the grid start + k steps: the k with add_steps(start, k) <= t + slack <
// add_steps(start, k + 1).
int64_t bucket_of(int64_t start, const Step& step, int64_t t);

// The step as PostgreSQL interval text: "1 mon", "3 mons", "1 day", "00:05:00", ...
std::string step_text(const Step& step);

// How rows that fall in one bucket are combined.
enum class Aggregate { Sum, Mean, Last };
Aggregate parse_aggregate(std::string_view name); // "sum", "mean", "last"; 22023 otherwise

// How a bucket without a value is filled.
enum class Fill { Linear, Previous, Zero, Error };
Fill parse_fill(std::string_view name); // "linear", "previous", "zero", "error"; 22023 otherwise
std::string_view fill_name(Fill fill);  // the inverse

struct RegularSeries {
  int64_t start = 0;     // the time of the first bucket
  bool absolute = false; // times are absolute (UTC) microseconds, not wall-clock (see regular_series)
  Step step;
  std::vector<double> values;
  // Per bucket: no value (or only NULLs), filled by the rule. Never under Fill::Zero, where an empty
  // bucket is a zero observed.
  std::vector<bool> missing;
  size_t filled = 0; // how many buckets had no value and were filled
};

// Buckets rows onto start, start + step, ... (start: the earliest time plus the step's lead) and fills
// the gaps. Rows with a
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
