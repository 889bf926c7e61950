// JWT verification with OpenSSL's primitives.
#include "jwt.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace autoreport::sidecar {

struct JwtVerifier::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-') {
    return 62;
  }
  if (c == '_') {
    return 63;
  }
  return -1;
}

// Verifies an RSA PKCS#1 v1.5 or ECDSA signature (DER) over data with SHA-256.
bool verify_digest(EVP_PKEY* pkey, std::string_view data, const unsigned char* sig, size_t sig_len) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) {
    return false;
  }
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, sig, sig_len, reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// JWS ES256 signatures are r || s, 32 bytes each; OpenSSL wants DER.
std::optional<std::vector<unsigned char>> es256_to_der(std::string_view raw) {
  if (raw.size() != 64) {
    return std::nullopt;
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) {
    return std::nullopt;
  }
  std::vector<unsigned char> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// A numeric date claim: an integer or a number of seconds since the epoch.
std::optional<int64_t> numeric_date(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) {
    return std::nullopt;
  }
  // Clamped to +-2^62 seconds (far beyond any real date), so that adding the leeway cannot overflow.
  constexpr int64_t limit = int64_t{1} << 62;
  if (it->is_number_unsigned()) {
    return static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(), limit));
  }
  if (it->is_number_integer()) {
    return std::clamp<int64_t>(it->get<int64_t>(), -limit, limit);
  }
  if (it->is_number_float()) {
    const double d = it->get<double>();
    return d >= static_cast<double>(limit)    ? limit
           : d <= -static_cast<double>(limit) ? -limit
                                              : static_cast<int64_t>(d);
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = b64url_value(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero and fewer than a byte: otherwise the text was not canonical.
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) {
    return std::nullopt;
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) {
    out += alphabet[(acc << (6 - bits)) & 0x3F];
  }
  return out;
}

std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name) {
  if (name == "HS256") {
    return JwtAlgorithm::HS256;
  }
  if (name == "RS256") {
    return JwtAlgorithm::RS256;
  }
  if (name == "ES256") {
    return JwtAlgorithm::ES256;
  }
  return std::nullopt;
}

std::string_view jwt_algorithm_name(JwtAlgorithm algorithm) {
  switch (algorithm) {
  case JwtAlgorithm::HS256:
    return "HS256";
  case JwtAlgorithm::RS256:
    return "RS256";
  case JwtAlgorithm::ES256:
    break;
  }
  return "ES256";
}

JwtVerifier::JwtVerifier(JwtAlgorithm algorithm, std::string_view key, int64_t leeway_seconds,
                         int64_t max_lifetime_seconds)
    : algorithm_(algorithm), key_(std::make_unique<Key>()), leeway_(leeway_seconds),
      max_lifetime_(max_lifetime_seconds) {
  if (algorithm == JwtAlgorithm::HS256) {
    if (key.size() < 32) {
      throw std::invalid_argument("an HS256 secret must be at least 32 bytes long");
    }
    secret_ = std::string(key);
    return;
  }
  BIO* bio = BIO_new_mem_buf(key.data(), static_cast<int>(key.size()));
  key_->pkey = bio ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (key_->pkey == nullptr) {
    throw std::invalid_argument("the key is not a PEM public key");
  }
  const int id = EVP_PKEY_get_base_id(key_->pkey);
  if (algorithm == JwtAlgorithm::RS256 && (id != EVP_PKEY_RSA || EVP_PKEY_get_bits(key_->pkey) < 2048)) {
    throw std::invalid_argument("RS256 needs an RSA public key of at least 2048 bits");
  }
  if (algorithm == JwtAlgorithm::ES256 && (id != EVP_PKEY_EC || EVP_PKEY_get_bits(key_->pkey) != 256)) {
    throw std::invalid_argument("ES256 needs a P-256 public key");
  }
}

JwtVerifier::~JwtVerifier() = default;

bool JwtVerifier::signature_ok(std::string_view signing_input, std::string_view signature) const {
  switch (algorithm_) {
  case JwtAlgorithm::HS256: {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
             reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac.data(),
             &mac_len) == nullptr) {
      return false;
    }
    return signature.size() == mac_len && CRYPTO_memcmp(mac.data(), signature.data(), mac_len) == 0;
  }
  case JwtAlgorithm::RS256:
    return verify_digest(key_->pkey, signing_input, reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size());
  case JwtAlgorithm::ES256: {
    const auto der = es256_to_der(signature);
    return der && verify_digest(key_->pkey, signing_input, der->data(), der->size());
  }
  }
  return false;
}

JwtVerifier::Result JwtVerifier::verify(std::string_view token, int64_t now) const {
  Result result;
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    result.error = "malformed token: not three dot-separated parts";
    return result;
  }
  const auto header_json = base64url_decode(token.substr(0, dot1));
  const auto payload_json = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_json || !payload_json || !signature) {
    result.error = "malformed token: invalid base64url";
    return result;
  }
  const nlohmann::json header = nlohmann::json::parse(*header_json, nullptr, false);
  if (header.is_discarded() || !header.is_object() || !header.contains("alg") || !header["alg"].is_string()) {
    result.error = "malformed token: the header has no algorithm";
    return result;
  }
  // The pinned algorithm, and only it: "none" and algorithm confusion stop here.
  if (header["alg"].get<std::string>() != jwt_algorithm_name(algorithm_)) {
    result.error = "token algorithm " + header["alg"].get<std::string>() + " is not the configured " +
                   std::string(jwt_algorithm_name(algorithm_));
    return result;
  }
  if (header.contains("crit")) {
    result.error = "token has critical header parameters this verifier does not understand";
    return result;
  }
  if (!signature_ok(token.substr(0, dot2), *signature)) {
    result.error = "bad signature";
    return result;
  }
  const nlohmann::json claims = nlohmann::json::parse(*payload_json, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) {
    result.error = "malformed token: the payload is not a JSON object";
    return result;
  }
  const auto exp = numeric_date(claims, "exp");
  if (!exp) {
    result.error = "token has no expiry (exp)";
    return result;
  }
  if (now > *exp + leeway_) {
    result.error = "token expired";
    return result;
  }
  if (max_lifetime_ > 0 && *exp - now > max_lifetime_) {
    result.error = "token lifetime too long: exp is further away than --max-token-lifetime allows";
    return result;
  }
  if (const auto nbf = numeric_date(claims, "nbf"); nbf && now + leeway_ < *nbf) {
    result.error = "token not valid yet (nbf)";
    return result;
  }
  const auto role = claims.find("role");
  if (role == claims.end() || !role->is_string() || role->get<std::string>().empty() ||
      role->get<std::string>().size() > 63 || role->get<std::string>().find('\0') != std::string::npos) {
    // A NUL would cut the name where the database reads it: refused, never shortened.
    result.error = "token has no valid role claim";
    return result;
  }
  Claims c;
  c.role = role->get<std::string>();
  c.expires_at = *exp;
  if (const auto sub = claims.find("sub"); sub != claims.end() && sub->is_string()) {
    c.subject = sub->get<std::string>();
  }
  result.claims = std::move(c);
  return result;
}

} // namespace autoreport::sidecar
