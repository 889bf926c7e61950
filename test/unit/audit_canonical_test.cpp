// The canonical content of audit rows: the bytes their hashes cover must be exactly as documented in
// extension/audit/canonical.hpp, so that a chain can be recomputed outside PostgreSQL.
#include "audit/canonical.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace autoreport::audit {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) {
    out.push_back(static_cast<char>(v));
  }
  return out;
}

RunRow sample() {
  RunRow r;
  r.id = 1;
  r.at = 0x0102030405060708;
  r.role = 10;
  r.role_name = "ann";
  r.report = "sales";
  r.version = 3;
  r.params = R"({"since": "2026-01-01"})";
  r.rows = 42;
  r.bytes = std::nullopt;
  r.duration_ms = 1.5;
  r.cache_hit = true;
  return r;
}

TEST(AuditCanonical, ExactBytesOfASmallRow) {
  RunRow r;
  r.id = 7;
  r.at = -1;
  r.role = 0x01020304;
  r.report = "r";
  r.duration_ms = 1.0; // 0x3ff0000000000000
  const std::string expected = std::string("autoreport.runs/1") + bytes({0, 0, 0, 0, 0, 0, 0, 7}) +
                               bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) + bytes({1, 2, 3, 4}) +
                               bytes({0}) +                            // role_name NULL
                               bytes({1, 0, 0, 0, 1}) + "r" +          // report "r"
                               bytes({0}) +                            // version NULL
                               bytes({0}) +                            // params NULL
                               bytes({0}) +                            // params_truncated false
                               bytes({0}) + bytes({0}) +               // rows, bytes NULL
                               bytes({0x3f, 0xf0, 0, 0, 0, 0, 0, 0}) + // duration_ms 1.0
                               bytes({0}) +                            // cache_hit false
                               bytes({0}) + bytes({0}) + bytes({0});   // format, sqlstate, message NULL
  EXPECT_EQ(canonical_content(r), expected);
}

TEST(AuditCanonical, EveryFieldChangesTheContent) {
  const std::string base = canonical_content(sample());
  std::vector<RunRow> changed(15, sample());
  changed[0].id = 2;
  changed[1].at += 1;
  changed[2].role = 11;
  changed[3].role_name = "bob";
  changed[4].report = "sale";
  changed[5].version = 4;
  changed[6].params = R"({"since": "2026-01-02"})";
  changed[7].params_truncated = true;
  changed[8].rows = 43;
  changed[9].bytes = 0;
  changed[10].duration_ms = 1.25;
  changed[11].cache_hit = false;
  changed[12].format = "csv";
  changed[13].error_sqlstate = "22023";
  changed[14].error_message = "boom";
  for (size_t i = 0; i < changed.size(); ++i) {
    EXPECT_NE(canonical_content(changed[i]), base) << "field " << i;
  }
}

TEST(AuditCanonical, NullAndEmptyDiffer) {
  RunRow a = sample();
  RunRow b = sample();
  a.format = std::nullopt;
  b.format = "";
  EXPECT_NE(canonical_content(a), canonical_content(b));
  a.rows = std::nullopt;
  b.rows = 0;
  b.format = std::nullopt;
  EXPECT_NE(canonical_content(a), canonical_content(b));
}

// Length prefixes keep field boundaries: moving bytes from one text field to the next changes the content.
TEST(AuditCanonical, FieldBoundariesCannotShift) {
  RunRow a = sample();
  RunRow b = sample();
  a.role_name = "ab";
  a.report = "c";
  b.role_name = "a";
  b.report = "bc";
  EXPECT_NE(canonical_content(a), canonical_content(b));
  a = sample();
  b = sample();
  a.error_sqlstate = "22023x";
  a.error_message = "y";
  b.error_sqlstate = "22023";
  b.error_message = "xy";
  EXPECT_NE(canonical_content(a), canonical_content(b));
}

TEST(AuditCanonical, DoublesAreEncodedByTheirBits) {
  RunRow a = sample();
  RunRow b = sample();
  a.duration_ms = 0.0;
  b.duration_ms = -0.0;
  EXPECT_NE(canonical_content(a), canonical_content(b));
  a.duration_ms = 0.1 + 0.2;
  b.duration_ms = 0.3;
  EXPECT_NE(canonical_content(a), canonical_content(b));
  a.duration_ms = std::numeric_limits<double>::infinity();
  EXPECT_EQ(canonical_content(a), canonical_content(a));
}

TEST(AuditCanonical, HashInputStartsWithThePreviousHash) {
  Digest prev{};
  prev[0] = 0xab;
  prev[31] = 0xcd;
  const std::string input = hash_input(prev, sample());
  ASSERT_EQ(input.size(), kHashBytes + canonical_content(sample()).size());
  EXPECT_EQ(static_cast<uint8_t>(input[0]), 0xab);
  EXPECT_EQ(static_cast<uint8_t>(input[31]), 0xcd);
  EXPECT_EQ(input.substr(kHashBytes), canonical_content(sample()));
}

TEST(AuditCanonical, Hex) {
  Digest h{};
  h[0] = 0x0f;
  h[1] = 0xa0;
  EXPECT_EQ(to_hex(h).substr(0, 6), "0fa000");
  EXPECT_EQ(to_hex(h).size(), 64u);
}

} // namespace
} // namespace autoreport::audit
