// The canonical content of a row of autoreport.runs: the exact bytes its hash covers.
//
// A row's hash is SHA-256(prev_hash || canonical_content(row)), and prev_hash is the hash of the row
// before it (32 zero bytes for the first row). The encoding is fixed and documented so that anyone
// can recompute the chain outside PostgreSQL:
//
//   the 17 ASCII bytes "autoreport.runs/1", then each field in this order:
//   id int64, at int64 (microseconds since 2000-01-01 00:00:00 UTC), role uint32 (the role's OID),
//   role_name text?, report text?, version int32?, params text? (the jsonb value as PostgreSQL prints
//   it), params_truncated bool, rows int64?, bytes int64?, duration_ms float64, cache_hit bool,
//   format text?, error_sqlstate text?, error_message text?
//
//   int32/uint32/int64: big-endian two's complement; float64: the IEEE-754 bits, big-endian;
//   bool: one byte 0 or 1; text: uint32 big-endian byte length, then the bytes (server encoding);
//   X? (may be NULL): one byte 0 for NULL, or 1 followed by X.
#pragma once

#include "common/digest.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace autoreport::audit {

// The prev_hash of the first row.
inline constexpr Digest kZeroHash{};

inline constexpr std::string_view kCanonicalTag = "autoreport.runs/1";

// A row of autoreport.runs without its two hashes.
struct RunRow {
  int64_t id = 0;
  int64_t at = 0; // PostgreSQL's timestamptz: microseconds since 2000-01-01 00:00:00 UTC
  uint32_t role = 0;
  std::optional<std::string> role_name;
  std::optional<std::string> report;
  std::optional<int32_t> version;
  std::optional<std::string> params;
  bool params_truncated = false;
  std::optional<int64_t> rows;
  std::optional<int64_t> bytes;
  double duration_ms = 0;
  bool cache_hit = false;
  std::optional<std::string> format;
  std::optional<std::string> error_sqlstate;
  std::optional<std::string> error_message;
};

// The canonical bytes of a row (see the top of this file).
std::string canonical_content(const RunRow& row);

// What SHA-256 is computed over: prev_hash followed by the row's canonical content.
std::string hash_input(const Digest& prev_hash, const RunRow& row);

} // namespace autoreport::audit
