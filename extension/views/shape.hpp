// A managed view's shape, as the analysis of its query found it, and the SQL that maintains it.
//
// The glue (analyze_pg.cpp) reads the query with PostgreSQL's parser and fills a Shape with SQL text
// it deparsed: every expression refers to a source through its alias (alias.column), with every name
// qualified. From that, the functions here write the statements a refresh runs: the table, the full
// recomputation, the delta of the captured changes, the merge of that delta into the table and the
// recomputation of the groups a merge cannot settle. Nothing here talks to PostgreSQL.
//
// Hidden columns (their names start with _ar_) keep what the merge needs besides the visible values:
//   _ar_count     rows in the group (the group is gone at 0; a view without GROUP BY keeps its row)
//   _ar_dirty     the group's min or max may be gone with a deleted row: recompute it
//   _ar_<i>_n     non-NULL inputs of the aggregate of column i (sum, avg, min, max, bool_and/or)
//   _ar_<i>_s     the sum behind avg (numeric for integer and numeric input: exact)
//   _ar_<i>_f     bool_and: false inputs; bool_or: true inputs
//   _ar_<i>_gone  min/max: the extreme of the rows the last delta removed
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace autoreport::views {

enum class AggKind { count_star, count, sum, avg, min, max, bool_and, bool_or };

// The name as SQL spells it (count(*) as "count(*)").
const char* agg_name(AggKind kind) noexcept;

// A source table and the log its changes are captured into.
struct Source {
  std::string table; // qualified and quoted: "public"."orders"
  std::string alias; // quoted, as the deparsed expressions refer to it
  std::string log;   // qualified and quoted log table
  // The columns the view reads: the log's column (c<attnum>, which a rename leaves alone) and the
  // source column's quoted name now.
  struct Logged {
    std::string log;
    std::string name;
  };
  std::vector<Logged> columns;
  // Its primary key, for a view without GROUP BY (whose rows are followed by the keys of their
  // sources' rows): the columns and their types.
  std::vector<Logged> key;
  std::vector<std::string> key_types;
};

// One visible column of the view's table, in the select list's order; hidden group keys follow.
struct Column {
  enum class Role { key, aggregate, value }; // value: a column of a view without GROUP BY
  std::string name;                          // quoted
  std::string type;                          // as format_type_with_typemod prints it
  Role role = Role::key;
  std::string expr;                   // key: the expression; aggregate: its argument ("" for count(*))
  AggKind kind = AggKind::count_star; // aggregate only
  std::string sum_type;               // avg only: the type its hidden sum is kept in
  bool hidden = false; // a GROUP BY expression or an aggregate (of HAVING) the select list does not show
};

struct Shape {
  std::vector<Source> sources;
  std::vector<Column> columns;
  std::string quals; // the WHERE clause and the inner joins' conditions, ANDed; "" when none
  // HAVING: over the sources (as in the query) and over the view's table (alias v), or "" for none.
  // The table keeps only the groups that pass it.
  std::string having;
  std::string having_on_table;
  bool grouped = true;    // false: aggregates without GROUP BY, always exactly one row
  bool row_level = false; // no GROUP BY and no aggregates: one row per combination of source rows
  bool has_min_max() const;
};

// The SQL a refresh runs, for one view stored in table `view` (qualified and quoted).
class Maintenance {
public:
  Maintenance(Shape shape, std::string view);

  const Shape& shape() const noexcept { return shape_; }

  // CREATE TABLE's column list (visible columns, hidden keys, then the _ar_ columns).
  std::string column_definitions() const;
  // The same, one column each; the first visible_columns() are the query's own columns.
  std::vector<std::string> column_definition_list() const;
  std::size_t visible_columns() const;
  // The columns of the unique index on the group keys ("" for a view without GROUP BY, whose index is
  // on the constant (true)).
  std::string key_index_columns() const;
  // INSERT ... SELECT of the whole view from the sources (run after DELETE FROM the view).
  std::string full_insert() const;
  // The SELECT behind it: the whole view, its columns in the table's order (column_names()).
  std::string full_select() const;
  // The columns that tell the view's rows apart: the group keys, or the keys of the source rows of a
  // view without GROUP BY; none for aggregates without GROUP BY (always one row).
  std::vector<std::string> key_columns() const;
  // A full refresh that writes only what differs. full_difference: a SELECT of the rows where the
  // table and the query disagree, by a FULL JOIN on the keys (a NULL key equals nothing): _ar_old, the
  // ctid of the table's row (NULL for a new key), then the query's row (all NULL for a key gone), its
  // columns cast to `types` (the table's, in order) and compared with the table's byte for byte (so a
  // full refresh restores exactly what the query gives). Throws when key_columns() is empty.
  std::string full_difference(const std::vector<std::string>& types) const;
  // Given those rows in `relation`: DELETE of the table's rows that differ, INSERT of the query's.
  std::vector<std::string> apply_difference(const std::string& relation) const;
  // The delta of the captured changes of the sources whose index is in `changed` (each at least one),
  // aggregated per group, as an INSERT ... ON CONFLICT merge into the view that RETURNS each touched
  // group's ctid, _ar_count and _ar_dirty. `window` is a condition on a log's rows (written with
  // alias "l") that keeps the changes not yet applied; $1 (boolean) marks every touched group dirty.
  // With HAVING, it also RETURNS whether the group passes it, and a group the table did not hold
  // starts dirty (it may have been left out by HAVING: only a recomputation knows its state).
  std::string merge(const std::vector<std::size_t>& changed, const std::string& window) const;
  // DELETE of the groups whose ctids are in $1 (tid[]) and INSERT of their recomputation from the
  // sources, in one statement.
  std::string recompute() const;
  // DELETE of the emptied groups whose ctids are in $1 (tid[]).
  std::string delete_groups() const;
  // A view without GROUP BY: the statements that apply the changes of the sources in `changed`, in
  // order. The rows built from a source row whose key a change removed are deleted; then the rows
  // built from the source rows a change wrote, as the sources are now, are inserted (once).
  std::vector<std::string> row_changes(const std::vector<std::size_t>& changed,
                                       const std::string& window) const;
  // A view without GROUP BY: the hidden key columns of source s, for an index.
  std::string source_key_columns(std::size_t s) const;

private:
  std::string select_list_full() const;
  std::string from_sources(const std::vector<std::size_t>& deltas, const std::string& window) const;
  std::string group_by() const;
  std::string all_columns() const;

public:
  // Every column of the table, in order.
  std::vector<std::string> column_names() const;

  // Reads the changes of source s from `relation` (SQL text giving _ar_sign and the columns the view
  // reads under their source names) instead of its log: a writer's own statement's transition tables.
  void set_delta(std::size_t source, std::string relation);

private:
  Shape shape_;
  std::string view_;
  std::vector<std::string> deltas_; // per source: a relation set by set_delta, or ""
};

// "_ar_<i>_<suffix>" for column i.
std::string hidden(std::size_t column, const char* suffix);
// "_ar_pk<s>_<k>": column k of source s's primary key, in a view without GROUP BY.
std::string hidden_key(std::size_t source, std::size_t k);

} // namespace autoreport::views
