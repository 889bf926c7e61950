// The client's parameters and options as JSON, and the format a file name implies.
#include "cli/settings.hpp"

#include <gtest/gtest.h>

namespace autoreport::cli {
namespace {

std::vector<Setting> settings(std::initializer_list<std::string> texts) {
  std::vector<Setting> out;
  for (const std::string& t : texts) {
    out.push_back(*parse_setting(t));
  }
  return out;
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.message;
  }
  return "(no error)";
}

TEST(CliSettings, ValuesAreStringsTheServerReadsByTheParameterType) {
  EXPECT_EQ(params_object(settings({"n=5", "since=2026-01-01", "flag=t", "name=O\"Brien\\"}), {}),
            R"({"n": "5", "since": "2026-01-01", "flag": "t", "name": "O\"Brien\\"})");
  EXPECT_EQ(params_object({}, {}), "{}");
  EXPECT_EQ(params_object(settings({"city=Zürich"}), {}), R"({"city": "Zürich"})");
}

TEST(CliSettings, AnArrayParameterTakesOneValuePerElement) {
  EXPECT_EQ(params_object(settings({"regions=north", "n=3", "regions=south,east"}), {"regions"}),
            R"({"regions": ["north", "south,east"], "n": "3"})");
  EXPECT_EQ(params_object(settings({"regions=north"}), {"regions"}), R"({"regions": ["north"]})");
}

TEST(CliSettings, JsonValuesAreSentAsWrittenSoNumbersStayExact) {
  EXPECT_EQ(
      params_object(settings({"regions:=[]", "region:=null", "x:= 12345678901234567890.5 "}), {"regions"}),
      R"({"regions": [], "region": null, "x": 12345678901234567890.5})");
  EXPECT_EQ(usage_error([] { params_object(settings({"n:=five"}), {}); }),
            "parameter \"n\": five is not a JSON value (for text, write n=VALUE)");
}

TEST(CliSettings, AParameterGivenTwiceIsRefused) {
  EXPECT_EQ(usage_error([] {
              params_object(settings({"n=1", "n=2"}), {});
            }),
            "parameter \"n\" is given more than once");
  EXPECT_EQ(usage_error([] {
              params_object(settings({"r:=[]", "r=a"}), {"r"});
            }),
            "parameter \"r\" is given more than once (an array parameter is given once per element as "
            "NAME=VALUE, or once as NAME:=JSON)");
  EXPECT_EQ(usage_error([] {
              params_object(settings({"r=a", "r:=[]"}), {"r"});
            }),
            "parameter \"r\" is given more than once (an array parameter is given once per element as "
            "NAME=VALUE, or once as NAME:=JSON)");
}

TEST(CliSettings, TextThatIsNotUtf8IsRefused) {
  EXPECT_EQ(usage_error([] { params_object(settings({"city=Z\xfcrich"}), {}); }),
            "parameter \"city\" is not valid UTF-8");
}

TEST(CliSettings, OptionsAreTypedByTheirName) {
  EXPECT_EQ(
      options_object(
          settings({"header=false", "chart=on", "width=640", "delimiter=;", "sheet_name=2026", "null=0"})),
      R"({"header": false, "chart": true, "width": 640, "delimiter": ";", "sheet_name": "2026", "null": "0"})");
  EXPECT_EQ(options_object(settings({"max_points:=100", "title:=\"T\""})),
            R"({"max_points": 100, "title": "T"})");
  EXPECT_EQ(usage_error([] { options_object(settings({"header=maybe"})); }),
            "option \"header\" must be true or false, not \"maybe\"");
  EXPECT_EQ(usage_error([] { options_object(settings({"width=wide"})); }),
            "option \"width\" must be a whole number, not \"wide\"");
  EXPECT_EQ(usage_error([] {
              options_object(settings({"width=1", "width=2"}));
            }),
            "option \"width\" is given more than once");
}

TEST(CliSettings, WholeObjectsMustBeObjects) {
  EXPECT_NO_THROW(check_json_object(R"({"n": 5})", "--params-json"));
  EXPECT_EQ(usage_error([] { check_json_object("[1]", "--params-json"); }),
            "--params-json must be a JSON object, like '{\"since\": \"2026-01-01\"}'");
  EXPECT_EQ(usage_error([] { check_json_object("{", "--options-json"); }),
            "--options-json must be a JSON object, like '{\"since\": \"2026-01-01\"}'");
}

TEST(CliSettings, TheFileExtensionGivesTheFormat) {
  EXPECT_EQ(format_for_file("top.xlsx"), "xlsx");
  EXPECT_EQ(format_for_file("/tmp/out/Top.XLSX"), "xlsx");
  EXPECT_EQ(format_for_file("a.md"), "markdown");
  EXPECT_EQ(format_for_file("a.jsonl"), "ndjson");
  EXPECT_EQ(format_for_file("a.htm"), "html");
  EXPECT_EQ(format_for_file("a.tsv"), "tsv");
  EXPECT_EQ(format_for_file("a.svg"), "svg");
  EXPECT_EQ(format_for_file("report.PDF"), "pdf");
  EXPECT_EQ(format_for_file("chart.png"), "png");
  EXPECT_EQ(format_for_file("report.txt"), "");
  EXPECT_EQ(format_for_file("report"), "");
  EXPECT_EQ(format_for_file(".csv"), "");
  EXPECT_EQ(format_for_file("dir.csv/report"), "");
}

} // namespace
} // namespace autoreport::cli
