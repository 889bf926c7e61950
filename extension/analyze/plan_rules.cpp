#include "analyze/plan_rules.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "common/pure.hpp"

namespace autoreport::analyze {

namespace {

using nlohmann::json;

// Thresholds: a misestimate worth a word, a nested loop's outer side that is large, a subplan run
// often enough to matter.
constexpr double kMisestimate = 10;
constexpr double kLargeOuter = 10000;
constexpr double kManyLoops = 1000;

std::string number(double x) {
  char buf[64];
  if (std::fabs(x) >= 100 || x == std::floor(x)) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", x);
  }
  return buf;
}

double get(const json& node, const char* key, double otherwise = 0) {
  const auto it = node.find(key);
  return it != node.end() && it->is_number() ? it->get<double>() : otherwise;
}

std::string text(const json& node, const char* key) {
  const auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string qualified(const std::string& schema, const std::string& relation) {
  return schema.empty() ? relation : schema + "." + relation;
}

struct Reader {
  int64_t work_mem_kb;
  bool analyzed = false;
  int counter = 0;
  int limits_above = 0; // Limit nodes above the node being read
  PlanReading out;

  std::string label(const json& node, int id) const {
    std::string s = text(node, "Node Type");
    const std::string rel = text(node, "Relation Name");
    const std::string cte = text(node, "CTE Name");
    if (!rel.empty()) {
      s += " on " + rel;
      const std::string alias = text(node, "Alias");
      if (!alias.empty() && alias != rel) {
        s += " " + alias;
      }
    } else if (!cte.empty()) {
      s += " on " + cte;
    }
    return s + " (node " + std::to_string(id) + ")";
  }

  void add(std::string severity, const std::string& node, std::string finding, std::string detail,
           std::string fix = {}) {
    out.findings.push_back(
        Finding{std::move(severity), node, std::move(finding), std::move(detail), std::move(fix)});
  }

  // The ratio between actual and planned rows a loop (1 when not analysed or never run).
  static double misestimate(const json& node) {
    if (!node.contains("Actual Rows") || get(node, "Actual Loops") <= 0) {
      return 1;
    }
    const double actual = std::max(get(node, "Actual Rows"), 1.0);
    const double planned = std::max(get(node, "Plan Rows"), 1.0);
    return std::max(actual / planned, planned / actual);
  }

  // Returns whether this node or a node below it was misestimated.
  bool walk(const json& node, const json* parent) {
    const int id = ++counter;
    const std::string name = label(node, id);
    const std::string type = text(node, "Node Type");
    const double loops = std::max(get(node, "Actual Loops", 1), 1.0);
    const bool executed = !node.contains("Actual Loops") || get(node, "Actual Loops") > 0;

    bool below = false;
    // Below a Limit, a node stops when the Limit has its rows: fewer rows than planned is no
    // misestimate there.
    limits_above += type == "Limit" ? 1 : 0;
    if (const auto plans = node.find("Plans"); plans != node.end() && plans->is_array()) {
      for (const json& child : *plans) {
        below = walk(child, &node) || below;
      }
    }
    limits_above -= type == "Limit" ? 1 : 0;

    const std::string relation = text(node, "Relation Name");
    const std::string schema = text(node, "Schema");
    if (!relation.empty()) {
      const auto r = std::make_pair(schema, relation);
      if (std::find(out.relations.begin(), out.relations.end(), r) == out.relations.end()) {
        out.relations.push_back(r);
      }
    }

    // Misestimates: reported where they start (no node below is misestimated as badly).
    const bool stopped_early = limits_above > 0 && get(node, "Actual Rows") < get(node, "Plan Rows");
    const double ratio = stopped_early ? 1 : misestimate(node);
    const bool misestimated = executed && ratio >= kMisestimate;
    if (misestimated && !below) {
      const double actual = get(node, "Actual Rows");
      const double planned = get(node, "Plan Rows");
      const char* scale = ratio >= 1000 ? "1000" : ratio >= 100 ? "100" : "10";
      const std::string filter =
          text(node, "Filter").empty() ? text(node, "Index Cond") : text(node, "Filter");
      std::string fix;
      if (!relation.empty()) {
        std::set<std::string> columns;
        for (const ColumnCondition& c : column_conditions(filter)) {
          columns.insert(c.column);
        }
        const std::string table = qualified(schema, relation);
        if (columns.size() >= 2) {
          std::string list;
          for (const std::string& c : columns) {
            list += (list.empty() ? "" : ", ") + c;
          }
          fix = "CREATE STATISTICS ON " + list + " FROM " + table + "; ANALYZE " + table +
                " (the conditions on " + list + " are estimated as if independent)";
        } else {
          fix = "ANALYZE " + table;
        }
      }
      add(ratio >= 100 ? "high" : "medium", name, std::string("row misestimate x") + scale,
          "planned " + number(planned) + " rows a loop, got " + number(actual) +
              (filter.empty() ? "" : " (" + filter + ")") +
              ": the plan above it was chosen for the wrong size",
          fix);
    }

    // Sequential scans (the glue judges whether an index would serve them).
    if (type == "Seq Scan" && executed) {
      ScanFact f;
      f.node = name;
      f.schema = schema;
      f.relation = relation;
      f.filter = text(node, "Filter");
      f.conditions = column_conditions(f.filter);
      f.plan_rows = get(node, "Plan Rows");
      if (node.contains("Actual Rows")) {
        f.actual_rows = get(node, "Actual Rows") * loops;
        f.removed = get(node, "Rows Removed by Filter") * loops;
      }
      f.misestimated = misestimated && !below;
      out.seq_scans.push_back(f);
    }

    // Columns inside a function or cast in a filter: an index on the column cannot serve them.
    if (!relation.empty()) {
      const std::string filter = text(node, "Filter");
      static const std::regex wrapped(
          R"RE(([A-Za-z_][A-Za-z0-9_]*)\((?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)[),]|\(\(?(?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)\)::([A-Za-z_][A-Za-z0-9_ ]*))RE");
      for (auto it = std::sregex_iterator(filter.begin(), filter.end(), wrapped);
           it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        WrappedColumn w{name, schema, relation, {}, {}};
        if (m[1].matched) {
          w.column = m[2].str();
          w.expression = m[1].str() + "(" + w.column + ")";
        } else {
          w.column = m[3].str();
          std::string type = m[4].str();
          type.erase(type.find_last_not_of(' ') + 1);
          w.expression = "(" + w.column + ")::" + type;
        }
        out.wrapped.push_back(w);
      }
    }

    if (executed) {
      node_findings(node, name, type, loops, parent);
    }
    return misestimated || below;
  }

  void node_findings(const json& node, const std::string& name, const std::string& type, double loops,
                     const json* parent) {
    // Sorts that spill.
    if (text(node, "Sort Space Type") == "Disk") {
      const double kb = get(node, "Sort Space Used");
      add("high", name, "sort spills to disk",
          "sorted " + number(get(node, "Actual Rows") * loops) + " rows by " + text(node, "Sort Method") +
              " with " + number(kb) + " kB on disk (work_mem is " + number(static_cast<double>(work_mem_kb)) +
              " kB)",
          "SET work_mem = '" + memory_setting(std::max(kb * 3, static_cast<double>(work_mem_kb) * 2)) +
              "' (an in-memory sort needs about three times what it wrote to disk)");
    }
    // Hash joins in batches.
    if (type == "Hash" && get(node, "Hash Batches") > 1) {
      const double batches = get(node, "Hash Batches");
      const double peak = get(node, "Peak Memory Usage");
      add("medium", name, "hash in batches",
          "the hash table was split into " + number(batches) + " batches (" + number(peak) +
              " kB in memory at once), each read and written to disk",
          "SET work_mem = '" +
              memory_setting(std::max(peak * batches / 2 * 1.25, static_cast<double>(work_mem_kb) * 2)) +
              "' (hash tables may use work_mem x hash_mem_multiplier, 2 by default)");
    }
    // Hash aggregates that spill.
    if (get(node, "HashAgg Batches") > 1 || get(node, "Disk Usage") > 0) {
      const double disk = get(node, "Disk Usage");
      const double peak = get(node, "Peak Memory Usage");
      add("medium", name, "hash aggregate spills to disk",
          "the aggregate wrote " + number(disk) + " kB to disk in " + number(get(node, "HashAgg Batches")) +
              " batches (" + number(peak) + " kB in memory)",
          "SET work_mem = '" +
              memory_setting(std::max((peak + disk) / 2 * 1.25, static_cast<double>(work_mem_kb) * 2)) + "'");
    }
    // Lossy bitmaps.
    if (get(node, "Lossy Heap Blocks") > 0) {
      const double lossy = get(node, "Lossy Heap Blocks");
      const double exact = get(node, "Exact Heap Blocks");
      add("medium", name, "lossy bitmap heap scan",
          number(lossy) + " of " + number(lossy + exact) +
              " heap blocks were lossy: every row on them was rechecked against the condition",
          "SET work_mem = '" +
              memory_setting(static_cast<double>(work_mem_kb) * (lossy + exact) / std::max(exact, 1.0) *
                             1.5) +
              "' (the bitmap must hold a bit per row of each block)");
    }
    // Index-only scans that visit the heap.
    if (type == "Index Only Scan" && get(node, "Heap Fetches") > 0) {
      const double fetches = get(node, "Heap Fetches");
      const double rows = std::max(get(node, "Actual Rows") * loops, 1.0);
      if (fetches >= 0.1 * rows) {
        add("medium", name, "index-only scan fetches from the heap",
            number(fetches) + " heap fetches for " + number(rows) +
                " rows: the visibility map does not mark their pages all-visible",
            "VACUUM " + qualified(text(node, "Schema"), text(node, "Relation Name")));
      }
    }
    // Parallel workers planned and not launched.
    if (node.contains("Workers Planned") && node.contains("Workers Launched") &&
        get(node, "Workers Launched") < get(node, "Workers Planned")) {
      add("medium", name, "parallel workers not launched",
          number(get(node, "Workers Planned")) + " workers planned, " +
              number(get(node, "Workers Launched")) +
              " launched: the rest of the work fell to fewer processes",
          "raise max_parallel_workers (and max_worker_processes), or run fewer parallel queries at once");
    }
    // Nested loops over many outer rows.
    if (type == "Nested Loop") {
      const auto plans = node.find("Plans");
      if (plans != node.end() && plans->is_array() && !plans->empty()) {
        const json& outer = (*plans)[0];
        const double rows = outer.contains("Actual Rows")
                                ? get(outer, "Actual Rows") * std::max(get(outer, "Actual Loops", 1), 1.0)
                                : get(outer, "Plan Rows");
        if (rows >= kLargeOuter) {
          const json& inner = plans->size() > 1 ? (*plans)[1] : outer;
          add("medium", name, "nested loop over a large input",
              "the inner side (" + text(inner, "Node Type") + ") runs once for each of " + number(rows) +
                  " outer rows",
              "an index on the inner side's join key, or fresh statistics on the outer side if it was "
              "expected "
              "small (a hash or merge join reads each side once)");
        }
      }
    }
    // CTEs and subplans run again and again.
    if (type == "CTE Scan" && get(node, "Actual Loops") > 1) {
      add("medium", name, "CTE re-scanned",
          "the CTE's result was scanned " + number(get(node, "Actual Loops")) + " times",
          "join with the CTE once instead of scanning it from a loop, or inline it (NOT MATERIALIZED)");
    }
    if (text(node, "Parent Relationship") == "SubPlan" && get(node, "Actual Loops") >= kManyLoops) {
      add("medium", name, "subquery re-executed",
          text(node, "Subplan Name") + " ran " + number(get(node, "Actual Loops")) +
              " times, once for each row of " +
              (parent != nullptr ? text(*parent, "Node Type") : std::string("its parent")),
          "rewrite the correlated subquery as a join (or a LATERAL join with an index on its key)");
    }
  }
};

} // namespace

std::vector<ColumnCondition> column_conditions(const std::string& filter) {
  std::vector<ColumnCondition> out;
  static const std::regex condition(
      R"RE(\((?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+") (=|<>|<=|>=|<|>|~~|~~\*|IS NULL|IS NOT NULL|= ANY) )RE");
  std::set<std::string> seen;
  for (auto it = std::sregex_iterator(filter.begin(), filter.end(), condition); it != std::sregex_iterator();
       ++it) {
    const std::string column = (*it)[1].str();
    const std::string op = (*it)[2].str();
    const bool equality = op == "=" || op == "IS NULL" || op == "= ANY";
    if (seen.insert(column + (equality ? "=" : "<")).second) {
      out.push_back(ColumnCondition{column, equality});
    }
  }
  return out;
}

std::string memory_setting(double kb) {
  const double mb = std::max(1.0, std::ceil(kb / 1024));
  return number(mb) + "MB";
}

PlanReading read_plan(const std::string& text_json, int64_t work_mem_kb) {
  const json doc = json::parse(text_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].is_object() ||
      !doc[0].contains("Plan")) {
    throw Error(sqlstate::invalid_parameter_value, "not a plan as EXPLAIN (FORMAT JSON) prints one");
  }
  Reader r{work_mem_kb, false, 0, 0, {}};
  for (const json& statement : doc) {
    if (!statement.is_object() || !statement.contains("Plan") || !statement["Plan"].is_object()) {
      continue;
    }
    const json& plan = statement["Plan"];
    r.analyzed = r.analyzed || statement.contains("Execution Time");
    const int first = r.counter + 1;
    r.walk(plan, nullptr);
    if (r.out.top_node.empty()) {
      r.out.top_node = r.label(plan, first);
      // The top node that computes (below a Limit, Sort or Gather).
      const json* top = &plan;
      while ((text(*top, "Node Type") == "Limit" || text(*top, "Node Type") == "Sort" ||
              text(*top, "Node Type") == "Gather" || text(*top, "Node Type") == "Gather Merge") &&
             top->contains("Plans") && !(*top)["Plans"].empty()) {
        top = &(*top)["Plans"][0];
      }
      r.out.aggregate_top = text(*top, "Node Type") == "Aggregate";
    }
    // JIT that costs more than the query.
    if (statement.contains("JIT") && statement.contains("Execution Time")) {
      const double jit = get(statement["JIT"].value("Timing", json::object()), "Total");
      const double execution = get(statement, "Execution Time");
      if (jit > execution - jit && jit > 0) {
        r.add("medium", r.out.top_node, "JIT costs more than the query",
              "compiling took " + number(jit) + " ms of the " + number(execution) + " ms the query ran",
              "SET jit = off for this query, or raise jit_above_cost (the planner overestimated its cost)");
      }
    }
  }
  r.out.analyzed = r.analyzed;
  return r.out;
}

} // namespace autoreport::analyze
