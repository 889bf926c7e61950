// Zones of PostgreSQL's tz database for pure code.
#include "common/time_zone_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/spi_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/timestamp.h"
}

#include <array>
#include <set>

namespace autoreport::pg {

namespace {

constexpr int64_t kUnixEpochInPostgres =
    static_cast<int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;

// Canonical names already found in pg_timezone_names by this backend (the view reads every file of
// the tz database, so it is asked once per name).
std::set<std::string>& listed_names() {
  static std::set<std::string> names;
  return names;
}

bool listed(const std::string& canonical) {
  if (listed_names().contains(canonical)) {
    return true;
  }
  bool found = false;
  {
    SpiConnection spi;
    const std::array<SpiParam, 1> params = {SpiParam{TEXTOID, string_to_text(canonical), false}};
    const SpiResult r =
        spi.execute("SELECT EXISTS (SELECT FROM pg_catalog.pg_timezone_names WHERE name = $1)", params, true);
    found = r.boolean(0, 0).value_or(false);
  }
  if (found) {
    listed_names().insert(canonical);
  }
  return found;
}

Error not_a_zone(const std::string& name) {
  return Error(sqlstate::invalid_parameter_value, "time zone \"" + name + "\" not recognized")
      .with_detail("autoreport's time zones are IANA zone names, as listed in pg_timezone_names.")
      .with_hint("Use a name such as Europe/Berlin, America/New_York, Asia/Kolkata or UTC.");
}

} // namespace

int32_t PgZone::utc_offset(int64_t utc_seconds) const {
  const pg_time_t t = utc_seconds;
  const struct pg_tm* tm = pg_localtime(&t, tz_); // pure C: it never raises an error
  return tm == nullptr ? 0 : static_cast<int32_t>(tm->tm_gmtoff);
}

NamedZone find_zone(const std::string& name) {
  // TZ_STRLEN_MAX is the longest name pg_tzset() takes.
  if (name.empty() || name.size() > TZ_STRLEN_MAX || name.find('\0') != std::string::npos) {
    throw not_a_zone(name);
  }
  const pg_tz* tz = guard([&] { return pg_tzset(name.c_str()); });
  if (tz == nullptr) {
    throw not_a_zone(name);
  }
  std::string canonical = guard([&] { return pg_get_timezone_name(const_cast<pg_tz*>(tz)); });
  if (!listed(canonical)) {
    throw not_a_zone(name);
  }
  return NamedZone{std::move(canonical), tz};
}

NamedZone session_zone(bool iana) {
  const pg_tz* tz = session_timezone;
  std::string canonical = guard([&] { return pg_get_timezone_name(const_cast<pg_tz*>(tz)); });
  if (iana && !listed(canonical)) {
    throw Error(sqlstate::invalid_parameter_value,
                "the session's time zone \"" + canonical + "\" is not an IANA zone name")
        .with_hint("Pass time_zone, a name listed in pg_timezone_names such as Europe/Berlin or UTC.");
  }
  return NamedZone{std::move(canonical), tz};
}

int64_t to_unix_seconds(TimestampTz t) {
  int64_t seconds = t / USECS_PER_SEC;
  if (t % USECS_PER_SEC < 0) {
    --seconds;
  }
  return seconds + kUnixEpochInPostgres;
}

std::optional<TimestampTz> from_unix_seconds(int64_t seconds) {
  const int64_t pg_seconds = seconds - kUnixEpochInPostgres;
  if (pg_seconds > PG_INT64_MAX / USECS_PER_SEC || pg_seconds < PG_INT64_MIN / USECS_PER_SEC) {
    return std::nullopt;
  }
  const TimestampTz t = pg_seconds * USECS_PER_SEC;
  if (!IS_VALID_TIMESTAMP(t)) {
    return std::nullopt;
  }
  return t;
}

} // namespace autoreport::pg
