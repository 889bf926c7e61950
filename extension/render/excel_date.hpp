// Excel serial date-times (the 1900 date system): whole days since 1899-12-30, the time of day as the
// fraction. Serials before 1900-03-01 are ambiguous (Excel believes 1900 was a leap year) and Excel
// shows nothing after 9999-12-31, so values outside that range get no serial: the caller writes them as
// text instead.
#pragma once

#include <cstdint>
#include <optional>

namespace autoreport::render {

// Days from 1899-12-30 to 1970-01-01.
inline constexpr int64_t excel_unix_epoch = 25569;

// The serial of a date given as days since 1970-01-01, or nullopt when Excel cannot show it.
std::optional<double> excel_serial_from_days(int64_t days);

// The serial of a timestamp given as microseconds since 1970-01-01 00:00, or nullopt when Excel
// cannot show it.
std::optional<double> excel_serial_from_micros(int64_t micros);

} // namespace autoreport::render
