// Capture of the changes of managed views' source tables: the statement-level AFTER triggers
// (capture_changes) that append each statement's changed rows, with their transaction and command, to
// the source's unlogged log (autoreport_log.log_<oid>), and that apply them to the `immediate` views
// reading the table; the logs and triggers installed, flagged and removed as views come and go.
#include "views/capture_pg.hpp"

#include "views/analyze_pg.hpp"
#include "views/catalog_pg.hpp"
#include "views/refresh_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/spi_pg.hpp"
#include "reports/catalog_pg.hpp"
#include "schedules/shared_pg.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/xid8.h"
}

#include <array>
#include <cstdlib>
#include <cstring>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

using namespace autoreport;
using namespace autoreport::views;

namespace pg = autoreport::pg;

namespace {

using pg::int8_param;
using pg::text_param;

constexpr const char* kInsertTrigger = "autoreport_capture_insert";
constexpr const char* kUpdateTrigger = "autoreport_capture_update";
constexpr const char* kDeleteTrigger = "autoreport_capture_delete";
constexpr const char* kTruncateTrigger = "autoreport_capture_truncate";

} // namespace

namespace autoreport::views {

namespace {

std::string role_name(Oid role) {
  const char* name = pg::guard([&] { return quote_identifier(GetUserNameFromId(role, false)); });
  return name;
}

// What the capture triggers of a table do besides logging, as their second argument says.
struct CaptureFlags {
  bool wake = false;      // the commit of a change wakes the database's scheduler (an `on change` view)
  bool immediate = false; // the statement applies its changes to the `immediate` views reading the table
  bool operator==(const CaptureFlags&) const = default;
  std::string text() const {
    return std::string(wake ? "wake" : "") + (wake && immediate ? "," : "") + (immediate ? "immediate" : "");
  }
  static CaptureFlags parse(const char* text) {
    CaptureFlags f;
    const std::string t = text;
    f.wake = t == "wake" || t.rfind("wake,", 0) == 0;
    f.immediate = t == "immediate" || (t.size() > 10 && t.compare(t.size() - 10, 10, ",immediate") == 0);
    return f;
  }
};

// The capture triggers of `source` that are missing (all but those in `present`), with the log's name as
// argument and the flags, if any, as a second.
void create_triggers(pg::SpiConnection& spi, Oid source, CaptureFlags flags,
                     const std::set<std::string>& present) {
  const std::string log = log_name(source);
  const std::string table = relation_name(source);
  const char* arg = pg::guard([&] { return quote_literal_cstr(log.c_str()); });
  const std::string call = " FOR EACH STATEMENT EXECUTE FUNCTION autoreport.capture_changes(" +
                           std::string(arg) + (flags.text().empty() ? ")" : ", '" + flags.text() + "')");
  const std::pair<const char*, std::string> triggers[] = {
      {kInsertTrigger, "AFTER INSERT ON " + table + " REFERENCING NEW TABLE AS autoreport_new"},
      {kUpdateTrigger,
       "AFTER UPDATE ON " + table + " REFERENCING OLD TABLE AS autoreport_old NEW TABLE AS autoreport_new"},
      {kDeleteTrigger, "AFTER DELETE ON " + table + " REFERENCING OLD TABLE AS autoreport_old"},
      {kTruncateTrigger, "AFTER TRUNCATE ON " + table},
  };
  for (const auto& [trigger, what] : triggers) {
    if (present.count(trigger) == 0) {
      spi.execute(std::string("CREATE TRIGGER ") + trigger + " " + what + call, {}, false);
    }
  }
}

} // namespace

// Makes the capture triggers of `source` wake the scheduler exactly when an `on change` view reads it,
// and apply changes in the writing statement exactly when an `immediate` view does.
void sync_flags(pg::SpiConnection& spi, Oid source) {
  reports::AsExtensionOwner as_extension;
  const std::array<pg::SpiParam, 1> src = {int8_param(source)};
  const pg::SpiResult r =
      spi.execute("SELECT c.wake, c.immediate, "
                  "EXISTS (SELECT FROM autoreport.view_source AS s JOIN autoreport.managed_view AS v "
                  "ON v.id = s.view WHERE s.source = c.source AND v.schedule = 'on change'), "
                  "EXISTS (SELECT FROM autoreport.view_source AS s JOIN autoreport.managed_view AS v "
                  "ON v.id = s.view WHERE s.source = c.source AND v.refresh = 'immediate') "
                  "FROM autoreport.capture AS c WHERE c.source = $1::oid",
                  src, false);
  if (r.rows() == 0) {
    return;
  }
  const CaptureFlags now{*r.boolean(0, 0), *r.boolean(0, 1)};
  const CaptureFlags wanted{*r.boolean(0, 2), *r.boolean(0, 3)};
  if (now == wanted) {
    return;
  }
  const std::string table = relation_name(source);
  for (const char* trigger : {kInsertTrigger, kUpdateTrigger, kDeleteTrigger, kTruncateTrigger}) {
    spi.execute(std::string("DROP TRIGGER IF EXISTS ") + trigger + " ON " + table, {}, false);
  }
  create_triggers(spi, source, wanted, {});
  const std::array<pg::SpiParam, 3> p = {int8_param(source),
                                         pg::SpiParam{BOOLOID, BoolGetDatum(wanted.wake), false},
                                         pg::SpiParam{BOOLOID, BoolGetDatum(wanted.immediate), false}};
  spi.execute("UPDATE autoreport.capture SET wake = $2, immediate = $3 WHERE source = $1::oid", p, false);
}

// The log of `source`, created when missing, with a column for each of `attnums`; `owner` may read it.
void ensure_capture(pg::SpiConnection& spi, Oid source, const std::vector<AttrNumber>& attnums, Oid owner) {
  const std::string log = log_name(source);
  {
    reports::AsExtensionOwner as_extension;
    const std::array<pg::SpiParam, 1> src = {int8_param(source)};
    spi.execute(
        "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('autoreport.capture'), $1::int4)", src,
        false);
    if (spi.execute("SELECT 1 FROM autoreport.capture WHERE source = $1::oid", src, false).rows() == 0) {
      // (A table of that name that no capture owns was restored from a dump of another database.)
      if (OidIsValid(log_oid(source))) {
        spi.execute("DROP TABLE " + log, {}, false);
      }
      spi.execute(
          "CREATE UNLOGGED TABLE " + log +
              " (_ar_xid pg_catalog.xid8 NOT NULL, _ar_cid bigint NOT NULL, _ar_sign smallint NOT NULL, "
              "_ar_at timestamptz NOT NULL DEFAULT pg_catalog.now()) WITH (autovacuum_vacuum_scale_factor = "
              "0, "
              "autovacuum_vacuum_threshold = 10000, autovacuum_analyze_scale_factor = 0, "
              "autovacuum_analyze_threshold = 10000)",
          {}, false);
      // No index: every captured row would pay for it, and a refresh reads the whole (small, purged) log.
      // Autovacuum looks at it after every 10,000 rows purged or captured, not after a fifth of the
      // table: a purged log is kept short (its empty tail cut, its free space reused), and its
      // statistics follow its size.
      const std::array<pg::SpiParam, 2> row = {int8_param(source), text_param(log)};
      spi.execute("INSERT INTO autoreport.capture (source, log) VALUES ($1::oid, $2::regclass)", row, false);
    }
    std::vector<std::string> grant = {"_ar_xid", "_ar_cid", "_ar_sign", "_ar_at"};
    for (AttrNumber att : attnums) {
      const std::string column = "c" + std::to_string(att);
      const std::array<pg::SpiParam, 2> p = {text_param(log), text_param(column)};
      const bool present = spi.execute("SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass "
                                       "AND attname = $2 AND NOT attisdropped",
                                       p, false)
                               .rows() > 0;
      if (!present) {
        // The base type of a domain: rows are logged as the extension's owner, who must never run a
        // domain's CHECK (a function of the table owner's choosing).
        const char* type = pg::guard([&] {
          Oid typid;
          int32 typmod;
          Oid collation;
          get_atttypetypmodcoll(source, att, &typid, &typmod, &collation);
          typid = getBaseTypeAndTypmod(typid, &typmod);
          return format_type_with_typemod(typid, typmod);
        });
        spi.execute("ALTER TABLE " + log + " ADD COLUMN " + column + " " + type, {}, false);
      }
      grant.push_back(column);
    }
    std::string list;
    for (const std::string& g : grant) {
      list += (list.empty() ? "" : ", ") + g;
    }
    spi.execute("GRANT USAGE ON SCHEMA autoreport_log TO " + role_name(owner), {}, false);
    spi.execute("GRANT SELECT (" + list + ") ON " + log + " TO " + role_name(owner), {}, false);
  }
  // Capture triggers that name another log were restored from a dump of another database: replaced.
  const std::array<pg::SpiParam, 2> rel = {int8_param(source), text_param(log)};
  {
    reports::AsExtensionOwner as_extension;
    const pg::SpiResult stale = spi.execute(
        "SELECT tgname::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1::oid AND tgname LIKE "
        "'autoreport\\_capture\\_%' AND substr(tgargs, 1, octet_length(convert_to($2, 'UTF8')) + 1) <> "
        "convert_to($2, 'UTF8') || '\\x00'::bytea",
        rel, false);
    std::vector<std::string> names;
    for (uint64_t i = 0; i < stale.rows(); ++i) {
      names.push_back(*stale.text(i, 0));
    }
    for (const std::string& t : names) {
      spi.execute("DROP TRIGGER " + t + " ON " + relation_name(source), {}, false);
    }
  }
  // The triggers are created as the caller, whom PostgreSQL checks for the TRIGGER privilege.
  std::set<std::string> present;
  const pg::SpiResult r = spi.execute("SELECT tgname::text FROM pg_catalog.pg_trigger WHERE tgrelid = "
                                      "$1::oid AND tgname LIKE 'autoreport\\_capture\\_%'",
                                      std::span<const pg::SpiParam>(rel.data(), 1), false);
  for (uint64_t i = 0; i < r.rows(); ++i) {
    present.insert(*r.text(i, 0));
  }
  CaptureFlags flags;
  {
    reports::AsExtensionOwner as_extension;
    const pg::SpiResult f =
        spi.execute("SELECT wake, immediate FROM autoreport.capture WHERE source = $1::oid",
                    std::span<const pg::SpiParam>(rel.data(), 1), false);
    flags = CaptureFlags{f.boolean(0, 0).value_or(false), f.boolean(0, 1).value_or(false)};
  }
  create_triggers(spi, source, flags, present);
  sync_flags(spi, source);
}

// Removes the capture of `source` once no managed view reads it.
void release_capture(pg::SpiConnection& spi, Oid source) {
  reports::AsExtensionOwner as_extension;
  const std::array<pg::SpiParam, 1> src = {int8_param(source)};
  spi.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('autoreport.capture'), $1::int4)",
              src, false);
  if (spi.execute("SELECT 1 FROM autoreport.capture WHERE source = $1::oid", src, false).rows() == 0) {
    return; // never captured (only views refreshed in full read it)
  }
  if (spi.execute(
             "SELECT 1 FROM autoreport.view_source AS s JOIN autoreport.managed_view AS v ON v.id = s.view "
             "WHERE s.source = $1::oid AND v.refresh <> 'full'",
             src, false)
          .rows() > 0) {
    return;
  }
  const bool exists = pg::guard([&] { return get_rel_name(source) != nullptr; });
  if (exists) {
    const std::string table = relation_name(source);
    for (const char* trigger : {kInsertTrigger, kUpdateTrigger, kDeleteTrigger, kTruncateTrigger}) {
      spi.execute(std::string("DROP TRIGGER IF EXISTS ") + trigger + " ON " + table, {}, false);
    }
  }
  spi.execute("DROP TABLE IF EXISTS " + log_name(source), {}, false);
  spi.execute("DELETE FROM autoreport.capture WHERE source = $1::oid", src, false);
}

} // namespace autoreport::views

namespace {

// What an attribute of a log holds: a source column's number (> 0), NULL, or one of these.
constexpr int kFillNull = 0;
constexpr int kFillXid = -1;
constexpr int kFillCid = -2;
constexpr int kFillSign = -3;
constexpr int kFillAt = -4;

// Appends a statement's changes to the log log_relid: the rows of its old transition table with sign
// -1, of its new one with +1 (either may be null), each with the transaction and command, and the
// transaction's start (as DEFAULT now() would), in batches of heap_multi_insert. An UPDATE's old and new
// versions of a row come in the same order in its two tables: a pair whose logged columns are equal
// cancels out and is not logged (an update of columns no view reads writes nothing). Cancelling any
// equal -1/+1 pair is right whatever rows it came from: the log is a sum. For the same reason the
// statement's rows equal in every logged column are one log row whose sign is their net count (at most
// 32,767 a row): a load of many rows that the views read only a few columns of (a region, a day) logs
// a row for each distinct combination. Rows are collected so until a first 1,000 show that fewer than
// half of them repeat; then the rest go in as they come (hashing them would cost more than it saves).
void append_changes(Oid log_relid, Tuplestorestate* old_rows, Tuplestorestate* new_rows,
                    TupleDesc source_desc, const std::vector<int>& fill, FullTransactionId xid,
                    CommandId cid) {
  pg::guard([&] {
    constexpr int64 kBatch = 1000;
    constexpr int64 kSample = 1000;
    constexpr int kMaxCount = PG_INT16_MAX;
    const int64 total =
        (old_rows ? tuplestore_tuple_count(old_rows) : 0) + (new_rows ? tuplestore_tuple_count(new_rows) : 0);
    if (total == 0) {
      return;
    }
    const int batch_size = static_cast<int>(std::min(total, kBatch));
    Relation log = table_open(log_relid, RowExclusiveLock);
    const TupleDesc desc = RelationGetDescr(log);
    const int natts = std::min(desc->natts, static_cast<int>(fill.size()));
    int sign_att = -1;
    for (int a = 0; a < natts; ++a) {
      if (fill[static_cast<size_t>(a)] == kFillSign) {
        sign_att = a;
      }
    }
    TupleTableSlot** batch = static_cast<TupleTableSlot**>(palloc(sizeof(TupleTableSlot*) * batch_size));
    for (int i = 0; i < batch_size; ++i) {
      batch[i] = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);
    }
    TupleTableSlot* old_slot = MakeSingleTupleTableSlot(source_desc, &TTSOpsMinimalTuple);
    TupleTableSlot* new_slot = MakeSingleTupleTableSlot(source_desc, &TTSOpsMinimalTuple);
    Datum* values = static_cast<Datum*>(palloc0(sizeof(Datum) * desc->natts));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * desc->natts));
    const TimestampTz at = GetCurrentTransactionStartTimestamp();
    BulkInsertState bulk = GetBulkInsertState();
    const CommandId insert_cid = GetCurrentCommandId(true);
    // The rows collected: each formed once, with its net count and the hash of its logged columns.
    struct Entry {
      HeapTuple tuple;
      int count;
    };
    std::vector<Entry> entries;
    std::unordered_multimap<uint32, size_t> by_hash;
    bool collapse = sign_att >= 0 && total > 1;
    int64 seen = 0;
    int n = 0;
    auto insert = [&](HeapTuple tuple) {
      ExecStoreHeapTuple(tuple, batch[n], true);
      if (++n == batch_size) {
        table_multi_insert(log, batch, n, insert_cid, 0, bulk);
        for (int i = 0; i < n; ++i) {
          ExecClearTuple(batch[i]);
        }
        n = 0;
      }
    };
    // Writes the collected rows, each with its count as sign (split by kMaxCount), and forgets them.
    auto write_entries = [&] {
      Datum* v = static_cast<Datum*>(palloc(sizeof(Datum) * desc->natts));
      bool* isnull = static_cast<bool*>(palloc(sizeof(bool) * desc->natts));
      for (Entry& e : entries) {
        if (e.count == 1 || e.count == -1) {
          const int16 sign = DatumGetInt16(heap_getattr(e.tuple, sign_att + 1, desc, &isnull[0]));
          if (sign == e.count) {
            insert(e.tuple);
            continue;
          }
        }
        if (e.count != 0) {
          heap_deform_tuple(e.tuple, desc, v, isnull);
          for (int left = std::abs(e.count); left > 0; left -= kMaxCount) {
            const int part = std::min(left, kMaxCount);
            v[sign_att] = Int16GetDatum(static_cast<int16>(e.count < 0 ? -part : part));
            insert(heap_form_tuple(desc, v, isnull));
          }
        }
        heap_freetuple(e.tuple);
      }
      pfree(v);
      pfree(isnull);
      entries.clear();
      by_hash.clear();
    };
    auto add = [&](TupleTableSlot* source, int16 sign) {
      uint32 hash = 0;
      for (int a = 0; a < desc->natts; ++a) {
        const int what =
            a < natts && !TupleDescAttr(desc, a)->attisdropped ? fill[static_cast<size_t>(a)] : 0;
        nulls[a] = false;
        switch (what) {
        case kFillXid:
          values[a] = FullTransactionIdGetDatum(xid);
          break;
        case kFillCid:
          values[a] = Int64GetDatum(static_cast<int64>(cid));
          break;
        case kFillSign:
          values[a] = Int16GetDatum(sign);
          break;
        case kFillAt:
          values[a] = TimestampTzGetDatum(at);
          break;
        case kFillNull:
          nulls[a] = true;
          break;
        default:
          values[a] = source->tts_values[what - 1];
          nulls[a] = source->tts_isnull[what - 1];
          if (collapse) {
            const Form_pg_attribute att = TupleDescAttr(source_desc, what - 1);
            hash = hash_combine(hash, nulls[a] ? 0x9e3779b9U
                                               : datum_image_hash(values[a], att->attbyval, att->attlen));
          }
        }
      }
      if (!collapse) {
        insert(heap_form_tuple(desc, values, nulls));
        return;
      }
      // After the first kSample rows: few repeat, the rest are not worth hashing.
      if (++seen == kSample + 1 && static_cast<int64>(entries.size()) * 2 > kSample) {
        collapse = false;
        write_entries();
        insert(heap_form_tuple(desc, values, nulls));
        return;
      }
      const auto range = by_hash.equal_range(hash);
      for (auto it = range.first; it != range.second; ++it) {
        Entry& e = entries[it->second];
        bool equal = true;
        for (int a = 0; a < natts && equal; ++a) {
          const int what = fill[static_cast<size_t>(a)];
          if (what <= 0 || TupleDescAttr(desc, a)->attisdropped) {
            continue;
          }
          bool isnull = false;
          const Datum d = heap_getattr(e.tuple, a + 1, desc, &isnull);
          const Form_pg_attribute att = TupleDescAttr(desc, a);
          equal = isnull == nulls[a] && (isnull || datum_image_eq(d, values[a], att->attbyval, att->attlen));
        }
        if (equal) {
          e.count += sign;
          return;
        }
      }
      by_hash.emplace(hash, entries.size());
      entries.push_back(Entry{heap_form_tuple(desc, values, nulls), sign});
      if (static_cast<int64>(entries.size()) >= kBatch * 16) {
        write_entries(); // many distinct rows: bound what is held
      }
    };
    // The logged columns of two versions are equal (as stored: 1.0 and 1.00 differ, and are logged).
    auto same = [&](TupleTableSlot* x, TupleTableSlot* y) {
      for (int a = 0; a < natts; ++a) {
        const int what = fill[static_cast<size_t>(a)];
        if (what <= 0 || TupleDescAttr(desc, a)->attisdropped) {
          continue;
        }
        const Form_pg_attribute att = TupleDescAttr(source_desc, what - 1);
        const bool xn = x->tts_isnull[what - 1];
        if (xn != y->tts_isnull[what - 1] ||
            (!xn &&
             !datum_image_eq(x->tts_values[what - 1], y->tts_values[what - 1], att->attbyval, att->attlen))) {
          return false;
        }
      }
      return true;
    };
    // Read pointers of our own: the transition tables are read again by other triggers and views.
    int old_reader = -1;
    int new_reader = -1;
    if (old_rows != nullptr) {
      old_reader = tuplestore_alloc_read_pointer(old_rows, EXEC_FLAG_REWIND);
      tuplestore_select_read_pointer(old_rows, old_reader);
      tuplestore_rescan(old_rows);
    }
    if (new_rows != nullptr) {
      new_reader = tuplestore_alloc_read_pointer(new_rows, EXEC_FLAG_REWIND);
      tuplestore_select_read_pointer(new_rows, new_reader);
      tuplestore_rescan(new_rows);
    }
    for (;;) {
      bool have_old = false;
      bool have_new = false;
      if (old_rows != nullptr) {
        tuplestore_select_read_pointer(old_rows, old_reader);
        have_old = tuplestore_gettupleslot(old_rows, true, false, old_slot);
        if (have_old) {
          slot_getallattrs(old_slot);
        }
      }
      if (new_rows != nullptr) {
        tuplestore_select_read_pointer(new_rows, new_reader);
        have_new = tuplestore_gettupleslot(new_rows, true, false, new_slot);
        if (have_new) {
          slot_getallattrs(new_slot);
        }
      }
      if (!have_old && !have_new) {
        break;
      }
      if (have_old && have_new && same(old_slot, new_slot)) {
        continue;
      }
      if (have_old) {
        add(old_slot, -1);
      }
      if (have_new) {
        add(new_slot, 1);
      }
    }
    write_entries();
    if (n > 0) {
      table_multi_insert(log, batch, n, insert_cid, 0, bulk);
      for (int i = 0; i < n; ++i) {
        ExecClearTuple(batch[i]);
      }
    }
    if (old_rows != nullptr) {
      tuplestore_select_read_pointer(old_rows, 0);
    }
    if (new_rows != nullptr) {
      tuplestore_select_read_pointer(new_rows, 0);
    }
    FreeBulkInsertState(bulk);
    for (int i = 0; i < batch_size; ++i) {
      ExecDropSingleTupleTableSlot(batch[i]);
    }
    ExecDropSingleTupleTableSlot(old_slot);
    ExecDropSingleTupleTableSlot(new_slot);
    pfree(batch);
    pfree(values);
    pfree(nulls);
    table_close(log, NoLock);
  });
}

} // namespace

AUTOREPORT_FUNCTION(autoreport_capture_changes) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    throw Error("39P01", "capture_changes() must be called as a trigger");
  }
  TriggerData* td = reinterpret_cast<TriggerData*>(fcinfo->context);
  if (!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
      td->tg_trigger->tgnargs < 1 || td->tg_trigger->tgnargs > 2) {
    throw Error("39P01",
                "capture_changes() must run AFTER ... FOR EACH STATEMENT with the log's name as argument");
  }
  const std::string log = td->tg_trigger->tgargs[0];
  const CaptureFlags flags =
      td->tg_trigger->tgnargs == 2 ? CaptureFlags::parse(td->tg_trigger->tgargs[1]) : CaptureFlags{};
  if (flags.wake) {
    schedules::wake_scheduler_at_commit(); // an `on change` view reads this table
  }
  const Oid log_relid = log_oid(RelationGetRelid(td->tg_relation));
  if (!OidIsValid(log_relid)) {
    // No managed view reads this table any more, or it was restored from a dump (whose triggers name
    // the other database's log) and no view over it has been taken over yet.
    return PointerGetDatum(nullptr);
  }
  // Only the log of the table the trigger is on: rows are logged as the extension's owner, and a
  // trigger pointed at another table's log would forge that table's changes.
  if (log != log_name(RelationGetRelid(td->tg_relation))) {
    pg::SpiConnection spi;
    reports::AsExtensionOwner as_extension;
    const std::array<pg::SpiParam, 1> src = {int8_param(RelationGetRelid(td->tg_relation))};
    if (spi.execute("SELECT FROM autoreport.capture WHERE source = $1::oid", src, true).rows() == 0) {
      return PointerGetDatum(nullptr); // (a table of the log's name restored from a dump; not captured)
    }
    throw Error(sqlstate::insufficient_privilege, "capture_changes() on table " +
                                                      relation_name(RelationGetRelid(td->tg_relation)) +
                                                      " may write only that table's log")
        .with_detail("Its argument names " + log + ".")
        .with_hint("Capture triggers are installed by autoreport.create_view(); do not create them by hand.");
  }
  // The log's columns c<attnum>, each the source column of that number (NULL once dropped).
  std::vector<std::string> log_columns = {"_ar_xid", "_ar_cid", "_ar_sign"};
  std::vector<std::string> source_columns;
  const TupleDesc source_desc = RelationGetDescr(td->tg_relation);
  struct LogForm {
    int natts;
    bool indexed;
  };
  const LogForm log_form = pg::guard([&] {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(log_relid));
    if (!HeapTupleIsValid(tup)) {
      return LogForm{0, false};
    }
    const Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tup));
    const LogForm f{c->relnatts, c->relhasindex};
    ReleaseSysCache(tup);
    return f;
  });
  const int log_natts = log_form.natts;
  // What each attribute of the log holds (see LogFill).
  std::vector<int> fill(static_cast<size_t>(log_natts), kFillNull);
  for (AttrNumber i = 1; i <= log_natts; ++i) {
    const char* att = pg::guard([&] { return get_attname(log_relid, i, true); });
    if (att == nullptr) {
      continue;
    }
    for (const auto& [name, kind] : {std::pair<const char*, int>{"_ar_xid", kFillXid},
                                     {"_ar_cid", kFillCid},
                                     {"_ar_sign", kFillSign},
                                     {"_ar_at", kFillAt}}) {
      if (std::strcmp(att, name) == 0) {
        fill[static_cast<size_t>(i - 1)] = kind;
      }
    }
    if (att[0] != 'c') {
      continue;
    }
    const int number = std::atoi(att + 1);
    log_columns.emplace_back(att);
    const Oid log_type = pg::guard([&] { return get_atttype(log_relid, i); });
    // A column dropped or retyped since it was first logged is logged as NULL: the views that read it
    // are broken (the event trigger says so), and the write must go on.
    if (number >= 1 && number <= source_desc->natts &&
        !TupleDescAttr(source_desc, number - 1)->attisdropped &&
        pg::guard([&] { return getBaseType(TupleDescAttr(source_desc, number - 1)->atttypid); }) ==
            log_type) {
      source_columns.emplace_back(pg::guard(
          [&] { return quote_identifier(NameStr(TupleDescAttr(source_desc, number - 1)->attname)); }));
      fill[static_cast<size_t>(i - 1)] = number;
    } else {
      source_columns.emplace_back("NULL");
    }
  }
  // The statement that appends the rows through SQL (built only for the cases that need it).
  auto statement = [&] {
    if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event)) {
      return "INSERT INTO " + log + " (_ar_xid, _ar_cid, _ar_sign) VALUES ($1, $2, 0::int2)";
    }
    std::string columns;
    for (const std::string& c : log_columns) {
      columns += (columns.empty() ? "" : ", ") + c;
    }
    auto rows = [&](const char* transition, int sign) {
      std::string select = "SELECT $1, $2, " + std::to_string(sign) + "::int2";
      for (const std::string& c : source_columns) {
        select += ", " + c;
      }
      return select + " FROM " + pg::guard([&] { return quote_identifier(transition); });
    };
    std::string sql = "INSERT INTO " + log + " (" + columns + ") ";
    if (TRIGGER_FIRED_BY_INSERT(td->tg_event)) {
      return sql + rows(td->tg_trigger->tgnewtable, 1);
    }
    if (TRIGGER_FIRED_BY_UPDATE(td->tg_event)) {
      return sql + rows(td->tg_trigger->tgoldtable, -1) + " UNION ALL " + rows(td->tg_trigger->tgnewtable, 1);
    }
    return sql + rows(td->tg_trigger->tgoldtable, -1);
  };
  const FullTransactionId xid = pg::guard([] { return GetTopFullTransactionId(); });
  const std::array<pg::SpiParam, 2> params = {
      pg::SpiParam{XID8OID, FullTransactionIdGetDatum(xid), false},
      int8_param(static_cast<int64_t>(pg::guard([] { return GetCurrentCommandId(false); })))};
  pg::SpiConnection spi;
  pg::guard([&] {
    if (SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER) {
      elog(ERROR, "could not register the transition tables");
    }
  });
  reports::AsExtensionOwner as_extension;
  // The rows are appended directly, in batches (a log has no index: INSERT ... SELECT, which inserts
  // them one by one through the executor, cost twice as much). A TRUNCATE's marker, or a log someone
  // gave an index, goes through SQL.
  if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) || log_form.indexed) {
    spi.execute(statement(), params, false);
  } else {
    const CommandId cid = pg::guard([] { return GetCurrentCommandId(false); });
    const bool deletes = TRIGGER_FIRED_BY_UPDATE(td->tg_event) || TRIGGER_FIRED_BY_DELETE(td->tg_event);
    const bool inserts = TRIGGER_FIRED_BY_UPDATE(td->tg_event) || TRIGGER_FIRED_BY_INSERT(td->tg_event);
    append_changes(log_relid, deletes ? td->tg_oldtable : nullptr, inserts ? td->tg_newtable : nullptr,
                   source_desc, fill, xid, cid);
  }
  if (flags.immediate) {
    // The `immediate` views that read this table take the statement's changes now, in the writer's
    // transaction.
    const bool deletes = TRIGGER_FIRED_BY_UPDATE(td->tg_event) || TRIGGER_FIRED_BY_DELETE(td->tg_event);
    const bool inserts = TRIGGER_FIRED_BY_UPDATE(td->tg_event) || TRIGGER_FIRED_BY_INSERT(td->tg_event);
    const int64_t rows = pg::guard([&] {
      return (deletes && td->tg_oldtable != nullptr ? tuplestore_tuple_count(td->tg_oldtable) : 0) +
             (inserts && td->tg_newtable != nullptr ? tuplestore_tuple_count(td->tg_newtable) : 0);
    });
    apply_to_immediate_views(spi, Written{RelationGetRelid(td->tg_relation),
                                          TRIGGER_FIRED_BY_TRUNCATE(td->tg_event),
                                          deletes ? td->tg_trigger->tgoldtable : nullptr,
                                          inserts ? td->tg_trigger->tgnewtable : nullptr, rows});
  }
  return PointerGetDatum(nullptr);
}
