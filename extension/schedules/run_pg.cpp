// A job run: one dynamic background worker per run, started by its database's scheduler within
// autoreport.max_running_jobs. It claims the run (pending → running, so that it runs once), renders the
// report through the same path as autoreport.render() as the job's owner (the owner's privileges only:
// row-level security applies) with the job's timeout, evaluates the job's alert over the rows, stores
// the output and ends with a NOTIFY on the job's channel. A failure is recorded with its SQLSTATE, and
// retried with exponential backoff and jitter while the job's retries last; every attempt is a row.
// nlohmann/json before PostgreSQL's headers, which redefine snprintf.
#include "schedules/job_options.hpp"

#include "common/convert_pg.hpp"
#include "common/memory_pg.hpp"
#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "common/time_zone_pg.hpp"
#include "render/renderers.hpp"
#include "reports/render_pg.hpp"
#include "schedules/alert_pg.hpp"
#include "schedules/due.hpp"
#include "schedules/event.hpp"
#include "schedules/params_pg.hpp"
#include "schedules/shared_pg.hpp"
#include "schedules/worker_pg.hpp"

extern "C" {
#include "access/tupdesc.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

AUTOREPORT_EXPORT void autoreport_run_main(Datum);
}

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

namespace autoreport::schedules {

namespace {

Oid g_database = InvalidOid;
RunArgs g_args{};
bool g_attached = false;

void on_run_exit(int, Datum) {
  LWLockReleaseAll();
  if (!g_attached) {
    return;
  }
  SchedulesLock lock;
  release_run_slot(g_args.slot);
}

bool attach() {
  SchedulesLock lock;
  RunSlot& r = shared()->runs[g_args.slot];
  if (r.database != g_database || r.run != g_args.run || r.pid != 0) {
    return false;
  }
  r.pid = MyProcPid;
  g_attached = true;
  return true;
}

// SQL for a timestamptz column as the events print times: ISO 8601 in UTC, whatever the session's zone.
std::string iso_utc(const char* column) {
  return std::string("pg_catalog.to_char(") + column +
         " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

using pg::int8_param;
using pg::text_param;

// The run and its job, as claimed.
struct Claimed {
  int64 job_id = 0;
  std::string job;
  Oid owner = InvalidOid;
  std::string report;
  std::string params;
  std::string format;
  std::string render_options;
  std::optional<int64> timeout_ms;
  std::optional<std::string> alert;
  std::optional<std::string> alert_scope;
  std::string channel;
  std::string zone;
  int64 retries = 0;
  int64 attempt = 1;
  bool manual = false;
  int64_t scheduled_unix = 0;
  std::string scheduled_for; // ISO, UTC
  std::string started_at;
};

// pending → running; nothing when another worker took the run (or it is gone).
std::optional<Claimed> claim() {
  std::optional<Claimed> c;
  in_transaction("autoreport run: claiming", [&] {
    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 1> args = {int8_param(g_args.run)};
    const pg::SpiResult r = spi.execute(
        "WITH claimed AS (UPDATE autoreport.job_run SET status = 'running', "
        "  started_at = pg_catalog.clock_timestamp() WHERE id = $1 AND status = 'pending' "
        "  RETURNING job, attempt, manual, scheduled_for, started_at) "
        "SELECT j.id, j.name, j.owner::oid::bigint, j.report, j.params::text, j.format, "
        "  coalesce(j.options -> 'render', '{}')::text, "
        "  (extract(epoch FROM j.timeout) * 1000)::bigint, j.alert, j.alert_scope, j.channel, j.time_zone, "
        "  j.retries, c.attempt, c.manual, pg_catalog.floor(extract(epoch FROM c.scheduled_for))::bigint, "
        "  " +
            iso_utc("c.scheduled_for") + ", " + iso_utc("c.started_at") +
            " "
            "FROM claimed AS c JOIN autoreport.job AS j ON j.id = c.job",
        args, false);
    if (r.rows() == 0) {
      return;
    }
    Claimed x;
    x.job_id = *r.integer(0, 0);
    x.job = *r.text(0, 1);
    x.owner = static_cast<Oid>(*r.integer(0, 2));
    x.report = *r.text(0, 3);
    x.params = *r.text(0, 4);
    x.format = *r.text(0, 5);
    x.render_options = *r.text(0, 6);
    x.timeout_ms = r.integer(0, 7);
    x.alert = r.text(0, 8);
    x.alert_scope = r.text(0, 9);
    x.channel = *r.text(0, 10);
    x.zone = *r.text(0, 11);
    x.retries = *r.integer(0, 12);
    x.attempt = *r.integer(0, 13);
    x.manual = r.boolean(0, 14).value_or(false);
    x.scheduled_unix = *r.integer(0, 15);
    x.scheduled_for = *r.text(0, 16);
    x.started_at = *r.text(0, 17);
    c = std::move(x);
  });
  return c;
}

void notify(pg::SpiConnection& spi, const std::string& channel, const RunEvent& e) {
  const std::array<pg::SpiParam, 2> args = {text_param(channel), text_param(event_payload(e))};
  spi.execute("SELECT pg_catalog.pg_notify($1, $2)", args, false);
}

RunEvent base_event(const Claimed& c, const char* kind) {
  RunEvent e;
  e.event = kind;
  e.job = c.job;
  e.job_id = c.job_id;
  e.report = c.report;
  e.format = c.format;
  e.run = g_args.run;
  e.attempt = c.attempt;
  e.manual = c.manual;
  e.scheduled_for = c.scheduled_for;
  e.started_at = c.started_at;
  return e;
}

// One delivery of the run's output per destination the job is subscribed to, in the run's transaction,
// and a NOTIFY that wakes the sidecars when there is any; returns their ids. A destination its owner
// may no longer use (a role membership revoked since the subscription) gets none.
std::vector<int64_t> create_deliveries(pg::SpiConnection& spi, int64 job, int64 output) {
  const std::array<pg::SpiParam, 3> args = {int8_param(job), int8_param(g_args.run), int8_param(output)};
  const pg::SpiResult r = spi.execute(
      "INSERT INTO autoreport.delivery (job, run, output, destination, destination_name, kind, created_at) "
      "SELECT s.job, $2, $3, d.id, d.name, d.kind, pg_catalog.clock_timestamp() "
      "FROM autoreport.job_destination AS s "
      "JOIN autoreport.destination AS d ON d.id = s.destination JOIN autoreport.job AS j ON j.id = s.job "
      "WHERE s.job = $1 AND autoreport.destination_usable(j.owner, d.id) ORDER BY d.id RETURNING id",
      args, false);
  std::vector<int64_t> ids;
  for (uint64 i = 0; i < r.rows(); ++i) {
    ids.push_back(*r.integer(i, 0));
  }
  std::sort(ids.begin(), ids.end());
  if (!ids.empty()) {
    const std::array<pg::SpiParam, 1> run = {text_param(std::to_string(g_args.run))};
    spi.execute("SELECT pg_catalog.pg_notify('autoreport_deliveries', $1)", run, false);
  }
  return ids;
}

// Rows kept for the alert, in a tuplestore of the run's transaction.
struct Collected {
  Tuplestorestate* store = nullptr;
  TupleDesc desc = nullptr;
};

TupleDesc desc_of(const std::vector<reports::ResultColumn>& columns) {
  return pg::guard([&] {
    TupleDesc d = CreateTemplateTupleDesc(static_cast<int>(columns.size()));
    for (size_t i = 0; i < columns.size(); ++i) {
      TupleDescInitEntry(d, static_cast<AttrNumber>(i + 1), columns[i].name.c_str(), columns[i].type,
                         columns[i].typmod, 0);
    }
    return d;
  });
}

// Runs the report as the job's owner and stores what it made; returns the event to send.
RunEvent run_report(const Claimed& c) {
  RunEvent event = base_event(c, "report_ready");
  in_transaction("autoreport run: rendering", [&] {
    const bool owner_exists =
        pg::guard([&] { return SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(c.owner)); });
    if (!owner_exists) {
      throw Error(sqlstate::undefined_object, "the owner of job \"" + c.job + "\" no longer exists")
          .with_hint("Schedule the job again as an existing role.");
    }
    // As the owner, with SET ROLE and SET SESSION AUTHORIZATION refused (as in a SECURITY DEFINER
    // function): the run has the owner's privileges and nothing more. The rollback of a failed run
    // restores the worker's own identity.
    Oid saved_user = InvalidOid;
    int saved_context = 0;
    pg::guard([&] {
      GetUserIdAndSecContext(&saved_user, &saved_context);
      SetUserIdAndSecContext(c.owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    });
    const std::optional<reports::ReportVersion> report = reports::find_report(c.report);
    if (!report) {
      throw Error(sqlstate::undefined_object, "report \"" + c.report + "\" does not exist")
          .with_detail("It was dropped after job \"" + c.job + "\" was scheduled.");
    }
    nlohmann::json params = nlohmann::json::parse(c.params);
    const std::map<std::string, RelativeDate> relative = relative_params(params);
    const pg::NamedZone zone = pg::find_zone(c.zone);
    const std::string bound =
        resolved_params(*report, params, relative, c.scheduled_unix, pg::PgZone(zone.tz));
    if (c.timeout_ms) {
      pg::guard([&] {
        enable_timeout_after(STATEMENT_TIMEOUT, static_cast<int>(std::min<int64>(*c.timeout_ms, INT_MAX)));
      });
    }
    Collected rows;
    const MemoryContext keep = CurTransactionContext;
    reports::RowsFn collect = [&](TupleDesc desc, std::span<HeapTuple> batch) {
      if (!c.alert) {
        return;
      }
      pg::guard([&] {
        const MemoryContext old = MemoryContextSwitchTo(keep);
        if (rows.store == nullptr) {
          rows.store = tuplestore_begin_heap(false, false, work_mem);
          rows.desc = CreateTupleDescCopy(desc);
        }
        for (HeapTuple t : batch) {
          tuplestore_puttuple(rows.store, t);
        }
        MemoryContextSwitchTo(old);
      });
    };
    const reports::JobRender out =
        reports::render_for_job(c.report, bound, c.format, c.render_options, collect);
    if (c.timeout_ms) {
      pg::guard([] { disable_timeout(STATEMENT_TIMEOUT, false); });
    }
    std::optional<AlertFinding> finding;
    if (c.alert) {
      if (rows.store == nullptr) {
        pg::guard([&] {
          const MemoryContext old = MemoryContextSwitchTo(keep);
          rows.store = tuplestore_begin_heap(false, false, work_mem);
          MemoryContextSwitchTo(old);
        });
        rows.desc = desc_of(out.columns);
      }
      finding = evaluate_alert(*c.alert, c.alert_scope.value_or("row"), rows.desc, rows.store);
    }
    pg::guard([&] { SetUserIdAndSecContext(saved_user, saved_context); });

    const std::string mime(render::mime_type(c.format));
    const std::string file = c.job + "_" + c.scheduled_for.substr(0, 10) + "_" +
                             c.scheduled_for.substr(11, 2) + c.scheduled_for.substr(14, 2) +
                             c.scheduled_for.substr(17, 2) + "." +
                             std::string(render::file_extension(c.format));
    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 8> args = {int8_param(c.job_id),
                                              int8_param(g_args.run),
                                              text_param(c.report),
                                              text_param(c.format),
                                              text_param(mime),
                                              text_param(file),
                                              pg::SpiParam{BYTEAOID, out.bytes, false},
                                              text_param(std::to_string(g_output_keep) + " minutes")};
    const pg::SpiResult stored = spi.execute(
        "INSERT INTO autoreport.output (job, run, report, format, mime_type, file_name, size, sha256, "
        "content, "
        "expires_at) SELECT $1, $2, $3, $4, $5, $6, pg_catalog.octet_length($7), "
        "pg_catalog.encode(pg_catalog.sha256($7), 'hex'), $7, "
        "pg_catalog.now() + coalesce((SELECT keep FROM autoreport.job WHERE id = $1), $8::interval) "
        "RETURNING id, size",
        args, false);
    const int64 output = *stored.integer(0, 0);
    const int64 bytes = *stored.integer(0, 1);
    const std::array<pg::SpiParam, 4> done = {int8_param(g_args.run), int8_param(out.rows), int8_param(bytes),
                                              int8_param(output)};
    // The event's finish time is the one recorded.
    const pg::SpiResult finished = spi.execute(
        "UPDATE autoreport.job_run SET status = 'succeeded', finished_at = pg_catalog.clock_timestamp(), "
        "rows = $2, bytes = $3, output = $4 WHERE id = $1 RETURNING " +
            iso_utc("finished_at"),
        done, false);
    event.output = output;
    event.rows = out.rows;
    event.bytes = bytes;
    event.finished_at = finished.text(0, 0).value_or("");
    if (finding && finding->held) {
      event.event = "alert";
      event.condition = c.alert;
      event.alert_json = finding->detail_json;
    }
    // A job with an alert is delivered only when the alert held: the alert is what it reports.
    if (!c.alert || (finding && finding->held)) {
      event.deliveries = create_deliveries(spi, c.job_id, output);
    }
    notify(spi, c.channel, event);
  });
  return event;
}

// Records a failed attempt, and the next one when the job has retries left; announces it.
void record_failure(const Claimed& c, const Error& error) {
  pg::guard([] { disable_timeout(STATEMENT_TIMEOUT, false); });
  std::string message = error.message();
  if (!error.detail().empty()) {
    message += " (" + error.detail() + ")";
  }
  in_transaction("autoreport run: recording a failure", [&] {
    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 3> args = {int8_param(g_args.run), text_param(message),
                                              text_param(error.sqlstate())};
    const pg::SpiResult finished = spi.execute(
        "UPDATE autoreport.job_run SET status = 'failed', finished_at = pg_catalog.clock_timestamp(), "
        "error = $2, sqlstate = $3 WHERE id = $1 RETURNING " +
            iso_utc("finished_at"),
        args, false);
    RunEvent event = base_event(c, "report_failed");
    event.error = message;
    event.sqlstate = error.sqlstate();
    event.finished_at = finished.text(0, 0).value_or("");
    if (c.attempt <= c.retries) {
      std::random_device device;
      const int64_t delay =
          retry_delay_ms(static_cast<int>(c.attempt + 1), (static_cast<uint64_t>(device()) << 32) ^ device());
      const std::array<pg::SpiParam, 2> retry = {int8_param(g_args.run), int8_param(delay)};
      const pg::SpiResult r = spi.execute(
          "INSERT INTO autoreport.job_run (job, scheduled_for, attempt, manual, not_before) "
          "SELECT job, scheduled_for, attempt + 1, manual, "
          "  pg_catalog.clock_timestamp() + $2 * interval '1 millisecond' FROM autoreport.job_run WHERE id = "
          "$1 "
          "ON CONFLICT DO NOTHING RETURNING " +
              iso_utc("not_before"),
          retry, false);
      if (r.rows() > 0) {
        event.retry_at = r.text(0, 0);
      }
    }
    notify(spi, c.channel, event);
  });
}

// Sleeps until the run's instant (the worker was started ahead of it).
void wait_until(TimestampTz due) {
  for (;;) {
    worker_loop_top();
    const long ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), due);
    if (ms <= 0) {
      return;
    }
    wait_latch(ms);
  }
}

// After a run: another run of a job of the same owner that is due now, taken into this worker's slot
// (a run worker is connected for one owner and never runs another's job). false when there is none.
bool take_next_run(Oid owner) {
  struct Candidate {
    int64 run;
    int64 job;
    TimestampTz due;
  };
  std::vector<Candidate> candidates;
  in_transaction("autoreport run: looking for the next run", [&] {
    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 1> args = {pg::SpiParam{OIDOID, ObjectIdGetDatum(owner), false}};
    const pg::SpiResult r = spi.execute(
        "SELECT r.id, r.job, coalesce(r.not_before, r.scheduled_for) FROM autoreport.job_run AS r "
        "JOIN autoreport.job AS j ON j.id = r.job "
        "WHERE r.status = 'pending' AND (r.manual OR j.enabled) AND j.owner = $1::regrole "
        "AND coalesce(r.not_before, r.scheduled_for) <= pg_catalog.clock_timestamp() "
        "AND NOT EXISTS (SELECT FROM autoreport.job_run AS x WHERE x.job = r.job AND x.status = 'running') "
        "ORDER BY 3, 1 LIMIT 8",
        args, true);
    for (uint64 i = 0; i < r.rows(); ++i) {
      bool is_null = false;
      candidates.push_back(
          {*r.integer(i, 0), *r.integer(i, 1), DatumGetTimestampTz(r.datum(i, 2, &is_null))});
    }
  });
  for (const Candidate& c : candidates) {
    SchedulesLock lock;
    if (reuse_run_slot(g_args.slot, c.run, c.job, c.due)) {
      g_args.run = c.run;
      g_args.due = c.due;
      return true;
    }
  }
  return false;
}

void run_job() {
  pg::guard([] { before_shmem_exit(on_run_exit, Datum(0)); });
  if (shared() == nullptr || !attach()) {
    return;
  }
  pg::guard([] { BackgroundWorkerInitializeConnectionByOid(g_database, InvalidOid, 0); });
  pg::apply_worker_settings("autoreport job run");
  // The catalog caches are filled before the instant, not after it.
  in_transaction("autoreport run: waiting for the instant", [] {
    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 1> args = {int8_param(g_args.run)};
    (void)spi.execute("SELECT r.status, j.name FROM autoreport.job_run AS r JOIN autoreport.job AS j "
                      "ON j.id = r.job WHERE r.id = $1",
                      args, true);
  });
  wait_until(g_args.due);
  pg::ScopedMemoryContext per_run("autoreport run");
  for (;;) {
    per_run.reset();
    MemoryContextSwitchTo(per_run.get());
    const std::optional<Claimed> c = claim();
    if (!c) {
      return;
    }
    try {
      (void)run_report(*c);
    } catch (const Error& e) {
      record_failure(*c, e);
    } catch (const Interrupted& e) {
      // A cancel (pg_cancel_backend) or the job's timeout; a termination ends the process instead and
      // the scheduler marks the run interrupted.
      Error as_error(sqlstate::query_canceled, e.what());
      if (c->timeout_ms) {
        as_error = Error(sqlstate::query_canceled, "the run took longer than the job's timeout (" +
                                                       std::to_string(*c->timeout_ms) + " ms)");
      }
      record_failure(*c, as_error);
    }
    worker_loop_top();
    if (!take_next_run(c->owner)) {
      return;
    }
    pgstat_report_activity(STATE_IDLE, nullptr);
  }
}

} // namespace

} // namespace autoreport::schedules

// A job run's entry point: the database in main_arg, RunArgs in bgw_extra.
void autoreport_run_main(Datum main_arg) {
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  autoreport::schedules::g_database = DatumGetObjectId(main_arg);
  std::memcpy(&autoreport::schedules::g_args, MyBgworkerEntry->bgw_extra,
              sizeof autoreport::schedules::g_args);
  autoreport::pg::enter([] { autoreport::schedules::run_job(); });
  proc_exit(0);
}
