// The sidecar's client protocol: JSON text frames in both directions.
//
// Client → server:
//   {"op": "subscribe",   "channel": "sales.emea", "id": <any, echoed>}
//   {"op": "unsubscribe", "channel": "sales.emea", "id": ...}
//   {"op": "publish",     "channel": "sales.emea", "payload": <any JSON>, "id": ...}
//   {"op": "ping", "id": ...}
// Server → client:
//   {"type": "notify", "seq": n, "channel": c, "payload": p, "time": "ISO 8601"}  payload embedded
//       byte for byte when the NOTIFY payload is valid JSON, else as a string
//   {"type": "subscribed" | "unsubscribed" | "published", "channel": c, "id": ...}
//   {"type": "pong", "id": ...}
//   {"type": "unsubscribed", "channel": c, "reason": "revoked"}  the grant was revoked
//   {"type": "gap", "channels": [...], "reason": "...", "seq": n}  notifications may have been lost
//   {"type": "error", "code": "...", "message": "...", "id": ...}
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::sidecar {

enum class Op { Subscribe, Unsubscribe, Publish, Ping };

struct ClientMessage {
  Op op = Op::Ping;
  std::string channel;
  std::string payload;              // publish: the payload as it will be sent with NOTIFY
  std::optional<nlohmann::json> id; // echoed in the reply
};

// A parsed client frame, or the error frame to answer with.
struct ParseResult {
  std::optional<ClientMessage> message;
  std::string error_code; // "bad_json", "bad_op", "bad_channel", "bad_payload", "payload_too_large"
  std::string error_message;
  std::optional<nlohmann::json> id; // the frame's id when it had one: echoed in the error too
};

// The largest NOTIFY payload PostgreSQL accepts is 7999 bytes.
constexpr size_t kMaxNotifyPayload = 7999;

ParseResult parse_client_message(std::string_view text);

// True for a channel name the sidecar will LISTEN on: 1 to 63 bytes of ASCII letters, digits, _ and -,
// in segments separated by single dots (the rule of autoreport.channel_name_valid() in the database).
bool valid_channel(std::string_view channel);

// Server frames.
//
// A notify frame is written in two parts so that fan-out shares one buffer among all recipients: the
// per-connection prefix `{"type":"notify","seq":N,` and the shared body `"channel":...,"payload":...,
// "time":...}`. notify_frame() is the two joined.
constexpr size_t kNotifyPrefixMax = 48;
// Writes the prefix for seq into out (at least kNotifyPrefixMax bytes); returns its length.
size_t notify_prefix(uint64_t seq, char* out);
std::string notify_body(std::string_view channel, std::string_view payload, std::string_view time);
std::string notify_frame(std::string_view channel, std::string_view payload, uint64_t seq,
                         std::string_view time);
std::string reply_frame(std::string_view type, std::string_view channel,
                        const std::optional<nlohmann::json>& id);
std::string pong_frame(const std::optional<nlohmann::json>& id);
// The server ended a subscription because the role's grant was revoked.
std::string revoked_frame(std::string_view channel);
std::string gap_frame(const std::vector<std::string>& channels, std::string_view reason, uint64_t seq);
std::string error_frame(std::string_view code, std::string_view message,
                        const std::optional<nlohmann::json>& id);

// A time as ISO 8601 in UTC with microseconds, e.g. 2026-11-27T12:00:00.123456Z.
std::string iso8601_utc(int64_t microseconds_since_epoch);

} // namespace autoreport::sidecar
