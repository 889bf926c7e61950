// The sidecar's JSON frames: what clients may send, and what they receive.
#include "protocol.hpp"

#include <gtest/gtest.h>

namespace autoreport::sidecar {
namespace {

TEST(SidecarProtocol, ParsesEachOp) {
  auto r = parse_client_message(R"({"op": "subscribe", "channel": "sales.emea", "id": 7})");
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->op, Op::Subscribe);
  EXPECT_EQ(r.message->channel, "sales.emea");
  EXPECT_EQ(*r.message->id, 7);
  r = parse_client_message(R"({"op": "unsubscribe", "channel": "sales.emea"})");
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->op, Op::Unsubscribe);
  EXPECT_FALSE(r.message->id);
  r = parse_client_message(R"({"op": "ping", "id": "abc"})");
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->op, Op::Ping);
  r = parse_client_message(R"({"op": "publish", "channel": "c", "payload": {"n": 1}})");
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->payload, R"({"n":1})");
  r = parse_client_message(R"({"op": "publish", "channel": "c", "payload": "plain text"})");
  EXPECT_EQ(r.message->payload, "plain text");
}

TEST(SidecarProtocol, RefusesBadFrames) {
  EXPECT_EQ(parse_client_message("not json").error_code, "bad_json");
  EXPECT_EQ(parse_client_message("[1]").error_code, "bad_json");
  EXPECT_EQ(parse_client_message(R"({"channel": "c"})").error_code, "bad_op");
  EXPECT_EQ(parse_client_message(R"({"op": "listen", "channel": "c"})").error_code, "bad_op");
  EXPECT_EQ(parse_client_message(R"({"op": "subscribe"})").error_code, "bad_channel");
  EXPECT_EQ(parse_client_message(R"({"op": "subscribe", "channel": "a b"})").error_code, "bad_channel");
  EXPECT_EQ(parse_client_message(R"({"op": "subscribe", "channel": "x\"; DROP"})").error_code, "bad_channel");
  EXPECT_EQ(parse_client_message(R"({"op": "publish", "channel": "c"})").error_code, "bad_payload");
  const std::string big =
      R"({"op": "publish", "channel": "c", "payload": ")" + std::string(8000, 'x') + "\"}";
  EXPECT_EQ(parse_client_message(big).error_code, "payload_too_large");
}

TEST(SidecarProtocol, ChannelNames) {
  EXPECT_TRUE(valid_channel("sales.emea.daily-2"));
  EXPECT_FALSE(valid_channel("sales..emea"));
  EXPECT_FALSE(valid_channel(".sales"));
  EXPECT_FALSE(valid_channel("sales."));
  EXPECT_FALSE(valid_channel("sales:emea"));
  EXPECT_TRUE(valid_channel(std::string(63, 'c')));
  EXPECT_FALSE(valid_channel(std::string(64, 'c')));
  EXPECT_FALSE(valid_channel(""));
  EXPECT_FALSE(valid_channel("é"));
}

TEST(SidecarProtocol, NotifyEmbedsJsonPayloadsAndQuotesOthers) {
  EXPECT_EQ(notify_frame("c", R"({"output_id": 42})", 3, "2026-11-27T12:00:00.000000Z"),
            R"({"type":"notify","seq":3,"channel":"c","payload":{"output_id": 42},)"
            R"("time":"2026-11-27T12:00:00.000000Z"})");
  EXPECT_EQ(notify_frame("c", "report ready", 4, "t"),
            R"({"type":"notify","seq":4,"channel":"c","payload":"report ready","time":"t"})");
  // Invalid UTF-8 in a payload does not break the frame.
  EXPECT_EQ(notify_frame("c", "\xff", 5, "t"),
            R"({"type":"notify","seq":5,"channel":"c","payload":"�","time":"t"})");
}

TEST(SidecarProtocol, JsonPayloadsAreForwardedByteForByte) {
  // Large integers, number formats, duplicate keys, key order and whitespace are kept as sent.
  for (const std::string& payload :
       {std::string(R"({"id": 123456789012345678901234567890, "x": 1.0e+10, "a": 1, "a": 2})"),
        std::string(R"( [1.50, -0.0, 1E2, "é", {"z": null, "b": true}] )"),
        std::string("12345678901234567890123"), std::string(R"("text")")}) {
    const std::string body = notify_body("c", payload, "t");
    EXPECT_EQ(body, R"("channel":"c","payload":)" + payload + R"(,"time":"t"})") << payload;
    EXPECT_TRUE(nlohmann::json::accept("{" + body)) << body;
  }
  // Not JSON (or JSON followed by more text): quoted as a string.
  EXPECT_EQ(notify_body("c", R"({"a":1} x)", "t"), R"("channel":"c","payload":"{\"a\":1} x","time":"t"})");
  EXPECT_EQ(notify_body("c", "", "t"), R"("channel":"c","payload":"","time":"t"})");
  EXPECT_EQ(notify_body("c", "\xEF\xBB\xBF[1]", "t"),
            "\"channel\":\"c\",\"payload\":\"\xEF\xBB\xBF[1]\",\"time\":\"t\"}");
  // JSON followed by NUL bytes (where the JSON parser stops as at the end of its input; found by the
  // sidecar_frame fuzz target): quoted, so that the frame stays one valid JSON text.
  const std::string with_nul("\"\"\0\0", 4);
  const std::string body = notify_body("c", with_nul, "t");
  EXPECT_EQ(body, std::string(R"("channel":"c","payload":"\"\"\u0000\u0000","time":"t"})"));
  EXPECT_FALSE(nlohmann::json::parse("{" + body, nullptr, false).is_discarded()) << body;
}

TEST(SidecarProtocol, ErrorsEchoTheFramesId) {
  EXPECT_EQ(parse_client_message(R"({"op": "listen", "channel": "c", "id": 7})").id, nlohmann::json(7));
  EXPECT_EQ(parse_client_message(R"({"id": "x"})").id, nlohmann::json("x"));
  EXPECT_EQ(parse_client_message(R"({"op": "subscribe", "channel": "a b", "id": [1]})").id,
            nlohmann::json::parse("[1]"));
  EXPECT_EQ(parse_client_message(R"({"op": "publish", "channel": "c", "id": null})").id, nlohmann::json());
  EXPECT_FALSE(parse_client_message("not json").id);
}

TEST(SidecarProtocol, NotifyPrefixAndSharedBodyMakeOneJsonObject) {
  const std::string body = notify_body("sales.emea", R"([1, "two"])", "t");
  for (const uint64_t seq : {uint64_t{0}, uint64_t{1}, uint64_t{1234567}, UINT64_MAX}) {
    char prefix[kNotifyPrefixMax];
    const size_t n = notify_prefix(seq, prefix);
    ASSERT_LE(n, kNotifyPrefixMax);
    const nlohmann::json frame = nlohmann::json::parse(std::string(prefix, n) + body);
    EXPECT_EQ(frame.at("type"), "notify");
    EXPECT_EQ(frame.at("seq").get<uint64_t>(), seq);
    EXPECT_EQ(frame.at("channel"), "sales.emea");
    EXPECT_EQ(frame.at("payload"), nlohmann::json::parse(R"([1,"two"])"));
    EXPECT_EQ(frame.size(), 5U);
  }
}

TEST(SidecarProtocol, OtherFrames) {
  EXPECT_EQ(reply_frame("subscribed", "c", nlohmann::json(1)),
            R"({"channel":"c","id":1,"type":"subscribed"})");
  EXPECT_EQ(pong_frame(std::nullopt), R"({"type":"pong"})");
  EXPECT_EQ(revoked_frame("sales.emea"),
            R"({"channel":"sales.emea","reason":"revoked","type":"unsubscribed"})");
  EXPECT_EQ(gap_frame({"a", "b"}, "database reconnected", 9),
            R"({"channels":["a","b"],"reason":"database reconnected","seq":9,"type":"gap"})");
  EXPECT_EQ(error_frame("forbidden", "no grant", std::nullopt),
            R"({"code":"forbidden","message":"no grant","type":"error"})");
  EXPECT_EQ(iso8601_utc(1800000000123456), "2027-01-15T08:00:00.123456Z");
}

} // namespace
} // namespace autoreport::sidecar
