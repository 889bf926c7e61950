// Parsing client frames and building server frames.
#include "protocol.hpp"

#include <charconv>
#include <cstring>
#include <ctime>

namespace autoreport::sidecar {

namespace {
ParseResult fail(std::string code, std::string message,
                 const std::optional<nlohmann::json>& id = std::nullopt) {
  ParseResult r;
  r.id = id;
  r.error_code = std::move(code);
  r.error_message = std::move(message);
  return r;
}
} // namespace

bool valid_channel(std::string_view channel) {
  // The same rule as the database's autoreport.channel_name_valid(): 1 to 63 bytes of ASCII letters,
  // digits, _ and -, in segments separated by single dots.
  if (channel.empty() || channel.size() > 63 || channel.front() == '.' || channel.back() == '.') {
    return false;
  }
  char previous = '\0';
  for (char c : channel) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || (c == '.' && previous != '.');
    if (!ok) {
      return false;
    }
    previous = c;
  }
  return true;
}

ParseResult parse_client_message(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail("bad_json", "a frame must be a JSON object");
  }
  ClientMessage m;
  if (const auto id = j.find("id"); id != j.end()) {
    m.id = *id;
  }
  const auto op = j.find("op");
  if (op == j.end() || !op->is_string()) {
    return fail("bad_op", "a frame needs \"op\": subscribe, unsubscribe, publish or ping", m.id);
  }
  const std::string name = op->get<std::string>();
  if (name == "ping") {
    m.op = Op::Ping;
    ParseResult r;
    r.message = std::move(m);
    return r;
  }
  if (name == "subscribe") {
    m.op = Op::Subscribe;
  } else if (name == "unsubscribe") {
    m.op = Op::Unsubscribe;
  } else if (name == "publish") {
    m.op = Op::Publish;
  } else {
    return fail("bad_op", "unknown op \"" + name.substr(0, 40) + "\"", m.id);
  }
  const auto channel = j.find("channel");
  if (channel == j.end() || !channel->is_string() || !valid_channel(channel->get<std::string>())) {
    return fail("bad_channel",
                "\"channel\" must be 1 to 63 letters, digits, _ or -, in dot-separated segments", m.id);
  }
  m.channel = channel->get<std::string>();
  if (m.op == Op::Publish) {
    const auto payload = j.find("payload");
    if (payload == j.end()) {
      return fail("bad_payload", "publish needs a \"payload\"", m.id);
    }
    // A string is sent as it is; any other JSON value as its JSON text.
    m.payload = payload->is_string()
                    ? payload->get<std::string>()
                    : payload->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (m.payload.size() > kMaxNotifyPayload) {
      return fail("payload_too_large", "a payload may hold at most 7999 bytes", m.id);
    }
  }
  ParseResult r;
  r.message = std::move(m);
  return r;
}

size_t notify_prefix(uint64_t seq, char* out) {
  static constexpr std::string_view head = R"({"type":"notify","seq":)";
  std::memcpy(out, head.data(), head.size());
  char* end = std::to_chars(out + head.size(), out + kNotifyPrefixMax - 1, seq).ptr;
  *end++ = ',';
  return static_cast<size_t>(end - out);
}

std::string notify_body(std::string_view channel, std::string_view payload, std::string_view time) {
  const auto dump = [](std::string_view text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string text = "\"channel\":" + dump(channel) + ",\"payload\":";
  // Valid JSON (which includes valid UTF-8) is embedded byte for byte: never parsed into values and
  // written again, so large integers, number formats and duplicate keys arrive as they were sent.
  // (A leading byte-order mark, which the parser would skip, is not JSON text to embed; nor is text
  // with a NUL byte, where the parser stops as at the end of the input.)
  if (payload.substr(0, 3) != "\xEF\xBB\xBF" && payload.find('\0') == std::string_view::npos &&
      nlohmann::json::accept(payload)) {
    text.append(payload);
  } else {
    // Not JSON: a string, with invalid UTF-8 replaced so that the frame stays valid text.
    text += dump(payload);
  }
  text += ",\"time\":" + dump(time) + "}";
  return text;
}

std::string notify_frame(std::string_view channel, std::string_view payload, uint64_t seq,
                         std::string_view time) {
  char prefix[kNotifyPrefixMax];
  return std::string(prefix, notify_prefix(seq, prefix)) + notify_body(channel, payload, time);
}

std::string reply_frame(std::string_view type, std::string_view channel,
                        const std::optional<nlohmann::json>& id) {
  nlohmann::json frame = {{"type", type}, {"channel", channel}};
  if (id) {
    frame["id"] = *id;
  }
  return frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string revoked_frame(std::string_view channel) {
  return nlohmann::json{{"type", "unsubscribed"}, {"channel", channel}, {"reason", "revoked"}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string pong_frame(const std::optional<nlohmann::json>& id) {
  nlohmann::json frame = {{"type", "pong"}};
  if (id) {
    frame["id"] = *id;
  }
  return frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string gap_frame(const std::vector<std::string>& channels, std::string_view reason, uint64_t seq) {
  return nlohmann::json{{"type", "gap"}, {"channels", channels}, {"reason", reason}, {"seq", seq}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_frame(std::string_view code, std::string_view message,
                        const std::optional<nlohmann::json>& id) {
  nlohmann::json frame = {{"type", "error"}, {"code", code}, {"message", message}};
  if (id) {
    frame["id"] = *id;
  }
  return frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string iso8601_utc(int64_t microseconds_since_epoch) {
  const time_t seconds = static_cast<time_t>(microseconds_since_epoch / 1000000);
  const long micros = static_cast<long>(microseconds_since_epoch % 1000000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[40];
  const size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%06ldZ", micros);
  return buf;
}

} // namespace autoreport::sidecar
