// A job's options, name and relative parameters as pure code checks them.
#include "common/error.hpp"
#include "reports/exact_json.hpp"
#include "schedules/job_options.hpp"

#include <gtest/gtest.h>

namespace autoreport::schedules {
namespace {

std::string error_of(std::string_view options, std::string_view format = "csv") {
  try {
    parse_job_options(options, format);
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023") << options;
    return e.message();
  }
  ADD_FAILURE() << "accepted: " << options;
  return "";
}

TEST(JobOptions, DefaultsAreFilledIn) {
  const JobOptions o = parse_job_options("{}", "csv");
  EXPECT_EQ(o.to_json().dump(), R"({"alert":null,"catch_up":"skip","channel":"autoreport","enabled":true,)"
                                R"("keep":null,"render":{},"retries":3,"timeout":null})");
  EXPECT_EQ(parse_job_options("", "csv").retries, 3);
}

TEST(JobOptions, EveryOption) {
  const JobOptions o = parse_job_options(
      R"({"retries": 0, "timeout": "5 min", "catch_up": "all", "channel": "a.b", "keep": "1 day",
          "enabled": false, "alert": "x > 1", "render": {"header": false}})",
      "csv");
  EXPECT_EQ(o.retries, 0);
  EXPECT_EQ(o.timeout, "5 min");
  EXPECT_EQ(o.catch_up, "all");
  EXPECT_EQ(o.catch_up_limit, 100); // the default bound of "all"
  EXPECT_EQ(o.channel, "a.b");
  EXPECT_EQ(o.keep, "1 day");
  EXPECT_FALSE(o.enabled);
  EXPECT_EQ(o.alert, "x > 1");
  EXPECT_EQ(o.render.dump(), R"({"header":false})");
  EXPECT_EQ(parse_job_options(R"({"catch_up": "all", "catch_up_limit": 7})", "csv").catch_up_limit, 7);
  EXPECT_FALSE(parse_job_options(R"({"alert": null, "timeout": null})", "csv").alert.has_value());
}

TEST(JobOptions, Refusals) {
  EXPECT_EQ(error_of(R"({"retry": 1})"), "unknown option \"retry\"");
  EXPECT_EQ(error_of(R"({"retries": -1})"), "option \"retries\" must be between 0 and 10");
  EXPECT_EQ(error_of(R"({"retries": 99999999999999999999})"), "option \"retries\" must be an integer");
  EXPECT_EQ(error_of(R"({"retries": 2.5})"), "option \"retries\" must be an integer");
  EXPECT_EQ(error_of(R"({"timeout": 5})"), "option \"timeout\" must be a string");
  EXPECT_EQ(error_of(R"({"catch_up": "twice"})"), "option \"catch_up\" must be skip, once or all");
  EXPECT_EQ(error_of(R"({"catch_up": "once", "catch_up_limit": 2})"),
            "option \"catch_up_limit\" is only for catch_up \"all\"");
  EXPECT_EQ(error_of(R"({"enabled": 1})"), "option \"enabled\" must be true or false");
  EXPECT_EQ(error_of(R"({"alert": ""})"), "option \"alert\" must not be empty");
  EXPECT_EQ(error_of(R"({"render": []})"),
            "option \"render\" must be a JSON object of the format's render options");
  EXPECT_EQ(error_of(R"({"render": {"width": 10}})"), "unknown option \"width\" for format csv");
  EXPECT_EQ(error_of("[]"), "options must be a JSON object");
  EXPECT_EQ(error_of("{"), "options must be a JSON object");
  EXPECT_NO_THROW(parse_job_options(R"({"render": {"width": 400}})", "svg"));
}

TEST(JobOptions, JobNames) {
  EXPECT_NO_THROW(check_job_name("daily sales, EMEA"));
  EXPECT_THROW(check_job_name(""), Error);
  EXPECT_THROW(check_job_name(std::string(64, 'x')), Error);
  EXPECT_THROW(check_job_name("a\nb"), Error);
}

TEST(JobOptions, RelativeParameters) {
  nlohmann::json p = reports::parse_exact_json(
      R"({"since": {"relative": "START OF LAST MONTH"}, "n": 1.50, "region": "EU"})");
  const auto relative = relative_params(p);
  ASSERT_EQ(relative.size(), 1u);
  EXPECT_EQ(relative.at("since").text(), "start of last month");
  // Canonical spelling written back; other values (numbers exactly) untouched.
  EXPECT_EQ(reports::dump_exact(p), R"({"n":1.50,"region":"EU","since":{"relative":"start of last month"}})");

  nlohmann::json wrong_shape = nlohmann::json::parse(R"({"since": {"relative": "today", "x": 1}})");
  EXPECT_THROW(relative_params(wrong_shape), Error);
  nlohmann::json not_text = nlohmann::json::parse(R"({"since": {"relative": 5}})");
  EXPECT_THROW(relative_params(not_text), Error);
  nlohmann::json bad = nlohmann::json::parse(R"({"since": {"relative": "last month"}})");
  try {
    relative_params(bad);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_EQ(e.message().rfind("parameter \"since\": invalid relative date", 0), 0u) << e.message();
  }
  nlohmann::json array = nlohmann::json::parse("[1]");
  EXPECT_THROW(relative_params(array), Error);
}

} // namespace
} // namespace autoreport::schedules
