// Extend-style greedy index selection with what-if costs cached per query and relevant index set.
#include "analyze/advisor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <set>

#include "common/pure.hpp"

namespace autoreport::analyze::advisor {

namespace {

constexpr double kPage = 8192;

bool contains(const std::vector<size_t>& v, size_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Whether the query uses the index's leading column and, for a partial index, has its predicate
// (only then can the index serve it).
bool leads(const Query& q, const Index& ix) {
  if (ix.where_column != 0 &&
      std::find(q.predicates.begin(), q.predicates.end(),
                Predicate{ix.table, ix.where_column, ix.where_value}) == q.predicates.end()) {
    return false;
  }
  return std::any_of(q.columns.begin(), q.columns.end(), [&](const ColumnUse& c) {
    return c.table == ix.table && c.column == ix.columns.front();
  });
}

// The same predicate (both partial on the same one, or both not partial).
bool same_predicate(const Index& a, const Index& b) {
  return a.where_column == b.where_column && a.where_value == b.where_value;
}

// Columns of one table in one query, by how the query uses them.
struct TableUse {
  std::vector<const ColumnUse*> equality; // most distinct first
  std::vector<const ColumnUse*> range;
  std::vector<const ColumnUse*> group; // GROUP BY order
  std::vector<const ColumnUse*> order; // ORDER BY order
  std::vector<const ColumnUse*> all;
};

std::vector<int> column_list(const std::vector<const ColumnUse*>& uses, size_t limit) {
  std::vector<int> out;
  for (const ColumnUse* u : uses) {
    if (out.size() == limit) {
      break;
    }
    if (std::find(out.begin(), out.end(), u->column) == out.end()) {
      out.push_back(u->column);
    }
  }
  return out;
}

} // namespace

Advisor::Advisor(std::vector<Query> queries, Oracle& oracle, const Options& options)
    : queries_(std::move(queries)), oracle_(oracle), options_(options) {}

size_t Advisor::add_index(const Index& index) {
  if (const auto it = ids_.find(index); it != ids_.end()) {
    return it->second;
  }
  indexes_.push_back(index);
  bytes_.push_back(-1);
  ids_.emplace(index, indexes_.size() - 1);
  return indexes_.size() - 1;
}

bool Advisor::relevant(size_t index, size_t query) const {
  return leads(queries_[query], indexes_[index]);
}

std::vector<size_t> Advisor::relevant_set(const std::vector<size_t>& config, size_t query) const {
  std::vector<size_t> out;
  for (size_t i : config) {
    if (relevant(i, query)) {
      out.push_back(i);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

double Advisor::query_cost(size_t query, const std::vector<size_t>& config, std::vector<bool>* used) {
  std::vector<size_t> set = relevant_set(config, query);
  // The cache holds the cost; the used flags are asked again only when wanted.
  const auto key = std::make_pair(query, set);
  if (used == nullptr) {
    if (const auto it = cache_.find(key); it != cache_.end()) {
      ++cached_;
      return it->second;
    }
  }
  std::vector<bool> flags(set.size(), false);
  const double cost = oracle_.cost(query, set, flags);
  ++plannings_;
  cache_[key] = cost;
  if (used != nullptr) {
    used->assign(config.size(), false);
    for (size_t k = 0; k < set.size(); ++k) {
      if (flags[k]) {
        (*used)[static_cast<size_t>(std::find(config.begin(), config.end(), set[k]) - config.begin())] = true;
      }
    }
  }
  return cost;
}

double Advisor::workload_cost(const std::vector<size_t>& config) {
  double total = 0;
  for (size_t q = 0; q < queries_.size(); ++q) {
    total += queries_[q].weight * query_cost(q, config);
  }
  return total;
}

void Advisor::generate_candidates() {
  const size_t width = static_cast<size_t>(std::max(1, options_.max_width));
  for (const Query& q : queries_) {
    std::map<uint32_t, TableUse> tables;
    for (const ColumnUse& c : q.columns) {
      TableUse& t = tables[c.table];
      t.all.push_back(&c);
      if ((c.uses & (kEquality | kJoin)) != 0) {
        t.equality.push_back(&c);
      } else if ((c.uses & kRange) != 0) {
        t.range.push_back(&c);
      }
      if ((c.uses & kGroup) != 0) {
        t.group.push_back(&c);
      }
      if ((c.uses & kOrder) != 0) {
        t.order.push_back(&c);
      }
    }
    for (auto& [table, t] : tables) {
      std::stable_sort(t.equality.begin(), t.equality.end(),
                       [](const ColumnUse* a, const ColumnUse* b) { return a->distinct > b->distinct; });
      const auto by_position = [](const ColumnUse* a, const ColumnUse* b) {
        return a->position < b->position;
      };
      std::stable_sort(t.group.begin(), t.group.end(), by_position);
      std::stable_sort(t.order.begin(), t.order.end(), by_position);
      std::vector<std::vector<int>> shapes;
      for (const ColumnUse* c : t.all) {
        shapes.push_back({c->column});
      }
      const std::vector<int> eq = column_list(t.equality, width);
      shapes.push_back(eq);
      for (const ColumnUse* r : t.range) {
        std::vector<int> s = column_list(t.equality, width - 1);
        s.push_back(r->column);
        shapes.push_back(s);
      }
      std::vector<const ColumnUse*> eq_order = t.equality;
      eq_order.insert(eq_order.end(), t.order.begin(), t.order.end());
      shapes.push_back(column_list(eq_order, width));
      shapes.push_back(column_list(t.group, width));
      shapes.push_back(column_list(t.order, width));
      for (std::vector<int>& s : shapes) {
        if (s.empty()) {
          continue;
        }
        const Index ix{table, s, 0, {}};
        if (ids_.count(ix) == 0 && !oracle_.exists(ix)) {
          add_index(ix);
        }
        // Partial: the shape without the predicate's column, WHERE column = constant.
        for (const Predicate& p : q.predicates) {
          if (p.table != table) {
            continue;
          }
          Index partial{table, {}, p.column, p.value};
          for (int column : s) {
            if (column != p.column) {
              partial.columns.push_back(column);
            }
          }
          if (!partial.columns.empty() && ids_.count(partial) == 0 && !oracle_.exists(partial)) {
            add_index(partial);
          }
        }
      }
    }
  }
}

std::vector<int> Advisor::companions(const Index& index) const {
  std::set<int> out;
  for (const Query& q : queries_) {
    if (!leads(q, index)) {
      continue;
    }
    for (const ColumnUse& c : q.columns) {
      if (c.table == index.table && c.column != index.where_column &&
          std::find(index.columns.begin(), index.columns.end(), c.column) == index.columns.end()) {
        out.insert(c.column);
      }
    }
  }
  return {out.begin(), out.end()};
}

double Advisor::bytes(size_t index) {
  if (bytes_[index] < 0) {
    bytes_[index] = oracle_.bytes(index);
  }
  return bytes_[index];
}

double Advisor::config_bytes(const std::vector<size_t>& config) {
  double total = 0;
  for (size_t i : config) {
    total += bytes(i);
  }
  return total;
}

double Advisor::min_gain(const std::vector<size_t>& config) {
  return options_.min_gain_share * workload_cost(config);
}

// Extend: add the option (a candidate, or a chosen index widened by one column) that saves the most
// per byte and fits, until none saves enough. Options are re-costed lazily.
void Advisor::greedy(std::vector<size_t>& config) {
  struct Option {
    size_t add;
    long replace; // the chosen index it widens, or -1
    double ratio;
    double gain;
    long version;
    bool operator<(const Option& o) const { return ratio < o.ratio; }
  };
  std::priority_queue<Option> options;
  // The bytes an option adds (a widening replaces the index it widens).
  const auto added_bytes = [&](const Option& o) {
    return bytes(o.add) - (o.replace >= 0 ? bytes(static_cast<size_t>(o.replace)) : 0);
  };
  const double unknown = std::numeric_limits<double>::infinity();
  const auto push_widenings = [&](size_t chosen) {
    const Index ix = indexes_[chosen];
    if (static_cast<int>(ix.columns.size()) >= options_.max_width) {
      return;
    }
    for (int column : companions(ix)) {
      Index wider = ix;
      wider.columns.push_back(column);
      if (ids_.count(wider) == 0 && oracle_.exists(wider)) {
        continue;
      }
      options.push({add_index(wider), static_cast<long>(chosen), unknown, 0, -1});
    }
  };
  for (size_t i = 0; i < indexes_.size(); ++i) {
    if (!contains(config, i)) {
      options.push({i, -1, unknown, 0, -1});
    }
  }
  for (size_t i : config) {
    push_widenings(i);
  }
  std::vector<double> current(queries_.size());
  for (size_t q = 0; q < queries_.size(); ++q) {
    current[q] = query_cost(q, config);
  }
  double total_bytes = config_bytes(config);
  double floor = min_gain(config);
  long version = 0;
  while (!options.empty()) {
    Option o = options.top();
    options.pop();
    if (contains(config, o.add) || (o.replace >= 0 && !contains(config, static_cast<size_t>(o.replace)))) {
      continue;
    }
    std::vector<size_t> next = config;
    if (o.replace >= 0) {
      next.erase(std::find(next.begin(), next.end(), static_cast<size_t>(o.replace)));
    }
    next.push_back(o.add);
    if (o.version != version) {
      double gain = 0;
      for (size_t q = 0; q < queries_.size(); ++q) {
        if (relevant(o.add, q) || (o.replace >= 0 && relevant(static_cast<size_t>(o.replace), q))) {
          gain += queries_[q].weight * (current[q] - query_cost(q, next));
        }
      }
      if (gain <= 0 || gain < floor) {
        continue; // sizes are asked only of options worth taking
      }
      const double delta = added_bytes(o);
      if (options_.data_bytes > 0 && gain < workload_cost(config) * delta / options_.data_bytes) {
        continue; // saves a smaller share of the cost than its share of the data's size
      }
      o.gain = gain;
      o.ratio = gain / std::max(delta, kPage);
      o.version = version;
      options.push(o);
      continue;
    }
    const double delta = added_bytes(o);
    if (total_bytes + delta > options_.budget_bytes) {
      continue; // the config only grows: it will not fit later either
    }
    config = next;
    total_bytes += delta;
    ++version;
    for (size_t q = 0; q < queries_.size(); ++q) {
      current[q] = query_cost(q, config);
    }
    floor = min_gain(config);
    push_widenings(o.add);
  }
}

// Local search after the greedy: drop an index that no longer saves enough, or put a multi-column
// index's columns in another order (dropping the chosen indexes it then leads), whichever lowers the
// workload's cost most within the budget, else frees the most bytes for at most the gain floor of
// cost. The greedy's first pick can block a better one (a single column that one query likes best,
// where another order of a wider index serves more queries); this undoes that. True when it changed
// the set.
bool Advisor::improve(std::vector<size_t>& config) {
  // The cost worth `freed` bytes by the share rule (Options::data_bytes).
  const auto proportional = [&](double freed, double cost) {
    return options_.data_bytes > 0 ? cost * freed / options_.data_bytes : 0.0;
  };
  bool changed = false;
  for (int step = 0; step < 32; ++step) {
    const double cost = workload_cost(config);
    const double size = config_bytes(config);
    const double tolerance = min_gain(config);
    std::vector<size_t> best;
    double best_cost = cost;
    double best_size = size;
    bool best_cheaper = false;
    bool found = false;
    const auto consider = [&](const std::vector<size_t>& candidate) {
      const double s = config_bytes(candidate);
      if (s > options_.budget_bytes) {
        return;
      }
      const double c = workload_cost(candidate);
      const bool cheaper = c < cost - 1e-9 * std::max(cost, 1.0);
      if (cheaper) {
        if (!best_cheaper || c < best_cost) {
          best = candidate, best_cost = c, best_size = s, best_cheaper = true, found = true;
        }
      } else if (!best_cheaper && c <= cost + std::max(tolerance, proportional(size - s, cost)) &&
                 s < best_size) {
        best = candidate, best_cost = c, best_size = s, found = true;
      }
    };
    // Two chosen indexes on a table merged into one (either order), in place of both.
    for (size_t k = 0; k < config.size(); ++k) {
      for (size_t l = 0; l < config.size(); ++l) {
        const Index& a = indexes_[config[k]];
        const Index& b = indexes_[config[l]];
        if (k == l || a.table != b.table || !same_predicate(a, b) ||
            static_cast<int>(a.columns.size() + b.columns.size()) > options_.max_width) {
          continue;
        }
        Index merged = a;
        bool overlap = false;
        for (int column : b.columns) {
          overlap = overlap || std::find(a.columns.begin(), a.columns.end(), column) != a.columns.end();
          merged.columns.push_back(column);
        }
        if (overlap || (ids_.count(merged) == 0 && oracle_.exists(merged))) {
          continue;
        }
        std::vector<size_t> candidate;
        for (size_t j = 0; j < config.size(); ++j) {
          if (j != k && j != l) {
            candidate.push_back(config[j]);
          }
        }
        candidate.push_back(add_index(merged));
        consider(candidate);
      }
    }
    for (size_t k = 0; k < config.size(); ++k) {
      std::vector<size_t> dropped = config;
      dropped.erase(dropped.begin() + static_cast<long>(k));
      consider(dropped);
      Index ix = indexes_[config[k]];
      if (ix.columns.size() < 2) {
        continue;
      }
      std::vector<int> order = ix.columns;
      std::sort(order.begin(), order.end());
      do {
        Index reordered = ix;
        reordered.columns = order;
        if (order == ix.columns || (ids_.count(reordered) == 0 && oracle_.exists(reordered))) {
          continue;
        }
        const size_t other = add_index(reordered);
        std::vector<size_t> moved;
        for (size_t j : dropped) {
          const Index& jx = indexes_[j];
          const bool led = jx.table == ix.table && same_predicate(jx, ix) &&
                           jx.columns.size() < order.size() &&
                           std::equal(jx.columns.begin(), jx.columns.end(), order.begin());
          if (!led && j != other) {
            moved.push_back(j);
          }
        }
        moved.push_back(other);
        consider(moved);
      } while (std::next_permutation(order.begin(), order.end()));
    }
    if (!found) {
      break;
    }
    config = best;
    changed = true;
  }
  return changed;
}

Advice Advisor::run() {
  Advice advice;
  generate_candidates();
  std::vector<size_t> config;
  advice.cost_before = workload_cost(config);
  for (int round = 0; round < 4; ++round) {
    greedy(config);
    if (!improve(config)) {
      break;
    }
  }

  // Keep only what some plan uses.
  std::vector<int> users;
  for (;;) {
    users.assign(config.size(), 0);
    std::vector<bool> used;
    for (size_t q = 0; q < queries_.size(); ++q) {
      query_cost(q, config, &used);
      for (size_t k = 0; k < config.size(); ++k) {
        users[k] += used[k] ? 1 : 0;
      }
    }
    std::vector<size_t> kept;
    for (size_t k = 0; k < config.size(); ++k) {
      if (users[k] > 0) {
        kept.push_back(config[k]);
      }
    }
    if (kept.size() == config.size()) {
      break;
    }
    config = kept;
  }
  advice.cost_after = workload_cost(config);
  for (size_t k = 0; k < config.size(); ++k) {
    std::vector<size_t> without = config;
    without.erase(without.begin() + static_cast<long>(k));
    advice.chosen.push_back(
        {config[k], bytes(config[k]), workload_cost(without) - advice.cost_after, users[k]});
  }
  std::stable_sort(advice.chosen.begin(), advice.chosen.end(),
                   [](const Choice& a, const Choice& b) { return a.saving > b.saving; });
  advice.plannings = plannings_;
  advice.cached = cached_;
  advice.candidates = indexes_.size();
  return advice;
}

} // namespace autoreport::analyze::advisor
