// The NOTIFY payload that ends every job run: compact JSON, always under PostgreSQL's 8000-byte limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::schedules {

struct RunEvent {
  std::string event; // "report_ready", "report_failed" or "alert"
  std::string job;
  int64_t job_id = 0;
  std::string report;
  std::string format;
  int64_t run = 0;
  int64_t attempt = 1;
  bool manual = false;
  std::optional<int64_t> output;
  std::optional<int64_t> rows;
  std::optional<int64_t> bytes;
  std::string scheduled_for; // ISO 8601 UTC, as PostgreSQL's timestamptz in UTC prints it
  std::string started_at;
  std::string finished_at;
  std::optional<std::string> error; // message, and detail when any, of a failed run
  std::optional<std::string> sqlstate;
  std::optional<std::string> retry_at;   // when the next attempt of a failed run is due, if one is
  std::optional<std::string> condition;  // the alert condition that held
  std::optional<std::string> alert_json; // what made it hold: a JSON object (evaluate_alert())
  std::vector<int64_t> deliveries;       // the deliveries created with the output (report_ready, alert)
};

// The event as one JSON object of at most `limit` bytes (PostgreSQL refuses a payload of 8000 bytes
// or more). What is cut to fit, in this order: the alert's detail (replaced by {"truncated": true}),
// the error message, the condition, then the job and report names; a cut string ends with "…" and
// stays valid UTF-8, and "truncated": true is added.
std::string event_payload(const RunEvent& e, size_t limit = 7999);

} // namespace autoreport::schedules
