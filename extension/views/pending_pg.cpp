// The changes a managed view has not applied yet: the window over a source's log that selects them,
// their count for each source, and autoreport.pending_changes(), which reports them.
#include "views/pending_pg.hpp"

#include "views/analyze_pg.hpp"
#include "views/statements_pg.hpp"

#include "common/convert_pg.hpp"
#include "reports/catalog_pg.hpp"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/acl.h"
#include "utils/json.h"
}

#include <set>
#include <string>

using namespace autoreport;
using namespace autoreport::views;
namespace pg = autoreport::pg;

namespace {

using pg::int8_param;

} // namespace

namespace autoreport::views {

std::array<pg::SpiParam, 3> window_params(const ViewRow& v) {
  return {pg::SpiParam{PG_SNAPSHOTOID, pg::input_value(PG_SNAPSHOTOID, *v.snapshot), false},
          pg::SpiParam{XID8OID, pg::input_value(XID8OID, *v.xid), false}, int8_param(*v.cid)};
}

// The changes of each distinct source of view v not yet applied, read at snap.
std::map<Oid, SourceChanges> pending(const ViewRow& v, const std::vector<Oid>& sources, Snapshot snap,
                                     bool read_only) {
  std::map<Oid, SourceChanges> out;
  if (!v.snapshot || !v.xid || !v.cid) {
    return out;
  }
  const std::array<pg::SpiParam, 3> w = window_params(v);
  const std::array<pg::SpiParam, 4> params = {pg::SpiParam{BOOLOID, BoolGetDatum(false), false}, w[0], w[1],
                                              w[2]};
  for (Oid s : std::set<Oid>(sources.begin(), sources.end())) {
    const std::string sql = "SELECT count(*), count(*) FILTER (WHERE l._ar_sign = 0), "
                            "extract(epoch FROM pg_catalog.now() - min(l._ar_at))::float8, "
                            "coalesce(sum(abs(l._ar_sign)), 0)::int8 FROM " +
                            log_name(s) + " AS l WHERE $1 IS NOT NULL AND " + kWindow;
    const pg::SpiResult r = execute_at(snap, sql, params, read_only);
    SourceChanges c;
    c.rows = *r.integer(0, 0);
    c.truncated = *r.integer(0, 1) > 0;
    c.lag = r.number(0, 2);
    c.changes = *r.integer(0, 3);
    out[s] = c;
  }
  return out;
}

} // namespace autoreport::views

AUTOREPORT_FUNCTION(autoreport_pending_changes) {
  const int64_t id = PG_GETARG_INT64(0);
  if (pg::guard([] { return RecoveryInProgress(); })) {
    PG_RETURN_NULL();
  }
  pg::SpiConnection spi;
  const Oid caller = GetUserId();
  reports::AsExtensionOwner as_extension;
  const std::array<pg::SpiParam, 1> p = {int8_param(id)};
  const pg::SpiResult r = spi.execute(
      std::string("SELECT ") + kViewColumns + " FROM autoreport.managed_view WHERE id = $1", p, true);
  if (r.rows() == 0) {
    PG_RETURN_NULL();
  }
  const ViewRow v = view_row(r, 0);
  if (!pg::guard([&] { return has_privs_of_role(caller, v.owner); }) && !reports::is_admin(caller)) {
    PG_RETURN_NULL();
  }
  if (v.origin != here()) {
    // Restored from a dump: what it includes is unknown until its first refresh takes it over.
    return pg::string_to_jsonb("{\"total\": 0, \"changes\": {}, \"restored\": true}");
  }
  if (v.refresh == "full") {
    PG_RETURN_NULL();
  }
  std::vector<Oid> sources;
  const pg::SpiResult s =
      spi.execute("SELECT source::bigint FROM autoreport.view_source WHERE view = $1", p, true);
  for (uint64_t i = 0; i < s.rows(); ++i) {
    sources.push_back(static_cast<Oid>(*s.integer(i, 0)));
  }
  HeldSnapshot snap;
  int64_t total = 0;
  std::optional<double> lag;
  std::string changes;
  for (const auto& [source, c] : pending(v, sources, snap.get(), true)) {
    total += c.changes;
    if (c.lag && (!lag || *c.lag > *lag)) {
      lag = c.lag;
    }
    const std::string table = relation_name(source);
    const char* key = pg::guard([&] {
      StringInfoData buf;
      initStringInfo(&buf);
      escape_json(&buf, table.c_str());
      return buf.data;
    });
    changes += (changes.empty() ? "" : ", ") + std::string(key) + ": " + std::to_string(c.changes);
  }
  // After a crash the unlogged logs (and the sentinel) are empty: the changes they held are unknown.
  const bool crashed =
      v.refresh == "incremental" &&
      *spi.execute("SELECT count(*) FROM autoreport.capture_sentinel", {}, true).integer(0, 0) == 0;
  std::string json = "{\"total\": " + std::to_string(total) + ", \"changes\": {" + changes + "}" +
                     (crashed ? ", \"crashed\": true" : "");
  if (lag) {
    json += ", \"lag_seconds\": " + std::to_string(*lag);
  }
  json += "}";
  return pg::string_to_jsonb(json);
}
