// A small JSON reader that keeps numbers exact: see exact_json.hpp.
#include "reports/exact_json.hpp"

#include <cstdint>
#include <vector>

#include "common/pure.hpp"

namespace autoreport::reports {

namespace {

using nlohmann::json;

constexpr std::uint64_t kNumberSubtype = 0x4e; // 'N'
constexpr int kMaxDepth = 1000;

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// Recursive descent over the text; every method returns false on invalid JSON.
class Reader {
public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool document(json& out) {
    skip_space();
    if (!value(out, 0)) {
      return false;
    }
    skip_space();
    return i_ == s_.size();
  }

private:
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  bool literal(std::string_view word) {
    if (s_.compare(i_, word.size(), word) != 0) {
      return false;
    }
    i_ += word.size();
    return true;
  }

  bool value(json& out, int depth) {
    if (i_ >= s_.size() || depth > kMaxDepth) {
      return false;
    }
    switch (s_[i_]) {
    case '{':
      return object(out, depth);
    case '[':
      return array(out, depth);
    case '"':
      return string(out);
    case 't':
      out = true;
      return literal("true");
    case 'f':
      out = false;
      return literal("false");
    case 'n':
      out = nullptr;
      return literal("null");
    default:
      return number(out);
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(json& out) {
    const size_t start = i_;
    const auto digits = [&] {
      const size_t from = i_;
      while (i_ < s_.size() && digit(s_[i_])) {
        ++i_;
      }
      return i_ > from;
    };
    if (i_ < s_.size() && s_[i_] == '-') {
      ++i_;
    }
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (!digits()) {
      return false;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!digits()) {
        return false;
      }
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) {
        ++i_;
      }
      if (!digits()) {
        return false;
      }
    }
    out = exact_number(s_.substr(start, i_ - start));
    return true;
  }

  // The string's escapes are decoded (and its UTF-8 checked) by nlohmann's own parser.
  bool string(json& out) {
    const size_t start = i_++;
    while (i_ < s_.size() && s_[i_] != '"') {
      i_ += s_[i_] == '\\' ? 2 : 1;
    }
    if (i_ >= s_.size()) {
      return false;
    }
    ++i_;
    out = json::parse(s_.substr(start, i_ - start), nullptr, false);
    return out.is_string();
  }

  bool array(json& out, int depth) {
    out = json::array();
    ++i_;
    skip_space();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    while (true) {
      json element;
      skip_space();
      if (!value(element, depth + 1)) {
        return false;
      }
      out.push_back(std::move(element));
      skip_space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
      } else if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return true;
      } else {
        return false;
      }
    }
  }

  // A key given twice keeps its last value, as jsonb does.
  bool object(json& out, int depth) {
    out = json::object();
    ++i_;
    skip_space();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    while (true) {
      json key;
      json member;
      skip_space();
      if (i_ >= s_.size() || s_[i_] != '"' || !string(key)) {
        return false;
      }
      skip_space();
      if (i_ >= s_.size() || s_[i_] != ':') {
        return false;
      }
      ++i_;
      skip_space();
      if (!value(member, depth + 1)) {
        return false;
      }
      out[key.get<std::string>()] = std::move(member);
      skip_space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
      } else if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return true;
      } else {
        return false;
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

void dump_to(const json& v, std::string& out) {
  if (is_exact_number(v)) {
    out += number_text(v);
  } else if (v.is_array()) {
    out += '[';
    for (size_t k = 0; k < v.size(); ++k) {
      out += k == 0 ? "" : ",";
      dump_to(v[k], out);
    }
    out += ']';
  } else if (v.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : v.items()) {
      out += first ? "" : ",";
      first = false;
      out += json(key).dump();
      out += ':';
      dump_to(member, out);
    }
    out += '}';
  } else {
    out += v.dump();
  }
}

} // namespace

nlohmann::json parse_exact_json(std::string_view text) {
  json out;
  if (!Reader(text).document(out)) {
    return json(json::value_t::discarded);
  }
  return out;
}

nlohmann::json exact_number(std::string_view text) {
  return json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kNumberSubtype);
}

bool is_exact_number(const nlohmann::json& v) {
  return v.is_binary() && v.get_binary().has_subtype() && v.get_binary().subtype() == kNumberSubtype;
}

bool is_exact_integer(const nlohmann::json& v) {
  if (!is_exact_number(v)) {
    return false;
  }
  for (const std::uint8_t c : v.get_binary()) {
    if (c == '.' || c == 'e' || c == 'E') {
      return false;
    }
  }
  return true;
}

std::string number_text(const nlohmann::json& v) {
  const auto& bytes = v.get_binary();
  return std::string(bytes.begin(), bytes.end());
}

std::string exact_type_name(const nlohmann::json& v) {
  return is_exact_number(v) ? "number" : v.type_name();
}

std::string dump_exact(const nlohmann::json& v) {
  std::string out;
  dump_to(v, out);
  return out;
}

} // namespace autoreport::reports
