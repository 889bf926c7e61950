// autoreport.render() and autoreport.render_chunks(): a report's result as a file's bytes.
#include "audit/audit_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/runtime.hpp"
#include "common/time_zone_pg.hpp"
#include "render/locale.hpp"
#include "render/presentation.hpp"
#include "render/cells_pg.hpp"
#include "render/renderers.hpp"
#include "render/temp_file.hpp"
#include "reports/execute_pg.hpp"
#include "reports/render_pg.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_tablespace_d.h"
#include "catalog/pg_type.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "utils/guc.h"
#include "utils/memutils.h"
}

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <memory>
#include <optional>
#include <unistd.h>

using namespace autoreport;
using namespace autoreport::reports;
namespace pg = autoreport::pg;
namespace render = autoreport::render;

namespace {

// The largest bytea PostgreSQL can hold, in kB: the default and the ceiling of autoreport.render_max_size.
constexpr int kMaxByteaKb = static_cast<int>((MaxAllocSize - VARHDRSZ) / 1024);
int g_render_max_kb = kMaxByteaKb;

size_t max_render_bytes() {
  return static_cast<size_t>(g_render_max_kb) * 1024;
}
constexpr int64 kDefaultChunk = 1024 * 1024;

Datum to_bytea(std::string_view bytes) {
  return pg::guard([&] {
    bytea* b = static_cast<bytea*>(palloc(bytes.size() + VARHDRSZ));
    SET_VARSIZE(b, bytes.size() + VARHDRSZ);
    memcpy(VARDATA(b), bytes.data(), bytes.size());
    return PointerGetDatum(b);
  });
}

// Sends bytes on as rows of bytea of about chunk_size each.
class ChunkOutput : public render::Output {
public:
  ChunkOutput(pg::TupleSink& sink, size_t chunk_size) : sink_(sink), chunk_size_(chunk_size) {}
  void write(std::string_view bytes) override {
    total_ += bytes.size();
    buffer_.append(bytes);
    while (buffer_.size() >= chunk_size_) {
      emit(std::string_view(buffer_).substr(0, chunk_size_));
      buffer_.erase(0, chunk_size_);
    }
  }
  void flush() {
    if (!buffer_.empty()) {
      emit(buffer_);
      buffer_.clear();
    }
  }

private:
  void emit(std::string_view chunk) {
    const std::array<Datum, 1> values = {to_bytea(chunk)};
    const std::array<bool, 1> nulls = {false};
    sink_.put(values, nulls); // the tuplestore keeps a copy (spilling to disk beyond work_mem)
    pfree(DatumGetPointer(values[0]));
  }
  pg::TupleSink& sink_;
  size_t chunk_size_;
  std::string buffer_;
  size_t total_ = 0;

public:
  size_t total() const noexcept { return total_; }
};

// Writes straight into a growing bytea, so the result is never held twice; refuses to grow past
// what a bytea can hold.
class ByteaOutput : public render::Output {
public:
  ByteaOutput() {
    capacity_ = 64 * 1024;
    data_ = static_cast<char*>(pg::guard([this] { return palloc(capacity_ + VARHDRSZ); }));
  }
  void write(std::string_view bytes) override {
    const size_t limit = max_render_bytes();
    if (bytes.size() > limit - std::min(limit, size_)) {
      throw Error(sqlstate::program_limit_exceeded, "rendered result exceeds the bytea limit");
    }
    if (size_ + bytes.size() > capacity_) {
      size_t grown = capacity_;
      while (grown < size_ + bytes.size()) {
        grown = std::min(limit, grown * 2);
      }
      data_ = static_cast<char*>(pg::guard([&] { return repalloc(data_, grown + VARHDRSZ); }));
      capacity_ = grown;
    }
    memcpy(data_ + VARHDRSZ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
  }
  Datum finish() {
    SET_VARSIZE(data_, size_ + VARHDRSZ);
    return PointerGetDatum(data_);
  }

private:
  char* data_;
  size_t size_ = 0;
  size_t capacity_;
};

// The temporary directories this backend put render files in (the last few), for remove_leftovers().
constexpr size_t kDirBytes = 2 * MAXPGPATH; // the data directory, then a tablespace's temporary path
std::array<std::array<char, kDirBytes>, 4> g_temp_dirs{};

// At exit, also a FATAL one that skips C++ unwinding (pg_terminate_backend during a render): removes
// this backend's render files. A crash leaves them to the server's restart, which empties pgsql_tmp.
void remove_leftovers(int, Datum) {
  char prefix[64];
  snprintf(prefix, sizeof prefix, "%s%d.autoreport-", PG_TEMP_FILE_PREFIX, MyProcPid);
  for (const auto& dir : g_temp_dirs) {
    if (dir[0] == '\0') {
      continue;
    }
    DIR* d = opendir(dir.data());
    if (d == nullptr) {
      continue;
    }
    while (const struct dirent* e = readdir(d)) {
      if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
        char path[kDirBytes + 512];
        snprintf(path, sizeof path, "%s/%s", dir.data(), e->d_name);
        (void)unlink(path);
      }
    }
    closedir(d);
  }
}

// Where a render's temporary files go: PostgreSQL's own temporary directory (temp_tablespaces, else
// the database's), named as PostgreSQL names its temporary files so that a restart removes what a
// crash left there, and limited by temp_file_limit.
render::TempSpace postgres_temp_space() {
  struct Found {
    char dir[kDirBytes];
  };
  const Found found = pg::guard([] {
    PrepareTempTablespaces();
    Oid space = GetNextTempTableSpace();
    if (!OidIsValid(space)) {
      space = OidIsValid(MyDatabaseTableSpace) ? MyDatabaseTableSpace : DEFAULTTABLESPACE_OID;
    }
    char relative[MAXPGPATH];
    TempTablespacePath(relative, space);
    Found f;
    snprintf(f.dir, sizeof f.dir, "%s/%s", DataDir, relative);
    if (MakePGDirectory(f.dir) < 0 && errno != EEXIST) {
      ereport(ERROR, (errcode_for_file_access(), errmsg("could not create directory \"%s\": %m", f.dir)));
    }
    return f;
  });
  static bool registered = false;
  bool known = false;
  for (const auto& dir : g_temp_dirs) {
    known = known || strcmp(dir.data(), found.dir) == 0;
  }
  if (!known) {
    std::rotate(g_temp_dirs.rbegin(), g_temp_dirs.rbegin() + 1, g_temp_dirs.rend());
    strlcpy(g_temp_dirs[0].data(), found.dir, kDirBytes);
  }
  if (!registered) {
    pg::guard([] { on_proc_exit(remove_leftovers, Datum(0)); });
    registered = true;
  }
  render::TempSpace space;
  space.dir = found.dir;
  space.name_prefix = std::string(PG_TEMP_FILE_PREFIX) + std::to_string(MyProcPid) + ".";
  space.limit_kb = temp_file_limit;
  return space;
}

struct RenderRequest {
  ReportVersion report;
  BoundParams params;
  std::string format;
  render::Options options;
};

// Reads a request, moving the audit record to RunStage::admitted once the caller may run the report.
RenderRequest make_request(const std::string& name, const std::string& params_json, const std::string& format,
                           const std::string& options_json, audit::RunRecord& rec) {
  RenderRequest r{load_report_locked(name), {}, format, {}};
  check_may_run(r.report);
  rec.version = r.report.version;
  rec.stage = audit::RunStage::admitted;
  r.params = bind_json(r.report, params_json);
  render::mime_type(r.format); // an unknown format fails here, before the query runs
  r.options = render::Options::parse(options_json);
  return r;
}

// Reads the call's arguments (name, params, format, options).
RenderRequest read_request(FunctionCallInfo fcinfo, audit::RunRecord& rec) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(2)) {
    throw Error(sqlstate::invalid_parameter_value, "report name and format must not be null");
  }
  return make_request(pg::text_to_string(PG_GETARG_DATUM(0)),
                      PG_ARGISNULL(1) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(1)),
                      pg::text_to_string(PG_GETARG_DATUM(2)),
                      PG_ARGISNULL(3) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(3)), rec);
}

// Whether the renderer reads Cell::number of numeric columns: charts (svg, png, pdf and html's chart)
// and spreadsheets do; text formats do not, and converting numeric to double costs.
bool needs_numbers(const RenderRequest& req) {
  return req.format == "xlsx" || req.format == "svg" || req.format == "png" || req.format == "pdf" ||
         req.options.has("chart");
}

// Runs the report and streams its rows through the renderer for the request's format (and to `also`,
// when given).
RunOutcome render_report(const RenderRequest& req, render::Output& out, const RowsFn* also = nullptr) {
  std::optional<render::TempSpaceScope> space;
  if (req.format == "xlsx") {
    space.emplace(postgres_temp_space());
  }
  std::unique_ptr<render::Renderer> renderer = render::make_renderer(req.format, req.options, out);
  ProgressScope progress("render " + req.format, req.report.name);
  std::unique_ptr<render::CellConverter> converter;
  render::TableInfo info;
  info.title = req.report.name;
  info.description = req.report.description;
  info.parameters = req.params.display;
  // Option "time_zone" (any format): an IANA zone for timestamptz values, default the session's TimeZone.
  const pg::NamedZone zone = req.options.has("time_zone") ? pg::find_zone(req.options.text("time_zone", ""))
                                                          : pg::session_zone(false);
  info.time_zone = zone.name;
  info.generated_at = render::iso_timestamptz(GetCurrentTransactionStartTimestamp(), zone.tz);
  // The locale human formats use when the render names none: the session's lc_numeric, if known.
  const char* numeric_locale = pg::guard([] { return GetConfigOption("lc_numeric", false, false); });
  if (const render::Locale* l = render::locale_from_posix(numeric_locale != nullptr ? numeric_locale : "")) {
    info.locale = std::string(l->tag);
  }
  // The columns as the report presents them (define_report's `columns`), matched by position.
  const auto present = [&](std::vector<render::Column>& columns) {
    for (size_t i = 0; i < columns.size() && i < req.report.columns.size(); ++i) {
      render::apply_presentation(columns[i], req.report.columns[i].presentation);
    }
  };
  uint64 rows = 0;
  const RunOutcome outcome =
      produce_rows(req.report, req.params, [&](TupleDesc desc, std::span<HeapTuple> batch) {
        if (!converter) {
          converter = std::make_unique<render::CellConverter>(desc, needs_numbers(req), zone.tz);
          info.columns = converter->columns();
          present(info.columns);
          renderer->begin(info);
        }
        for (HeapTuple t : batch) {
          renderer->row(converter->convert(t, desc));
          check_interrupts();
        }
        if (also != nullptr) {
          (*also)(desc, batch);
        }
        rows += batch.size();
        progress.set(static_cast<int64_t>(rows));
      });
  if (!converter) {
    // No rows: the columns come from the report's definition.
    for (const ResultColumn& c : req.report.columns) {
      render::Column col;
      col.name = c.name;
      col.type_name = c.type_name;
      col.kind = render::kind_for_type(c.type);
      info.columns.push_back(col);
    }
    present(info.columns);
    renderer->begin(info);
  }
  renderer->end();
  return outcome;
}

} // namespace

namespace autoreport::reports {
// Defines autoreport.render_max_size (called from _PG_init).
void render_init() {
  pg::guard([] {
    DefineCustomIntVariable(
        "autoreport.render_max_size",
        "Largest result autoreport.render() builds in memory; render_chunks() has no limit.",
        "Only a superuser may change it: it bounds the memory any role's render may take.", &g_render_max_kb,
        kMaxByteaKb, 1, kMaxByteaKb, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
  });
}
} // namespace autoreport::reports

namespace {
// The rendered bytes as one bytea; the audit record gets the rows and bytes.
Datum render_bytea(const RenderRequest& req, audit::RunRecord& rec, const RowsFn* also) {
  rec.params_json = req.params.json;
  rec.stage = audit::RunStage::reading;
  ByteaOutput out;
  try {
    const RunOutcome outcome = render_report(req, out, also);
    rec.rows = static_cast<int64_t>(outcome.rows);
    rec.cache_hit = outcome.cache_hit;
  } catch (const Error& e) {
    if (e.sqlstate() != sqlstate::program_limit_exceeded) {
      throw;
    }
    const bool at_ceiling = g_render_max_kb >= kMaxByteaKb;
    throw Error(sqlstate::program_limit_exceeded,
                "rendered report \"" + req.report.name + "\" is larger than " +
                    (at_ceiling ? std::string("a bytea can hold (1 GB)")
                                : "autoreport.render_max_size (" + std::to_string(g_render_max_kb) + " kB)"))
        .with_hint("Use autoreport.render_chunks(), which returns the same bytes as a set of smaller bytea.");
  }
  const Datum result = out.finish();
  rec.bytes = static_cast<int64_t>(VARSIZE(DatumGetPointer(result)) - VARHDRSZ);
  return result;
}
} // namespace

namespace autoreport::reports {
JobRender render_for_job(const std::string& report, const std::string& params_json, const std::string& format,
                         const std::string& options_json, const RowsFn& also) {
  audit::RunRecord rec;
  rec.report = report;
  rec.params_json = params_json;
  rec.format = format;
  JobRender out;
  audit::audited(rec, [&] {
    const RenderRequest req = make_request(report, params_json, format, options_json, rec);
    out.bytes = render_bytea(req, rec, &also);
    out.rows = rec.rows;
    out.columns = req.report.columns;
  });
  return out;
}
} // namespace autoreport::reports

// autoreport.render(name, params, format, options) → bytea.
AUTOREPORT_FUNCTION(autoreport_render) {
  audit::RunRecord rec;
  rec.report = PG_ARGISNULL(0) ? "" : pg::text_to_string(PG_GETARG_DATUM(0));
  rec.params_json = PG_ARGISNULL(1) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(1));
  rec.format = PG_ARGISNULL(2) ? "" : pg::text_to_string(PG_GETARG_DATUM(2));
  Datum result = Datum(0);
  audit::audited(rec, [&] { result = render_bytea(read_request(fcinfo, rec), rec, nullptr); });
  return result;
}

// autoreport.render_chunks(name, params, format, options, chunk_size) → SETOF bytea, in order.
AUTOREPORT_FUNCTION(autoreport_render_chunks) {
  audit::RunRecord rec;
  rec.report = PG_ARGISNULL(0) ? "" : pg::text_to_string(PG_GETARG_DATUM(0));
  rec.params_json = PG_ARGISNULL(1) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(1));
  rec.format = PG_ARGISNULL(2) ? "" : pg::text_to_string(PG_GETARG_DATUM(2));
  audit::audited(rec, [&] {
    const RenderRequest req = read_request(fcinfo, rec);
    rec.params_json = req.params.json;
    const int64 chunk = PG_ARGISNULL(4) ? kDefaultChunk : PG_GETARG_INT64(4);
    if (chunk < 1024 || chunk > 256 * 1024 * 1024) {
      throw Error(sqlstate::invalid_parameter_value, "chunk_size must be between 1024 and 268435456 bytes")
          .with_detail("It was " + std::to_string(chunk) + ".");
    }
    rec.stage = audit::RunStage::reading;
    pg::TupleSink sink(fcinfo, true);
    ChunkOutput out(sink, static_cast<size_t>(chunk));
    const RunOutcome outcome = render_report(req, out);
    out.flush();
    rec.rows = static_cast<int64_t>(outcome.rows);
    rec.cache_hit = outcome.cache_hit;
    rec.bytes = static_cast<int64_t>(out.total());
  });
  return Datum(0);
}
