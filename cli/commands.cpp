// The client's commands (see commands.hpp).
#include "cli/commands.hpp"

#include "cli/output.hpp"
#include "cli/settings.hpp"
#include "cli/status.hpp"
#include "cli/table.hpp"

#include <cstdio>
#include <set>

namespace autoreport::cli {

namespace {

std::string text(const Result& r, int row, int col) {
  return PQgetisnull(r.get(), row, col) ? "" : PQgetvalue(r.get(), row, col);
}

void print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
}

// The report's array parameters, which take one --param NAME=VALUE per element. A report the caller
// cannot see has none here; render() then says what is wrong with it.
std::set<std::string> array_params(Db& db, const std::string& report) {
  const Result r = db.query(
      "SELECT name FROM autoreport.report_parameters WHERE report = $1 AND type LIKE '%[]'", {report});
  std::set<std::string> names;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    names.insert(text(r, i, 0));
  }
  return names;
}

[[noreturn]] void no_such_report(const std::string& name) {
  fail(kServerError, "report \"" + name + "\" does not exist",
       "\"autoreport list\" shows the reports you may run.");
}

} // namespace

void render(Db& db, const Args& a) {
  std::string params = "{}";
  std::string options = "{}";
  try {
    if (a.params_json) {
      check_json_object(*a.params_json, "--params-json");
    }
    if (a.options_json) {
      check_json_object(*a.options_json, "--options-json");
    }
    if (!a.params.empty()) {
      params = params_object(a.params, array_params(db, a.report));
    }
    options = options_object(a.options);
  } catch (const UsageError& e) {
    fail(kLocalError, e.message);
  }
  std::string format = a.format.value_or("");
  if (format.empty() && a.output && *a.output != "-") {
    format = format_for_file(*a.output);
  }
  if (format.empty()) {
    format = "csv";
  }
  Output out(a.output);
  // --param and --option entries win over the keys of --params-json and --options-json (jsonb ||).
  db.stream("SELECT chunk FROM autoreport.render_chunks($1, coalesce($2::jsonb, '{}') || $3::jsonb, $4, "
            "coalesce($5::jsonb, '{}') || $6::jsonb, $7::bigint) AS chunk",
            {a.report, a.params_json, params, format, a.options_json, options, std::to_string(a.chunk_size)},
            [&](const char* data, size_t size) { out.write(data, size); });
  out.commit();
}

void list(Db& db, const Args& a) {
  if (a.json) {
    const Result r = db.query("SELECT jsonb_pretty(coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.name), '[]')) "
                              "FROM autoreport.reports r",
                              {});
    print(text(r, 0, 0) + "\n");
    return;
  }
  const Result r =
      db.query("SELECT name, version, coalesce(description, '') FROM autoreport.reports ORDER BY name", {});
  std::vector<Row> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    rows.push_back({text(r, i, 0), text(r, i, 1), text(r, i, 2)});
  }
  print(aligned_table({"name", "version", "description"}, rows));
}

namespace {

// min, max, max_length, max_items and nullable in a few words.
std::string bounds(const Result& p, int i) {
  std::string out;
  const auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  const std::string min = text(p, i, 6);
  const std::string max = text(p, i, 7);
  if (!min.empty() && !max.empty()) {
    add(min + " to " + max);
  } else if (!min.empty()) {
    add("at least " + min);
  } else if (!max.empty()) {
    add("at most " + max);
  }
  if (!text(p, i, 8).empty()) {
    add("at most " + text(p, i, 8) + " characters");
  }
  if (!text(p, i, 9).empty()) {
    add("at most " + text(p, i, 9) + " items");
  }
  if (text(p, i, 3) == "t") {
    add("may be null");
  }
  return out;
}

} // namespace

void describe(Db& db, const Args& a) {
  if (a.json) {
    const Result r =
        db.query("SELECT jsonb_pretty(to_jsonb(r)) FROM autoreport.reports r WHERE r.name = $1", {a.report});
    if (PQntuples(r.get()) == 0) {
      no_such_report(a.report);
    }
    print(text(r, 0, 0) + "\n");
    return;
  }
  const Result r = db.query("SELECT version, coalesce(description, ''), owner::text, function::text, "
                            "cache_ttl::text, cacheable, coalesce(cache_note, '') "
                            "FROM autoreport.reports WHERE name = $1",
                            {a.report});
  if (PQntuples(r.get()) == 0) {
    no_such_report(a.report);
  }
  std::string out = "Report \"" + a.report + "\", version " + text(r, 0, 0) + "\n";
  if (!text(r, 0, 1).empty()) {
    out += text(r, 0, 1) + "\n";
  }
  out += "Owner: " + text(r, 0, 2) + "\nFunction: " + text(r, 0, 3) + "\nCache: ";
  if (text(r, 0, 5) != "t") {
    out += "not cacheable" + (text(r, 0, 6).empty() ? "" : " (" + text(r, 0, 6) + ")");
  } else {
    out +=
        text(r, 0, 4).empty() ? "until the data changes" : "until the data changes, at most " + text(r, 0, 4);
  }
  out += "\n\nParameters:\n";
  const Result p = db.query("SELECT name, type, required, nullable, coalesce(default_expression, ''), "
                            "coalesce(array_to_string(allowed, ', '), ''), min, max, max_length, max_items, "
                            "coalesce(description, '') "
                            "FROM autoreport.report_parameters WHERE report = $1 ORDER BY position",
                            {a.report});
  if (PQntuples(p.get()) == 0) {
    out += " (none)\n";
  } else {
    std::vector<Row> rows;
    for (int i = 0; i < PQntuples(p.get()); ++i) {
      rows.push_back({text(p, i, 0), text(p, i, 1), text(p, i, 2) == "t" ? "yes" : "no", text(p, i, 4),
                      text(p, i, 5), bounds(p, i), text(p, i, 10)});
    }
    out += aligned_table({"name", "type", "required", "default", "allowed", "bounds", "description"}, rows);
  }
  out += "\nColumns:\n";
  const Result c = db.query("SELECT c.name, c.type FROM autoreport.reports r, "
                            "ROWS FROM (jsonb_to_recordset(r.columns) AS (name text, type text)) WITH "
                            "ORDINALITY AS c(name, type, n) "
                            "WHERE r.name = $1 ORDER BY c.n",
                            {a.report});
  std::vector<Row> rows;
  for (int i = 0; i < PQntuples(c.get()); ++i) {
    rows.push_back({text(c, i, 0), text(c, i, 1)});
  }
  out += aligned_table({"name", "type"}, rows);
  print(out);
}

} // namespace autoreport::cli
