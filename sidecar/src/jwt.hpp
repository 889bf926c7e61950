// JSON Web Token verification for the sidecar's handshake (RFC 7519, JWS compact form, RFC 7515).
//
// The accepted algorithm is pinned by configuration and never taken from the token: a token whose
// header names another algorithm ("none", or HS256 against an RSA key: algorithm confusion) is
// refused before any signature is checked. HS256 signatures are compared in constant time. exp is
// required and, like nbf, enforced with a small leeway. The role claim names the database role.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace autoreport::sidecar {

enum class JwtAlgorithm { HS256, RS256, ES256 };

// The verifier's key: a shared secret (HS256) or a PEM public key (RS256, ES256).
class JwtVerifier {
public:
  // Throws std::invalid_argument when the key does not fit the algorithm (an empty secret, a PEM that
  // is not an RSA or a P-256 public key).
  // max_lifetime_seconds > 0 refuses a token whose exp is further than that from now.
  JwtVerifier(JwtAlgorithm algorithm, std::string_view key, int64_t leeway_seconds = 30,
              int64_t max_lifetime_seconds = 0);
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  struct Claims {
    std::string role;
    std::string subject;
    int64_t expires_at = 0;
  };
  struct Result {
    std::optional<Claims> claims; // set when the token is valid
    std::string error;            // why not, in words safe to log (never the token itself)
  };

  // Verifies a token at time `now` (seconds since the epoch).
  Result verify(std::string_view token, int64_t now) const;

  JwtAlgorithm algorithm() const noexcept { return algorithm_; }
  int64_t leeway() const noexcept { return leeway_; }

private:
  bool signature_ok(std::string_view signing_input, std::string_view signature) const;
  JwtAlgorithm algorithm_;
  std::string secret_;
  struct Key;
  std::unique_ptr<Key> key_;
  int64_t leeway_;
  int64_t max_lifetime_;
};

// Parses "HS256", "RS256" or "ES256".
std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name);
std::string_view jwt_algorithm_name(JwtAlgorithm algorithm);

// base64url without padding (RFC 4648 section 5), as JWS uses it; nullopt for invalid input.
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);

} // namespace autoreport::sidecar
