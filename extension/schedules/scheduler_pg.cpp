// A database's scheduler: one background worker per database with jobs, started by the launcher. It
// reads the enabled jobs, sleeps on its latch until the next instant one of them is due (or their
// definitions change, or a run ends), records each due instant as a run (job, scheduled_for, attempt 1)
// — the table's unique key makes that exactly once, whatever restarts or second schedulers happen —
// and starts a run worker for each pending run, oldest first, within autoreport.max_running_jobs and
// never two of one job at once. It also marks the runs a crash interrupted, applies each job's
// catch-up policy to the instants missed while nothing ran, and purges old history and outputs.
#include "schedules/cron.hpp"
#include "schedules/due.hpp"
#include "schedules/shared_pg.hpp"
#include "common/memory_pg.hpp"
#include "schedules/worker_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "common/time_zone_pg.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/timestamp.h"

AUTOREPORT_EXPORT void autoreport_scheduler_main(Datum);
}

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace autoreport::schedules {

namespace {

// At a scheduler's start, an instant at most this old is on time; older ones were missed (catch_up).
constexpr int64_t kGraceSeconds = 2;
// A run's worker is started this long before its instant and waits for it, so that the run starts on
// time rather than after a process start and a connection.
constexpr long kLeadMs = 250;
constexpr long kMaxSleepMs = 60 * 1000;         // look at the jobs again at least this often
constexpr long kPurgeAtMostMs = 60 * 60 * 1000; // the retention purge looks again at least this often
constexpr long kIdleLingerMs = 10 * 1000;       // no job and no run for this long: the scheduler ends
constexpr long kUnstartedRunMs = 30 * 1000;     // a run slot whose worker never came up is freed
constexpr int kPurgeBatch = 500;
constexpr int kPurgeBatchesPerPass = 20;

Oid g_database = InvalidOid;
uint64 g_generation = 0;

struct JobState {
  int64 id;
  CronSchedule schedule;
  std::string zone_name;
  const pg_tz* tz;
  CatchUp catch_up;
  int64 catch_up_limit;
  int64_t last;                // the latest instant decided (run or skipped), seconds since 1970
  std::optional<int64_t> next; // the next instant after `last`
  bool first_pass;             // instants before the scheduler started follow the catch-up policy
};

using pg::int8_param;
using pg::text_param;

pg::SpiParam ts_param(int64_t unix_seconds) {
  const TimestampTz t = pg::from_unix_seconds(unix_seconds).value_or(DT_NOEND);
  return {TIMESTAMPTZOID, TimestampTzGetDatum(t), false};
}

DatabaseSlot* my_slot() noexcept {
  DatabaseSlot* s = database_slot(g_database, false);
  return s != nullptr && s->generation == g_generation ? s : nullptr;
}

// Ends the scheduler's claim on its database's slot, in the state given (none after an error).
SchedulerState g_exit_state = SchedulerState::none;
void on_scheduler_exit(int, Datum) {
  LWLockReleaseAll();
  SchedulesLock lock;
  if (DatabaseSlot* s = my_slot()) {
    s->state = g_exit_state;
    s->since = GetCurrentTimestamp();
    s->pid = 0;
    s->proc = nullptr;
    s->waiting_due = 0;
    if (shared()->launcher != nullptr && g_exit_state == SchedulerState::none) {
      SetLatch(&shared()->launcher->procLatch);
    }
  }
}

bool attach() {
  SchedulesLock lock;
  DatabaseSlot* s = my_slot();
  if (s == nullptr || s->state != SchedulerState::starting) {
    return false; // a newer scheduler was started for the database
  }
  s->state = SchedulerState::running;
  s->pid = MyProcPid;
  s->proc = MyProc;
  s->since = GetCurrentTimestamp();
  return true;
}

// Reads and clears the "jobs changed" mark.
bool take_kick() {
  SchedulesLock lock;
  DatabaseSlot* s = my_slot();
  if (s == nullptr) {
    return false;
  }
  const bool kicked = s->kicked;
  s->kicked = false;
  return kicked;
}

bool extension_installed() {
  bool installed = false;
  in_transaction("autoreport scheduler: looking for the extension", [&] {
    installed = OidIsValid(pg::guard([] { return get_extension_oid("autoreport", true); }));
  });
  return installed;
}

// Only one scheduler per database does anything: a session advisory lock, held until it ends.
bool lock_database() {
  bool locked = false;
  in_transaction("autoreport scheduler: taking the scheduler lock", [&] {
    pg::SpiConnection spi;
    const pg::SpiResult r = spi.execute(
        "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('autoreport.scheduler'), 0)", {}, false);
    locked = r.boolean(0, 0).value_or(false);
  });
  return locked;
}

// Runs left 'running' by a worker that is gone (a crash, a restart, a terminated worker) are
// interrupted. Called at the start and whenever a run ends.
void mark_interrupted() {
  in_transaction("autoreport scheduler: marking interrupted runs", [&] {
    pg::SpiConnection spi;
    const pg::SpiResult r =
        spi.execute("SELECT id FROM autoreport.job_run WHERE status = 'running'", {}, false);
    std::vector<int64> gone;
    {
      SchedulesLock lock;
      for (uint64 i = 0; i < r.rows(); ++i) {
        const int64 id = *r.integer(i, 0);
        if (!run_in_flight(g_database, id)) {
          gone.push_back(id);
        }
      }
    }
    for (const int64 id : gone) {
      const std::array<pg::SpiParam, 1> args = {int8_param(id)};
      spi.execute("UPDATE autoreport.job_run SET status = 'interrupted', finished_at = pg_catalog.now(), "
                  "error = 'the run was interrupted: the server stopped or its worker was terminated' "
                  "WHERE id = $1 AND status = 'running'",
                  args, false);
    }
  });
}

// The enabled jobs with the latest instant decided for each (a run or a skip; the job's last change
// when there is none, so that a new or changed schedule starts from now).
std::vector<JobState> load_jobs() {
  std::vector<JobState> jobs;
  in_transaction("autoreport scheduler: reading jobs", [&] {
    pg::SpiConnection spi;
    const pg::SpiResult r =
        spi.execute("SELECT j.id, j.cron, j.time_zone, j.catch_up, coalesce(j.catch_up_limit, 100), "
                    "pg_catalog.floor(extract(epoch FROM GREATEST(j.updated_at, "
                    "  (SELECT max(r.scheduled_for) FROM autoreport.job_run AS r WHERE r.job = j.id AND NOT "
                    "r.manual))))::bigint "
                    "FROM autoreport.job AS j WHERE j.enabled ORDER BY j.id",
                    {}, true);
    for (uint64 i = 0; i < r.rows(); ++i) {
      JobState j;
      j.id = *r.integer(i, 0);
      try {
        j.schedule = parse_schedule(*r.text(i, 1));
        const pg::NamedZone zone = pg::find_zone(*r.text(i, 2));
        j.zone_name = zone.name;
        j.tz = zone.tz;
        j.catch_up = parse_catch_up(*r.text(i, 3));
      } catch (const Error& e) {
        // Checked at definition; a zone that left the tz database since is reported, the job skipped.
        const std::string message = e.message();
        pg::guard([&] {
          ereport(WARNING, (errmsg("autoreport job %lld cannot be scheduled: %s",
                                   static_cast<long long>(j.id), message.c_str())));
        });
        continue;
      }
      j.catch_up_limit = r.integer(i, 4).value_or(100);
      j.last = *r.integer(i, 5);
      const pg::PgZone zone(j.tz);
      j.next = next_run(j.schedule, j.last, zone);
      j.first_pass = true;
      jobs.push_back(std::move(j));
    }
  });
  return jobs;
}

// Records the instants of `plan` for job j: pending runs, and skipped ones with why.
void record_instants(pg::SpiConnection& spi, const JobState& j, const DuePlan& plan) {
  for (const int64_t t : plan.skipped_latest) {
    const std::array<pg::SpiParam, 2> args = {int8_param(j.id), ts_param(t)};
    // Nothing is recorded for a job paused or removed since the scheduler read it.
    spi.execute(
        "INSERT INTO autoreport.job_run (job, scheduled_for, status, finished_at, error) "
        "SELECT $1, $2, 'skipped', pg_catalog.now(), 'missed while no scheduler ran (catch_up = " +
            std::string(j.catch_up == CatchUp::skip   ? "skip"
                        : j.catch_up == CatchUp::once ? "once"
                                                      : "all") +
            ")' WHERE EXISTS (SELECT FROM autoreport.job WHERE id = $1 AND enabled) ON CONFLICT DO NOTHING",
        args, false);
  }
  if (plan.skipped > static_cast<int64_t>(plan.skipped_latest.size())) {
    const int64_t more = plan.skipped - static_cast<int64_t>(plan.skipped_latest.size());
    pg::guard([&] {
      ereport(LOG, (errmsg("autoreport job %lld: %lld more missed instants skipped without a record",
                           static_cast<long long>(j.id), static_cast<long long>(more))));
    });
  }
  if (plan.run.empty()) {
    return;
  }
  const int64_t first = plan.run.front();
  for (const int64_t t : plan.run) {
    // A job never overlaps itself: an instant that comes due while an earlier one of the job is still
    // pending or running is skipped (the instants of one catch-up are queued together).
    const std::array<pg::SpiParam, 3> args = {int8_param(j.id), ts_param(t), ts_param(first)};
    spi.execute("INSERT INTO autoreport.job_run (job, scheduled_for, status, finished_at, error) "
                "SELECT $1, $2, s, CASE WHEN s = 'skipped' THEN pg_catalog.now() END, "
                "       CASE WHEN s = 'skipped' THEN 'the previous run of the job had not finished' END "
                "FROM (SELECT CASE WHEN EXISTS (SELECT FROM autoreport.job_run AS p WHERE p.job = $1 "
                "      AND p.status IN ('pending', 'running') AND p.scheduled_for < $3 AND NOT p.manual) "
                "      THEN 'skipped' ELSE 'pending' END) AS t(s) "
                "WHERE EXISTS (SELECT FROM autoreport.job WHERE id = $1 AND enabled) "
                "ON CONFLICT DO NOTHING",
                args, false);
  }
}

// Records every instant now due; returns the earliest next instant of any job.
std::optional<int64_t> record_due(std::vector<JobState>& jobs) {
  const int64_t now = pg::to_unix_seconds(TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kLeadMs));
  bool any_due = false;
  for (const JobState& j : jobs) {
    any_due = any_due || (j.next && *j.next <= now);
  }
  if (any_due) {
    in_transaction("autoreport scheduler: recording due runs", [&] {
      pg::SpiConnection spi;
      for (JobState& j : jobs) {
        if (!j.next || *j.next > now) {
          continue;
        }
        const pg::PgZone zone(j.tz);
        // After the first pass, an instant is late only when this scheduler was: it runs.
        const CatchUp policy = j.first_pass ? j.catch_up : CatchUp::all;
        const int64 limit = j.first_pass ? j.catch_up_limit : 1000;
        const DuePlan plan = plan_due(j.schedule, zone, j.last, now, policy, limit, kGraceSeconds);
        record_instants(spi, j, plan);
        int64_t latest = j.last;
        if (!plan.run.empty()) {
          latest = std::max(latest, plan.run.back());
        }
        if (!plan.skipped_latest.empty()) {
          latest = std::max(latest, plan.skipped_latest.back());
        }
        j.last = latest;
        j.next = plan.next;
      }
    });
  }
  std::optional<int64_t> earliest;
  for (JobState& j : jobs) {
    if (j.first_pass && (!j.next || *j.next > now)) {
      j.first_pass = false;
    }
    if (j.next && (!earliest || *j.next < *earliest)) {
      earliest = j.next;
    }
  }
  return earliest;
}

struct Pending {
  int64 run;
  int64 job;
  TimestampTz due;
};

struct StartPass {
  TimestampTz next_due = 0; // the earliest pending run not yet due (a retry); 0: none
  bool waiting = false;     // runs are due but no run slot is free
  bool any_unfinished = false;
};

// Starts the pending runs that are due, oldest first, one per job, within the cap.
StartPass start_pending() {
  StartPass pass;
  std::vector<Pending> pending;
  in_transaction("autoreport scheduler: looking for pending runs", [&] {
    pg::SpiConnection spi;
    const pg::SpiResult r = spi.execute(
        "SELECT DISTINCT ON (r.job) r.id, r.job, coalesce(r.not_before, r.scheduled_for), r.status = "
        "'running' "
        "FROM autoreport.job_run AS r JOIN autoreport.job AS j ON j.id = r.job "
        "WHERE r.status IN ('pending', 'running') AND (r.manual OR j.enabled OR r.status = 'running') "
        "ORDER BY r.job, r.status = 'pending', coalesce(r.not_before, r.scheduled_for), r.id",
        {}, true);
    for (uint64 i = 0; i < r.rows(); ++i) {
      pass.any_unfinished = true;
      if (r.boolean(i, 3).value_or(true)) {
        continue; // a job's running run sorts first: its next run waits for it
      }
      bool is_null = false;
      const TimestampTz due = DatumGetTimestampTz(r.datum(i, 2, &is_null));
      pending.push_back({*r.integer(i, 0), *r.integer(i, 1), due});
    }
  });
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    return a.due != b.due ? a.due < b.due : a.run < b.run;
  });
  const TimestampTz now = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kLeadMs);
  TimestampTz waiting_due = 0;
  for (const Pending& p : pending) {
    if (p.due > now) {
      pass.next_due = pass.next_due == 0 ? p.due : std::min(pass.next_due, p.due);
      continue;
    }
    int slot = -1;
    {
      SchedulesLock lock;
      DatabaseSlot* me = my_slot();
      if (me == nullptr) {
        break;
      }
      if (run_in_flight(g_database, p.run) || job_in_flight(g_database, p.job)) {
        continue; // its worker is starting, or a worker went on with it
      }
      me->waiting_due = 0;
      slot = claim_run_slot(*me, p.run, p.job, p.due);
      if (slot < 0) {
        waiting_due = me->waiting_due;
      }
    }
    if (slot < 0) {
      pass.waiting = true;
      break;
    }
    const RunArgs args{p.run, slot, p.due};
    char name[BGW_MAXLEN];
    snprintf(name, sizeof name, "autoreport run %lld of job %lld", static_cast<long long>(p.run),
             static_cast<long long>(p.job));
    if (!start_worker("autoreport_run_main", name, "autoreport job run", g_database, &args, sizeof args)) {
      {
        SchedulesLock lock;
        release_run_slot(slot);
      }
      pg::guard([] {
        ereport(WARNING, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                          errmsg("could not start an autoreport job run: no background worker slot is free"),
                          errdetail("max_worker_processes is %d.", max_worker_processes),
                          errhint("The run stays pending and starts when a slot frees; raise "
                                  "max_worker_processes above autoreport.max_running_jobs.")));
      });
      pass.waiting = true;
      break;
    }
  }
  {
    SchedulesLock lock;
    if (DatabaseSlot* me = my_slot()) {
      me->waiting_due = pass.waiting ? waiting_due : 0;
    }
  }
  return pass;
}

// Frees the run slots of this database whose worker never came up.
void free_unstarted_slots() {
  SchedulesLock lock;
  const TimestampTz now = GetCurrentTimestamp();
  for (int i = 0; i < kMaxRunSlots; ++i) {
    const RunSlot& r = shared()->runs[i];
    if (r.database == g_database && r.pid == 0 &&
        TimestampDifferenceExceeds(r.claimed_at, now, kUnstartedRunMs)) {
      release_run_slot(i);
    }
  }
}

// Deletes expired outputs and old finished runs, a batch per transaction; returns when the next output
// or run expires (at most an hour ahead), when the purge should look again.
TimestampTz purge() {
  const std::string history = std::to_string(g_run_history_keep) + " minutes";
  const std::array<pg::SpiParam, 1> args = {text_param(history)};
  for (int batch = 0; batch < kPurgeBatchesPerPass; ++batch) {
    uint64 deleted = 0;
    in_transaction("autoreport scheduler: purging expired outputs and history", [&] {
      pg::SpiConnection spi;
      deleted += spi.execute("DELETE FROM autoreport.output WHERE id IN (SELECT id FROM autoreport.output "
                             "WHERE expires_at < pg_catalog.now() ORDER BY expires_at LIMIT " +
                                 std::to_string(kPurgeBatch) + ")",
                             {}, false)
                     .processed();
      deleted += spi.execute("DELETE FROM autoreport.job_run WHERE id IN (SELECT id FROM autoreport.job_run "
                             "WHERE finished_at < pg_catalog.now() - $1::interval "
                             "AND status NOT IN ('pending', 'running') ORDER BY finished_at LIMIT " +
                                 std::to_string(kPurgeBatch) + ")",
                             args, false)
                     .processed();
    });
    if (deleted < static_cast<uint64>(kPurgeBatch)) {
      break;
    }
    worker_loop_top();
    if (ShutdownRequestPending) {
      break;
    }
  }
  TimestampTz next = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kPurgeAtMostMs);
  in_transaction("autoreport scheduler: planning the next purge", [&] {
    pg::SpiConnection spi;
    const pg::SpiResult r = spi.execute("SELECT least((SELECT min(expires_at) FROM autoreport.output), "
                                        "(SELECT min(finished_at) FROM autoreport.job_run) + $1::interval)",
                                        args, true);
    bool is_null = false;
    const Datum d = r.datum(0, 0, &is_null);
    if (!is_null) {
      next = std::min(next, TimestampTzPlusMilliseconds(DatumGetTimestampTz(d), 1000));
    }
  });
  return next;
}

void run_scheduler() {
  pg::guard([] { before_shmem_exit(on_scheduler_exit, Datum(0)); });
  if (shared() == nullptr || !attach()) {
    return;
  }
  pg::guard([] { BackgroundWorkerInitializeConnectionByOid(g_database, InvalidOid, 0); });
  pg::apply_worker_settings("autoreport scheduler");
  if (!extension_installed()) {
    g_exit_state = SchedulerState::absent;
    return;
  }
  if (!lock_database()) {
    g_exit_state = SchedulerState::idle;
    return; // another scheduler has the database
  }
  pg::ScopedMemoryContext loop_memory("autoreport scheduler");
  (void)take_kick();
  mark_interrupted();
  std::vector<JobState> jobs = load_jobs();
  TimestampTz next_purge = 0;
  TimestampTz idle_since = 0;
  int runs_seen = -1;
  for (;;) {
    worker_loop_top();
    if (ShutdownRequestPending) {
      return;
    }
    if (take_kick()) {
      std::map<int64, bool> first;
      for (const JobState& j : jobs) {
        first[j.id] = j.first_pass;
      }
      jobs = load_jobs();
      for (JobState& j : jobs) {
        // A job already known keeps its policy state; a new or changed one starts from its change.
        const auto it = first.find(j.id);
        j.first_pass = it == first.end() ? false : it->second;
      }
    }
    const int runs_now = runs_of_database(g_database);
    if (runs_seen >= 0 && runs_now < runs_seen) {
      mark_interrupted(); // a run ended: did it finish its row?
      next_purge = 0;     // and its output expires some day
    }
    free_unstarted_slots();
    std::optional<int64_t> next;
    StartPass pass;
    ExtraPass extra;
    try {
      next = record_due(jobs);
      pass = start_pending();
      if (extra_pass() != nullptr) {
        extra = extra_pass()();
      }
    } catch (const Error& e) {
      // A pass that failed (a job removed under it, a lock timeout) is logged and tried again soon;
      // the transaction was rolled back, so nothing of it was recorded.
      const std::string message = e.message();
      pg::guard([&] {
        ereport(WARNING,
                (errmsg("autoreport scheduler: %s", message.c_str()),
                 errdetail("SQLSTATE %s. The scheduler reads its jobs again and retries in a second.",
                           e.sqlstate().c_str())));
      });
      (void)take_kick();
      jobs = load_jobs();
      wait_latch(1000);
      continue;
    }
    runs_seen = runs_of_database(g_database);
    TimestampTz now = GetCurrentTimestamp();
    if (next_purge <= now) {
      next_purge = purge();
      now = GetCurrentTimestamp();
    }
    // Nothing to schedule and nothing unfinished: the scheduler ends (the launcher starts it again
    // when a job is scheduled, resumed or run).
    if (jobs.empty() && !pass.any_unfinished && runs_seen == 0 && !extra.active) {
      idle_since = idle_since == 0 ? now : idle_since;
      if (TimestampDifferenceExceeds(idle_since, now, kIdleLingerMs)) {
        g_exit_state = SchedulerState::idle;
        return;
      }
    } else {
      idle_since = 0;
    }
    long wait_ms = kMaxSleepMs;
    if (next) {
      const TimestampTz at =
          TimestampTzPlusMilliseconds(pg::from_unix_seconds(*next).value_or(DT_NOEND), -kLeadMs);
      wait_ms = std::min(wait_ms, TimestampDifferenceMilliseconds(now, at));
      if (at <= now) {
        wait_ms = 0;
      }
    }
    if (pass.next_due != 0) {
      wait_ms = std::min(wait_ms, TimestampDifferenceMilliseconds(
                                      now, TimestampTzPlusMilliseconds(pass.next_due, -kLeadMs)));
    }
    if (extra.next_due != 0) {
      wait_ms = std::min(wait_ms, std::max(0L, TimestampDifferenceMilliseconds(now, extra.next_due)));
    }
    if (idle_since != 0) {
      wait_ms = std::min(wait_ms, kIdleLingerMs);
    }
    wait_ms = std::min(wait_ms, std::max(1L, TimestampDifferenceMilliseconds(now, next_purge)));
    if (wait_ms > 0) {
      wait_latch(wait_ms);
    }
  }
}

} // namespace

} // namespace autoreport::schedules

// A database's scheduler's entry point: the database in main_arg, the slot's generation in bgw_extra.
void autoreport_scheduler_main(Datum main_arg) {
  pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  autoreport::schedules::g_database = DatumGetObjectId(main_arg);
  std::memcpy(&autoreport::schedules::g_generation, MyBgworkerEntry->bgw_extra,
              sizeof autoreport::schedules::g_generation);
  autoreport::pg::enter([] { autoreport::schedules::run_scheduler(); });
  proc_exit(0);
}
