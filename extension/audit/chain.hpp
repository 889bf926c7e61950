// Walking the hash chain of autoreport.runs in id order and finding its first broken link.
#pragma once

#include "audit/canonical.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace autoreport::audit {

// The first row at which the chain does not hold, and why.
struct ChainBreak {
  int64_t id;
  std::string reason;
};

// Fed the rows in id order, reports the first broken link. Rows are numbered 1, 2, 3... by the
// writer, so a missing number is a deleted row. The hash of a row is recomputed by the caller
// (SHA-256 of hash_input()) and passed in.
class ChainChecker {
public:
  // Optionally, a row the caller noted earlier (its id and hash, say from a previous verification):
  // the chain must still contain it unchanged. This detects what a chain alone cannot: rows cut off
  // its end, or a chain rewritten from some row on.
  void set_anchor(int64_t id, const Digest& hash);

  // Checks the next row. prev_hash and hash are as stored (empty optional when not 32 bytes long);
  // recomputed is SHA-256(stored prev_hash || canonical content). Returns the break, if this row is it;
  // after a break the checker must not be fed further.
  std::optional<ChainBreak> next(int64_t id, const std::optional<Digest>& prev_hash,
                                 const std::optional<Digest>& hash, const Digest& recomputed);

  // After the last row: a break if the anchor row was never reached.
  std::optional<ChainBreak> finish() const;

  // Rows that passed.
  int64_t checked() const noexcept { return checked_; }
  // The id and hash of the last row that passed (0 and kZeroHash before any).
  int64_t last_id() const noexcept { return last_id_; }
  const Digest& last_hash() const noexcept { return last_hash_; }

private:
  int64_t checked_ = 0;
  int64_t last_id_ = 0;
  Digest last_hash_ = kZeroHash;
  std::optional<int64_t> anchor_id_;
  Digest anchor_hash_{};
};

} // namespace autoreport::audit
