// Interrupt checks and progress reporting as pure C++ code sees them.
#include "common/error.hpp"
#include "common/runtime.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace autoreport {
namespace {

// What the fake host saw, in order.
std::vector<std::string> g_events;
int g_interrupt_after = -1;

void fake_check() {
  if (g_interrupt_after == 0) {
    throw Interrupted("canceling statement due to user request");
  }
  if (g_interrupt_after > 0) {
    --g_interrupt_after;
  }
}
void fake_begin(std::string_view op, std::string_view object, int64_t total) {
  g_events.push_back("begin " + std::string(op) + " " + std::string(object) + " " + std::to_string(total));
}
void fake_update(int64_t done, int64_t total) {
  g_events.push_back("update " + std::to_string(done) + "/" + std::to_string(total));
}
void fake_end() {
  g_events.emplace_back("end");
}

class RuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    g_events.clear();
    g_interrupt_after = -1;
    previous_ = install_runtime_hooks({&fake_check, &fake_begin, &fake_update, &fake_end});
  }
  void TearDown() override { install_runtime_hooks(previous_); }
  RuntimeHooks previous_;
};

TEST(RuntimeWithoutHost, EverythingIsANoOp) {
  const RuntimeHooks previous = install_runtime_hooks({});
  EXPECT_NO_THROW(check_interrupts());
  {
    ProgressScope p("render", "sales", 10);
    p.advance(3);
    EXPECT_EQ(p.done(), 3);
  }
  install_runtime_hooks(previous);
}

TEST_F(RuntimeTest, InterruptStopsALoopWithQueryCanceled) {
  g_interrupt_after = 1000;
  int iterations = 0;
  try {
    for (;;) {
      check_interrupts();
      ++iterations;
    }
  } catch (const Interrupted& e) {
    EXPECT_STREQ(e.what(), "canceling statement due to user request");
  }
  EXPECT_EQ(iterations, 1000);
}

TEST_F(RuntimeTest, ProgressReportsBeginUpdatesAndEnd) {
  {
    ProgressScope p("forecast", "3003 series", 3003);
    p.advance();
    p.set(10);
    p.set_total(3004);
  }
  const std::vector<std::string> expected = {"begin forecast 3003 series 3003", "update 1/3003",
                                             "update 10/3003", "update 10/3004", "end"};
  EXPECT_EQ(g_events, expected);
}

TEST_F(RuntimeTest, OnlyTheOutermostScopeReports) {
  {
    ProgressScope outer("render", "sales", 2);
    {
      ProgressScope inner("forecast", "one series", 100);
      inner.advance(50);
      EXPECT_FALSE(inner.reporting());
    }
    EXPECT_TRUE(outer.reporting());
    outer.advance();
  }
  const std::vector<std::string> expected = {"begin render sales 2", "update 1/2", "end"};
  EXPECT_EQ(g_events, expected);
}

TEST_F(RuntimeTest, ProgressEndsWhenAnExceptionUnwinds) {
  EXPECT_THROW(
      {
        ProgressScope p("refresh", "daily_sales", 5);
        throw Error(sqlstate::data_exception, "boom");
      },
      Error);
  ASSERT_FALSE(g_events.empty());
  EXPECT_EQ(g_events.back(), "end");
  // The next operation is the outermost again.
  ProgressScope next("refresh", "weekly_sales", 1);
  EXPECT_TRUE(next.reporting());
}

TEST_F(RuntimeTest, FailingBeginLeavesNoScopeOpen) {
  install_runtime_hooks({&fake_check,
                         [](std::string_view, std::string_view, int64_t) {
                           throw Error(sqlstate::out_of_memory, "out of memory");
                         },
                         &fake_update, &fake_end});
  EXPECT_THROW(ProgressScope("render", "x", 1), Error);
  install_runtime_hooks({&fake_check, &fake_begin, &fake_update, &fake_end});
  ProgressScope next("render", "y", 1);
  EXPECT_TRUE(next.reporting());
}

} // namespace
} // namespace autoreport

namespace autoreport {
namespace {

TEST_F(RuntimeTest, SqlLevelOperationKeepsItsSlot) {
  ProgressScope::enter_external();
  {
    ProgressScope inner("render", "inside a SQL job", 10);
    EXPECT_FALSE(inner.reporting());
  }
  ProgressScope::leave_external();
  EXPECT_TRUE(g_events.empty());
  ProgressScope next("render", "alone", 1);
  EXPECT_TRUE(next.reporting());
}

TEST_F(RuntimeTest, ResetDepthRecoversFromASkippedDestructor) {
  auto* leaked = new ProgressScope("render", "leaked", 1); // as if a longjmp skipped its destructor
  ProgressScope::reset_depth();
  {
    ProgressScope next("render", "after abort", 1);
    EXPECT_TRUE(next.reporting());
  }
  ::operator delete(static_cast<void*>(leaked)); // free without running the destructor
}

} // namespace
} // namespace autoreport
