// The run event of event.hpp.
#include "schedules/event.hpp"

#include "render/utf8.hpp"

#include <nlohmann/json.hpp>

#include "common/pure.hpp"

namespace autoreport::schedules {

namespace {

// text cut to at most `max` bytes on a code point boundary, with "…" when it was cut; invalid UTF-8
// repaired first (nlohmann refuses to dump invalid UTF-8).
std::string cut(std::string_view text, size_t max) {
  std::string valid = render::repair_utf8(text);
  if (valid.size() <= max) {
    return valid;
  }
  static const std::string ellipsis = "\xE2\x80\xA6";
  size_t keep = max > ellipsis.size() ? max - ellipsis.size() : 0;
  while (keep > 0 && (static_cast<unsigned char>(valid[keep]) & 0xC0) == 0x80) {
    --keep; // not inside a multi-byte sequence
  }
  return valid.substr(0, keep) + ellipsis;
}

nlohmann::json build(const RunEvent& e, size_t error_max, size_t condition_max, size_t name_max,
                     bool alert_detail, bool truncated) {
  nlohmann::json j;
  j["event"] = e.event;
  j["job"] = cut(e.job, name_max);
  j["job_id"] = e.job_id;
  j["report"] = cut(e.report, name_max);
  j["format"] = cut(e.format, 16);
  j["run_id"] = e.run;
  j["attempt"] = e.attempt;
  j["manual"] = e.manual;
  j["output_id"] = e.output ? nlohmann::json(*e.output) : nlohmann::json();
  j["rows"] = e.rows ? nlohmann::json(*e.rows) : nlohmann::json();
  j["bytes"] = e.bytes ? nlohmann::json(*e.bytes) : nlohmann::json();
  j["scheduled_for"] = cut(e.scheduled_for, 40);
  j["started_at"] = cut(e.started_at, 40);
  j["finished_at"] = cut(e.finished_at, 40);
  if (e.event == "report_ready" || e.event == "alert") {
    j["deliveries"] = e.deliveries; // always, [] when none: at most 20 ids
  }
  if (e.error) {
    j["error"] = cut(*e.error, error_max);
    j["sqlstate"] = cut(e.sqlstate.value_or(""), 5);
    j["retry_at"] = e.retry_at ? nlohmann::json(cut(*e.retry_at, 40)) : nlohmann::json();
  }
  if (e.condition) {
    j["condition"] = cut(*e.condition, condition_max);
    nlohmann::json detail = nlohmann::json::object();
    if (e.alert_json && alert_detail) {
      detail = nlohmann::json::parse(*e.alert_json, nullptr, false);
      if (detail.is_discarded() || !detail.is_object()) {
        detail = nlohmann::json::object({{"truncated", true}});
      }
    } else if (e.alert_json) {
      detail = nlohmann::json::object({{"truncated", true}});
    }
    j["alert"] = detail;
  }
  if (truncated) {
    j["truncated"] = true;
  }
  return j;
}

} // namespace

std::string event_payload(const RunEvent& e, size_t limit) {
  // Each step gives up more; the last one is small whatever the input (names of 64 bytes at most).
  struct Step {
    size_t error_max, condition_max, name_max;
    bool alert_detail;
  };
  constexpr Step steps[] = {
      {8000, 8000, 8000, true}, {8000, 8000, 8000, false}, {2000, 1000, 256, false},
      {500, 300, 128, false},   {100, 100, 64, false},     {0, 0, 16, false},
  };
  std::string out;
  bool first = true;
  for (const Step& s : steps) {
    out = build(e, s.error_max, s.condition_max, s.name_max, s.alert_detail, !first)
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (out.size() <= limit) {
      return out;
    }
    first = false;
  }
  return out;
}

} // namespace autoreport::schedules
