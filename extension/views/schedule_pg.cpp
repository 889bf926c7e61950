// Managed views that refresh themselves: on a cron schedule, or `on change` (shortly after the first
// change not yet applied commits). Each database's scheduler (schedules/scheduler_pg.cpp) calls pass()
// after its jobs; a due view is refreshed by a background worker of its own, one at a time in each
// database (refresh_view() refreshes the views it reads first), which calls autoreport.refresh_view():
// the catalog is written as the extension's owner and the view's statements run as the view's owner.
#include "views/schedule_pg.hpp"

#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "common/time_zone_pg.hpp"
#include "schedules/cron.hpp"
#include "schedules/shared_pg.hpp"
#include "schedules/worker_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
}

#include <array>
#include <cstring>
#include <optional>
#include <vector>

extern "C" {
AUTOREPORT_EXPORT void autoreport_view_refresh_main(Datum);
}

namespace autoreport::views {

namespace {

namespace pg = autoreport::pg;

// An on-change view is refreshed this long after its oldest change not applied was captured, so that
// a burst of commits is applied at once.
constexpr long kDebounceMs = 1000;
// A refresh that failed is not tried again sooner than this.
constexpr long kRetryMs = 10 * 1000;

// The refresh worker this scheduler process started, while it runs.
struct Running {
  int64_t view;
  BackgroundWorkerHandle* handle;
};
std::optional<Running> g_running;

bool refresh_running() {
  if (!g_running) {
    return false;
  }
  pid_t pid = 0;
  const BgwHandleStatus status = pg::guard([&] { return GetBackgroundWorkerPid(g_running->handle, &pid); });
  if (status == BGWH_STOPPED || status == BGWH_POSTMASTER_DIED) {
    pg::guard([&] { pfree(g_running->handle); });
    g_running.reset();
    return false;
  }
  return true;
}

struct Scheduled {
  int64_t id;
  TimestampTz due; // 0: nothing due (an on-change view with no change pending)
};

std::vector<Scheduled> scheduled_views(TimestampTz now) {
  std::vector<Scheduled> out;
  schedules::in_transaction("autoreport scheduler: managed views", [&] {
    pg::SpiConnection spi;
    if (*spi.execute("SELECT pg_catalog.to_regclass('autoreport.managed_view') IS NULL", {}, true)
             .boolean(0, 0)) {
      return;
    }
    const pg::SpiResult r = spi.execute(
        "SELECT v.id, v.schedule, v.time_zone, "
        "extract(epoch FROM GREATEST(v.last_refresh_at, v.created_at))::float8, "
        "extract(epoch FROM v.last_error_at)::float8, "
        "(p.x ->> 'total')::bigint, (p.x ->> 'lag_seconds')::float8, coalesce((p.x ->> 'crashed')::boolean, "
        "false) "
        "FROM autoreport.managed_view AS v CROSS JOIN LATERAL (SELECT CASE WHEN v.schedule = 'on change' "
        "THEN autoreport.pending_changes(v.id) END AS x) AS p "
        "WHERE v.schedule IS NOT NULL AND v.broken IS NULL ORDER BY v.id",
        {}, true);
    for (uint64_t i = 0; i < r.rows(); ++i) {
      Scheduled s{*r.integer(i, 0), 0};
      const std::string schedule = *r.text(i, 1);
      const double last = r.number(i, 3).value_or(0);
      if (schedule == "on change") {
        const int64_t pending = r.integer(i, 5).value_or(0);
        if (pending > 0 || r.boolean(i, 7).value_or(false)) {
          const double lag_ms = r.number(i, 6).value_or(0) * 1000;
          s.due = TimestampTzPlusMilliseconds(now, std::max(0L, kDebounceMs - static_cast<long>(lag_ms)));
        }
      } else {
        try {
          const schedules::CronSchedule cron = schedules::parse_schedule(schedule);
          const pg::NamedZone zone = pg::find_zone(r.text(i, 2).value_or("UTC"));
          const pg::PgZone tz(zone.tz);
          const std::optional<int64_t> next = schedules::next_run(cron, static_cast<int64_t>(last), tz);
          if (next) {
            s.due = pg::from_unix_seconds(*next).value_or(0);
          }
        } catch (const Error&) {
          continue; // checked at definition; a zone gone from the tz database since leaves it unscheduled
        }
      }
      // After a failure, wait before trying again.
      if (s.due != 0 && r.number(i, 4)) {
        const TimestampTz failed = pg::from_unix_seconds(static_cast<int64_t>(*r.number(i, 4))).value_or(0);
        s.due = std::max(s.due, TimestampTzPlusMilliseconds(failed, kRetryMs));
      }
      out.push_back(s);
    }
  });
  return out;
}

schedules::ExtraPass pass() {
  schedules::ExtraPass out;
  const TimestampTz now = GetCurrentTimestamp();
  const std::vector<Scheduled> views = scheduled_views(now);
  out.active = !views.empty();
  if (refresh_running()) {
    return out; // its end wakes the scheduler (it notifies this process)
  }
  const Scheduled* first = nullptr;
  for (const Scheduled& s : views) {
    if (s.due != 0 && (first == nullptr || s.due < first->due)) {
      first = &s;
    }
  }
  if (first == nullptr) {
    return out;
  }
  if (first->due > now) {
    out.next_due = first->due;
    return out;
  }
  char name[BGW_MAXLEN];
  snprintf(name, sizeof name, "autoreport refresh of managed view %lld", static_cast<long long>(first->id));
  BackgroundWorkerHandle* handle =
      schedules::start_worker_followed("autoreport_view_refresh_main", name, "autoreport view refresh",
                                       MyDatabaseId, &first->id, sizeof first->id);
  if (handle == nullptr) {
    out.next_due = TimestampTzPlusMilliseconds(now, kRetryMs); // no worker slot free: try again later
    return out;
  }
  g_running = Running{first->id, handle};
  return out;
}

void refresh_one(int64_t view) {
  try {
    schedules::in_transaction("autoreport view refresh", [&] {
      pg::SpiConnection spi;
      const std::array<pg::SpiParam, 1> p = {pg::int8_param(view)};
      spi.execute("SELECT autoreport.refresh_view(v.relid::regclass::text) FROM autoreport.managed_view AS v "
                  "WHERE v.id = $1",
                  p, false);
    });
  } catch (const Error& e) {
    const std::string message = e.message();
    pg::guard([&] {
      ereport(WARNING, (errmsg("autoreport: the scheduled refresh of managed view %lld failed: %s",
                               static_cast<long long>(view), message.c_str())));
    });
    schedules::in_transaction("autoreport view refresh: recording a failure", [&] {
      pg::SpiConnection spi;
      const std::array<pg::SpiParam, 2> p = {pg::int8_param(view), pg::text_param(message)};
      spi.execute("UPDATE autoreport.managed_view SET last_error = $2, last_error_at = pg_catalog.now() "
                  "WHERE id = $1",
                  p, false);
    });
  }
}

} // namespace

void init_schedules() {
  schedules::set_extra_pass(&pass);
}

} // namespace autoreport::views

// A scheduled refresh: the database in main_arg, the view's id in bgw_extra.
void autoreport_view_refresh_main(Datum main_arg) {
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  int64_t view = 0;
  std::memcpy(&view, MyBgworkerEntry->bgw_extra, sizeof view);
  autoreport::pg::enter([&] {
    autoreport::pg::guard(
        [&] { BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(main_arg), InvalidOid, 0); });
    autoreport::pg::apply_worker_settings("autoreport view refresh");
    const std::string app = "autoreport refresh " + std::to_string(view);
    autoreport::pg::guard([&] {
      SetConfigOption("application_name", app.c_str(), PGC_SUSET, PGC_S_OVERRIDE);
      pgstat_report_appname(app.c_str());
    });
    autoreport::views::refresh_one(view);
  });
  proc_exit(0);
}
