// The :name scanner must find every placeholder and nothing that only looks like one.
#include "common/error.hpp"
#include "reports/placeholders.hpp"

#include <gtest/gtest.h>

namespace autoreport::reports {
namespace {

std::vector<std::string> names(std::string_view sql) {
  std::vector<std::string> out;
  for (const auto& p : find_placeholders(sql)) {
    out.push_back(p.name);
  }
  return out;
}

using V = std::vector<std::string>;

TEST(Placeholders, FindsNamesInOrderWithOffsets) {
  const auto found = find_placeholders("SELECT * FROM t WHERE d >= :since AND r = :Region");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "since");
  EXPECT_EQ(found[0].offset, 27u);
  EXPECT_EQ(found[1].name, "region"); // lower-cased as unquoted identifiers are
}

TEST(Placeholders, IgnoresWhatOnlyLooksLikeOne) {
  EXPECT_EQ(names("SELECT ':a', E'\\':b', U&':c', $$ :d $$, $tag$ :e $tag$"), V{});
  EXPECT_EQ(names("SELECT \"col:f\" FROM t -- :g\n /* :h /* nested :i */ :j */"), V{});
  EXPECT_EQ(names("SELECT x::date, y::text[] FROM t"), V{});
  EXPECT_EQ(names("SELECT a[1:2], a[lo:hi], f(x):y, a[i]:z"), V{});
  EXPECT_EQ(names("SELECT 'it''s :k'"), V{});
}

TEST(Placeholders, FindsThemNextToOperatorsAndCasts) {
  EXPECT_EQ(names("WHERE d>=:since AND d<:until::date AND x IN (:a,:b) AND y=ANY(:list)"),
            (V{"since", "until", "a", "b", "list"}));
  EXPECT_EQ(names("SELECT :x + :x"), (V{"x", "x"}));
  EXPECT_EQ(placeholder_names("SELECT :x + :y + :x"), (V{"x", "y"}));
}

TEST(Placeholders, ColonsAtTheTopOfASubscriptAreSliceSyntax) {
  // Whatever the spacing, a ':' directly inside a subscript's brackets is the slice colon.
  EXPECT_EQ(names("SELECT a[1 :n], a[:n], a[:], a[n:], a[ : n], a[ :n], a[1:n][:m], t.a[:n]"), V{});
  EXPECT_EQ(names("SELECT (f(x))[:n], \"A\"[:n], a[x::int:n], data['k'][:n]"), V{});
  // A placeholder used as a subscript or slice bound is written in parentheses.
  EXPECT_EQ(names("SELECT a[(:i)], a[(:lo):(:hi)], a[f(:j)], a[1:(:k)]"), (V{"i", "lo", "hi", "j", "k"}));
  // A placeholder can itself be subscripted.
  EXPECT_EQ(names("SELECT :arr[1:2], :arr[:n]"), (V{"arr", "arr"}));
  // ARRAY[...] and type brackets are not subscripts: placeholders inside them are found.
  EXPECT_EQ(names("SELECT ARRAY[:a, :b], array [:c], ARRAY[ARRAY[:d]], x::int[] = ARRAY[:e]"),
            (V{"a", "b", "c", "d", "e"}));
  // Brackets inside literals, identifiers and comments do not open a subscript.
  EXPECT_EQ(names("SELECT 'a[', \"b[\", /* c[ */ :x, $$ [ $$, :y"), (V{"x", "y"}));
  // A closing bracket ends the subscript: what follows is read normally.
  EXPECT_EQ(names("SELECT a[1:2] = :x, (a[:n]) > :y"), (V{"x", "y"}));
}

TEST(Placeholders, NamedArgumentsAndJsonOperators) {
  EXPECT_EQ(names("SELECT f(a := :x, b => :y), f(a:=:z)"), (V{"x", "y", "z"}));
  EXPECT_EQ(names("SELECT j ?| :keys, j @? '$.a ? (@ > :no)', j @@ :path, j #>> :p, j ? :k"),
            (V{"keys", "path", "p", "k"}));
  EXPECT_EQ(names("SELECT j->>'a:b', j->:key, '{\"a\": 1}'::jsonb @> :doc"), (V{"key", "doc"}));
}

TEST(Placeholders, QuotedAndDollarQuotedTextIsSkippedExactly) {
  EXPECT_EQ(names("SELECT $a$ $b$ :in $a$, :out1, $_x1$:in$_x1$, :out2"), (V{"out1", "out2"}));
  EXPECT_EQ(names("SELECT e'\\\\', :after, E'\\\\\\'', :more, e'\\':no'"), (V{"after", "more"}));
  EXPECT_EQ(names("SELECT \"a\"\":b\", U&\"d:0061\", U&':c', :d"), V{"d"});
  EXPECT_EQ(names("SELECT 1 -- :a\n, :b /* :c */ --:d"), V{"b"});
  EXPECT_EQ(names("SELECT x::timestamptz::date, y ::  text, z:::w"), V{});
}

TEST(Placeholders, EscapeStringBackslashQuoteDoesNotEndTheLiteral) {
  EXPECT_EQ(names("SELECT E'a\\' :in_string', :out"), V{"out"});
  // Without E, a backslash is an ordinary character and the quote ends the literal.
  EXPECT_EQ(names("SELECT 'a\\', :after"), V{"after"});
}

TEST(Placeholders, RewritesToPositionalParameters) {
  EXPECT_EQ(rewrite_placeholders("SELECT :b, :a, :b::int, ':a'", {"a", "b"}), "SELECT $2, $1, $2::int, ':a'");
  EXPECT_EQ(rewrite_placeholders("SELECT 1", {}), "SELECT 1");
}

TEST(Placeholders, UndeclaredPlaceholderIsAnErrorWithItsPosition) {
  try {
    rewrite_placeholders("SELECT 'é', :nope", {"a"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "42P02");
    EXPECT_EQ(e.message(), "query uses placeholder :nope, which is not a declared parameter");
    EXPECT_EQ(e.internal_position(), 13); // characters, not bytes
  }
}

TEST(Placeholders, BackslashEscapesApplyWhenStandardStringsAreOff) {
  // standard_conforming_strings = off: 'it\'s :x' is one literal, so :n is the only placeholder.
  const std::string_view sql = R"(SELECT 'it\'s :x', :n)";
  EXPECT_EQ(placeholder_names(sql, false), (V{"n"}));
  // With it on (the default), the backslash is an ordinary character: the literal ends after it, :x
  // is a placeholder and the next quote opens a literal that hides :n.
  EXPECT_EQ(placeholder_names(sql, true), (V{"x"}));
  EXPECT_EQ(rewrite_placeholders(sql, {"n"}, false), R"(SELECT 'it\'s :x', $1)");
}

TEST(Placeholders, PositionalParametersAreRefused) {
  EXPECT_EQ(find_positional_parameters("SELECT $1, '$2', $$ $3 $$, a$4"), std::vector<size_t>{7});
  try {
    rewrite_placeholders("SELECT $1", {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "42P02");
    EXPECT_EQ(e.internal_position(), 8);
  }
}

TEST(Placeholders, UnterminatedConstructsDoNotRunAway) {
  EXPECT_EQ(names("SELECT 'open :a"), V{});
  EXPECT_EQ(names("SELECT $x$ open :a"), V{});
  EXPECT_EQ(names("SELECT /* open :a"), V{});
  EXPECT_EQ(names("SELECT :"), V{});
}

} // namespace
} // namespace autoreport::reports
