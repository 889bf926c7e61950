// The sidecar's JWT verification: what it accepts, and every way a token is refused.
#include "jwt.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace autoreport::sidecar {
namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef-a-long-enough-secret";

std::string header_payload(const std::string& alg, const nlohmann::json& claims) {
  return base64url_encode(nlohmann::json{{"alg", alg}, {"typ", "JWT"}}.dump()) + "." +
         base64url_encode(claims.dump());
}

std::string hs256(const std::string& secret, const std::string& input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return base64url_encode(std::string(reinterpret_cast<char*>(mac), len));
}

nlohmann::json good_claims() {
  return {{"role", "analyst"}, {"sub", "ada"}, {"exp", kNow + 600}};
}

std::string hs_token(const nlohmann::json& claims, const std::string& secret = kSecret) {
  const std::string input = header_payload("HS256", claims);
  return input + "." + hs256(secret, input);
}

// A fresh key pair, its public half as PEM, and a signer.
struct KeyPair {
  explicit KeyPair(bool rsa) {
    key.reset(rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                  : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key.get());
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(len));
    BIO_free(bio);
  }
  // SHA-256 signature: DER for EC (converted to JWS r||s by the caller), PKCS#1 v1.5 for RSA.
  std::string sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.get());
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return sig;
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, &EVP_PKEY_free};
  std::string pem;
};

std::string der_to_jws(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string raw(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

TEST(SidecarJwt, Base64urlRoundTripAndRefusals) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
    EXPECT_EQ(base64url_decode(base64url_encode(s)).value_or("?"), s);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("ab+c")); // not the URL alphabet
  EXPECT_FALSE(base64url_decode("abc=")); // JWS has no padding
  EXPECT_FALSE(base64url_decode("a"));    // not a whole byte
}

TEST(SidecarJwt, AcceptsAValidHs256Token) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret);
  const auto r = v.verify(hs_token(good_claims()), kNow);
  ASSERT_TRUE(r.claims) << r.error;
  EXPECT_EQ(r.claims->role, "analyst");
  EXPECT_EQ(r.claims->subject, "ada");
  EXPECT_EQ(r.claims->expires_at, kNow + 600);
}

TEST(SidecarJwt, RefusesWrongSecretTamperingAndMalformedTokens) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret);
  EXPECT_EQ(v.verify(hs_token(good_claims(), kSecret + "x"), kNow).error, "bad signature");
  std::string token = hs_token(good_claims());
  const size_t dot = token.find('.');
  auto claims = good_claims();
  claims["role"] = "postgres";
  const std::string forged =
      token.substr(0, dot + 1) + base64url_encode(claims.dump()) + token.substr(token.rfind('.'));
  EXPECT_EQ(v.verify(forged, kNow).error, "bad signature");
  EXPECT_EQ(v.verify("abc", kNow).error, "malformed token: not three dot-separated parts");
  EXPECT_EQ(v.verify("a.b.c.d", kNow).error, "malformed token: not three dot-separated parts");
  EXPECT_EQ(v.verify("a+.b.c", kNow).error, "malformed token: invalid base64url");
  EXPECT_FALSE(v.verify("", kNow).claims);
}

TEST(SidecarJwt, RefusesAlgNone) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret);
  const std::string input = header_payload("none", good_claims());
  EXPECT_EQ(v.verify(input + ".", kNow).error, "token algorithm none is not the configured HS256");
}

TEST(SidecarJwt, RefusesAlgorithmConfusion) {
  // An attacker signs with HMAC, using the server's public RSA key as the secret.
  const KeyPair rsa(true);
  const JwtVerifier v(JwtAlgorithm::RS256, rsa.pem);
  const std::string input = header_payload("HS256", good_claims());
  EXPECT_EQ(v.verify(input + "." + hs256(rsa.pem, input), kNow).error,
            "token algorithm HS256 is not the configured RS256");
}

TEST(SidecarJwt, EnforcesExpiryNotBeforeAndLeeway) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret, 30);
  auto claims = good_claims();
  claims["exp"] = kNow - 31;
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token expired");
  claims["exp"] = kNow - 29; // within the leeway
  EXPECT_TRUE(v.verify(hs_token(claims), kNow).claims);
  claims = good_claims();
  claims.erase("exp");
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token has no expiry (exp)");
  claims = good_claims();
  claims["nbf"] = kNow + 31;
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token not valid yet (nbf)");
  claims["nbf"] = kNow + 29;
  EXPECT_TRUE(v.verify(hs_token(claims), kNow).claims);
  claims = good_claims();
  claims["exp"] = "tomorrow";
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token has no expiry (exp)");
}

TEST(SidecarJwt, DatesBeyondAnyCalendarAreClampedNotOverflowed) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret, 30);
  auto claims = good_claims();
  claims["exp"] = 1e300; // far future: valid
  EXPECT_TRUE(v.verify(hs_token(claims), kNow).claims);
  claims["exp"] = UINT64_MAX;
  EXPECT_TRUE(v.verify(hs_token(claims), kNow).claims);
  claims["exp"] = -1e300; // long past
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token expired");
  claims["exp"] = INT64_MIN;
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token expired");
  claims = good_claims();
  claims["nbf"] = UINT64_MAX; // never valid
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token not valid yet (nbf)");
  claims["nbf"] = 1e300;
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token not valid yet (nbf)");
}

TEST(SidecarJwt, RequiresARoleClaim) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret);
  for (const nlohmann::json& role :
       {nlohmann::json(), nlohmann::json(""), nlohmann::json(42), nlohmann::json(std::string(64, 'r'))}) {
    auto claims = good_claims();
    if (role.is_null()) {
      claims.erase("role");
    } else {
      claims["role"] = role;
    }
    EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token has no valid role claim") << role.dump();
  }
}

TEST(SidecarJwt, RefusesARoleWithNulRatherThanCuttingIt) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret);
  auto claims = good_claims();
  claims["role"] = std::string("reader\0postgres", 15);
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token has no valid role claim");
  claims["role"] = std::string("\0", 1);
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error, "token has no valid role claim");
}

TEST(SidecarJwt, MaxLifetimeRefusesExpiryTooFarAway) {
  const JwtVerifier v(JwtAlgorithm::HS256, kSecret, 30, 24 * 3600);
  auto claims = good_claims();
  claims["exp"] = kNow + 24 * 3600;
  EXPECT_TRUE(v.verify(hs_token(claims), kNow).claims);
  claims["exp"] = kNow + 24 * 3600 + 1;
  EXPECT_EQ(v.verify(hs_token(claims), kNow).error,
            "token lifetime too long: exp is further away than --max-token-lifetime allows");
  claims["exp"] = 1e300;
  EXPECT_FALSE(v.verify(hs_token(claims), kNow).claims);
  const JwtVerifier unlimited(JwtAlgorithm::HS256, kSecret, 30, 0);
  EXPECT_TRUE(unlimited.verify(hs_token(claims), kNow).claims);
}

TEST(SidecarJwt, Rs256) {
  const KeyPair rsa(true);
  const JwtVerifier v(JwtAlgorithm::RS256, rsa.pem);
  const std::string input = header_payload("RS256", good_claims());
  const auto r = v.verify(input + "." + base64url_encode(rsa.sign(input)), kNow);
  ASSERT_TRUE(r.claims) << r.error;
  const KeyPair other(true);
  EXPECT_EQ(v.verify(input + "." + base64url_encode(other.sign(input)), kNow).error, "bad signature");
}

TEST(SidecarJwt, Es256) {
  const KeyPair ec(false);
  const JwtVerifier v(JwtAlgorithm::ES256, ec.pem);
  const std::string input = header_payload("ES256", good_claims());
  const auto r = v.verify(input + "." + base64url_encode(der_to_jws(ec.sign(input))), kNow);
  ASSERT_TRUE(r.claims) << r.error;
  // A DER signature where JWS wants r||s is refused, as is another key's signature.
  EXPECT_EQ(v.verify(input + "." + base64url_encode(ec.sign(input)), kNow).error, "bad signature");
  const KeyPair other(false);
  EXPECT_EQ(v.verify(input + "." + base64url_encode(der_to_jws(other.sign(input))), kNow).error,
            "bad signature");
}

TEST(SidecarJwt, KeysMustFitTheAlgorithm) {
  EXPECT_THROW(JwtVerifier(JwtAlgorithm::HS256, "short"), std::invalid_argument);
  EXPECT_THROW(JwtVerifier(JwtAlgorithm::RS256, "not a pem"), std::invalid_argument);
  const KeyPair ec(false);
  EXPECT_THROW(JwtVerifier(JwtAlgorithm::RS256, ec.pem), std::invalid_argument);
  const KeyPair rsa(true);
  EXPECT_THROW(JwtVerifier(JwtAlgorithm::ES256, rsa.pem), std::invalid_argument);
  EXPECT_EQ(parse_jwt_algorithm("HS256"), JwtAlgorithm::HS256);
  EXPECT_FALSE(parse_jwt_algorithm("none"));
  EXPECT_FALSE(parse_jwt_algorithm("hs256"));
}

} // namespace
} // namespace autoreport::sidecar
