// Time axes: ticks at calendar boundaries (whole seconds, minutes, hours, days, Mondays, months or
// years) labelled as ISO 8601 dates, as many as fit the axis and no more than 8.
#pragma once

#include <string>
#include <vector>

namespace autoreport::render {

struct TimeTick {
  double seconds = 0; // since 1970-01-01 00:00 UTC
  std::string label;  // "2026", "2026-03", "2026-03-15", "2026-03-15 06:00" or "2026-03-15 06:00:30"
};

// The finest calendar step whose ticks inside [min, max] (seconds since 1970-01-01) number at most 8
// and, labelled, fit side by side in width_px with characters char_px wide. With dates_only the step is
// at least a day. Returns the ticks in order; may be empty only when no whole second lies in the range.
// Bounds beyond ±2e14 s (about six million years) are clamped.
std::vector<TimeTick> time_ticks(double min, double max, bool dates_only, double width_px, double char_px);

} // namespace autoreport::render
