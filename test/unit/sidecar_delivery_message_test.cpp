// What the sender sends: claimed deliveries read, webhook headers and bodies, e-mail headers.
#include "delivery_message.hpp"
#include "delivery_policy.hpp"

#include <gtest/gtest.h>

namespace autoreport::sidecar {
namespace {

const char* kClaimed = R"([{"id": 7, "attempt": 2, "idempotency_key": "k-1", "kind": "webhook",
  "destination": "finance", "target": {"url": "https://hooks.example.com/x", "format": "raw", "secret": "fin"},
  "job": "daily", "job_id": 3, "report": "sales", "run": 11, "format": "csv", "rows": 2, "output": 5,
  "file_name": "sales.csv", "mime_type": "text/csv", "size": 12, "sha256": "ab",
  "scheduled_for": "2026-12-07T10:00:00Z", "finished_at": "2026-12-07T10:00:01.5Z",
  "created_at": "2026-12-07T10:00:01.123456Z", "channel": "autoreport_job_3", "content": "YSxiCjEsMgozLDQK"},
  {"id": 8, "kind": "webhook", "idempotency_key": "k-2", "content": "not base64!"},
  {"kind": "email"}])";

TEST(DeliveryClaimed, ParsesTheArrayAndNamesBadItems) {
  const ClaimedBatch batch = parse_claimed(kClaimed);
  ASSERT_EQ(batch.error, "");
  ASSERT_EQ(batch.items.size(), 3U);
  ASSERT_TRUE(batch.items[0].delivery) << batch.items[0].error;
  const ClaimedDelivery& d = *batch.items[0].delivery;
  EXPECT_EQ(d.id, 7);
  EXPECT_EQ(d.attempt, 2);
  EXPECT_EQ(d.content, "a,b\n1,2\n3,4\n");
  EXPECT_EQ(d.target["url"], "https://hooks.example.com/x");
  EXPECT_EQ(d.rows, 2);
  EXPECT_EQ(d.run, 11);
  EXPECT_FALSE(batch.items[1].delivery);
  EXPECT_EQ(batch.items[1].id, 8) << "a bad item keeps its id, to be given up";
  EXPECT_EQ(batch.items[1].error, "the claimed delivery's content is not base64");
  EXPECT_EQ(batch.items[2].id, 0);
  EXPECT_EQ(parse_claimed("[]").items.size(), 0U);
  EXPECT_NE(parse_claimed("{}").error, "");
  EXPECT_NE(parse_claimed("").error, "");
}

TEST(DeliveryClaimed, Base64AndTimes) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                       std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_decode("Zm9v\nYmFy"), "foobar");
  EXPECT_EQ(base64_decode("Zm8"), "fo") << "padding may be left out";
  EXPECT_EQ(base64_decode("Z"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm8=a"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm-8"), std::nullopt);
  EXPECT_EQ(parse_iso8601_utc_micros("1970-01-01T00:00:01Z"), 1000000);
  EXPECT_EQ(parse_iso8601_utc_micros("2026-12-07T10:00:00.123456Z"), 1796637600123456);
  EXPECT_EQ(parse_iso8601_utc_micros("2026-12-07 10:00:00.5+00"), 1796637600500000);
  EXPECT_EQ(parse_iso8601_utc_micros("2026-12-07T10:00:00+01:00"), std::nullopt);
  EXPECT_EQ(parse_iso8601_utc_micros("yesterday"), std::nullopt);
}

ClaimedDelivery sample() {
  ClaimedDelivery d = *parse_claimed(kClaimed).items[0].delivery;
  return d;
}

std::string header(const WebhookRequest& r, const std::string& name) {
  for (const std::string& h : r.headers) {
    if (h.rfind(name + ": ", 0) == 0) {
      return h.substr(name.size() + 2);
    }
  }
  return "<none>";
}

TEST(DeliveryWebhook, RawBodyHeadersAndSignature) {
  const ClaimedDelivery d = sample();
  const std::string secret = "whsec";
  const WebhookRequest r = webhook_request(d, &secret, 1700000000);
  EXPECT_EQ(r.body, d.content);
  EXPECT_EQ(r.headers.front(), "Content-Type: text/csv");
  EXPECT_EQ(header(r, "Content-Disposition"), "attachment; filename=\"sales.csv\"");
  EXPECT_EQ(header(r, "User-Agent"), "autoreport-sidecar");
  EXPECT_EQ(header(r, "Idempotency-Key"), "k-1");
  EXPECT_EQ(header(r, "X-Autoreport-Delivery"), "7");
  EXPECT_EQ(header(r, "X-Autoreport-Event"), "report_ready");
  EXPECT_EQ(header(r, "X-Autoreport-Timestamp"), "1700000000");
  EXPECT_EQ(header(r, "X-Autoreport-Signature"),
            "sha256=" + hmac_sha256_hex("whsec", "1700000000." + d.content));
  EXPECT_EQ(header(webhook_request(d, nullptr, 1), "X-Autoreport-Signature"), "<none>");
}

TEST(DeliveryWebhook, JsonAndSlackBodies) {
  ClaimedDelivery d = sample();
  d.target["format"] = "json";
  WebhookRequest r = webhook_request(d, nullptr, 1);
  EXPECT_EQ(r.headers.front(), "Content-Type: application/json");
  const nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["event"], "report_ready");
  EXPECT_EQ(j["delivery"], 7);
  EXPECT_EQ(j["job"], "daily");
  EXPECT_EQ(j["rows"], 2);
  EXPECT_EQ(j["size"], 12);
  EXPECT_EQ(base64_decode(j["content_base64"].get<std::string>()), d.content);
  for (const char* key :
       {"report", "run", "format", "file_name", "mime_type", "sha256", "scheduled_for", "finished_at"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }

  d.target["format"] = "slack";
  d.content = "name,amount\n\"Smith, <J>\",12\nLee,3\n";
  r = webhook_request(d, nullptr, 1);
  const nlohmann::json s = nlohmann::json::parse(r.body);
  EXPECT_NE(s["text"].get<std::string>().find("sales"), std::string::npos);
  ASSERT_EQ(s["blocks"].size(), 3U);
  const std::string table = s["blocks"][1]["text"]["text"];
  EXPECT_NE(table.find("```\nname        amount\n"), std::string::npos) << table;
  EXPECT_NE(table.find("Smith, &lt;J&gt;  12\n"), std::string::npos)
      << "aligned as shown, then escaped: " << table;
  EXPECT_NE(table.find("Lee         3\n"), std::string::npos) << table;
}

TEST(DeliveryWebhook, ContentDispositionQuotesAndEncodesNames) {
  EXPECT_EQ(content_disposition("a.csv"), "attachment; filename=\"a.csv\"");
  EXPECT_EQ(content_disposition("say \"hi\".csv"), "attachment; filename=\"say \\\"hi\\\".csv\"");
  EXPECT_EQ(content_disposition("é.csv"), "attachment; filename=\"__.csv\"; filename*=UTF-8''%C3%A9.csv");
}

TEST(DeliveryWebhook, FirstRowsAndTable) {
  const auto rows = first_rows("\xEF\xBB\xBFh1\th2\nx\ty\r\nz\t\n", '\t', 10);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"z", ""}));
  EXPECT_EQ(first_rows("a\nb\nc\nd\n", ',', 2).size(), 3U) << "header and two rows";
  EXPECT_EQ(first_rows("\"multi\nline\",x\n", ',', 5)[0][0], "multi\nline");
  EXPECT_EQ(text_table({{"a", "bb"}, {"ccc", "d"}}, 24, 1000), "a    bb\n-------\nccc  d\n");
  EXPECT_EQ(text_table({{"abcdef"}}, 3, 1000), "abc…\n");
  EXPECT_LE(text_table(first_rows(std::string(5000, 'x') + "\n", ',', 1), 10000, 100).size(), 100U);
}

TEST(DeliveryEmail, HeadersSubjectAndEncoding) {
  ClaimedDelivery d = sample();
  d.kind = "email";
  d.target = {{"to", {"a@example.com", "b@example.com"}},
              {"cc", nlohmann::json::array({"c@example.com"})},
              {"subject", "{report} / {job}: {rows} rows in {file_name} ({format}) {unknown}"}};
  const auto h = email_headers(d, "reports@example.com", 1796637600);
  ASSERT_EQ(h.size(), 7U);
  EXPECT_EQ(h[0], "From: reports@example.com");
  EXPECT_EQ(h[1], "To: a@example.com, b@example.com");
  EXPECT_EQ(h[2], "Cc: c@example.com");
  EXPECT_EQ(h[3], "Subject: sales / daily: 2 rows in sales.csv (csv) {unknown}");
  EXPECT_EQ(h[4], "Date: Mon, 07 Dec 2026 10:00:00 +0000");
  EXPECT_EQ(h[5], "Message-ID: <k-1@autoreport>");
  EXPECT_EQ(h[6], "MIME-Version: 1.0");
  d.target.erase("cc");
  d.target["to"] = "solo@example.com";
  d.target.erase("subject");
  const auto h2 = email_headers(d, "r@example.com", 0);
  EXPECT_EQ(h2[1], "To: solo@example.com");
  EXPECT_EQ(h2[2], "Subject: sales: daily (2026-12-07T10:00:00Z)") << "the default template";

  EXPECT_EQ(subject_from_template("a\r\nBcc: x@y", d), "a  Bcc: x@y") << "no header injection";
  EXPECT_EQ(rfc2047_encode("plain"), "plain");
  EXPECT_EQ(rfc2047_encode("Café"), "=?UTF-8?B?" + base64_encode("Café") + "?=");
  const std::string long_text(30, 'x');
  const std::string encoded = rfc2047_encode(long_text + "é" + long_text);
  for (size_t start = 0; start < encoded.size();) {
    size_t end = encoded.find(' ', start);
    end = end == std::string::npos ? encoded.size() : end;
    EXPECT_LE(end - start, 75U) << "an encoded word is at most 75 characters";
    const std::string word = encoded.substr(start, end - start);
    ASSERT_EQ(word.rfind("=?UTF-8?B?", 0), 0U);
    start = end + 1;
  }
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(DeliveryEmail, AddressesInlineAndText) {
  EXPECT_TRUE(valid_email_address("a.b+c@example.com"));
  EXPECT_FALSE(valid_email_address("a b@example.com"));
  EXPECT_FALSE(valid_email_address("a@example.com\r\nRCPT TO:<x@y>"));
  EXPECT_FALSE(valid_email_address("<a@example.com>"));
  EXPECT_FALSE(valid_email_address("a,b@example.com"));
  EXPECT_FALSE(valid_email_address("example.com"));
  EXPECT_FALSE(valid_email_address("@example.com"));
  ClaimedDelivery d = sample();
  d.target = {{"to", "a@example.com"}, {"body", "inline"}};
  EXPECT_FALSE(email_inline(d)) << "csv is attached even when inline is asked";
  d.format = "html";
  EXPECT_TRUE(email_inline(d));
  d.target["body"] = "attachment";
  EXPECT_FALSE(email_inline(d));
  const std::string text = email_text(d, false);
  EXPECT_NE(text.find("The output is attached: sales.csv (text/csv, 12 bytes)"), std::string::npos);
}

TEST(DeliveryMessage, SafeTextIsValidUtf8CutOnACharacter) {
  EXPECT_EQ(safe_text("plain reply", 500), "plain reply");
  // é is two bytes: a cut after its first byte drops it rather than leave half of it.
  EXPECT_EQ(safe_text("ab\xc3\xa9", 3), "ab");
  EXPECT_EQ(safe_text("ab\xc3\xa9", 4), "ab\xc3\xa9");
  // Latin-1, a lone continuation byte, an overlong form and a surrogate become U+FFFD.
  EXPECT_EQ(safe_text("caf\xe9!", 500), "caf\xef\xbf\xbd!");
  EXPECT_EQ(safe_text("\x80x", 500), "\xef\xbf\xbdx");
  EXPECT_EQ(safe_text("\xc0\xafx", 500), "\xef\xbf\xbd\xef\xbf\xbdx");
  EXPECT_EQ(safe_text("\xed\xa0\x80", 500), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(safe_text("line 1\r\nline 2\t ", 500), "line 1  line 2");
  EXPECT_EQ(safe_text("\xf0\x9f\x98\x80", 3), "");
}

TEST(DeliveryMessage, InlineDispositionQuotesTheFileName) {
  EXPECT_EQ(content_disposition("a \"b\";c.svg", "inline"), "inline; filename=\"a \\\"b\\\";c.svg\"");
}

TEST(DeliveryMessage, AnApostropheIsAllowedInAnAddressAsTheDatabaseAllows) {
  EXPECT_TRUE(valid_email_address("o'brien@example.com"));
  EXPECT_FALSE(valid_email_address("\"x\"@example.com"));
}

} // namespace
} // namespace autoreport::sidecar
