// Time zones from PostgreSQL's tz database (the zones pg_timezone_names lists), for the pure code of
// common/time_zone.hpp, and timestamptz as seconds since 1970-01-01 UTC.
#pragma once

#include "common/boundary_pg.hpp"
#include "common/time_zone.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "pgtime.h"
}

#include <cstdint>
#include <optional>
#include <string>

namespace autoreport::pg {

// A zone of PostgreSQL's tz database. pg_tz values live as long as the backend (pg_tzset caches them).
class PgZone final : public TimeZone {
public:
  explicit PgZone(const pg_tz* tz) : tz_(tz) {}
  int32_t utc_offset(int64_t utc_seconds) const override;

private:
  const pg_tz* tz_;
};

struct NamedZone {
  std::string name; // as pg_timezone_names spells it: "Europe/Berlin"
  const pg_tz* tz = nullptr;
};

// The zone an IANA name (any letter case) names, with its canonical spelling. Refuses with 22023 a
// name pg_timezone_names does not list: unknown names, and offsets and POSIX rules such as "+02" or
// "CET-1CEST", which PostgreSQL's TimeZone setting accepts but which are no IANA zone.
NamedZone find_zone(const std::string& name);

// The session's TimeZone setting. iana: when true, refuses (22023) a setting that is no IANA zone.
NamedZone session_zone(bool iana);

// timestamptz ⇄ seconds since 1970-01-01 UTC. to_unix_seconds floors (it drops the fraction of a
// second); from_unix_seconds gives nothing when the instant is beyond timestamptz's range.
int64_t to_unix_seconds(TimestampTz t);
std::optional<TimestampTz> from_unix_seconds(int64_t seconds);

} // namespace autoreport::pg
