// Fuzz target for the sidecar's client-frame parser and its server frames. Any input must end in a
// message or an error code, never a crash; a parsed subscribe/unsubscribe/publish names a valid
// channel; a publish payload fits in a NOTIFY; and every server frame built from the input (error,
// reply, and a notify frame's prefix + shared body with the input as the payload) is valid JSON.
#include "protocol.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace autoreport::sidecar;

namespace {
void must_parse(const std::string& frame) {
  if (nlohmann::json::parse(frame, nullptr, false).is_discarded()) {
    std::abort();
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const ParseResult r = parse_client_message(input);
  if (r.message) {
    const ClientMessage& m = *r.message;
    if (m.op != Op::Ping && !valid_channel(m.channel)) {
      std::abort();
    }
    if (m.op == Op::Publish && m.payload.size() > kMaxNotifyPayload) {
      std::abort();
    }
    must_parse(reply_frame("subscribed", m.channel, m.id));
    must_parse(pong_frame(m.id));
  } else {
    if (r.error_code.empty() || r.error_message.empty()) {
      std::abort();
    }
    must_parse(error_frame(r.error_code, r.error_message, std::nullopt));
  }
  // Arbitrary bytes as a NOTIFY payload, channel and error text still make valid frames.
  char prefix[kNotifyPrefixMax];
  const size_t n = notify_prefix(size, prefix);
  must_parse(std::string(prefix, n) + notify_body(input.substr(0, 63), input, "2026-11-27T00:00:00.000000Z"));
  must_parse(error_frame("bad_json", input, std::nullopt));
  must_parse(gap_frame({std::string(input)}, input, 1));
  return 0;
}
