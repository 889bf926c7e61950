// The NOTIFY payload of a job run: every field a listener reads, and the 8000-byte limit kept whatever
// the error, the alert or the names hold.
#include "schedules/event.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace autoreport::schedules {
namespace {

RunEvent ready() {
  RunEvent e;
  e.event = "report_ready";
  e.job = "daily sales";
  e.job_id = 7;
  e.report = "sales_by_region";
  e.format = "csv";
  e.run = 42;
  e.attempt = 1;
  e.output = 9;
  e.rows = 12;
  e.bytes = 345;
  e.scheduled_for = "2026-12-06 06:00:00+00";
  e.started_at = "2026-12-06 06:00:00.012+00";
  e.finished_at = "2026-12-06 06:00:00.2+00";
  return e;
}

TEST(RunEvent, ReadyCarriesEveryField) {
  const nlohmann::json j = nlohmann::json::parse(event_payload(ready()));
  EXPECT_EQ(j["event"], "report_ready");
  EXPECT_EQ(j["job"], "daily sales");
  EXPECT_EQ(j["job_id"], 7);
  EXPECT_EQ(j["report"], "sales_by_region");
  EXPECT_EQ(j["run_id"], 42);
  EXPECT_EQ(j["output_id"], 9);
  EXPECT_EQ(j["rows"], 12);
  EXPECT_EQ(j["bytes"], 345);
  EXPECT_EQ(j["scheduled_for"], "2026-12-06 06:00:00+00");
  EXPECT_FALSE(j.contains("error"));
  EXPECT_FALSE(j.contains("alert"));
  EXPECT_FALSE(j.contains("truncated"));
}

TEST(RunEvent, ReadyAndAlertCarryTheirDeliveries) {
  RunEvent e = ready();
  EXPECT_EQ(nlohmann::json::parse(event_payload(e))["deliveries"], nlohmann::json::array());
  e.deliveries = {3, 4, 17};
  EXPECT_EQ(nlohmann::json::parse(event_payload(e))["deliveries"], nlohmann::json::array({3, 4, 17}));
  e.event = "alert";
  e.condition = "revenue < 0";
  EXPECT_EQ(nlohmann::json::parse(event_payload(e))["deliveries"], nlohmann::json::array({3, 4, 17}));
  // A failed run stored no output and has nothing to deliver.
  e.event = "report_failed";
  e.condition.reset();
  e.error = "boom";
  EXPECT_FALSE(nlohmann::json::parse(event_payload(e)).contains("deliveries"));
}

TEST(RunEvent, FailedCarriesErrorAndRetry) {
  RunEvent e = ready();
  e.event = "report_failed";
  e.output.reset();
  e.rows.reset();
  e.bytes.reset();
  e.error = "permission denied for table sales";
  e.sqlstate = "42501";
  e.retry_at = "2026-12-06 06:00:02+00";
  const nlohmann::json j = nlohmann::json::parse(event_payload(e));
  EXPECT_EQ(j["error"], "permission denied for table sales");
  EXPECT_EQ(j["sqlstate"], "42501");
  EXPECT_EQ(j["retry_at"], "2026-12-06 06:00:02+00");
  EXPECT_TRUE(j["output_id"].is_null());
}

TEST(RunEvent, HugeErrorStaysUnderTheLimitAsValidUtf8) {
  RunEvent e = ready();
  e.event = "report_failed";
  e.error = std::string(3, 'x') + std::string(20000, '\0') + std::string(30000, 'y');
  for (int i = 0; i < 5000; ++i) {
    *e.error += "\xC3\xA9"; // é
  }
  *e.error += "\xFF\xFE"; // invalid UTF-8 too
  e.sqlstate = "XX000";
  const std::string payload = event_payload(e);
  EXPECT_LT(payload.size(), 8000u);
  const nlohmann::json j = nlohmann::json::parse(payload); // throws on invalid JSON or UTF-8
  EXPECT_EQ(j["truncated"], true);
  EXPECT_EQ(j["run_id"], 42);
  EXPECT_EQ(j["sqlstate"], "XX000");
  const std::string err = j["error"];
  EXPECT_EQ(err.substr(0, 3), "xxx");
  EXPECT_EQ(err.substr(err.size() - 3), "\xE2\x80\xA6");
}

TEST(RunEvent, AlertDetailKeptWhenItFitsAndDroppedWhenNot) {
  RunEvent e = ready();
  e.event = "alert";
  e.condition = "revenue < 1000";
  e.alert_json = R"({"matching_rows":2,"rows":[{"region":"north","revenue":900}]})";
  nlohmann::json j = nlohmann::json::parse(event_payload(e));
  EXPECT_EQ(j["condition"], "revenue < 1000");
  EXPECT_EQ(j["alert"]["matching_rows"], 2);
  EXPECT_EQ(j["alert"]["rows"][0]["region"], "north");

  e.alert_json = R"({"rows":[")" + std::string(9000, 'z') + R"("]})";
  const std::string payload = event_payload(e);
  EXPECT_LE(payload.size(), 7999u);
  j = nlohmann::json::parse(payload);
  EXPECT_EQ(j["alert"]["truncated"], true);
  EXPECT_EQ(j["truncated"], true);
  EXPECT_EQ(j["condition"], "revenue < 1000");
}

TEST(RunEvent, EverythingHugeAtOnceStillFits) {
  RunEvent e = ready();
  e.event = "alert";
  e.job = std::string(5000, 'j');
  e.report = std::string(5000, 'r');
  e.condition = std::string(9000, 'c');
  e.alert_json = "{not json";
  e.error = std::string(9000, 'e');
  e.sqlstate = "P0001";
  for (size_t limit : {7999u, 1000u, 600u}) {
    const std::string payload = event_payload(e, limit);
    EXPECT_LE(payload.size(), limit);
    EXPECT_FALSE(nlohmann::json::parse(payload, nullptr, false).is_discarded());
  }
}

TEST(RunEvent, DeliveriesAreNeverCutAndStillFit) {
  RunEvent e = ready();
  e.event = "alert";
  e.job = std::string(5000, 'j');
  e.condition = std::string(9000, 'c');
  e.alert_json = "{not json";
  for (int64_t i = 0; i < 20; ++i) { // a job's most destinations, with the largest ids
    e.deliveries.push_back(INT64_MAX - i);
  }
  const std::string payload = event_payload(e);
  EXPECT_LE(payload.size(), 7999u);
  const nlohmann::json j = nlohmann::json::parse(payload);
  EXPECT_EQ(j["deliveries"].size(), 20u);
  EXPECT_EQ(j["deliveries"][19], INT64_MAX - 19);
}

} // namespace
} // namespace autoreport::schedules
