// Index selection against a model planner: savings per byte, the budget, widening, unused indexes
// never suggested, and the cost cache.
#include "analyze/advisor.hpp"

#include <gtest/gtest.h>

#include <set>

namespace autoreport::analyze::advisor {
namespace {

// A model planner's answer: the query's cost without an index, lowered by the cheapest index that
// `with` (the query's cost with that one index, or the cost without it) says serves it; that index is
// marked used.
template <typename With>
double cheapest(const Advisor& advisor, const std::vector<size_t>& indexes, std::vector<bool>& used,
                double without, With with) {
  double best = without;
  long pick = -1;
  for (size_t k = 0; k < indexes.size(); ++k) {
    const double c = with(advisor.indexes()[indexes[k]], best);
    if (c < best) {
      best = c;
      pick = static_cast<long>(k);
    }
  }
  if (pick >= 0) {
    used[static_cast<size_t>(pick)] = true;
  }
  return best;
}

// One table (1). q0: col 1 = x AND col 2 > y (100; 10 with an index on 1, 2 on (1, 2)); q1: col 3 = x
// (50; 5 on 3); q2: ORDER BY col 4 (80; the model never uses an index for it).
class Model : public Oracle {
public:
  explicit Model(Advisor** advisor) : advisor_(advisor) {}
  double cost(size_t query, const std::vector<size_t>& indexes, std::vector<bool>& used) override {
    ++calls;
    return cheapest(**advisor_, indexes, used,
                    query == 0   ? 100
                    : query == 1 ? 50
                                 : 80,
                    [&](const Index& ix, double best) {
                      if (query == 0 && ix.columns[0] == 1) {
                        return ix.columns.size() > 1 && ix.columns[1] == 2 ? 2.0 : 10.0;
                      }
                      if (query == 1 && ix.columns[0] == 3) {
                        return 5.0;
                      }
                      return best;
                    });
  }
  double bytes(size_t index) override {
    return 100000.0 * static_cast<double>((*advisor_)->indexes()[index].columns.size());
  }
  bool exists(const Index& index) override { return existing.count(index.columns) > 0; }

  long calls = 0;
  std::set<std::vector<int>> existing;

private:
  Advisor** advisor_;
};

std::vector<Query> workload() {
  Query q0;
  q0.columns = {{1, 1, kEquality, 1000, 0}, {1, 2, kRange, 50, 0}};
  Query q1;
  q1.columns = {{1, 3, kEquality | kJoin, 10, 0}};
  Query q2;
  q2.columns = {{1, 4, kOrder, 10, 1}};
  return {q0, q1, q2};
}

std::vector<std::vector<int>> chosen(const Advisor& a, const Advice& advice) {
  std::vector<std::vector<int>> out;
  for (const Choice& c : advice.chosen) {
    out.push_back(a.indexes()[c.id].columns);
  }
  return out;
}

TEST(Advisor, TakesTheBestSetAndNeverAnUnusedIndex) {
  Advisor* self = nullptr;
  Model model(&self);
  Advisor a(workload(), model, Options{});
  self = &a;
  const Advice advice = a.run();
  EXPECT_EQ(chosen(a, advice), (std::vector<std::vector<int>>{{1, 2}, {3}}));
  EXPECT_DOUBLE_EQ(advice.cost_before, 230);
  EXPECT_DOUBLE_EQ(advice.cost_after, 2 + 5 + 80);
  EXPECT_DOUBLE_EQ(advice.chosen[0].saving, 98);
  EXPECT_DOUBLE_EQ(advice.chosen[1].saving, 45);
  EXPECT_EQ(advice.chosen[0].queries, 1);
  EXPECT_DOUBLE_EQ(advice.chosen[0].bytes, 200000);
  // Each (query, relevant index set) is planned once.
  EXPECT_GT(advice.cached, 0);
  EXPECT_EQ(advice.plannings, model.calls);
}

TEST(Advisor, StaysWithinTheBudget) {
  Advisor* self = nullptr;
  Model model(&self);
  Options o;
  o.budget_bytes = 150000; // one single-column index
  Advisor a(workload(), model, o);
  self = &a;
  const Advice advice = a.run();
  EXPECT_EQ(chosen(a, advice), (std::vector<std::vector<int>>{{1}})); // 90 saved per 100 kB beats 45
  o.budget_bytes = 50000;
  Advisor none(workload(), model, o);
  self = &none;
  EXPECT_TRUE(none.run().chosen.empty());
}

TEST(Advisor, TakesTheMostSavingPerByteFirst) {
  Advisor* self = nullptr;
  Model model(&self);
  Options o;
  o.budget_bytes = 200000; // (1, 2) or (1) + (3): (1, 2) saves 98, (1) + (3) saves 135
  Advisor a(workload(), model, o);
  self = &a;
  const Advice advice = a.run();
  EXPECT_EQ(chosen(a, advice), (std::vector<std::vector<int>>{{1}, {3}}));
}

TEST(Advisor, SkipsWhatExistingIndexesServe) {
  Advisor* self = nullptr;
  Model model(&self);
  model.existing = {{3}};
  Advisor a(workload(), model, Options{});
  self = &a;
  const Advice advice = a.run();
  EXPECT_EQ(chosen(a, advice), (std::vector<std::vector<int>>{{1, 2}}));
}

TEST(Advisor, TinyGainsAreNotWorthAnIndex) {
  Advisor* self = nullptr;
  Model model(&self);
  Options o;
  o.min_gain_share = 0.5; // only options saving half the workload's cost
  Advisor a(workload(), model, o);
  self = &a;
  EXPECT_TRUE(a.run().chosen.empty());
}

} // namespace
} // namespace autoreport::analyze::advisor

namespace autoreport::analyze::advisor {
namespace {

// q0 filters on column 1 (100; 10 with an index led by 1); q1 on columns 1 and 2 (1000; 20 led by
// 1, 25 led by 2, 2 with both). Column 2's index saves most per byte alone, so the greedy takes it
// first, then column 1's; one index on (1, 2) serves both better in fewer bytes.
class Pair : public Oracle {
public:
  explicit Pair(Advisor** advisor) : advisor_(advisor) {}
  double cost(size_t query, const std::vector<size_t>& indexes, std::vector<bool>& used) override {
    double best = query == 0 ? 100 : 1000;
    long pick = -1;
    for (size_t k = 0; k < indexes.size(); ++k) {
      const std::vector<int>& c = (*advisor_)->indexes()[indexes[k]].columns;
      double v = best;
      if (query == 0 && c[0] == 1) {
        v = 10;
      } else if (query == 1) {
        v = c.size() >= 2 ? 2 : c[0] == 1 ? 20 : 25;
      }
      if (v < best) {
        best = v;
        pick = static_cast<long>(k);
      }
    }
    if (pick >= 0) {
      used[static_cast<size_t>(pick)] = true;
    }
    return best;
  }
  double bytes(size_t index) override {
    const std::vector<int>& c = (*advisor_)->indexes()[index].columns;
    return c.size() >= 2 ? 30e6 : c[0] == 1 ? 23e6 : 20.6e6;
  }
  bool exists(const Index&) override { return false; }

private:
  Advisor** advisor_;
};

TEST(Advisor, MergesWhatTheGreedyTookApart) {
  Advisor* self = nullptr;
  Pair model(&self);
  Query q0;
  q0.columns = {{1, 1, kEquality, 100000, 0}};
  Query q1;
  q1.columns = {{1, 1, kEquality, 100000, 0}, {1, 2, kEquality, 5000, 0}};
  Options o;
  o.budget_bytes = 50e6;
  o.max_width = 2;
  Advisor a({q0, q1}, model, o);
  self = &a;
  const Advice advice = a.run();
  ASSERT_EQ(advice.chosen.size(), 1u);
  EXPECT_EQ(a.indexes()[advice.chosen[0].id].columns, (std::vector<int>{1, 2}));
  EXPECT_DOUBLE_EQ(advice.cost_after, 12);
}

} // namespace
} // namespace autoreport::analyze::advisor

namespace autoreport::analyze::advisor {
namespace {

TEST(Advisor, AnIndexMustSaveAtLeastTheShareOfTheDataItTakes) {
  Advisor* self = nullptr;
  Model model(&self);
  Options o;
  // Single-column indexes take 100 kB. With 1 MB of data each must save 10% of the workload's cost:
  // (1) (90 of 230) and then (3) (45 of 140) do; widening (1) to (1, 2) saves 8 of 95, less than the
  // 10% its 100 kB more needs.
  o.data_bytes = 1e6;
  Advisor a(workload(), model, o);
  self = &a;
  Advice advice = a.run();
  EXPECT_EQ(chosen(a, advice), (std::vector<std::vector<int>>{{1}, {3}}));
  // With 300 kB of data each must save a third: only (1) does.
  o.data_bytes = 300e3;
  Advisor b(workload(), model, o);
  self = &b;
  advice = b.run();
  EXPECT_EQ(chosen(b, advice), (std::vector<std::vector<int>>{{1}}));
}

// One table (1). q0: col 5 = 'returned' ORDER BY col 4 LIMIT 20 (100; 3 with an index that leads
// with 4 and has only the returned rows, or with (5, 4); 40 on 5 alone); q1: col 4 > x (60; an index
// on 4 that holds every row: 20). A partial index takes 5 kB, a full one 100 kB per column.
class PartialModel : public Oracle {
public:
  explicit PartialModel(Advisor** advisor) : advisor_(advisor) {}
  double cost(size_t query, const std::vector<size_t>& indexes, std::vector<bool>& used) override {
    return cheapest(**advisor_, indexes, used, query == 0 ? 100 : 60, [&](const Index& ix, double best) {
      const bool returned_only = ix.where_column == 5 && ix.where_value == "'returned'";
      EXPECT_TRUE(ix.where_column == 0 || returned_only) << "a predicate the queries do not have";
      EXPECT_FALSE(query == 1 && ix.where_column != 0)
          << "a partial index asked of a query without its predicate";
      if (query == 0 && ((returned_only && ix.columns[0] == 4) || ix.columns == std::vector<int>{5, 4})) {
        return 3.0;
      }
      if (query == 0 && ix.columns[0] == 5) {
        return 40.0;
      }
      if (query == 1 && ix.columns[0] == 4 && ix.where_column == 0) {
        return 20.0;
      }
      return best;
    });
  }
  double bytes(size_t index) override {
    const Index& ix = (*advisor_)->indexes()[index];
    return ix.where_column != 0 ? 5000.0 : 100000.0 * static_cast<double>(ix.columns.size());
  }
  bool exists(const Index&) override { return false; }

private:
  Advisor** advisor_;
};

TEST(Advisor, AConstantOfTheQueryMakesAPartialIndex) {
  Query q0;
  q0.columns = {{1, 5, kEquality, 4, 0}, {1, 4, kOrder, 1e6, 1}};
  q0.predicates = {{1, 5, "'returned'"}};
  Advisor* self = nullptr;
  PartialModel model(&self);
  Options o;
  o.budget_bytes = 50000; // no full index fits
  Advisor a({q0}, model, o);
  self = &a;
  Advice advice = a.run();
  ASSERT_EQ(advice.chosen.size(), 1u);
  const Index& ix = a.indexes()[advice.chosen[0].id];
  EXPECT_EQ(ix.columns, std::vector<int>{4});
  EXPECT_EQ(ix.where_column, 5);
  EXPECT_EQ(ix.where_value, "'returned'");
  EXPECT_DOUBLE_EQ(advice.cost_after, 3);

  // Another query that ranges over col 4 cannot use the partial index: it gets a full one when the
  // budget allows.
  Query q1;
  q1.columns = {{1, 4, kRange, 1e6, 0}};
  o.budget_bytes = 1e6;
  Advisor b({q0, q1}, model, o);
  self = &b;
  advice = b.run();
  std::set<std::pair<std::vector<int>, int>> got;
  for (const Choice& c : advice.chosen) {
    got.insert({b.indexes()[c.id].columns, b.indexes()[c.id].where_column});
  }
  EXPECT_EQ(got, (std::set<std::pair<std::vector<int>, int>>{{{4}, 5}, {{4}, 0}}));
  EXPECT_DOUBLE_EQ(advice.cost_after, 3 + 20);
}

} // namespace
} // namespace autoreport::analyze::advisor
