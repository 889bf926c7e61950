// The client's tables, aligned as psql aligns them.
#include "cli/table.hpp"

#include <gtest/gtest.h>

namespace autoreport::cli {
namespace {

TEST(CliTable, AlignedLikePsql) {
  EXPECT_EQ(aligned_table({"name", "version", "description"},
                          {{"top_products", "3", "Best sellers"}, {"rx", "12", ""}}),
            "     name     | version | description\n"
            "--------------+---------+--------------\n"
            " top_products | 3       | Best sellers\n"
            " rx           | 12      |\n");
}

TEST(CliTable, WidthsCountCharactersAndLineBreaksBecomeSpaces) {
  EXPECT_EQ(aligned_table({"a", "b"}, {{"Zürich", "x\ny"}}), "   a    |  b\n"
                                                             "--------+-----\n"
                                                             " Zürich | x y\n");
  EXPECT_EQ(aligned_table({"a"}, {}), " a\n---\n");
}

} // namespace
} // namespace autoreport::cli
