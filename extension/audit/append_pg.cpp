// The chain writer: head lookup, SHA-256 of each row, INSERT.
#include "audit/append_pg.hpp"

#include "common/convert_pg.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "storage/lmgr.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
}

#include <array>
#include <cstring>

namespace autoreport::audit {

namespace {

constexpr const char* kHeadSql = "SELECT id, hash FROM autoreport.runs ORDER BY id DESC LIMIT 1";

constexpr const char* kInsertSql =
    "INSERT INTO autoreport.runs (id, at, role, role_name, report, version, params, params_truncated, rows, "
    "bytes, duration_ms, cache_hit, format, error_sqlstate, error_message, prev_hash, hash) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
    "ON CONFLICT (id) DO NOTHING";

Datum to_bytea(const Digest& h) {
  return pg::bytes_to_bytea(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

std::optional<std::string> unless_empty(std::string_view text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

using pg::int8_param;
using pg::text_param;

// The text as a JSON string value.
std::string json_string(const std::string& text) {
  char* quoted = pg::guard([&] {
    StringInfoData buf;
    initStringInfo(&buf);
    escape_json(&buf, text.c_str());
    return buf.data;
  });
  std::string out(quoted);
  pfree(quoted);
  return out;
}

// The parameters as the jsonb to store. Text that is cut or is not JSON is kept as a JSON string
// (and the row marked params_truncated) rather than lost.
std::optional<Datum> params_jsonb(const std::optional<std::string>& text, bool& truncated) {
  if (!text || text->empty()) {
    return std::nullopt;
  }
  if (!truncated) {
    Datum parsed = Datum(0);
    try {
      pg::subtransaction([&] { parsed = pg::string_to_jsonb(*text); });
      return parsed;
    } catch (const Error&) {
      truncated = true; // not JSON: keep it as text
    }
  }
  return pg::string_to_jsonb(json_string(*text));
}

} // namespace

PendingRow pending_from(const QueuedRun& run) {
  const QueuedRunHead& h = run.head;
  PendingRow p;
  RunRow& r = p.row;
  r.at = h.at;
  r.role = h.role;
  const char* name = pg::guard([&] { return GetUserNameFromId(h.role, true); });
  if (name != nullptr) {
    r.role_name = name;
  }
  r.report = unless_empty(run.report());
  if (h.version > 0) {
    r.version = h.version;
  }
  p.params_text = unless_empty(run.params());
  r.params_truncated = h.params_truncated != 0;
  if (h.rows >= 0) {
    r.rows = h.rows;
  }
  if (h.bytes >= 0) {
    r.bytes = h.bytes;
  }
  r.duration_ms = h.duration_ms;
  r.cache_hit = h.cache_hit != 0;
  r.format = unless_empty(run.format());
  r.error_sqlstate = unless_empty(run.sqlstate());
  r.error_message = unless_empty(run.error());
  return p;
}

bool runs_table_exists() {
  return pg::guard([] {
    const Oid ns = get_namespace_oid("autoreport", true);
    return OidIsValid(ns) && OidIsValid(get_relname_relid("runs", ns));
  });
}

ChainAppender::ChainAppender(pg::SpiConnection& spi) : spi_(spi) {
  // The chain lock; the head is read after it, by a statement of its own (a snapshot taken after the
  // lock in READ COMMITTED), so it sees what the lock's previous holder appended.
  pg::guard([] {
    const Oid rel = get_relname_relid("runs", get_namespace_oid("autoreport", false));
    if (!OidIsValid(rel)) {
      ereport(ERROR,
              (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation \"autoreport.runs\" does not exist")));
    }
    LockRelationOid(rel, ShareRowExclusiveLock);
  });
  const pg::SpiResult head = spi_.execute(kHeadSql, {}, false);
  if (head.rows() == 0) {
    return;
  }
  last_id_ = *head.integer(0, 0);
  bool is_null = false;
  const std::string_view hash = pg::bytea_view(head.datum(0, 1, &is_null));
  if (hash.size() != kHashBytes) {
    throw Error(sqlstate::data_exception, "the audit log's last row has no valid hash")
        .with_detail("Row " + std::to_string(last_id_) + " of autoreport.runs has a hash of " +
                     std::to_string(hash.size()) + " bytes.")
        .with_hint("Check the log with autoreport.verify_audit().");
  }
  std::memcpy(last_hash_.data(), hash.data(), kHashBytes);
}

int64_t ChainAppender::append(PendingRow pending) {
  RunRow& row = pending.row;
  row.id = last_id_ + 1;
  const std::optional<Datum> params = params_jsonb(pending.params_text, row.params_truncated);
  row.params = params ? std::optional<std::string>(pg::jsonb_to_string(*params)) : std::nullopt;
  const Digest hash = sha_.digest(hash_input(last_hash_, row));
  const std::array<pg::SpiParam, 17> args = {
      pg::SpiParam{INT8OID, Int64GetDatum(row.id), false},
      pg::SpiParam{TIMESTAMPTZOID, Int64GetDatum(row.at), false},
      pg::SpiParam{OIDOID, ObjectIdGetDatum(row.role), false},
      text_param(row.role_name),
      text_param(row.report),
      row.version ? pg::SpiParam{INT4OID, Int32GetDatum(*row.version), false}
                  : pg::SpiParam{INT4OID, Datum(0), true},
      params ? pg::SpiParam{JSONBOID, *params, false} : pg::SpiParam{JSONBOID, Datum(0), true},
      pg::SpiParam{BOOLOID, BoolGetDatum(row.params_truncated), false},
      int8_param(row.rows),
      int8_param(row.bytes),
      pg::SpiParam{FLOAT8OID, Float8GetDatum(row.duration_ms), false},
      pg::SpiParam{BOOLOID, BoolGetDatum(row.cache_hit), false},
      text_param(row.format),
      text_param(row.error_sqlstate),
      text_param(row.error_message),
      pg::SpiParam{BYTEAOID, to_bytea(last_hash_), false},
      pg::SpiParam{BYTEAOID, to_bytea(hash), false},
  };
  const pg::SpiResult r = spi_.execute(kInsertSql, args, false);
  if (r.processed() != 1) {
    // Only possible when a snapshot older than the chain lock read the head (REPEATABLE READ or
    // SERIALIZABLE with the direct path): the id is already taken.
    throw Error(sqlstate::serialization_failure, "could not append to the audit log: row " +
                                                     std::to_string(row.id) + " was appended concurrently")
        .with_hint("Retry the transaction.");
  }
  last_id_ = row.id;
  last_hash_ = hash;
  return row.id;
}

} // namespace autoreport::audit
