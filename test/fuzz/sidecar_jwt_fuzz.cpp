// Fuzz target for the sidecar's JWT verifier. The first byte picks a mode:
//   even: the rest is a token, verified by HS256, RS256 and ES256 verifiers; whatever HS256 accepts
//         must carry a signature that really is the HMAC of its signing input;
//   odd:  the rest is "header JSON \0 claims JSON", signed here with the HS256 secret, so that claim
//         parsing is reached past the signature check; an accepted token must name HS256 in its
//         header, have a role, and not be expired.
// Any input must end in a verdict, never a crash; base64url must round-trip.
#include "jwt.hpp"

#include <nlohmann/json.hpp>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

using namespace autoreport::sidecar;

namespace {

constexpr std::string_view kSecret = "fuzz-secret-0123456789-abcdefghijklmnop";
constexpr int64_t kNow = 1800000000;

std::string hmac(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

// A fresh public key of the given type, as PEM.
std::string public_pem(int type) {
  EVP_PKEY* key = type == EVP_PKEY_RSA ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

struct Verifiers {
  JwtVerifier hs{JwtAlgorithm::HS256, kSecret, 30};
  JwtVerifier rs{JwtAlgorithm::RS256, public_pem(EVP_PKEY_RSA), 30};
  JwtVerifier es{JwtAlgorithm::ES256, public_pem(EVP_PKEY_EC), 30};
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Verifiers v;
  if (size == 0) {
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  const std::string encoded = base64url_encode(rest);
  const auto decoded = base64url_decode(encoded);
  if (!decoded || *decoded != rest) {
    std::abort();
  }

  if ((data[0] & 1) == 0) {
    const auto hs = v.hs.verify(rest, kNow);
    v.rs.verify(rest, kNow);
    v.es.verify(rest, kNow);
    if (hs.claims) {
      const size_t dot = rest.rfind('.');
      const auto signature = base64url_decode(rest.substr(dot + 1));
      if (dot == std::string_view::npos || !signature || *signature != hmac(rest.substr(0, dot))) {
        std::abort(); // accepted without the secret's signature
      }
    }
    return 0;
  }

  const size_t nul = rest.find('\0');
  const std::string_view header = rest.substr(0, nul);
  const std::string_view claims = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
  const std::string signing = base64url_encode(header) + "." + base64url_encode(claims);
  const std::string token = signing + "." + base64url_encode(hmac(signing));
  const auto r = v.hs.verify(token, kNow);
  if (r.claims) {
    const auto h = nlohmann::json::parse(header, nullptr, false);
    if (h.is_discarded() || !h.is_object() || h.value("alg", "") != "HS256" || r.claims->role.empty() ||
        r.claims->expires_at + 30 < kNow) {
      std::abort();
    }
  } else if (r.error.empty()) {
    std::abort(); // a refusal always says why
  }
  // The same token must be refused by the RSA and EC verifiers (algorithm pinned by configuration).
  if (v.rs.verify(token, kNow).claims || v.es.verify(token, kNow).claims) {
    std::abort();
  }
  return 0;
}
