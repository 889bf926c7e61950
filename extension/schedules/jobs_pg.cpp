// Defining and managing jobs: schedule(), unschedule(), pause(), resume(), run_now(), the output grants,
// output(id) and scheduler_status(). Every check runs as the caller; the catalog is written as the
// extension's owner afterwards (reports::AsExtensionOwner), as define_report() does.
// nlohmann/json before PostgreSQL's headers, which redefine snprintf.
#include "schedules/job_options.hpp"
#include "reports/exact_json.hpp"

#include "common/calendar.hpp"
#include "common/convert_pg.hpp"
#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "common/time_zone_pg.hpp"
#include "render/renderers.hpp"
#include "reports/binding_pg.hpp"
#include "schedules/alert_pg.hpp"
#include "schedules/cron.hpp"
#include "schedules/params_pg.hpp"
#include "schedules/shared_pg.hpp"

extern "C" {
#include "commands/trigger.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "utils/timestamp.h"
}

#include <array>
#include <optional>
#include <vector>

using namespace autoreport;
using namespace autoreport::schedules;
namespace pg = autoreport::pg;

namespace {

using pg::int8_param;
using pg::text_param;

std::string role_name(Oid role) {
  return pg::guard([&] { return GetUserNameFromId(role, false); });
}

bool has_privs(Oid member, Oid role) {
  return pg::guard([&] { return has_privs_of_role(member, role); });
}

// Tells this database's scheduler, at commit, that its jobs changed; warns when nothing will run them.
void warn_unless_preloaded(const std::string& job) {
  wake_scheduler_at_commit();
  if (pg::preloaded()) {
    return;
  }
  pg::guard([&] {
    ereport(WARNING, (errmsg("job \"%s\" will not run until autoreport is preloaded", job.c_str()),
                      errhint("Add autoreport to shared_preload_libraries and restart the server.")));
  });
}

// Serialises the definition of one job name across sessions until the end of the transaction.
void lock_job_name(pg::SpiConnection& spi, const std::string& name) {
  const std::array<pg::SpiParam, 1> args = {text_param(name)};
  spi.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('autoreport.job'), "
              "pg_catalog.hashtext($1))",
              args, false);
}

struct Job {
  int64 id;
  Oid owner;
};

// The job called `name`, row-locked, read as the extension's owner (call within AsExtensionOwner).
std::optional<Job> find_job(pg::SpiConnection& spi, const std::string& name) {
  const std::array<pg::SpiParam, 1> args = {text_param(name)};
  const pg::SpiResult r = spi.execute(
      "SELECT id, owner::oid::bigint FROM autoreport.job WHERE name = $1 FOR UPDATE", args, false);
  if (r.rows() == 0) {
    return std::nullopt;
  }
  return Job{*r.integer(0, 0), static_cast<Oid>(*r.integer(0, 1))};
}

Error no_such_job(const std::string& name) {
  return Error(sqlstate::undefined_object, "job \"" + name + "\" does not exist");
}

// Runs change(spi, job) on job `name` as the extension's owner, once the caller is found to be its
// owner (or has their privileges), an administrator, or a superuser.
template <typename F> void change_job(const std::string& name, const char* verb, F&& change) {
  const Oid caller = GetUserId();
  reports::AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::optional<Job> job = find_job(spi, name);
  if (!job) {
    throw no_such_job(name);
  }
  if (!has_privs(caller, job->owner) && !reports::is_admin(caller)) {
    throw Error(sqlstate::insufficient_privilege,
                std::string("permission denied to ") + verb + " job \"" + name + "\"")
        .with_detail("Only the job's owner and members of autoreport_admin may change it.");
  }
  change(spi, *job);
}

// An interval option: PostgreSQL's own syntax, positive; returned as PostgreSQL prints it.
std::string check_interval(const char* option, const std::string& value) {
  // Stored in one spelling whatever the session's IntervalStyle ("00:01:30", "7 days").
  pg::SettingScope style("intervalstyle", "postgres");
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> args = {text_param(value)};
  std::optional<pg::SpiResult> r;
  try {
    pg::subtransaction([&] {
      r.emplace(
          spi.execute("SELECT i::text, i > interval '0' FROM (SELECT $1::interval) AS t(i)", args, true));
    });
  } catch (const Error& e) {
    throw Error(sqlstate::invalid_parameter_value,
                std::string("option \"") + option + "\" must be an interval")
        .with_detail(e.message());
  }
  if (!r->boolean(0, 1).value_or(false)) {
    throw Error(sqlstate::invalid_parameter_value, std::string("option \"") + option + "\" must be positive")
        .with_detail("It was " + value + ".");
  }
  return *r->text(0, 0);
}

void check_channel(const std::string& channel) {
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> args = {text_param(channel)};
  const pg::SpiResult r = spi.execute("SELECT autoreport.channel_name_valid($1)", args, true);
  if (!r.boolean(0, 0).value_or(false)) {
    throw Error(sqlstate::invalid_parameter_value, "option \"channel\" is not a channel name")
        .with_detail("It was \"" + channel + "\".")
        .with_hint("A channel name is 1 to 63 bytes of ASCII letters, digits, _ and -, in dot-separated "
                   "segments: \"sales.daily\".");
  }
}

} // namespace

// autoreport.schedule(name, cron, report, params, format, time_zone, options) → the job's id.
AUTOREPORT_FUNCTION(autoreport_schedule) {
  const std::string name = pg::text_arg(fcinfo, 0, "job name");
  const std::string cron = pg::text_arg(fcinfo, 1, "cron");
  const std::string report_name = pg::text_arg(fcinfo, 2, "report");
  const std::string format = pg::text_arg(fcinfo, 4, "format");
  const Oid caller = GetUserId();
  if (!reports::is_admin(caller)) {
    throw Error(sqlstate::insufficient_privilege, "permission denied to schedule job \"" + name + "\"")
        .with_detail("Scheduling reports needs membership in autoreport_admin.")
        .with_hint("GRANT autoreport_admin TO " + role_name(caller) + ";");
  }
  // Everything is checked before anything is written.
  check_job_name(name);
  (void)parse_schedule(cron);
  const pg::NamedZone zone =
      PG_ARGISNULL(5) ? pg::session_zone(true) : pg::find_zone(pg::text_to_string(PG_GETARG_DATUM(5)));
  (void)render::mime_type(format); // 22023 listing the formats
  JobOptions options =
      parse_job_options(PG_ARGISNULL(6) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(6)), format);
  if (options.timeout) {
    options.timeout = check_interval("timeout", *options.timeout);
  }
  if (options.keep) {
    options.keep = check_interval("keep", *options.keep);
  }
  check_channel(options.channel);
  const std::optional<reports::ReportVersion> report = reports::find_report(report_name);
  if (!report) {
    throw Error(sqlstate::invalid_parameter_value, "report \"" + report_name + "\" does not exist")
        .with_hint("See autoreport.reports for the reports you may run.");
  }
  reports::check_may_run(*report);
  nlohmann::json params =
      reports::parse_exact_json(PG_ARGISNULL(3) ? "{}" : pg::jsonb_to_string(PG_GETARG_DATUM(3)));
  const std::map<std::string, RelativeDate> relative = relative_params(params);
  const pg::PgZone tz(zone.tz);
  (void)reports::bind_json(*report,
                           resolved_params(*report, params, relative,
                                           pg::to_unix_seconds(GetCurrentTransactionStartTimestamp()), tz));
  std::optional<std::string> alert_scope;
  if (options.alert) {
    alert_scope = check_alert(*options.alert, report->columns);
  }

  reports::AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  lock_job_name(spi, name);
  const std::optional<Job> old = find_job(spi, name);
  // A job runs as its owner. Replacing someone else's job (an administrator may) makes it the
  // replacer's: it never runs a definition its owner did not write, and its output grants go.
  const std::vector<pg::SpiParam> args = {
      text_param(name),
      text_param(std::to_string(caller)),
      text_param(cron),
      text_param(zone.name),
      text_param(report_name),
      text_param(reports::dump_exact(params)),
      text_param(format),
      text_param(options.to_json().dump()),
      text_param(std::to_string(options.retries)),
      text_param(options.timeout),
      text_param(options.catch_up),
      text_param(options.catch_up_limit ? std::optional(std::to_string(*options.catch_up_limit))
                                        : std::nullopt),
      text_param(options.channel),
      text_param(options.keep),
      text_param(options.alert),
      text_param(alert_scope),
      text_param(options.enabled ? "true" : "false"),
  };
  const char* columns = "(name, owner, cron, time_zone, report, params, format, options, retries, timeout, "
                        "catch_up, catch_up_limit, channel, keep, alert, alert_scope, enabled)";
  const char* values =
      "($1, $2::oid::regrole, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9::integer, $10::interval, "
      "$11, $12::integer, $13, $14::interval, $15, $16, $17::boolean)";
  int64 id = 0;
  if (old) {
    if (!has_privs(caller, old->owner)) {
      const std::array<pg::SpiParam, 1> job = {int8_param(old->id)};
      spi.execute("DELETE FROM autoreport.output_grant WHERE job = $1", job, false);
      const std::string previous = role_name(old->owner);
      pg::guard([&] {
        ereport(NOTICE,
                (errmsg("job \"%s\" now belongs to %s", name.c_str(), role_name(caller).c_str()),
                 errdetail("It belonged to %s; the grants of its outputs were removed.", previous.c_str())));
      });
    }
    const pg::SpiResult r = spi.execute(std::string("UPDATE autoreport.job SET ") + columns + " = " + values +
                                            ", updated_at = pg_catalog.now() WHERE name = $1 RETURNING id",
                                        args, false);
    id = *r.integer(0, 0);
  } else {
    const pg::SpiResult r = spi.execute(std::string("INSERT INTO autoreport.job ") + columns + " VALUES " +
                                            values + " RETURNING id",
                                        args, false);
    id = *r.integer(0, 0);
  }
  warn_unless_preloaded(name);
  PG_RETURN_INT64(id);
}

// autoreport.wake_scheduler(): the statement trigger that wakes this database's scheduler at commit.
AUTOREPORT_FUNCTION(autoreport_wake_scheduler) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    throw Error("39P01", "wake_scheduler() must be called as a trigger");
  }
  wake_scheduler_at_commit();
  return PointerGetDatum(nullptr);
}

// autoreport.unschedule(name): the job, its runs and its outputs are removed.
AUTOREPORT_FUNCTION(autoreport_unschedule) {
  const std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  wake_scheduler_at_commit();
  change_job(name, "unschedule", [](pg::SpiConnection& spi, const Job& job) {
    const std::array<pg::SpiParam, 1> args = {int8_param(job.id)};
    spi.execute("DELETE FROM autoreport.job WHERE id = $1", args, false);
  });
  PG_RETURN_VOID();
}

namespace {
void set_enabled(const std::string& name, bool enabled) {
  wake_scheduler_at_commit();
  change_job(name, enabled ? "resume" : "pause", [&](pg::SpiConnection& spi, const Job& job) {
    const std::array<pg::SpiParam, 2> args = {int8_param(job.id),
                                              pg::SpiParam{BOOLOID, BoolGetDatum(enabled), false}};
    spi.execute("UPDATE autoreport.job SET enabled = $2, updated_at = pg_catalog.now(), "
                "options = options || pg_catalog.jsonb_build_object('enabled', $2) WHERE id = $1",
                args, false);
  });
}
} // namespace

// autoreport.pause(name)
AUTOREPORT_FUNCTION(autoreport_pause) {
  set_enabled(pg::text_to_string(PG_GETARG_DATUM(0)), false);
  PG_RETURN_VOID();
}

// autoreport.resume(name)
AUTOREPORT_FUNCTION(autoreport_resume) {
  set_enabled(pg::text_to_string(PG_GETARG_DATUM(0)), true);
  PG_RETURN_VOID();
}

// autoreport.run_now(name) → the id of a pending run scheduled for this instant.
AUTOREPORT_FUNCTION(autoreport_run_now) {
  const std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  int64 run = 0;
  change_job(name, "run", [&](pg::SpiConnection& spi, const Job& job) {
    const std::array<pg::SpiParam, 1> args = {int8_param(job.id)};
    const pg::SpiResult r = spi.execute("INSERT INTO autoreport.job_run (job, scheduled_for, manual) "
                                        "VALUES ($1, pg_catalog.clock_timestamp(), true) RETURNING id",
                                        args, false);
    run = *r.integer(0, 0);
  });
  warn_unless_preloaded(name);
  PG_RETURN_INT64(run);
}

namespace {
// Grants and revokes are for the job's owner (or a role with their privileges) and superusers: an
// administrator who may pause any job may not give themselves its outputs.
void change_grant(const std::string& name, Oid grantee, bool grant) {
  const Oid caller = GetUserId();
  reports::AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::optional<Job> job = find_job(spi, name);
  if (!job) {
    throw no_such_job(name);
  }
  if (!has_privs(caller, job->owner)) {
    throw Error(sqlstate::insufficient_privilege, std::string("permission denied to ") +
                                                      (grant ? "grant" : "revoke") +
                                                      " the outputs of job \"" + name + "\"")
        .with_detail("Only the job's owner may grant or revoke reading its outputs.");
  }
  const std::array<pg::SpiParam, 3> args = {int8_param(job->id),
                                            pg::SpiParam{OIDOID, ObjectIdGetDatum(grantee), false},
                                            pg::SpiParam{OIDOID, ObjectIdGetDatum(caller), false}};
  if (grant) {
    spi.execute("INSERT INTO autoreport.output_grant (job, grantee, granted_by) "
                "VALUES ($1, $2::regrole, $3::regrole) ON CONFLICT (job, grantee) DO NOTHING",
                args, false);
  } else {
    spi.execute("DELETE FROM autoreport.output_grant WHERE job = $1 AND grantee = $2::regrole",
                std::span<const pg::SpiParam>(args).first(2), false);
  }
}
} // namespace

// autoreport.grant_output(job, role)
AUTOREPORT_FUNCTION(autoreport_grant_output) {
  change_grant(pg::text_to_string(PG_GETARG_DATUM(0)), PG_GETARG_OID(1), true);
  PG_RETURN_VOID();
}

// autoreport.revoke_output(job, role)
AUTOREPORT_FUNCTION(autoreport_revoke_output) {
  change_grant(pg::text_to_string(PG_GETARG_DATUM(0)), PG_GETARG_OID(1), false);
  PG_RETURN_VOID();
}

// autoreport.output(id) → bytea: for the job's owner, the roles they granted its outputs, superusers.
// Administrators see that the output exists (autoreport.outputs) but may not read it.
AUTOREPORT_FUNCTION(autoreport_output) {
  const int64 id = PG_GETARG_INT64(0);
  const Oid caller = GetUserId();
  const Error missing(sqlstate::undefined_object, "output " + std::to_string(id) + " does not exist");
  reports::AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> args = {int8_param(id)};
  const pg::SpiResult who = spi.execute(
      "SELECT j.owner::oid::bigint, g.grantee::oid::bigint FROM autoreport.output AS o "
      "JOIN autoreport.job AS j ON j.id = o.job LEFT JOIN autoreport.output_grant AS g ON g.job = o.job "
      "WHERE o.id = $1",
      args, true);
  if (who.rows() == 0) {
    throw missing;
  }
  const Oid owner = static_cast<Oid>(*who.integer(0, 0));
  bool may_read = has_privs(caller, owner);
  for (uint64 row = 0; row < who.rows() && !may_read; ++row) {
    const std::optional<int64_t> grantee = who.integer(row, 1);
    may_read = grantee && has_privs(caller, static_cast<Oid>(*grantee));
  }
  if (!may_read) {
    if (reports::is_admin(caller)) {
      throw Error(sqlstate::insufficient_privilege, "permission denied for output " + std::to_string(id))
          .with_detail("Outputs are readable by the job's owner and the roles they granted them to.");
    }
    throw missing;
  }
  const pg::SpiResult content =
      spi.execute("SELECT content FROM autoreport.output WHERE id = $1", args, true);
  bool is_null = false;
  const Datum bytes = content.datum(0, 0, &is_null);
  PG_RETURN_DATUM(pg::SpiConnection::copy_out(bytes, is_null, BYTEAOID));
}

// autoreport.scheduler_status() → NULL when jobs can run in this database now, else why not.
AUTOREPORT_FUNCTION(autoreport_scheduler_status) {
  if (!pg::preloaded()) {
    return pg::string_to_text("library not preloaded");
  }
  if (pg::guard([] { return RecoveryInProgress(); })) {
    return pg::string_to_text("on a standby");
  }
  if (!launcher_running()) {
    return pg::string_to_text("launcher not running");
  }
  PG_RETURN_NULL();
}
