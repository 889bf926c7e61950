// The sender's rules: allow-list, address classes, secrets, outcomes, backoff, Retry-After, signature
// and per-destination limits.
#include "delivery_policy.hpp"

#include <gtest/gtest.h>

namespace autoreport::sidecar {
namespace {

TEST(DeliveryAllowList, PatternsAndMatching) {
  EXPECT_TRUE(valid_host_pattern("reports.example.com"));
  EXPECT_TRUE(valid_host_pattern("*.example.com"));
  EXPECT_TRUE(valid_host_pattern("127.0.0.1"));
  EXPECT_TRUE(valid_host_pattern("localhost"));
  EXPECT_TRUE(valid_host_pattern("[::1]"));
  EXPECT_TRUE(valid_host_pattern("::1"));
  EXPECT_FALSE(valid_host_pattern(""));
  EXPECT_FALSE(valid_host_pattern("*"));
  EXPECT_FALSE(valid_host_pattern("*.com"));
  EXPECT_FALSE(valid_host_pattern("a*.example.com"));
  EXPECT_FALSE(valid_host_pattern("https://example.com"));
  EXPECT_FALSE(valid_host_pattern("example.com/path"));
  EXPECT_FALSE(valid_host_pattern("a..b"));

  const std::vector<std::string> allow = {"reports.example.com", "*.hooks.example.org", "127.0.0.1", "[::1]"};
  EXPECT_TRUE(host_allowed("reports.example.com", allow));
  EXPECT_TRUE(host_allowed("REPORTS.Example.COM.", allow));
  EXPECT_TRUE(host_allowed("a.hooks.example.org", allow));
  EXPECT_TRUE(host_allowed("a.b.hooks.example.org", allow));
  EXPECT_TRUE(host_allowed("127.0.0.1", allow));
  EXPECT_TRUE(host_allowed("[::1]", allow));
  EXPECT_TRUE(host_allowed("::1", allow));
  EXPECT_FALSE(host_allowed("hooks.example.org", allow)) << "a wildcard does not match its apex";
  EXPECT_FALSE(host_allowed("evilhooks.example.org", allow));
  EXPECT_FALSE(host_allowed("reports.example.com.evil.net", allow));
  EXPECT_FALSE(host_allowed("xreports.example.com", allow));
  EXPECT_FALSE(host_allowed("127.0.0.2", allow));
  EXPECT_FALSE(host_allowed("", allow));
  EXPECT_FALSE(host_allowed("reports.example.com", {}));
}

TEST(DeliveryAddresses, PrivateLoopbackLinkLocalAndCgnatAreNotPublic) {
  EXPECT_EQ(classify_ipv4({127, 0, 0, 1}), AddressKind::Loopback);
  EXPECT_EQ(classify_ipv4({10, 1, 2, 3}), AddressKind::Private);
  EXPECT_EQ(classify_ipv4({172, 16, 0, 1}), AddressKind::Private);
  EXPECT_EQ(classify_ipv4({172, 31, 255, 255}), AddressKind::Private);
  EXPECT_EQ(classify_ipv4({172, 32, 0, 1}), AddressKind::Public);
  EXPECT_EQ(classify_ipv4({192, 168, 1, 1}), AddressKind::Private);
  EXPECT_EQ(classify_ipv4({169, 254, 169, 254}), AddressKind::LinkLocal);
  EXPECT_EQ(classify_ipv4({100, 64, 0, 1}), AddressKind::SharedCgnat);
  EXPECT_EQ(classify_ipv4({100, 128, 0, 1}), AddressKind::Public);
  EXPECT_EQ(classify_ipv4({0, 0, 0, 0}), AddressKind::Unspecified);
  EXPECT_EQ(classify_ipv4({224, 0, 0, 1}), AddressKind::Multicast);
  EXPECT_EQ(classify_ipv4({255, 255, 255, 255}), AddressKind::Reserved);
  EXPECT_EQ(classify_ipv4({93, 184, 216, 34}), AddressKind::Public);
  EXPECT_EQ(classify_ipv4({8, 8, 8, 8}), AddressKind::Public);

  const auto v6 = [](std::initializer_list<uint8_t> bytes) {
    std::array<uint8_t, 16> a{};
    std::copy(bytes.begin(), bytes.end(), a.begin());
    return a;
  };
  EXPECT_EQ(classify_ipv6(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})), AddressKind::Loopback);
  EXPECT_EQ(classify_ipv6(v6({})), AddressKind::Unspecified);
  EXPECT_EQ(classify_ipv6(v6({0xfd, 0x12})), AddressKind::Private);
  EXPECT_EQ(classify_ipv6(v6({0xfc, 0})), AddressKind::Private);
  EXPECT_EQ(classify_ipv6(v6({0xfe, 0x80})), AddressKind::LinkLocal);
  EXPECT_EQ(classify_ipv6(v6({0xff, 0x02})), AddressKind::Multicast);
  EXPECT_EQ(classify_ipv6(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1})),
            AddressKind::Loopback)
      << "IPv4-mapped loopback";
  EXPECT_EQ(classify_ipv6(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1})), AddressKind::Private);
  EXPECT_EQ(classify_ipv6(v6({0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 168, 0, 1})),
            AddressKind::Private);
  EXPECT_EQ(classify_ipv6(v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})),
            AddressKind::Public);
  EXPECT_STREQ(address_kind_name(AddressKind::LinkLocal), "link-local");
}

TEST(DeliverySecrets, FileAndEnvironment) {
  const SecretsResult file =
      parse_secrets_file("# hooks\n\nfinance_hook=s3cr=et\r\n  ops = x:y \nsmtp=user:pw\n");
  ASSERT_EQ(file.error, "");
  EXPECT_EQ(*find_secret(file.secrets, "finance_hook"), "s3cr=et");
  EXPECT_EQ(*find_secret(file.secrets, "FINANCE_HOOK"), "s3cr=et");
  EXPECT_EQ(*find_secret(file.secrets, "ops"), " x:y ") << "the value is kept as written";
  EXPECT_EQ(find_secret(file.secrets, "missing"), nullptr);
  EXPECT_EQ(parse_secrets_file("novalue\n").error,
            "line 1: expected name=value with a name of letters, digits and _");
  EXPECT_EQ(parse_secrets_file("a=1\nbad-name=2\n").error,
            "line 2: expected name=value with a name of letters, digits and _");
  EXPECT_EQ(parse_secrets_file("a=1\nA=2\n").error, "line 2: the secret A is given twice");

  const std::map<std::string, std::string> env = {{"AUTOREPORT_SIDECAR_SECRET_SALES", "v1"},
                                                  {"AUTOREPORT_SIDECAR_DATABASE", "dbname=x"}};
  const SecretsResult all = collect_secrets(file.secrets, env);
  ASSERT_EQ(all.error, "");
  EXPECT_EQ(*find_secret(all.secrets, "sales"), "v1");
  EXPECT_EQ(all.secrets.size(), 4U);
  EXPECT_EQ(collect_secrets(file.secrets, {{"AUTOREPORT_SIDECAR_SECRET_FINANCE_HOOK", "other"}}).error,
            "the secret FINANCE_HOOK is given twice: in AUTOREPORT_SIDECAR_SECRET_FINANCE_HOOK and in "
            "--deliver-secrets-file; give one");
  EXPECT_NE(collect_secrets({}, {{"AUTOREPORT_SIDECAR_SECRET_A-B", "x"}}).error, "");
}

TEST(DeliveryOutcomes, HttpAndSmtpCodes) {
  EXPECT_EQ(classify_http(200), Outcome::Delivered);
  EXPECT_EQ(classify_http(204), Outcome::Delivered);
  EXPECT_EQ(classify_http(408), Outcome::Retry);
  EXPECT_EQ(classify_http(429), Outcome::Retry);
  EXPECT_EQ(classify_http(500), Outcome::Retry);
  EXPECT_EQ(classify_http(503), Outcome::Retry);
  EXPECT_EQ(classify_http(301), Outcome::GiveUp) << "redirects are not followed";
  EXPECT_EQ(classify_http(400), Outcome::GiveUp);
  EXPECT_EQ(classify_http(404), Outcome::GiveUp);
  EXPECT_EQ(classify_http(0), Outcome::GiveUp);
  EXPECT_EQ(classify_smtp(250), Outcome::Delivered);
  EXPECT_EQ(classify_smtp(354), Outcome::Delivered);
  EXPECT_EQ(classify_smtp(451), Outcome::Retry);
  EXPECT_EQ(classify_smtp(550), Outcome::GiveUp);
  EXPECT_STREQ(outcome_name(Outcome::GiveUp), "give_up");
  EXPECT_STREQ(outcome_name(Outcome::Retry), "retry");
  EXPECT_STREQ(outcome_name(Outcome::Delivered), "delivered");
}

TEST(DeliveryRetries, FullJitterBackoffCappedAtAnHour) {
  EXPECT_EQ(backoff_ms(1, 0.0), 0);
  EXPECT_EQ(backoff_ms(1, 0.999999), 1000);
  EXPECT_EQ(backoff_ms(2, 0.999999), 2000);
  EXPECT_EQ(backoff_ms(4, 0.5), 4000);
  EXPECT_EQ(backoff_ms(13, 1.0), 3600000) << "2^12 s is over an hour";
  EXPECT_EQ(backoff_ms(100, 1.0), 3600000);
  for (int attempt = 1; attempt < 40; ++attempt) {
    EXPECT_LE(backoff_ms(attempt, 0.7), kMaxRetryMs);
    EXPECT_GE(backoff_ms(attempt, 0.7), 0);
  }
}

TEST(DeliveryRetries, RetryAfterSecondsAndDates) {
  const int64_t now = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after_ms("120", now), 120000);
  EXPECT_EQ(parse_retry_after_ms(" 0 ", now), 0);
  EXPECT_EQ(parse_retry_after_ms("86400", now), kMaxRetryMs) << "capped at an hour";
  EXPECT_EQ(parse_retry_after_ms("99999999999999999999", now), kMaxRetryMs);
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:50:37 GMT", now), 60000);
  EXPECT_EQ(parse_retry_after_ms("Sunday, 06-Nov-94 08:51:37 GMT", now), 120000);
  EXPECT_EQ(parse_retry_after_ms("Sun Nov  6 08:52:37 1994", now), 180000);
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:00:00 GMT", now), 0) << "a date in the past";
  EXPECT_EQ(parse_retry_after_ms("Mon, 07 Nov 1994 08:49:37 GMT", now), kMaxRetryMs);
  EXPECT_EQ(parse_retry_after_ms("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:50:37 PST", now), std::nullopt);
}

TEST(DeliveryRetries, DecideHonoursMaxAttemptsAndRetryAfter) {
  Decision d = decide(Outcome::Retry, 1, 8, std::nullopt, 0.999999, "HTTP 500");
  EXPECT_EQ(d.outcome, Outcome::Retry);
  EXPECT_EQ(d.retry_in_ms, 1000);
  EXPECT_EQ(d.error, "HTTP 500");
  d = decide(Outcome::Retry, 3, 8, 30000, 0.1, "HTTP 429");
  EXPECT_EQ(d.retry_in_ms, 30000) << "Retry-After wins over the backoff";
  d = decide(Outcome::Retry, 8, 8, std::nullopt, 0.5, "HTTP 503");
  EXPECT_EQ(d.outcome, Outcome::GiveUp);
  EXPECT_EQ(d.error, "gave up after 8 attempts (--deliver-max-attempts 8): HTTP 503");
  d = decide(Outcome::GiveUp, 1, 8, std::nullopt, 0.5, "HTTP 400");
  EXPECT_EQ(d.outcome, Outcome::GiveUp);
  EXPECT_EQ(d.error, "HTTP 400");
  d = decide(Outcome::Delivered, 9, 8, std::nullopt, 0.5, "");
  EXPECT_EQ(d.outcome, Outcome::Delivered) << "a success is never turned into a give-up";
}

TEST(DeliverySignature, HmacSha256OverTimestampDotBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(signature_header("Jefe", 1700000000, "body"),
            "sha256=" + hmac_sha256_hex("Jefe", "1700000000.body"));
  EXPECT_EQ(signature_header("k", 1, "").size(), 7U + 64U);
}

TEST(DeliveryLimits, ConcurrencyAndPerMinute) {
  using namespace std::chrono_literals;
  DestinationLimit limit;
  limit.configure(2, 3);
  auto t = DestinationLimit::Clock::time_point{} + 1h;
  EXPECT_TRUE(limit.may_start(t));
  limit.started(t);
  limit.started(t);
  EXPECT_FALSE(limit.may_start(t)) << "two at once";
  limit.finished();
  EXPECT_TRUE(limit.may_start(t));
  limit.started(t + 1s);
  limit.finished();
  limit.finished();
  EXPECT_EQ(limit.active(), 0);
  EXPECT_FALSE(limit.may_start(t + 2s)) << "three started in the last minute";
  EXPECT_EQ(limit.next_start(t + 2s), t + 60s);
  EXPECT_TRUE(limit.may_start(t + 60s));
  limit.configure(1, 0);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(limit.may_start(t + 61s));
    limit.started(t + 61s);
    limit.finished();
  }
  EXPECT_EQ(limit.next_start(t + 61s), t + 61s);
}

} // namespace
} // namespace autoreport::sidecar
