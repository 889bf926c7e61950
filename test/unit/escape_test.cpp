// Escaping for XML/HTML and JSON, base64 and UTF-8 repair: what reaches a browser or a JSON parser.
#include "render/escape.hpp"
#include "render/utf8.hpp"

#include <gtest/gtest.h>

namespace autoreport::render {
namespace {

const std::string fffd = "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER

TEST(EscapeXml, EscapesMarkupCharacters) {
  EXPECT_EQ(xml_escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");
  EXPECT_EQ(xml_escape(""), "");
}

TEST(EscapeXml, DropsCharactersXmlCannotCarry) {
  EXPECT_EQ(xml_escape(std::string("a\x01\x08\x0b\x0c\x1f") + '\0' + "b"), "ab");
  EXPECT_EQ(xml_escape("tab\tcr\rlf\n"), "tab\tcr\rlf\n");
  EXPECT_EQ(xml_escape("x\xEF\xBF\xBEy\xEF\xBF\xBFz"), "xyz"); // U+FFFE, U+FFFF
  EXPECT_EQ(xml_escape("\x7F"), "\x7F");                       // allowed by XML 1.0
}

TEST(EscapeXml, KeepsUnicodeAndRepairsInvalidUtf8) {
  EXPECT_EQ(xml_escape("Zürich 東京 😀"), "Zürich 東京 😀");
  EXPECT_EQ(xml_escape("a\xFF"
                       "b"),
            "a" + fffd + "b");
  EXPECT_EQ(xml_escape("\xE2\x82"), fffd);                   // truncated euro sign: one replacement
  EXPECT_EQ(xml_escape("\xC0\xAF"), fffd + fffd);            // overlong '/'
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), fffd + fffd + fffd); // a UTF-16 surrogate
  EXPECT_EQ(xml_escape("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd); // above U+10FFFF
  EXPECT_EQ(xml_escape("\xE2\x82<"), fffd + "&lt;"); // the byte after a bad sequence survives
}

TEST(EscapeUtf8, DecodesEveryLength) {
  const std::string s = "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  size_t pos = 0;
  EXPECT_EQ(decode_utf8(s, pos), U'A');
  EXPECT_EQ(decode_utf8(s, pos), U'\u00E9');
  EXPECT_EQ(decode_utf8(s, pos), U'\u20AC');
  EXPECT_EQ(decode_utf8(s, pos), U'\U0001F600');
  EXPECT_EQ(pos, s.size());
  std::string back;
  for (char32_t c : {U'A', U'\u00E9', U'\u20AC', U'\U0001F600'}) {
    append_utf8(back, c);
  }
  EXPECT_EQ(back, s);
}

TEST(EscapeUtf8, RepairKeepsValidTextAndReplacesBadBytes) {
  EXPECT_EQ(repair_utf8("Zürich 😀 \xEF\xBF\xBD"), "Zürich 😀 \xEF\xBF\xBD");
  EXPECT_EQ(repair_utf8("a\xFF\xC3"), "a" + fffd + fffd);
}

TEST(EscapeJson, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json_quote("say \"hi\" \\ bye"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(json_quote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_quote(std::string("\x01\x1f") + '\0'), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(json_quote("/</script>"), R"("/</script>")");
  EXPECT_EQ(json_quote(""), R"("")");
}

TEST(EscapeJson, EscapesLineSeparatorsForJavaScriptAndRepairsUtf8) {
  EXPECT_EQ(json_quote("a\xE2\x80\xA8"
                       "b\xE2\x80\xA9"),
            R"("a\u2028b\u2029")");
  EXPECT_EQ(json_quote("é\xFF"), "\"é" + fffd + "\"");
}

TEST(EscapeBase64, MatchesRfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(EscapeBase64, EncodesEveryByte) {
  EXPECT_EQ(base64_encode(std::string("\0\xFB\xFF", 3)), "APv/");
  EXPECT_EQ(base64_encode("\xFB\xFF"), "+/8=");
}

} // namespace
} // namespace autoreport::render
