// The delivery functions that depend on who calls them: create_destination(), drop_destination(),
// grant_destination(), revoke_destination(), subscribe_job(), unsubscribe_job() and redeliver().
// Each notes its caller, then runs the PL/pgSQL function of the same name with "_as" (deliveries.sql)
// as the extension's owner, with the caller as first argument: the checks and the writes live there.
// A SECURITY DEFINER function could not know its caller (current_user is its owner then, and
// session_user is the bootstrap superuser in a job run), which is why these are C.
#include "common/spi_pg.hpp"
#include "reports/catalog_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "miscadmin.h"
}

#include <array>
#include <string>

namespace pg = autoreport::pg;

namespace {

// Calls autoreport.<function>(caller, arguments...) as the extension's owner, with the arguments of
// this call (types in `types`, NULLs passed as they are), and returns its result of type `result`.
template <size_t N>
Datum call_as_owner(FunctionCallInfo fcinfo, const char* function, const std::array<Oid, N>& types,
                    Oid result) {
  const Oid caller = GetUserId();
  autoreport::reports::AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  std::array<pg::SpiParam, N + 1> args;
  args[0] = pg::SpiParam{OIDOID, ObjectIdGetDatum(caller), false};
  std::string sql = std::string("SELECT autoreport.") + function + "($1";
  for (size_t i = 0; i < N; ++i) {
    const int n = static_cast<int>(i);
    args[i + 1] = pg::SpiParam{types[i], PG_ARGISNULL(n) ? Datum(0) : PG_GETARG_DATUM(n), PG_ARGISNULL(n)};
    sql += ", $" + std::to_string(i + 2);
  }
  sql += ")";
  const pg::SpiResult r = spi.execute(sql, args, false);
  if (result == VOIDOID) {
    PG_RETURN_VOID();
  }
  bool is_null = false;
  const Datum value = r.datum(0, 0, &is_null);
  if (is_null) {
    PG_RETURN_NULL();
  }
  return pg::SpiConnection::copy_out(value, false, result);
}

} // namespace

// autoreport.create_destination(name, kind, target) → the destination's id; administrators only.
AUTOREPORT_FUNCTION(autoreport_create_destination) {
  return call_as_owner(fcinfo, "create_destination_as", std::array<Oid, 3>{TEXTOID, TEXTOID, JSONBOID},
                       INT8OID);
}

// autoreport.drop_destination(name, cascade); administrators only.
AUTOREPORT_FUNCTION(autoreport_drop_destination) {
  return call_as_owner(fcinfo, "drop_destination_as", std::array<Oid, 2>{TEXTOID, BOOLOID}, VOIDOID);
}

// autoreport.grant_destination(destination, role); administrators only.
AUTOREPORT_FUNCTION(autoreport_grant_destination) {
  return call_as_owner(fcinfo, "grant_destination_as", std::array<Oid, 2>{TEXTOID, REGROLEOID}, VOIDOID);
}

// autoreport.revoke_destination(destination, role); administrators only.
AUTOREPORT_FUNCTION(autoreport_revoke_destination) {
  return call_as_owner(fcinfo, "revoke_destination_as", std::array<Oid, 2>{TEXTOID, REGROLEOID}, VOIDOID);
}

// autoreport.subscribe_job(job, destination): the job's owner or an administrator.
AUTOREPORT_FUNCTION(autoreport_subscribe_job) {
  return call_as_owner(fcinfo, "subscribe_job_as", std::array<Oid, 2>{TEXTOID, TEXTOID}, VOIDOID);
}

// autoreport.unsubscribe_job(job, destination): the job's owner or an administrator.
AUTOREPORT_FUNCTION(autoreport_unsubscribe_job) {
  return call_as_owner(fcinfo, "unsubscribe_job_as", std::array<Oid, 2>{TEXTOID, TEXTOID}, VOIDOID);
}

// autoreport.redeliver(delivery) → the delivery's id: the job's owner or an administrator.
AUTOREPORT_FUNCTION(autoreport_redeliver) {
  return call_as_owner(fcinfo, "redeliver_as", std::array<Oid, 1>{INT8OID}, INT8OID);
}
