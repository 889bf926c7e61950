#include "views/shape.hpp"

#include "common/error.hpp"

#include <utility>

#include "common/pure.hpp"

namespace autoreport::views {

namespace {

bool has_n(AggKind k) {
  return k != AggKind::count_star && k != AggKind::count;
}
bool is_min_max(AggKind k) {
  return k == AggKind::min || k == AggKind::max;
}
bool is_bool(AggKind k) {
  return k == AggKind::bool_and || k == AggKind::bool_or;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) {
      out += separator;
    }
    out += p;
  }
  return out;
}

std::string key_alias(std::size_t j) {
  return "_ar_k" + std::to_string(j);
}
std::string arg_alias(std::size_t i) {
  return "_ar_a" + std::to_string(i);
}

// a + b where either may be NULL (NULL only when both are).
std::string add_nullable(const std::string& a, const std::string& b) {
  return "CASE WHEN " + a + " IS NULL THEN " + b + " WHEN " + b + " IS NULL THEN " + a + " ELSE " + a +
         " + " + b + " END";
}

} // namespace

const char* agg_name(AggKind kind) noexcept {
  switch (kind) {
  case AggKind::count_star:
    return "count(*)";
  case AggKind::count:
    return "count";
  case AggKind::sum:
    return "sum";
  case AggKind::avg:
    return "avg";
  case AggKind::min:
    return "min";
  case AggKind::max:
    return "max";
  case AggKind::bool_and:
    return "bool_and";
  case AggKind::bool_or:
    return "bool_or";
  }
  return "?";
}

bool Shape::has_min_max() const {
  for (const Column& c : columns) {
    if (c.role == Column::Role::aggregate && is_min_max(c.kind)) {
      return true;
    }
  }
  return false;
}

std::string hidden(std::size_t column, const char* suffix) {
  return "_ar_" + std::to_string(column) + "_" + suffix;
}

std::string hidden_key(std::size_t source, std::size_t k) {
  return "_ar_pk" + std::to_string(source) + "_" + std::to_string(k);
}

Maintenance::Maintenance(Shape shape, std::string view) : shape_(std::move(shape)), view_(std::move(view)) {
  if (shape_.sources.empty()) {
    throw Error(sqlstate::internal_error, "a managed view needs at least one source table");
  }
}

std::vector<std::string> Maintenance::column_names() const {
  std::vector<std::string> names;
  for (const Column& c : shape_.columns) {
    names.push_back(c.name);
  }
  if (shape_.row_level) {
    for (std::size_t s = 0; s < shape_.sources.size(); ++s) {
      for (std::size_t k = 0; k < shape_.sources[s].key.size(); ++k) {
        names.push_back(hidden_key(s, k));
      }
    }
    return names;
  }
  names.emplace_back("_ar_count");
  names.emplace_back("_ar_dirty");
  for (std::size_t i = 0; i < shape_.columns.size(); ++i) {
    const Column& c = shape_.columns[i];
    if (c.role != Column::Role::aggregate || !has_n(c.kind)) {
      continue;
    }
    names.push_back(hidden(i, "n"));
    if (c.kind == AggKind::avg) {
      names.push_back(hidden(i, "s"));
    } else if (is_min_max(c.kind)) {
      names.push_back(hidden(i, "gone"));
    } else if (is_bool(c.kind)) {
      names.push_back(hidden(i, "f"));
    }
  }
  return names;
}

std::string Maintenance::all_columns() const {
  return join(column_names(), ", ");
}

std::vector<std::string> Maintenance::column_definition_list() const {
  std::vector<std::string> defs;
  for (const Column& c : shape_.columns) {
    defs.push_back(c.name + " " + c.type);
  }
  if (shape_.row_level) {
    for (std::size_t s = 0; s < shape_.sources.size(); ++s) {
      for (std::size_t k = 0; k < shape_.sources[s].key.size(); ++k) {
        defs.push_back(hidden_key(s, k) + " " + shape_.sources[s].key_types[k] + " NOT NULL");
      }
    }
    return defs;
  }
  defs.emplace_back("_ar_count bigint NOT NULL");
  defs.emplace_back("_ar_dirty boolean NOT NULL DEFAULT false");
  for (std::size_t i = 0; i < shape_.columns.size(); ++i) {
    const Column& c = shape_.columns[i];
    if (c.role != Column::Role::aggregate || !has_n(c.kind)) {
      continue;
    }
    defs.push_back(hidden(i, "n") + " bigint NOT NULL DEFAULT 0");
    if (c.kind == AggKind::avg) {
      defs.push_back(hidden(i, "s") + " " + c.sum_type);
    } else if (is_min_max(c.kind)) {
      defs.push_back(hidden(i, "gone") + " " + c.type);
    } else if (is_bool(c.kind)) {
      defs.push_back(hidden(i, "f") + " bigint NOT NULL DEFAULT 0");
    }
  }
  return defs;
}

std::string Maintenance::column_definitions() const {
  return join(column_definition_list(), ", ");
}

std::size_t Maintenance::visible_columns() const {
  std::size_t n = 0;
  for (const Column& c : shape_.columns) {
    n += c.hidden ? 0 : 1;
  }
  return n;
}

std::string Maintenance::key_index_columns() const {
  if (shape_.row_level) {
    std::vector<std::string> keys;
    for (std::size_t s = 0; s < shape_.sources.size(); ++s) {
      keys.push_back(source_key_columns(s));
    }
    return join(keys, ", ");
  }
  std::vector<std::string> keys;
  for (const Column& c : shape_.columns) {
    if (c.role == Column::Role::key) {
      keys.push_back(c.name);
    }
  }
  return join(keys, ", ");
}

std::string Maintenance::group_by() const {
  if (!shape_.grouped) {
    return "";
  }
  std::vector<std::string> keys;
  for (const Column& c : shape_.columns) {
    if (c.role == Column::Role::key) {
      keys.push_back(c.expr);
    }
  }
  return " GROUP BY " + join(keys, ", ");
}

std::string Maintenance::select_list_full() const {
  std::vector<std::string> out;
  if (shape_.row_level) {
    for (const Column& c : shape_.columns) {
      out.push_back(c.expr);
    }
    for (const Source& src : shape_.sources) {
      for (const Source::Logged& k : src.key) {
        out.push_back(src.alias + "." + k.name);
      }
    }
    return join(out, ", ");
  }
  for (const Column& c : shape_.columns) {
    if (c.role == Column::Role::key) {
      out.push_back(c.expr);
    } else if (c.kind == AggKind::count_star) {
      out.emplace_back("count(*)");
    } else {
      out.push_back(std::string("pg_catalog.") + agg_name(c.kind) + "(" + c.expr + ")");
    }
  }
  out.emplace_back("count(*)");
  out.emplace_back("false");
  for (std::size_t i = 0; i < shape_.columns.size(); ++i) {
    const Column& c = shape_.columns[i];
    if (c.role != Column::Role::aggregate || !has_n(c.kind)) {
      continue;
    }
    out.push_back("pg_catalog.count(" + c.expr + ")");
    if (c.kind == AggKind::avg) {
      out.push_back("pg_catalog.sum((" + c.expr + ")::" + c.sum_type + ")");
    } else if (is_min_max(c.kind)) {
      out.push_back("NULL::" + c.type);
    } else if (c.kind == AggKind::bool_and) {
      out.push_back("count(*) FILTER (WHERE NOT (" + c.expr + "))");
    } else if (c.kind == AggKind::bool_or) {
      out.push_back("count(*) FILTER (WHERE (" + c.expr + "))");
    }
  }
  return join(out, ", ");
}

std::string Maintenance::from_sources(const std::vector<std::size_t>& deltas,
                                      const std::string& window) const {
  std::vector<std::string> items;
  for (std::size_t s = 0; s < shape_.sources.size(); ++s) {
    const Source& src = shape_.sources[s];
    bool is_delta = false;
    for (std::size_t d : deltas) {
      is_delta = is_delta || d == s;
    }
    if (!is_delta) {
      items.push_back(src.table + " AS " + src.alias);
      continue;
    }
    if (s < deltas_.size() && !deltas_[s].empty()) {
      items.push_back("(" + deltas_[s] + ") AS " + src.alias);
      continue;
    }
    std::vector<std::string> cols = {"l._ar_sign"};
    for (const Source::Logged& c : src.columns) {
      cols.push_back("l." + c.log + " AS " + c.name);
    }
    items.push_back("(SELECT " + join(cols, ", ") + " FROM " + src.log + " AS l WHERE " + window + ") AS " +
                    src.alias);
  }
  return join(items, ", ");
}

std::string Maintenance::full_select() const {
  std::string sql = "SELECT " + select_list_full() + " FROM " + from_sources({}, "");
  if (!shape_.quals.empty()) {
    sql += " WHERE " + shape_.quals;
  }
  sql += group_by();
  return shape_.having.empty() ? sql : sql + " HAVING " + shape_.having;
}

std::string Maintenance::full_insert() const {
  return "INSERT INTO " + view_ + " (" + all_columns() + ") " + full_select();
}

std::vector<std::string> Maintenance::key_columns() const {
  std::vector<std::string> keys;
  if (shape_.row_level) {
    for (std::size_t s = 0; s < shape_.sources.size(); ++s) {
      for (std::size_t k = 0; k < shape_.sources[s].key.size(); ++k) {
        keys.push_back(hidden_key(s, k));
      }
    }
  } else if (shape_.grouped) {
    for (const Column& c : shape_.columns) {
      if (c.role == Column::Role::key) {
        keys.push_back(c.name);
      }
    }
  }
  return keys;
}

std::string Maintenance::full_difference(const std::vector<std::string>& types) const {
  const std::vector<std::string> keys = key_columns();
  const std::vector<std::string> names = column_names();
  if (keys.empty() || types.size() != names.size()) {
    throw Error(sqlstate::internal_error,
                "a full refresh by difference needs the view's keys and column types");
  }
  std::vector<std::string> casts;
  for (std::size_t i = 0; i < names.size(); ++i) {
    casts.push_back("_ar_q." + names[i] + "::" + types[i] + " AS " + names[i]);
  }
  std::vector<std::string> same_keys;
  std::vector<std::string> values;
  for (const std::string& k : keys) {
    same_keys.push_back("_ar_n." + k + " = _ar_v." + k);
  }
  for (const std::string& c : names) {
    values.push_back("_ar_n." + c);
  }
  // A column never NULL in a row of the new contents: its NULL says the row is only in the table.
  const std::string present = shape_.row_level ? keys.front() : "_ar_count";
  // (The aliases start with _ar_, as no column of a view's table does: `_ar_v *= _ar_n` names rows.)
  return "SELECT _ar_v.ctid AS _ar_old, " + join(values, ", ") + " FROM (SELECT " + join(casts, ", ") +
         " FROM (" + full_select() + ") AS _ar_q(" + join(names, ", ") + ")) AS _ar_n FULL JOIN " + view_ +
         " AS _ar_v ON " + join(same_keys, " AND ") + " WHERE _ar_v.ctid IS NULL OR _ar_n." + present +
         " IS NULL OR NOT (_ar_v OPERATOR(pg_catalog.*=) _ar_n)";
}

std::vector<std::string> Maintenance::apply_difference(const std::string& relation) const {
  const std::vector<std::string> keys = key_columns();
  const std::string present = shape_.row_level ? keys.at(0) : "_ar_count";
  return {
      "DELETE FROM " + view_ + " WHERE ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT _ar_old FROM " +
          relation + " WHERE _ar_old IS NOT NULL))",
      "INSERT INTO " + view_ + " (" + all_columns() + ") SELECT " + all_columns() + " FROM " + relation +
          " WHERE " + present + " IS NOT NULL",
  };
}

std::string Maintenance::merge(const std::vector<std::size_t>& changed, const std::string& window) const {
  if (changed.empty() || changed.size() > 16) {
    throw Error(sqlstate::internal_error, "a delta needs between 1 and 16 changed sources");
  }
  const std::vector<Column>& cols = shape_.columns;
  // The delta rows of each non-empty subset of the changed sources (inclusion-exclusion over the join:
  // the sources outside a subset are read as they are now, those inside as their captured changes).
  std::vector<std::string> terms;
  for (unsigned mask = 1; mask < (1U << changed.size()); ++mask) {
    std::vector<std::size_t> subset;
    for (std::size_t b = 0; b < changed.size(); ++b) {
      if ((mask >> b) & 1U) {
        subset.push_back(changed[b]);
      }
    }
    std::string m = subset.size() % 2 == 1 ? "1" : "-1";
    for (std::size_t s : subset) {
      m += " * " + shape_.sources[s].alias + "._ar_sign";
    }
    std::vector<std::string> select;
    for (std::size_t j = 0; j < cols.size(); ++j) {
      if (cols[j].role == Column::Role::key) {
        select.push_back(cols[j].expr + " AS " + key_alias(j));
      }
    }
    select.push_back("(" + m + ") AS _ar_m");
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (cols[i].role == Column::Role::aggregate && cols[i].kind != AggKind::count_star) {
        select.push_back("(" + cols[i].expr + ") AS " + arg_alias(i));
      }
    }
    std::string term = "SELECT " + join(select, ", ") + " FROM " + from_sources(subset, window);
    if (!shape_.quals.empty()) {
      term += " WHERE " + shape_.quals;
    }
    terms.push_back(term);
  }

  // Per group: the delta of each aggregate's state.
  std::vector<std::string> g;
  std::vector<std::string> group_keys;
  for (std::size_t j = 0; j < cols.size(); ++j) {
    if (cols[j].role == Column::Role::key) {
      g.push_back(key_alias(j));
      group_keys.push_back(key_alias(j));
    }
  }
  g.emplace_back("coalesce(sum(_ar_m), 0) AS _ar_c");
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const Column& c = cols[i];
    if (c.role != Column::Role::aggregate || c.kind == AggKind::count_star) {
      continue;
    }
    const std::string a = arg_alias(i);
    g.push_back("coalesce(sum(_ar_m) FILTER (WHERE " + a + " IS NOT NULL), 0) AS " + hidden(i, "n"));
    switch (c.kind) {
    case AggKind::sum:
      g.push_back("sum(" + a + " * _ar_m) AS " + hidden(i, "v"));
      break;
    case AggKind::avg:
      g.push_back("sum((" + a + ")::" + c.sum_type + " * _ar_m) AS " + hidden(i, "s"));
      break;
    case AggKind::min:
    case AggKind::max:
      g.push_back(std::string(agg_name(c.kind)) + "(" + a + ") FILTER (WHERE _ar_m > 0) AS " +
                  hidden(i, "v"));
      g.push_back(std::string(agg_name(c.kind)) + "(" + a + ") FILTER (WHERE _ar_m < 0) AS " +
                  hidden(i, "gone"));
      break;
    case AggKind::bool_and:
      g.push_back("coalesce(sum(_ar_m) FILTER (WHERE NOT " + a + "), 0) AS " + hidden(i, "f"));
      break;
    case AggKind::bool_or:
      g.push_back("coalesce(sum(_ar_m) FILTER (WHERE " + a + "), 0) AS " + hidden(i, "f"));
      break;
    case AggKind::count_star:
    case AggKind::count:
      break;
    }
  }
  std::string grouped = "SELECT " + join(g, ", ") + " FROM (" + join(terms, " UNION ALL ") + ") AS d";
  if (shape_.grouped) {
    grouped += " GROUP BY " + join(group_keys, ", ");
  }

  // The values a new group starts with (in all_columns() order), and how an existing one changes.
  std::vector<std::string> start;
  std::vector<std::string> set;
  std::vector<std::string> dirty_if = {"v._ar_dirty", "$1"};
  std::vector<std::string> gone_any;
  const std::string e = shape_.grouped ? "EXCLUDED" : "e";
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const Column& c = cols[i];
    const std::string n = "g." + hidden(i, "n");
    const std::string vn = "v." + hidden(i, "n");
    const std::string en = e + "." + hidden(i, "n");
    const std::string new_n = "(" + vn + " + " + en + ")";
    const std::string v = "v." + c.name;
    const std::string ev = e + "." + c.name;
    if (c.role == Column::Role::key) {
      start.push_back("g." + key_alias(i));
      continue;
    }
    switch (c.kind) {
    case AggKind::count_star:
      start.emplace_back("g._ar_c");
      set.push_back(c.name + " = " + v + " + " + ev);
      break;
    case AggKind::count:
      start.push_back(n);
      set.push_back(c.name + " = " + v + " + " + ev);
      break;
    case AggKind::sum:
      start.push_back("(g." + hidden(i, "v") + ")::" + c.type);
      set.push_back(c.name + " = CASE WHEN " + new_n + " = 0 THEN NULL ELSE " + add_nullable(v, ev) + " END");
      break;
    case AggKind::avg: {
      start.push_back("CASE WHEN " + n + " = 0 THEN NULL ELSE (g." + hidden(i, "s") + " / " + n +
                      ")::" + c.type + " END");
      const std::string new_s = add_nullable("v." + hidden(i, "s"), e + "." + hidden(i, "s"));
      set.push_back(c.name + " = CASE WHEN " + new_n + " = 0 THEN NULL ELSE ((" + new_s + ") / " + new_n +
                    ")::" + c.type + " END");
      set.push_back(hidden(i, "s") + " = CASE WHEN " + new_n + " = 0 THEN NULL ELSE " + new_s + " END");
      break;
    }
    case AggKind::min:
    case AggKind::max: {
      const bool is_min = c.kind == AggKind::min;
      const std::string gone = e + "." + hidden(i, "gone");
      // The extreme may be gone when a removed value reached it, unless a value the delta adds goes
      // strictly beyond the removed one: that value cannot have been removed too (the removed extreme
      // would then reach it), so it is the new extreme. (Equal, it may be a row added and removed.)
      const std::string lost = "(" + gone + " IS NOT NULL AND " + v + " IS NOT NULL AND " + gone +
                               (is_min ? " <= " : " >= ") + v + " AND (" + ev + " IS NULL OR " + ev +
                               (is_min ? " >= " : " <= ") + gone + "))";
      start.push_back("g." + hidden(i, "v"));
      set.push_back(c.name + " = CASE WHEN " + new_n + " = 0 THEN NULL WHEN " + lost + " THEN " + v +
                    " ELSE " + (is_min ? "LEAST(" : "GREATEST(") + v + ", " + ev + ") END");
      set.push_back(hidden(i, "gone") + " = " + gone);
      dirty_if.push_back(lost);
      gone_any.push_back("g." + hidden(i, "gone") + " IS NOT NULL");
      break;
    }
    case AggKind::bool_and:
    case AggKind::bool_or: {
      const std::string new_f = "(v." + hidden(i, "f") + " + " + e + "." + hidden(i, "f") + ")";
      start.push_back("CASE WHEN " + n + " = 0 THEN NULL ELSE g." + hidden(i, "f") +
                      (c.kind == AggKind::bool_and ? " = 0" : " > 0") + " END");
      set.push_back(c.name + " = CASE WHEN " + new_n + " = 0 THEN NULL ELSE " + new_f +
                    (c.kind == AggKind::bool_and ? " = 0" : " > 0") + " END");
      set.push_back(hidden(i, "f") + " = " + new_f);
      break;
    }
    }
    if (has_n(c.kind)) {
      set.push_back(hidden(i, "n") + " = " + new_n);
    }
  }
  start.emplace_back("g._ar_c");
  gone_any.insert(gone_any.begin(), shape_.having.empty() ? "$1" : "true");
  start.push_back("(" + join(gone_any, " OR ") + ")");
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const Column& c = cols[i];
    if (c.role != Column::Role::aggregate || !has_n(c.kind)) {
      continue;
    }
    start.push_back("g." + hidden(i, "n"));
    if (c.kind == AggKind::avg) {
      start.push_back("g." + hidden(i, "s"));
    } else if (is_min_max(c.kind)) {
      start.push_back("g." + hidden(i, "gone"));
    } else if (is_bool(c.kind)) {
      start.push_back("g." + hidden(i, "f"));
    }
  }
  set.push_back("_ar_count = v._ar_count + " + e + "._ar_count");
  set.push_back("_ar_dirty = " + join(dirty_if, " OR "));

  const std::string returning =
      " RETURNING v.ctid, v._ar_count, v._ar_dirty, " +
      (shape_.having_on_table.empty() ? "true" : "(" + shape_.having_on_table + ")");
  if (!shape_.grouped) {
    // One row, always there: an UPDATE from the delta (its values spelled as a new row's would be).
    return "UPDATE " + view_ + " AS v SET " + join(set, ", ") + " FROM (SELECT " + join(start, ", ") +
           " FROM (" + grouped + ") AS g) AS e(" + all_columns() + ")" + returning;
  }
  return "INSERT INTO " + view_ + " AS v (" + all_columns() + ") SELECT " + join(start, ", ") + " FROM (" +
         grouped + ") AS g ON CONFLICT (" + key_index_columns() + ") DO UPDATE SET " + join(set, ", ") +
         returning;
}

void Maintenance::set_delta(std::size_t source, std::string relation) {
  deltas_.resize(shape_.sources.size());
  deltas_.at(source) = std::move(relation);
}

std::string Maintenance::recompute() const {
  // The groups are recomputed and written over their rows; then those of the groups that are gone
  // (still at their old ctid) are deleted.
  std::string sql = "INSERT INTO " + view_ + " AS v (" + all_columns() + ") SELECT " + select_list_full() +
                    " FROM " + from_sources({}, "");
  // The source rows whose every key is one of the dirty groups' (a hashed lookup per key; a few
  // groups that are not dirty may come along, and are written unchanged).
  std::vector<std::string> where;
  if (!shape_.quals.empty()) {
    where.push_back("(" + shape_.quals + ")");
  }
  if (shape_.grouped) {
    const std::string dirty = " FROM " + view_ + " AS dirty WHERE dirty.ctid = ANY ($1)";
    for (const Column& c : shape_.columns) {
      if (c.role == Column::Role::key) {
        where.push_back("((" + c.expr + ") IN (SELECT dirty." + c.name + dirty + ") OR ((" + c.expr +
                        ") IS NULL AND EXISTS (SELECT" + dirty + " AND dirty." + c.name + " IS NULL)))");
      }
    }
  }
  if (!where.empty()) {
    sql += " WHERE " + join(where, " AND ");
  }
  sql += group_by();
  if (!shape_.having.empty()) {
    sql += " HAVING " + shape_.having;
  }
  if (!shape_.grouped) {
    // The one row is replaced: delete it first (the caller runs delete_groups() before this).
    return sql;
  }
  std::vector<std::string> set;
  for (const std::string& col : column_names()) {
    set.push_back(col + " = EXCLUDED." + col);
  }
  return sql + " ON CONFLICT (" + key_index_columns() + ") DO UPDATE SET " + join(set, ", ");
}

std::string Maintenance::source_key_columns(std::size_t s) const {
  std::vector<std::string> cols;
  for (std::size_t k = 0; k < shape_.sources.at(s).key.size(); ++k) {
    cols.push_back(hidden_key(s, k));
  }
  return join(cols, ", ");
}

std::vector<std::string> Maintenance::row_changes(const std::vector<std::size_t>& changed,
                                                  const std::string& window) const {
  if (!shape_.row_level || changed.empty()) {
    throw Error(sqlstate::internal_error,
                "row changes apply to a view without GROUP BY, with a changed source");
  }
  std::vector<std::string> deletes;
  std::vector<std::string> inserts;
  for (std::size_t s : changed) {
    const Source& src = shape_.sources.at(s);
    std::vector<std::string> log_key;
    std::vector<std::string> source_key;
    for (const Source::Logged& k : src.key) {
      log_key.push_back("l." + k.log);
      source_key.push_back(src.alias + "." + k.name);
    }
    deletes.push_back("DELETE FROM " + view_ + " WHERE (" + source_key_columns(s) + ") IN (SELECT " +
                      join(log_key, ", ") + " FROM " + src.log + " AS l WHERE " + window +
                      " AND l._ar_sign < 0)");
    std::string insert = "INSERT INTO " + view_ + " (" + all_columns() + ") SELECT " + select_list_full() +
                         " FROM " + from_sources({}, "") + " WHERE (" + join(source_key, ", ") +
                         ") IN (SELECT " + join(log_key, ", ") + " FROM " + src.log + " AS l WHERE " +
                         window + " AND l._ar_sign > 0)";
    if (!shape_.quals.empty()) {
      insert += " AND " + shape_.quals;
    }
    inserts.push_back(insert + " ON CONFLICT DO NOTHING");
  }
  deletes.insert(deletes.end(), inserts.begin(), inserts.end());
  return deletes;
}

std::string Maintenance::delete_groups() const {
  return "DELETE FROM " + view_ + " WHERE ctid = ANY ($1)";
}

} // namespace autoreport::views
