// SHA-256 through PostgreSQL's cryptohash (OpenSSL when PostgreSQL was built with it).
#pragma once

#include "common/boundary_pg.hpp"
#include "common/digest.hpp"

#include <string_view>

extern "C" {
#include "common/cryptohash.h"
}

namespace autoreport::pg {

// One hashing context, reused for any number of digests. Create and destroy it within one
// transaction (PostgreSQL tracks it in the current resource owner).
class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Digest digest(std::string_view data);

private:
  pg_cryptohash_ctx* ctx_;
};

} // namespace autoreport::pg
