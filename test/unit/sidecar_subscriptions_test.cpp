// LISTEN while anyone listens, UNLISTEN when the last one leaves; bounded outboxes.
#include "outbox.hpp"
#include "protocol.hpp"
#include "subscriptions.hpp"

#include <gtest/gtest.h>

namespace autoreport::sidecar {
namespace {

using C = Subscriptions::Change;
using Channels = std::vector<std::string>;

TEST(SidecarSubscriptions, ListenOnFirstUnlistenOnLast) {
  Subscriptions s;
  EXPECT_EQ(s.subscribe(1, "sales"), C::Listen);
  EXPECT_EQ(s.subscribe(2, "sales"), C::None);
  EXPECT_EQ(s.subscribe(2, "sales"), C::None); // twice is once
  EXPECT_EQ(s.total(), 2u);
  EXPECT_EQ(s.unsubscribe(1, "sales"), C::None);
  EXPECT_EQ(s.unsubscribe(1, "sales"), C::None); // not subscribed any more
  EXPECT_EQ(s.unsubscribe(2, "sales"), C::Unlisten);
  EXPECT_EQ(s.unsubscribe(3, "nobody"), C::None);
  EXPECT_EQ(s.total(), 0u);
  EXPECT_TRUE(s.channels().empty());
}

TEST(SidecarSubscriptions, ClosingSessionUnlistensWhatOnlyItUsed) {
  Subscriptions s;
  s.subscribe(1, "a");
  s.subscribe(1, "b");
  s.subscribe(2, "b");
  s.subscribe(1, "c");
  EXPECT_EQ(s.count(1), 3u);
  EXPECT_EQ(s.channels_of(1), (Channels{"a", "b", "c"}));
  EXPECT_EQ(s.remove_session(1), (Channels{"a", "c"}));
  EXPECT_EQ(s.channels(), Channels{"b"});
  EXPECT_EQ(s.subscribers("b"), std::vector<SessionId>{2});
  EXPECT_FALSE(s.subscribed(1, "b"));
  EXPECT_TRUE(s.subscribed(2, "b"));
  EXPECT_TRUE(s.remove_session(9).empty());
}

TEST(SidecarOutbox, SoftLimitsStartTheSlowClock) {
  using namespace std::chrono_literals;
  const Outbox::Clock::time_point t0{};
  Outbox box(2, 10);
  const Frame four = std::make_shared<const std::string>("four");
  EXPECT_TRUE(box.push(four, t0));
  EXPECT_TRUE(box.push(four, t0));
  EXPECT_FALSE(box.over_since());       // at the limits, not over them
  EXPECT_TRUE(box.push(four, t0 + 1s)); // a third message: over the message limit, still queued
  EXPECT_EQ(box.over_since(), t0 + 1s);
  EXPECT_TRUE(box.push(four, t0 + 2s)); // the clock does not restart while it stays over
  EXPECT_EQ(box.over_since(), t0 + 1s);
  EXPECT_FALSE(box.slow(t0 + 5s, 5s));
  EXPECT_TRUE(box.slow(t0 + 6s, 5s)); // over the limit, nothing written, for 5 s
  box.pop(t0 + 3s);
  EXPECT_TRUE(box.over_since());       // 3 messages, 12 bytes: still over both
  EXPECT_FALSE(box.slow(t0 + 6s, 5s)); // but a message left 3 s ago: the socket takes frames
  EXPECT_TRUE(box.slow(t0 + 8s, 5s));
  box.pop(t0 + 9s);
  EXPECT_FALSE(box.over_since()); // back within both limits: drained in time
  EXPECT_FALSE(box.slow(t0 + 60s, 5s));
  EXPECT_EQ(box.bytes(), 8u);
  EXPECT_TRUE(box.push(std::make_shared<const std::string>("seven!!"), t0 + 10s)); // 15 bytes > 10
  EXPECT_EQ(box.over_since(), t0 + 10s);
  EXPECT_EQ(*box.front().body, "four");
  box.truncate(1);
  EXPECT_EQ(box.size(), 1u);
  EXPECT_EQ(*box.front().body, "four");
  EXPECT_FALSE(box.over_since());
  box.truncate(0);
  EXPECT_TRUE(box.empty());
  EXPECT_EQ(box.bytes(), 0u);
  EXPECT_FALSE(box.over_since());
}

TEST(SidecarOutbox, HardCapAtSixteenTimesEitherLimit) {
  const Frame four = std::make_shared<const std::string>("four");
  Outbox by_count(2, 1000);
  for (size_t i = 0; i < 2 * Outbox::kHardFactor; ++i) {
    EXPECT_TRUE(by_count.push(four)) << i;
  }
  EXPECT_FALSE(by_count.push(four)); // the 33rd message
  EXPECT_EQ(by_count.size(), 32u);
  Outbox by_bytes(1000, 4);
  for (size_t i = 0; i < Outbox::kHardFactor; ++i) {
    EXPECT_TRUE(by_bytes.push(four)) << i;
  }
  EXPECT_FALSE(by_bytes.push(four)); // 68 bytes > 64
  EXPECT_EQ(by_bytes.bytes(), 64u);
  EXPECT_FALSE(Outbox(5, 3).push(std::make_shared<const std::string>(std::string(49, 'x')))); // > 48
}

TEST(SidecarOutbox, PrefixCountsTowardsTheByteLimit) {
  Outbox box(10, 10);
  Message m;
  m.body = std::make_shared<const std::string>("body!!");
  m.prefix_size = notify_prefix(7, m.prefix.data()); // {"type":"notify","seq":7, is 25 bytes
  EXPECT_TRUE(box.push(m));
  EXPECT_TRUE(box.over_since()); // 31 bytes > 10
  Outbox roomy(10, 100);
  EXPECT_TRUE(roomy.push(m));
  EXPECT_FALSE(roomy.over_since());
  EXPECT_EQ(roomy.bytes(), m.prefix_size + 6);
  EXPECT_EQ(std::string(roomy.front().prefix_view()) + *roomy.front().body,
            R"({"type":"notify","seq":7,body!!)");
}

TEST(SidecarOutbox, FanOutSharesOneBuffer) {
  const Frame body = std::make_shared<const std::string>(notify_body("c", "1", "t"));
  Outbox a(10, 1000);
  Outbox b(10, 1000);
  for (Outbox* box : {&a, &b}) {
    Message m;
    m.body = body;
    m.prefix_size = notify_prefix(box == &a ? 1 : 2, m.prefix.data());
    box->push(std::move(m));
  }
  EXPECT_EQ(a.front().body.get(), b.front().body.get());
  EXPECT_EQ(body.use_count(), 3);
  EXPECT_NE(a.front().prefix_view(), b.front().prefix_view());
}

} // namespace
} // namespace autoreport::sidecar
