// The hash chain check behind autoreport.verify_audit().
#include "audit/chain.hpp"

#include "common/pure.hpp"

namespace autoreport::audit {

void ChainChecker::set_anchor(int64_t id, const Digest& hash) {
  anchor_id_ = id;
  anchor_hash_ = hash;
}

std::optional<ChainBreak> ChainChecker::next(int64_t id, const std::optional<Digest>& prev_hash,
                                             const std::optional<Digest>& hash, const Digest& recomputed) {
  if (id != last_id_ + 1) {
    return ChainBreak{id, "gap before id " + std::to_string(id)};
  }
  if (!prev_hash || *prev_hash != last_hash_) {
    if (last_id_ == 0) {
      return ChainBreak{id, "prev_hash of the first row is not 32 zero bytes"};
    }
    return ChainBreak{id, "prev_hash does not match row " + std::to_string(last_id_)};
  }
  if (!hash || *hash != recomputed) {
    return ChainBreak{id, "hash does not match content"};
  }
  if (anchor_id_ && id == *anchor_id_ && *hash != anchor_hash_) {
    return ChainBreak{id, "hash differs from the anchor"};
  }
  ++checked_;
  last_id_ = id;
  last_hash_ = *hash;
  return std::nullopt;
}

std::optional<ChainBreak> ChainChecker::finish() const {
  if (anchor_id_ && last_id_ < *anchor_id_) {
    return ChainBreak{last_id_ + 1, "rows from id " + std::to_string(last_id_ + 1) +
                                        " on are missing (anchor id " + std::to_string(*anchor_id_) + ")"};
  }
  return std::nullopt;
}

} // namespace autoreport::audit
