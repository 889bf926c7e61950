// The sidecar's bounded, expiring cache: at most max_entries, each for ttl, least recently used out first.
#include "ttl_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace autoreport::sidecar {
namespace {

using namespace std::chrono_literals;
using Cache = TtlCache<std::string, bool>;
const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;

TEST(SidecarTtlCache, KeepsAnEntryForItsTtlOnly) {
  Cache c(10, 5s);
  c.put("a", true, t0);
  EXPECT_EQ(c.get("a", t0 + 4s), std::optional<bool>(true));
  EXPECT_EQ(c.get("a", t0 + 5s), std::nullopt); // expired at exactly ttl
  EXPECT_EQ(c.size(), 0u);                       // and removed when found expired
}

TEST(SidecarTtlCache, NeverHoldsMoreThanMaxEntries) {
  Cache c(3, 60s);
  for (int i = 0; i < 1000; ++i) {
    c.put("k" + std::to_string(i), i % 2 == 0, t0);
    EXPECT_LE(c.size(), 3u);
  }
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.get("k999", t0), std::optional<bool>(false));
  EXPECT_EQ(c.get("k0", t0), std::nullopt);
}

TEST(SidecarTtlCache, EvictsTheLeastRecentlyUsed) {
  Cache c(2, 60s);
  c.put("a", true, t0);
  c.put("b", true, t0);
  ASSERT_TRUE(c.get("a", t0 + 1s)); // a is now the most recently used
  c.put("c", false, t0 + 2s);       // so b goes
  EXPECT_TRUE(c.get("a", t0 + 2s));
  EXPECT_FALSE(c.get("b", t0 + 2s));
  EXPECT_EQ(c.get("c", t0 + 2s), std::optional<bool>(false));
}

TEST(SidecarTtlCache, PutReplacesAndRestartsTheTtl) {
  Cache c(2, 5s);
  c.put("a", true, t0);
  c.put("a", false, t0 + 4s);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.get("a", t0 + 8s), std::optional<bool>(false));
  EXPECT_EQ(c.get("a", t0 + 9s), std::nullopt);
}

TEST(SidecarTtlCache, ExpireRemovesEveryStaleEntry) {
  Cache c(10, 5s);
  c.put("old1", true, t0);
  c.put("new", true, t0 + 3s);
  c.put("old2", true, t0 + 1s);
  c.expire(t0 + 6s);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.get("new", t0 + 6s));
}

TEST(SidecarTtlCache, EraseAndZeroSizedCaches) {
  Cache c(10, 5s);
  c.put("a", true, t0);
  c.erase("a");
  c.erase("never there");
  EXPECT_EQ(c.size(), 0u);
  Cache none(0, 5s);
  none.put("a", true, t0);
  EXPECT_EQ(none.size(), 0u);
  Cache no_ttl(10, 0s);
  no_ttl.put("a", true, t0);
  EXPECT_FALSE(no_ttl.get("a", t0));
}

} // namespace
} // namespace autoreport::sidecar
