// The sidecar's bounded, expiring cache: at most max_entries, each for ttl, least recently used out first.
#include "ttl_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace autoreport::sidecar {
namespace {

using std::chrono::seconds;
using Cache = TtlCache<std::string, bool>;
const auto t0 = std::chrono::steady_clock::time_point{} + seconds(1000);

TEST(SidecarTtlCache, KeepsAnEntryForItsTtlOnly) {
  Cache c(10, seconds(5));
  c.put("a", true, t0);
  EXPECT_EQ(c.get("a", t0 + seconds(4)), std::optional<bool>(true));
  EXPECT_EQ(c.get("a", t0 + seconds(5)), std::nullopt); // expired at exactly ttl
  EXPECT_EQ(c.size(), 0u);                              // and removed when found expired
}

TEST(SidecarTtlCache, NeverHoldsMoreThanMaxEntries) {
  Cache c(3, seconds(60));
  for (int i = 0; i < 1000; ++i) {
    c.put("k" + std::to_string(i), i % 2 == 0, t0);
    EXPECT_LE(c.size(), 3u);
  }
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.get("k999", t0), std::optional<bool>(false));
  EXPECT_EQ(c.get("k0", t0), std::nullopt);
}

TEST(SidecarTtlCache, EvictsTheLeastRecentlyUsed) {
  Cache c(2, seconds(60));
  c.put("a", true, t0);
  c.put("b", true, t0);
  ASSERT_TRUE(c.get("a", t0 + seconds(1))); // a is now the most recently used
  c.put("c", false, t0 + seconds(2));       // so b goes
  EXPECT_TRUE(c.get("a", t0 + seconds(2)));
  EXPECT_FALSE(c.get("b", t0 + seconds(2)));
  EXPECT_EQ(c.get("c", t0 + seconds(2)), std::optional<bool>(false));
}

TEST(SidecarTtlCache, PutReplacesAndRestartsTheTtl) {
  Cache c(2, seconds(5));
  c.put("a", true, t0);
  c.put("a", false, t0 + seconds(4));
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.get("a", t0 + seconds(8)), std::optional<bool>(false));
  EXPECT_EQ(c.get("a", t0 + seconds(9)), std::nullopt);
}

TEST(SidecarTtlCache, ExpireRemovesEveryStaleEntry) {
  Cache c(10, seconds(5));
  c.put("old1", true, t0);
  c.put("new", true, t0 + seconds(3));
  c.put("old2", true, t0 + seconds(1));
  c.expire(t0 + seconds(6));
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.get("new", t0 + seconds(6)));
}

TEST(SidecarTtlCache, EraseAndZeroSizedCaches) {
  Cache c(10, seconds(5));
  c.put("a", true, t0);
  c.erase("a");
  c.erase("never there");
  EXPECT_EQ(c.size(), 0u);
  Cache none(0, seconds(5));
  none.put("a", true, t0);
  EXPECT_EQ(none.size(), 0u);
  Cache no_ttl(10, seconds(0));
  no_ttl.put("a", true, t0);
  EXPECT_FALSE(no_ttl.get("a", t0));
}

} // namespace
} // namespace autoreport::sidecar
