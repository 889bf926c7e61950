// The client's command line: commands, operands, flags in every spelling, and the usage errors.
#include "cli/args.hpp"

#include <gtest/gtest.h>

namespace autoreport::cli {
namespace {

TEST(CliArgs, RenderWithEverySpellingOfItsFlags) {
  const ParseResult r =
      parse_args({"-h", "db.example", "-p5433", "--username=alice", "--dbname", "sales", "render",
                  "top_products", "--param", "n=5", "--param=since:=\"2026-01-01\"", "-F", "xlsx", "-o",
                  "top.xlsx", "--option", "sheet_name=Top", "--chunk-size=4096"});
  ASSERT_TRUE(r.args) << r.error;
  const Args& a = *r.args;
  EXPECT_EQ(a.command, Command::Render);
  EXPECT_EQ(a.report, "top_products");
  EXPECT_EQ(a.connection.host, "db.example");
  EXPECT_EQ(a.connection.port, "5433");
  EXPECT_EQ(a.connection.user, "alice");
  EXPECT_EQ(a.connection.dbname, "sales");
  ASSERT_EQ(a.params.size(), 2u);
  EXPECT_EQ(a.params[0].name, "n");
  EXPECT_EQ(a.params[0].value, "5");
  EXPECT_FALSE(a.params[0].raw_json);
  EXPECT_EQ(a.params[1].name, "since");
  EXPECT_EQ(a.params[1].value, "\"2026-01-01\"");
  EXPECT_TRUE(a.params[1].raw_json);
  EXPECT_EQ(a.format, "xlsx");
  EXPECT_EQ(a.output, "top.xlsx");
  EXPECT_EQ(a.options.size(), 1u);
  EXPECT_EQ(a.chunk_size, 4096);
}

TEST(CliArgs, OptionsMayFollowTheCommandAndDashDashEndsThem) {
  ParseResult r = parse_args({"list", "-d", "postgresql://u@h/db", "--json"});
  ASSERT_TRUE(r.args) << r.error;
  EXPECT_EQ(r.args->command, Command::List);
  EXPECT_EQ(r.args->connection.dbname, "postgresql://u@h/db");
  EXPECT_TRUE(r.args->json);
  r = parse_args({"describe", "--", "-odd-name"});
  ASSERT_TRUE(r.args) << r.error;
  EXPECT_EQ(r.args->report, "-odd-name");
  r = parse_args({"render", "x", "-o", "-"});
  ASSERT_TRUE(r.args) << r.error;
  EXPECT_EQ(r.args->output, "-");
}

TEST(CliArgs, HelpAndVersionWinOverEverythingElse) {
  EXPECT_EQ(parse_args({"--help"}).args->command, Command::Help);
  EXPECT_EQ(parse_args({"-?"}).args->command, Command::Help);
  EXPECT_EQ(parse_args({"render", "--help"}).args->command, Command::Help);
  EXPECT_EQ(parse_args({"-V"}).args->command, Command::Version);
  EXPECT_EQ(parse_args({"--version", "bogus"}).args->command, Command::Version);
  EXPECT_NE(usage().find("Exit status"), std::string::npos);
}

TEST(CliArgs, UsageErrorsSayWhatIsWrong) {
  EXPECT_EQ(parse_args({}).error, "no command given (render, list or describe)");
  EXPECT_EQ(parse_args({"show"}).error, "unknown command \"show\" (render, list or describe)");
  EXPECT_EQ(parse_args({"render"}).error, "render needs a report name");
  EXPECT_EQ(parse_args({"describe"}).error, "describe needs a report name");
  EXPECT_EQ(parse_args({"list", "extra"}).error, "too many arguments for list: \"extra\"");
  EXPECT_EQ(parse_args({"render", "a", "b"}).error, "too many arguments for render: \"b\"");
  EXPECT_EQ(parse_args({"--colour", "list"}).error, "unrecognized option \"--colour\"");
  EXPECT_EQ(parse_args({"-x", "list"}).error, "invalid option \"-x\"");
  EXPECT_EQ(parse_args({"list", "-p"}).error, "option \"-p\" needs a value");
  EXPECT_EQ(parse_args({"list", "--json=yes"}).error, "option \"--json\" takes no value");
  EXPECT_EQ(parse_args({"list", "-wW"}).error,
            "option \"-w\" takes no value (give each short option on its own)");
  EXPECT_EQ(parse_args({"render", "r", "--param", "n"}).error,
            "--param must be NAME=VALUE or NAME:=JSON, not \"n\"");
  EXPECT_EQ(parse_args({"render", "r", "--param", "=5"}).error,
            "--param must be NAME=VALUE or NAME:=JSON, not \"=5\"");
  EXPECT_EQ(parse_args({"render", "r", "--chunk-size", "0"}).error,
            "--chunk-size must be a positive number of bytes, not \"0\"");
  EXPECT_EQ(parse_args({"list", "--param", "n=1"}).error, "--param and --params-json belong to render");
  EXPECT_EQ(parse_args({"describe", "r", "-o", "x.csv"}).error,
            "--option, --options-json, --format and --output belong to render");
  EXPECT_EQ(parse_args({"render", "r", "--json"}).error,
            "--json belongs to list and describe (render takes --format json)");
  EXPECT_EQ(parse_args({"list", "-w", "-W"}).error,
            "-w (--no-password) and -W (--password) cannot both be given");
}

TEST(CliArgs, SettingsSplitAtTheFirstEquals) {
  auto s = parse_setting("title=a=b");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "title");
  EXPECT_EQ(s->value, "a=b");
  EXPECT_FALSE(s->raw_json);
  s = parse_setting("regions:=[\"a\"]");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "regions");
  EXPECT_TRUE(s->raw_json);
  s = parse_setting("empty=");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, "");
  EXPECT_FALSE(parse_setting(":=1"));
  EXPECT_FALSE(parse_setting("novalue"));
}

} // namespace
} // namespace autoreport::cli
