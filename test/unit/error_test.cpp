// autoreport::Error: what a user will see must survive the trip through C++.
#include "common/error.hpp"

#include <gtest/gtest.h>

namespace autoreport {
namespace {

TEST(Sqlstate, AcceptsOnlyFiveCharactersOfDigitsAndCapitals) {
  EXPECT_TRUE(is_valid_sqlstate("22023"));
  EXPECT_TRUE(is_valid_sqlstate("XX000"));
  EXPECT_TRUE(is_valid_sqlstate("P0001"));
  EXPECT_FALSE(is_valid_sqlstate(""));
  EXPECT_FALSE(is_valid_sqlstate("2202"));
  EXPECT_FALSE(is_valid_sqlstate("220233"));
  EXPECT_FALSE(is_valid_sqlstate("22o23"));
  EXPECT_FALSE(is_valid_sqlstate("bad!!"));
  // Success, warning and no-data classes are not errors.
  EXPECT_FALSE(is_valid_sqlstate("00000"));
  EXPECT_FALSE(is_valid_sqlstate("01000"));
  EXPECT_FALSE(is_valid_sqlstate("02000"));
  EXPECT_TRUE(is_valid_sqlstate("03000"));
}

TEST(Interrupted, IsNotAnErrorSoRecoveryCodeCannotSwallowIt) {
  bool swallowed = false;
  try {
    try {
      throw Interrupted("canceling statement due to statement timeout");
    } catch (const Error&) {
      swallowed = true;
    }
  } catch (const Interrupted& i) {
    EXPECT_STREQ(i.what(), "canceling statement due to statement timeout");
  }
  EXPECT_FALSE(swallowed);
}

TEST(Error, CarriesEverythingTheUserSees) {
  const Error e = Error(sqlstate::invalid_parameter_value, "parameter \"since\" must be a date")
                      .with_detail("The value was \"yesterday\".")
                      .with_hint("Write dates as YYYY-MM-DD.")
                      .with_context("report sales_by_region");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_EQ(e.message(), "parameter \"since\" must be a date");
  EXPECT_STREQ(e.what(), "parameter \"since\" must be a date");
  EXPECT_EQ(e.detail(), "The value was \"yesterday\".");
  EXPECT_EQ(e.hint(), "Write dates as YYYY-MM-DD.");
  EXPECT_EQ(e.context(), "report sales_by_region");
  EXPECT_EQ(e.internal_position(), 0);
}

TEST(Error, InvalidCodeBecomesInternalErrorAndKeepsTheMessage) {
  const Error e("oops", "something broke");
  EXPECT_EQ(e.sqlstate(), "XX000");
  EXPECT_EQ(e.message(), "something broke");
}

TEST(Error, IsCaughtAsStdException) {
  try {
    throw Error(sqlstate::query_canceled, "canceling statement due to user request");
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "canceling statement due to user request");
    return;
  }
  FAIL() << "not caught as std::exception";
}

TEST(Error, InternalQueryAndPosition) {
  Error e(sqlstate::syntax_error, "syntax error at or near \"SELEC\"");
  e.with_internal_query("SELEC 1", 1);
  EXPECT_EQ(e.internal_query(), "SELEC 1");
  EXPECT_EQ(e.internal_position(), 1);
}

} // namespace
} // namespace autoreport
