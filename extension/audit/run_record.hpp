// One report run as the code that ran it describes it to the audit log (audit_pg.hpp records it).
#pragma once

#include <cstdint>
#include <string>

namespace autoreport::audit {

// How far a run got, which decides what the audit log keeps of its error (audit_pg.hpp).
enum class RunStage {
  call,     // not yet known to be a report the caller may run: a failure here is a refused call
  admitted, // the report exists and the caller may run it; its parameters, format and options are checked
  reading,  // the report's query runs (or its rows are rendered): errors may carry the data read
};

// What a run did. The role, the database and the time are not part of it: record_run() takes them
// from the session at the moment of recording.
struct RunRecord {
  std::string report;              // the report's name as the caller gave it ("" when there was none)
  int version = 0;                 // the version that ran; 0 when the run failed before one was chosen
  std::string params_json;         // the parameters as JSON (the text of a jsonb value); "" for none
  int64_t rows = -1;               // rows of the result; negative when unknown (a failed run)
  int64_t bytes = -1;              // bytes rendered (render) or returned; negative when not measured
  double duration_ms = 0;          // wall-clock time of the run
  bool cache_hit = false;          // the result came from the results cache
  std::string format;              // "csv", "xlsx", ... for a render; "" for a plain run
  std::string error_sqlstate;      // "" when the run succeeded
  std::string error_message;       // "" when the run succeeded
  RunStage stage = RunStage::call; // set by the caller as the run goes on
};

} // namespace autoreport::audit
