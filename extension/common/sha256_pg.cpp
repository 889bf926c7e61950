// SHA-256 for the audit chain and the result cache.
#include "common/sha256_pg.hpp"

namespace autoreport::pg {

namespace {

[[noreturn]] void hash_failed(pg_cryptohash_ctx* ctx) {
  throw Error(sqlstate::internal_error, "could not compute a SHA-256 hash")
      .with_detail(ctx ? pg_cryptohash_error(ctx) : "out of memory");
}

} // namespace

Sha256::Sha256() : ctx_(pg::guard([] { return pg_cryptohash_create(PG_SHA256); })) {
  if (ctx_ == nullptr) {
    hash_failed(nullptr);
  }
}

Sha256::~Sha256() {
  try {
    pg::guard([this] { pg_cryptohash_free(ctx_); });
  } catch (...) {
    // Freeing reports only a context its resource owner no longer knows; the transaction's end
    // releases whatever is left.
  }
}

Digest Sha256::digest(std::string_view data) {
  Digest out;
  const int rc = pg::guard([&] {
    if (pg_cryptohash_init(ctx_) < 0 ||
        pg_cryptohash_update(ctx_, reinterpret_cast<const uint8*>(data.data()), data.size()) < 0 ||
        pg_cryptohash_final(ctx_, out.data(), out.size()) < 0) {
      return -1;
    }
    return 0;
  });
  if (rc < 0) {
    hash_failed(ctx_);
  }
  return out;
}

} // namespace autoreport::pg
