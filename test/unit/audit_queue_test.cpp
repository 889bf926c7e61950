// The audit queue's slots: per-database order, a full queue, claims that outlive their writer, and runs
// packed into fixed-size slots with every cut on a character boundary.
#include "audit/queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace autoreport::audit {
namespace {

// Cuts UTF-8 text to at most max bytes without splitting a character (what pg_mbcliplen does for a
// UTF-8 database).
size_t utf8_clip(std::string_view text, size_t max) {
  size_t n = std::min(max, text.size());
  while (n > 0 && n < text.size() && (static_cast<uint8_t>(text[n]) & 0xc0) == 0x80) {
    --n;
  }
  return n;
}

class Queue {
public:
  explicit Queue(uint32_t capacity)
      : memory_(new uint64_t[QueueView::bytes_for(capacity) / 8 + 1]),
        view_(QueueView::create(memory_.get(), capacity)) {}
  QueueView& operator*() { return view_; }
  QueueView* operator->() { return &view_; }

private:
  std::unique_ptr<uint64_t[]> memory_;
  QueueView view_;
};

std::unique_ptr<QueuedRun> make_run(uint32_t database, const std::string& report, int64_t rows = 1) {
  auto run = std::make_unique<QueuedRun>();
  RunRecord r;
  r.report = report;
  r.rows = rows;
  pack_run(r, database, 10, 0, utf8_clip, *run);
  return run;
}

std::vector<std::string> claimed_reports(QueueView& q, uint32_t database, size_t max) {
  std::vector<uint32_t> slots(max);
  const size_t n = q.claim(database, 4242, slots);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    out.emplace_back(q.run(slots[i]).report());
    EXPECT_EQ(q.head(slots[i]).claimed_by, 4242);
  }
  return out;
}

TEST(AuditQueue, SlotIsEightKilobytes) {
  EXPECT_EQ(sizeof(Slot), 8192u);
  EXPECT_GT(kTextBytes, 7900u);
}

TEST(AuditQueue, EachDatabaseGetsItsOwnRunsOldestFirst) {
  Queue q(8);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(q->push(*make_run(1, "a" + std::to_string(i))));
    ASSERT_TRUE(q->push(*make_run(2, "b" + std::to_string(i))));
  }
  EXPECT_EQ(q->used(), 6u);
  EXPECT_EQ(q->last_seq(), 6u);
  EXPECT_EQ(q->pending(1), 3u);
  EXPECT_EQ(claimed_reports(*q, 2, 2), (std::vector<std::string>{"b0", "b1"}));
  EXPECT_EQ(claimed_reports(*q, 2, 10), (std::vector<std::string>{"b2"}));
  EXPECT_EQ(claimed_reports(*q, 2, 10), std::vector<std::string>{}); // claimed ones are not handed out twice
  EXPECT_EQ(q->pending(2), 3u);                                      // but still pending until released
  EXPECT_EQ(claimed_reports(*q, 1, 10), (std::vector<std::string>{"a0", "a1", "a2"}));
}

TEST(AuditQueue, OldestFirstAfterSlotsAreReused) {
  Queue q(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(q->push(*make_run(1, "first" + std::to_string(i))));
  }
  std::vector<uint32_t> slots(2);
  ASSERT_EQ(q->claim(1, 1, slots), 2u);
  q->release(slots); // first0 and first1 written; their slots are reused by newer runs
  ASSERT_TRUE(q->push(*make_run(1, "second0")));
  ASSERT_TRUE(q->push(*make_run(1, "second1")));
  EXPECT_EQ(claimed_reports(*q, 1, 3), (std::vector<std::string>{"first2", "first3", "second0"}));
}

TEST(AuditQueue, FullQueueRefusesUntilReleased) {
  Queue q(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(q->push(*make_run(1, "r")));
  }
  EXPECT_FALSE(q->push(*make_run(1, "r")));
  std::vector<uint32_t> slots(1);
  ASSERT_EQ(q->claim(1, 1, slots), 1u);
  EXPECT_FALSE(q->push(*make_run(1, "r"))); // claimed is not free
  q->release(slots);
  EXPECT_TRUE(q->push(*make_run(1, "r")));
  EXPECT_EQ(q->used(), 3u);
}

TEST(AuditQueue, ReleasingTwiceDoesNotDuplicateFreeSlots) {
  Queue q(2);
  ASSERT_TRUE(q->push(*make_run(1, "r")));
  std::vector<uint32_t> slots(1);
  ASSERT_EQ(q->claim(1, 1, slots), 1u);
  q->release(slots);
  q->release(slots);
  EXPECT_EQ(q->used(), 0u);
  EXPECT_TRUE(q->push(*make_run(1, "r")));
  EXPECT_TRUE(q->push(*make_run(1, "r")));
  EXPECT_FALSE(q->push(*make_run(1, "r")));
}

TEST(AuditQueue, ClaimsOfAWriterThatEndedAreReadyAgain) {
  Queue q(4);
  ASSERT_TRUE(q->push(*make_run(1, "x")));
  ASSERT_TRUE(q->push(*make_run(2, "y")));
  std::vector<uint32_t> slots(4);
  ASSERT_EQ(q->claim(1, 1, slots), 1u);
  ASSERT_EQ(q->claim(2, 2, slots), 1u);
  EXPECT_EQ(q->unclaim(1), 1u);
  EXPECT_EQ(claimed_reports(*q, 1, 4), (std::vector<std::string>{"x"}));
  EXPECT_EQ(claimed_reports(*q, 2, 4), std::vector<std::string>{}); // database 2's claim is untouched
}

TEST(AuditQueue, PendingThroughASequenceNumber) {
  Queue q(4);
  ASSERT_TRUE(q->push(*make_run(1, "a")));
  const uint64_t mark = q->last_seq();
  ASSERT_TRUE(q->push(*make_run(1, "b")));
  EXPECT_EQ(q->pending(1, mark), 1u);
  std::vector<uint32_t> slots(1);
  ASSERT_EQ(q->claim(1, 1, slots), 1u);
  q->release(slots);
  EXPECT_EQ(q->pending(1, mark), 0u); // what was recorded up to the mark is written
  EXPECT_EQ(q->pending(1), 1u);
}

TEST(AuditQueue, ReadyDatabases) {
  Queue q(6);
  for (uint32_t db : {5u, 7u, 5u, 9u}) {
    ASSERT_TRUE(q->push(*make_run(db, "r")));
  }
  std::vector<uint32_t> out(8);
  out.resize(q->ready_databases(out));
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, (std::vector<uint32_t>{5, 7, 9}));
  std::vector<uint32_t> two(2);
  EXPECT_EQ(q->ready_databases(two), 2u);
}

TEST(AuditQueue, PackKeepsEveryField) {
  RunRecord r;
  r.report = "sales_by_region";
  r.version = 3;
  r.params_json = R"({"since": "2026-01-01"})";
  r.rows = 12;
  r.bytes = 3456;
  r.duration_ms = 7.25;
  r.cache_hit = true;
  r.format = "xlsx";
  r.error_sqlstate = "22023";
  r.error_message = "bad value";
  auto run = std::make_unique<QueuedRun>();
  pack_run(r, 16384, 10, 123456789, utf8_clip, *run);
  EXPECT_EQ(run->head.database, 16384u);
  EXPECT_EQ(run->head.role, 10u);
  EXPECT_EQ(run->head.at, 123456789);
  EXPECT_EQ(run->report(), "sales_by_region");
  EXPECT_EQ(run->head.version, 3);
  EXPECT_EQ(run->params(), r.params_json);
  EXPECT_EQ(run->head.params_truncated, 0);
  EXPECT_EQ(run->head.rows, 12);
  EXPECT_EQ(run->head.bytes, 3456);
  EXPECT_EQ(run->head.duration_ms, 7.25);
  EXPECT_EQ(run->head.cache_hit, 1);
  EXPECT_EQ(run->format(), "xlsx");
  EXPECT_EQ(run->sqlstate(), "22023");
  EXPECT_EQ(run->error(), "bad value");
  EXPECT_EQ(run->used_bytes(), sizeof(QueuedRunHead) + r.params_json.size() + r.error_message.size());
}

TEST(AuditQueue, PackMarksUnknownsAndNonSqlstates) {
  RunRecord r;
  r.rows = -5;
  r.version = -1;
  r.error_message = "failed";
  r.error_sqlstate = "oops";
  auto run = std::make_unique<QueuedRun>();
  pack_run(r, 1, 1, 0, utf8_clip, *run);
  EXPECT_EQ(run->head.rows, -1);
  EXPECT_EQ(run->head.bytes, -1);
  EXPECT_EQ(run->head.version, 0);
  EXPECT_EQ(run->sqlstate(), "XX000"); // an error is never recorded as a success
  EXPECT_EQ(run->report(), "");
}

TEST(AuditQueue, PackCutsOnCharacterBoundaries) {
  std::string e_acute_64;
  for (int i = 0; i < 64; ++i) {
    e_acute_64 += "\xc3\xa9"; // 128 bytes
  }
  std::string params = "{\"x\": \"";
  while (params.size() < kTextBytes + 100) {
    params += "\xe2\x82\xac"; // €, three bytes
  }
  params += "\"}";
  RunRecord r;
  r.report = e_acute_64;
  r.format = "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"; // 17 bytes
  r.params_json = params;
  r.error_message = std::string(kMaxErrorBytes - 1, 'e') + "\xc3\xa9" + "tail";
  auto run = std::make_unique<QueuedRun>();
  pack_run(r, 1, 1, 0, utf8_clip, *run);
  EXPECT_EQ(run->report().size(), 62u); // 31 whole characters of the 63 bytes the field holds
  EXPECT_EQ(run->format().size(), 15u);
  EXPECT_EQ(run->error().size(), kMaxErrorBytes - 1);
  EXPECT_EQ(run->head.params_truncated, 1);
  EXPECT_LE(run->params().size() + run->error().size(), kTextBytes);
  EXPECT_EQ(run->params(), std::string_view(params).substr(0, run->params().size()));
  EXPECT_EQ((run->params().size() - 7) % 3, 0u); // whole euro signs after {"x": "
}

TEST(AuditQueue, LongErrorLeavesRoomForParameters) {
  RunRecord r;
  r.params_json = std::string(kTextBytes - kMaxErrorBytes, 'p');
  r.error_message = std::string(10000, 'e');
  auto run = std::make_unique<QueuedRun>();
  pack_run(r, 1, 1, 0, utf8_clip, *run);
  EXPECT_EQ(run->error().size(), kMaxErrorBytes);
  EXPECT_EQ(run->params().size(), kTextBytes - kMaxErrorBytes);
  EXPECT_EQ(run->head.params_truncated, 0);
}

} // namespace
} // namespace autoreport::audit
