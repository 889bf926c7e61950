// Normalised query texts: every constant replaced, nothing else touched, and put back exactly.
#include "analyze/sql_text.hpp"

#include <gtest/gtest.h>

namespace autoreport::analyze {
namespace {

using V = std::vector<std::string>;

TEST(SqlText, ReplacesEveryKindOfConstant) {
  const Normalised n = normalise(
      "SELECT * FROM t WHERE a = 42 AND b > 1.5e3 AND c = 'x''y' AND d = E'\\'q' AND e = $$z$$ LIMIT 10");
  EXPECT_EQ(n.text, "SELECT * FROM t WHERE a = $1 AND b > $2 AND c = $3 AND d = $4 AND e = $5 LIMIT $6");
  EXPECT_EQ(n.constants, (V{"42", "1.5e3", "'x''y'", "E'\\'q'", "$$z$$", "10"}));
  EXPECT_EQ(n.first, 1);
}

TEST(SqlText, KeepsNamesCommentsCastsAndPrefixedLiteralsWhole) {
  const Normalised n = normalise("SELECT t1.c2, \"col 3\" FROM t1 -- 5\n/* 'x' /* 6 */ */ WHERE d = "
                                 "'2024-01-01'::date AND b = B'101' AND x = X'ff' AND u = U&'d\\0061t' AND "
                                 "n = N'abc' AND f = .5 AND $tag$ 1 $tag$ = 'q'");
  EXPECT_EQ(n.text, "SELECT t1.c2, \"col 3\" FROM t1 -- 5\n/* 'x' /* 6 */ */ WHERE d = $1::date AND b = $2 "
                    "AND x = $3 AND u = $4 AND n = $5 AND f = $6 AND $7 = $8");
  EXPECT_EQ(n.constants,
            (V{"'2024-01-01'", "B'101'", "X'ff'", "U&'d\\0061t'", "N'abc'", ".5", "$tag$ 1 $tag$", "'q'"}));
}

TEST(SqlText, NumbersAfterTheParametersAlreadyThere) {
  const Normalised n = normalise("SELECT * FROM t WHERE a = $2 AND b = 7 AND c = $1");
  EXPECT_EQ(n.text, "SELECT * FROM t WHERE a = $2 AND b = $3 AND c = $1");
  EXPECT_EQ(n.first, 3);
  EXPECT_EQ(n.constants, (V{"7"}));
  EXPECT_EQ(highest_parameter("SELECT $12, 'x $99', $3"), 12);
}

TEST(SqlText, BackslashesFollowStandardConformingStrings) {
  // With standard_conforming_strings off, \' does not end the literal.
  const Normalised off = normalise("SELECT 'a\\' b' , 3", false);
  EXPECT_EQ(off.text, "SELECT $1 , $2");
  const Normalised on = normalise("SELECT 'a\\' , 3", true);
  EXPECT_EQ(on.text, "SELECT $1 , $2");
}

TEST(SqlText, SubstituteRestoresTheInstance) {
  const std::string sql = "SELECT x FROM t WHERE a = 42 AND c = 'it''s $1' AND d < 1e2 -- $1\n ORDER BY 1";
  const Normalised n = normalise(sql);
  EXPECT_EQ(substitute(n.text, n.constants), sql);
  // A value left empty keeps its $n; numbers past the values are kept.
  EXPECT_EQ(substitute("SELECT $1, $2, $3", V{"1", ""}), "SELECT 1, $2, $3");
  EXPECT_EQ(substitute("SELECT a$1, $1", V{"'v'"}), "SELECT a$1, 'v'");
}

TEST(SqlText, UnterminatedTextDoesNotOverrun) {
  EXPECT_EQ(normalise("SELECT 'abc").text, "SELECT $1");
  EXPECT_EQ(normalise("SELECT $$abc").text, "SELECT $1");
  EXPECT_EQ(normalise("SELECT 1e").text, "SELECT $1e");
  EXPECT_EQ(normalise("").text, "");
}

} // namespace
} // namespace autoreport::analyze
