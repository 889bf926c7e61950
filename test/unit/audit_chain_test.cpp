// The hash-chain walk of autoreport.verify_audit(): the first broken link and its reason.
#include "audit/chain.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace autoreport::audit {
namespace {

// A stand-in for SHA-256 (the glue uses PostgreSQL's): any function of the input does for the walk.
Digest fake_hash(const std::string& input) {
  Digest h{};
  for (size_t i = 0; i < input.size(); ++i) {
    h[i % kHashBytes] = static_cast<uint8_t>(h[i % kHashBytes] * 31 + static_cast<uint8_t>(input[i]) + i);
  }
  return h;
}

struct Row {
  RunRow content;
  Digest prev;
  Digest hash;
};

// A valid chain of n rows.
std::vector<Row> chain(int n) {
  std::vector<Row> rows;
  Digest prev = kZeroHash;
  for (int i = 1; i <= n; ++i) {
    RunRow r;
    r.id = i;
    r.at = 1000 * i;
    r.role = 10;
    r.report = "r" + std::to_string(i);
    r.rows = i;
    const Digest h = fake_hash(hash_input(prev, r));
    rows.push_back({r, prev, h});
    prev = h;
  }
  return rows;
}

// Walks rows as verify_audit does; returns the break, or nullopt when the chain holds.
std::optional<ChainBreak> walk(const std::vector<Row>& rows, ChainChecker& checker) {
  for (const Row& row : rows) {
    if (auto b =
            checker.next(row.content.id, row.prev, row.hash, fake_hash(hash_input(row.prev, row.content)))) {
      return b;
    }
  }
  return checker.finish();
}

TEST(AuditChain, ValidChainHolds) {
  ChainChecker c;
  EXPECT_FALSE(walk(chain(50), c));
  EXPECT_EQ(c.checked(), 50);
  EXPECT_EQ(c.last_id(), 50);
  EXPECT_EQ(c.last_hash(), chain(50).back().hash);
}

TEST(AuditChain, EmptyChainHolds) {
  ChainChecker c;
  EXPECT_FALSE(walk({}, c));
  EXPECT_EQ(c.checked(), 0);
}

TEST(AuditChain, ChangedContentIsFoundAtItsRow) {
  auto rows = chain(10);
  rows[4].content.rows = 999; // row 5 altered, hashes left alone
  ChainChecker c;
  const auto b = walk(rows, c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 5);
  EXPECT_EQ(b->reason, "hash does not match content");
  EXPECT_EQ(c.checked(), 4);
}

TEST(AuditChain, RehashedRowBreaksTheNextLink) {
  auto rows = chain(10);
  rows[4].content.rows = 999; // row 5 altered and its own hash recomputed
  rows[4].hash = fake_hash(hash_input(rows[4].prev, rows[4].content));
  ChainChecker c;
  const auto b = walk(rows, c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 6);
  EXPECT_EQ(b->reason, "prev_hash does not match row 5");
}

TEST(AuditChain, DeletedRowIsAGap) {
  auto rows = chain(10);
  rows.erase(rows.begin() + 6); // id 7
  ChainChecker c;
  const auto b = walk(rows, c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 8);
  EXPECT_EQ(b->reason, "gap before id 8");
}

TEST(AuditChain, DeletedFirstRowIsAGap) {
  auto rows = chain(3);
  rows.erase(rows.begin());
  ChainChecker c;
  const auto b = walk(rows, c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 2);
  EXPECT_EQ(b->reason, "gap before id 2");
}

TEST(AuditChain, FirstRowMustStartFromZero) {
  auto rows = chain(3);
  rows[0].prev[3] = 1;
  ChainChecker c;
  const auto b = walk(rows, c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 1);
  EXPECT_EQ(b->reason, "prev_hash of the first row is not 32 zero bytes");
}

TEST(AuditChain, MalformedHashesBreakTheChain) {
  auto rows = chain(3);
  ChainChecker c;
  ASSERT_FALSE(c.next(1, rows[0].prev, rows[0].hash, rows[0].hash));
  auto b = c.next(2, std::nullopt, rows[1].hash, rows[1].hash);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->reason, "prev_hash does not match row 1");
  ChainChecker d;
  b = d.next(1, rows[0].prev, std::nullopt, rows[0].hash);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->reason, "hash does not match content");
}

TEST(AuditChain, AnchorDetectsATruncatedTail) {
  auto rows = chain(10);
  ChainChecker c;
  c.set_anchor(10, rows[9].hash);
  rows.resize(8);
  const auto b = walk(rows, c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 9);
  EXPECT_EQ(b->reason, "rows from id 9 on are missing (anchor id 10)");
}

TEST(AuditChain, AnchorDetectsARewrittenChain) {
  const auto original = chain(10);
  auto rows = chain(10);
  // Rewritten from row 3 on, every hash recomputed: consistent in itself, but not the chain the
  // anchor was taken from.
  rows[2].content.rows = 0;
  for (size_t i = 2; i < rows.size(); ++i) {
    rows[i].prev = rows[i - 1].hash;
    rows[i].hash = fake_hash(hash_input(rows[i].prev, rows[i].content));
  }
  ChainChecker plain;
  EXPECT_FALSE(walk(rows, plain));
  ChainChecker anchored;
  anchored.set_anchor(5, original[4].hash);
  const auto b = walk(rows, anchored);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 5);
  EXPECT_EQ(b->reason, "hash differs from the anchor");
}

TEST(AuditChain, AnchorOfAnIntactChainHolds) {
  const auto rows = chain(10);
  ChainChecker c;
  c.set_anchor(7, rows[6].hash);
  EXPECT_FALSE(walk(rows, c));
  EXPECT_EQ(c.checked(), 10);
}

} // namespace
} // namespace autoreport::audit
