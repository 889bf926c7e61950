// The canonical encoding of audit rows (see canonical.hpp for the format).
#include "audit/canonical.hpp"

#include <bit>

#include "common/pure.hpp"

namespace autoreport::audit {

namespace {

void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void put_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void put_i64(std::string& out, int64_t v) {
  put_u64(out, static_cast<uint64_t>(v));
}

void put_i32(std::string& out, int32_t v) {
  put_u32(out, static_cast<uint32_t>(v));
}

void put_bool(std::string& out, bool v) {
  out.push_back(v ? '\1' : '\0');
}

void put_f64(std::string& out, double v) {
  put_u64(out, std::bit_cast<uint64_t>(v));
}

void put_text(std::string& out, std::string_view v) {
  put_u32(out, static_cast<uint32_t>(v.size()));
  out.append(v);
}

template <typename T, typename Put> void put_optional(std::string& out, const std::optional<T>& v, Put put) {
  put_bool(out, v.has_value());
  if (v) {
    put(out, *v);
  }
}

void put_optional_text(std::string& out, const std::optional<std::string>& v) {
  put_optional(out, v, [](std::string& o, const std::string& s) { put_text(o, s); });
}

} // namespace

std::string canonical_content(const RunRow& row) {
  std::string out;
  out.reserve(kCanonicalTag.size() + 128 + (row.params ? row.params->size() : 0) +
              (row.error_message ? row.error_message->size() : 0));
  out.append(kCanonicalTag);
  put_i64(out, row.id);
  put_i64(out, row.at);
  put_u32(out, row.role);
  put_optional_text(out, row.role_name);
  put_optional_text(out, row.report);
  put_optional(out, row.version, put_i32);
  put_optional_text(out, row.params);
  put_bool(out, row.params_truncated);
  put_optional(out, row.rows, put_i64);
  put_optional(out, row.bytes, put_i64);
  put_f64(out, row.duration_ms);
  put_bool(out, row.cache_hit);
  put_optional_text(out, row.format);
  put_optional_text(out, row.error_sqlstate);
  put_optional_text(out, row.error_message);
  return out;
}

std::string hash_input(const Digest& prev_hash, const RunRow& row) {
  std::string out(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size());
  out += canonical_content(row);
  return out;
}

} // namespace autoreport::audit
