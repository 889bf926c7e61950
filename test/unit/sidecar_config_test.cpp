// The sidecar's configuration: defaults, environment, flags, and every refusal.
#include "config.hpp"

#include <gtest/gtest.h>

namespace autoreport::sidecar {
namespace {

using Env = std::map<std::string, std::string>;
const Env kMinimal = {{"AUTOREPORT_SIDECAR_DATABASE", "dbname=app"},
                      {"AUTOREPORT_SIDECAR_JWT_SECRET", "0123456789abcdef0123456789abcdef"}};

TEST(SidecarConfig, DefaultsFromTheIssue) {
  const auto r = parse_config({}, kMinimal);
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->port, 8080);
  EXPECT_EQ(r.config->max_connections, 10000);
  EXPECT_EQ(r.config->max_frame_bytes, 65536);
  EXPECT_EQ(r.config->ping_interval_seconds, 25);
  EXPECT_EQ(r.config->pong_timeout_seconds, 5);
  EXPECT_EQ(r.config->jwt_algorithm, "HS256");
  EXPECT_EQ(r.config->database, "dbname=app");
  EXPECT_FALSE(r.config->permessage_deflate);
}

TEST(SidecarConfig, FlagsWinOverTheEnvironment) {
  Env env = kMinimal;
  env["AUTOREPORT_SIDECAR_PORT"] = "9000";
  env["AUTOREPORT_SIDECAR_ALLOWED_ORIGIN"] = "https://a.example,https://b.example";
  auto r = parse_config({}, env);
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->port, 9000);
  EXPECT_EQ(r.config->allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  r = parse_config({"--port", "9100", "--allowed-origin=https://c.example", "--permessage-deflate", "on"},
                   env);
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->port, 9100);
  EXPECT_EQ(r.config->allowed_origins, std::vector<std::string>{"https://c.example"});
  EXPECT_TRUE(r.config->permessage_deflate);
  EXPECT_FALSE(r.config->reuse_port);
}

TEST(SidecarConfig, RefusalsSayWhatIsWrong) {
  EXPECT_EQ(parse_config({}, {}).error, "--database is required (or AUTOREPORT_SIDECAR_DATABASE)");
  EXPECT_EQ(parse_config({"--database", "x"}, {}).error,
            "HS256 needs a secret: --jwt-secret-file or AUTOREPORT_SIDECAR_JWT_SECRET");
  EXPECT_EQ(parse_config({"--jwt-algorithm", "RS256"}, kMinimal).error, "RS256 needs --jwt-public-key-file");
  EXPECT_EQ(parse_config({"--jwt-algorithm", "none"}, kMinimal).error,
            "--jwt-algorithm must be HS256, RS256 or ES256");
  EXPECT_EQ(parse_config({"--port", "0"}, kMinimal).error, "--port must be a whole number from 1 to 65535");
  EXPECT_EQ(parse_config({"--port", "80x"}, kMinimal).error, "--port must be a whole number from 1 to 65535");
  EXPECT_EQ(parse_config({"--reuse-port", "yes"}, kMinimal).error, "--reuse-port must be on or off");
  EXPECT_TRUE(parse_config({"--reuse-port", "on"}, kMinimal).config->reuse_port);
  EXPECT_EQ(parse_config({"--port"}, kMinimal).error, "--port needs a value");
  EXPECT_EQ(parse_config({"--colour", "red"}, kMinimal).error, "unknown option --colour (see --help)");
  EXPECT_EQ(parse_config({"stray"}, kMinimal).error, "unexpected argument stray (see --help)");
  EXPECT_EQ(
      parse_config({"--allowed-origin", "example.com"}, kMinimal).error,
      "--allowed-origin must be origins like https://reports.example.com (scheme, host and port only: no "
      "path, no trailing slash)");
  EXPECT_NE(parse_config({"--jwt-secret", "s3cret"}, kMinimal).error.find("not accepted"), std::string::npos);
  EXPECT_EQ(parse_config({"--tls-key-file", "k.pem"}, kMinimal).error,
            "TLS needs both --tls-certificate-file and --tls-key-file");
  Env bad = kMinimal;
  bad["AUTOREPORT_SIDECAR_MAX_CONNECTIONS"] = "-1";
  EXPECT_EQ(parse_config({}, bad).error,
            "AUTOREPORT_SIDECAR_MAX_CONNECTIONS must be a whole number from 1 to 1000000");
}

TEST(SidecarConfig, AvailabilityTimeouts) {
  auto r = parse_config({}, kMinimal);
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->connect_timeout_seconds, 5);
  EXPECT_EQ(r.config->query_timeout_seconds, 10);
  EXPECT_EQ(r.config->slow_consumer_seconds, 5);
  EXPECT_EQ(r.config->handshake_timeout_seconds, 10);
  Env env = kMinimal;
  env["AUTOREPORT_SIDECAR_QUERY_TIMEOUT"] = "3";
  r = parse_config({"--connect-timeout", "2", "--slow-consumer-seconds=7", "--handshake-timeout", "1"}, env);
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->connect_timeout_seconds, 2);
  EXPECT_EQ(r.config->query_timeout_seconds, 3);
  EXPECT_EQ(r.config->slow_consumer_seconds, 7);
  EXPECT_EQ(r.config->handshake_timeout_seconds, 1);
  EXPECT_EQ(parse_config({"--connect-timeout", "0"}, kMinimal).error,
            "--connect-timeout must be a whole number from 1 to 600");
  EXPECT_EQ(parse_config({"--query-timeout", "1s"}, kMinimal).error,
            "--query-timeout must be a whole number from 1 to 3600");
  EXPECT_EQ(parse_config({"--slow-consumer-seconds", "601"}, kMinimal).error,
            "--slow-consumer-seconds must be a whole number from 1 to 600");
  EXPECT_EQ(parse_config({"--handshake-timeout", "-5"}, kMinimal).error,
            "--handshake-timeout must be a whole number from 1 to 600");
  const std::string help = config_help();
  for (const char* s : {"--connect-timeout", "AUTOREPORT_SIDECAR_QUERY_TIMEOUT", "--slow-consumer-seconds",
                        "--handshake-timeout", "default 10"}) {
    EXPECT_NE(help.find(s), std::string::npos) << s;
  }
}

TEST(SidecarConfig, HelpListsEveryOptionWithItsVariable) {
  EXPECT_TRUE(parse_config({"--help"}, {}).help_requested);
  const std::string help = config_help();
  for (const char* s : {"--database", "AUTOREPORT_SIDECAR_DATABASE", "--max-frame-bytes", "default 65536",
                        "--ping-interval", "AUTOREPORT_SIDECAR_JWT_SECRET", "--allowed-origin"}) {
    EXPECT_NE(help.find(s), std::string::npos) << s;
  }
}

TEST(SidecarConfig, ASecretGivenTwiceIsRefused) {
  Env env = kMinimal;
  auto r = parse_config({"--jwt-secret-file", "/run/secret"}, env);
  EXPECT_FALSE(r.config);
  EXPECT_NE(r.error.find("given twice"), std::string::npos) << r.error;
  env["AUTOREPORT_SIDECAR_JWT_SECRET_FILE"] = "/run/secret";
  r = parse_config({}, env);
  EXPECT_FALSE(r.config);
  env.erase("AUTOREPORT_SIDECAR_JWT_SECRET");
  r = parse_config({"--jwt-secret-file", "/run/other"}, env); // the flag wins over its variable
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->jwt_secret_file, "/run/other");
}

TEST(SidecarConfig, OriginsWithAPathOrTrailingSlashAreRefused) {
  for (const char* bad : {"https://app.example/", "https://app.example/app", "https://app.example?x",
                          "https://user@app.example", "https://", "app.example", "https://app.example:"}) {
    const auto r = parse_config({"--allowed-origin", bad}, kMinimal);
    EXPECT_FALSE(r.config) << bad;
    EXPECT_FALSE(valid_origin(bad)) << bad;
  }
  for (const char* good : {"https://app.example", "http://127.0.0.1:8080", "http://[::1]:80"}) {
    EXPECT_TRUE(valid_origin(good)) << good;
  }
}

TEST(SidecarConfig, HardeningOptions) {
  auto r = parse_config({}, kMinimal);
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->max_token_lifetime_seconds, 86400);
  EXPECT_FALSE(r.config->allow_superuser_tokens);
  EXPECT_EQ(r.config->grant_cache_entries, 10000);
  r = parse_config(
      {"--max-token-lifetime", "300", "--allow-superuser-tokens", "on", "--grant-cache-entries", "5"},
      kMinimal);
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->max_token_lifetime_seconds, 300);
  EXPECT_TRUE(r.config->allow_superuser_tokens);
  EXPECT_EQ(r.config->grant_cache_entries, 5);
  EXPECT_FALSE(parse_config({"--max-token-lifetime", "0"}, kMinimal).config);
}

TEST(SidecarConfig, WeakHs256SecretsAreRefused) {
  // Short; one byte repeated; a word repeated; nearly one byte; a word repeated with a suffix.
  EXPECT_NE(hs256_secret_weakness("short-secret"), "");
  EXPECT_NE(hs256_secret_weakness(std::string(64, 'a')), "");
  EXPECT_NE(hs256_secret_weakness("passwordpasswordpasswordpassword"), "");
  EXPECT_NE(hs256_secret_weakness("0123456789abcdef0123456789abcdef"), "");
  EXPECT_NE(hs256_secret_weakness(std::string(40, 'a') + "b"), "");
  EXPECT_NE(hs256_secret_weakness("passwordpasswordpasswordpassword1"), "");
  EXPECT_NE(hs256_secret_weakness("abababababababababababababababababab"), "");
  // Random secrets as operators make them: base64 of 32 bytes, 64 hex digits, raw bytes.
  EXPECT_EQ(hs256_secret_weakness("q3R0bUJ8vK1xZ2w9Yc4NfTgHs7LpD5aE6iWmOu0rQ/k="), "");
  EXPECT_EQ(hs256_secret_weakness("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), "");
  EXPECT_EQ(hs256_secret_weakness("test-secret-that-is-long-enough-0123456789"), "");
  std::string raw;
  for (int i = 0; i < 32; ++i) {
    raw += static_cast<char>((i * 73 + 11) % 256);
  }
  EXPECT_EQ(hs256_secret_weakness(raw), "");
}

} // namespace
} // namespace autoreport::sidecar

namespace autoreport::sidecar {
namespace {

TEST(SidecarConfig, DeliveryIsOffByDefaultWithTheSpecsDefaults) {
  const auto r = parse_config({}, kMinimal);
  ASSERT_TRUE(r.config) << r.error;
  const Config& c = *r.config;
  EXPECT_TRUE(c.deliver_allow.empty());
  EXPECT_FALSE(c.deliver_allow_private);
  EXPECT_FALSE(c.deliver_allow_http);
  EXPECT_EQ(c.deliver_timeout_seconds, 30);
  EXPECT_EQ(c.deliver_max_attempts, 8);
  EXPECT_EQ(c.deliver_max_bytes, 25 * 1024 * 1024);
  EXPECT_EQ(c.deliver_concurrency, 32);
  EXPECT_EQ(c.deliver_lease_seconds, 300);
  EXPECT_TRUE(c.smtp_starttls);
  EXPECT_EQ(c.smtp_url, "");
}

TEST(SidecarConfig, DeliveryFlagsAndVariables) {
  Env env = kMinimal;
  env["AUTOREPORT_SIDECAR_DELIVER_ALLOW"] = "a.example.com, *.b.example.com";
  env["AUTOREPORT_SIDECAR_DELIVER_ALLOW_PRIVATE"] = "on";
  env["AUTOREPORT_SIDECAR_SMTP_URL"] = "smtp://127.0.0.1:2525";
  env["AUTOREPORT_SIDECAR_SMTP_FROM"] = "reports@example.com";
  auto r = parse_config({}, env);
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->deliver_allow, (std::vector<std::string>{"a.example.com", "*.b.example.com"}));
  EXPECT_TRUE(r.config->deliver_allow_private);
  EXPECT_EQ(r.config->smtp_url, "smtp://127.0.0.1:2525");
  r = parse_config(
      {"--deliver-allow",           "127.0.0.1", "--deliver-allow=localhost", "--deliver-allow-http",
       "--deliver-allow-private",   "off",       "--smtp-starttls",           "off",
       "--deliver-timeout-seconds", "2",         "--deliver-lease-seconds",   "5",
       "--deliver-max-attempts",    "3",         "--deliver-concurrency",     "4",
       "--deliver-max-bytes",       "1000",      "--smtp-auth-secret",        "mail",
       "--deliver-ca-file",         "/ca.pem",   "--deliver-secrets-file",    "/s"},
      env);
  ASSERT_TRUE(r.config) << r.error;
  const Config& c = *r.config;
  EXPECT_EQ(c.deliver_allow, (std::vector<std::string>{"127.0.0.1", "localhost"}))
      << "flags replace the variable";
  EXPECT_TRUE(c.deliver_allow_http) << "a boolean flag alone means on";
  EXPECT_FALSE(c.deliver_allow_private);
  EXPECT_FALSE(c.smtp_starttls);
  EXPECT_EQ(c.deliver_timeout_seconds, 2);
  EXPECT_EQ(c.deliver_lease_seconds, 5);
  EXPECT_EQ(c.deliver_max_attempts, 3);
  EXPECT_EQ(c.deliver_concurrency, 4);
  EXPECT_EQ(c.deliver_max_bytes, 1000);
  EXPECT_EQ(c.smtp_auth_secret, "mail");
  EXPECT_EQ(c.deliver_ca_file, "/ca.pem");
  EXPECT_EQ(c.deliver_secrets_file, "/s");
  EXPECT_TRUE(parse_config({"--deliver-allow-private"}, kMinimal).config->deliver_allow_private)
      << "the last flag, alone";
}

TEST(SidecarConfig, DeliveryRefusals) {
  EXPECT_EQ(parse_config({"--deliver-allow", "https://x.example.com"}, kMinimal).error,
            "--deliver-allow must be host names, *.domain wildcards or IP addresses, comma-separated (not "
            "\"https://x.example.com\")");
  EXPECT_EQ(parse_config({"--smtp-url", "http://mail"}, kMinimal).error,
            "--smtp-url must start with smtp:// or smtps://");
  EXPECT_EQ(parse_config({"--smtp-url", "smtps://mail:465"}, kMinimal).error,
            "--smtp-url needs --smtp-from (the sender address)");
  EXPECT_EQ(parse_config({"--smtp-from", "not an address"}, kMinimal).error,
            "--smtp-from must be an address like reports@example.com");
  EXPECT_EQ(parse_config({"--smtp-starttls", "maybe"}, kMinimal).error,
            "--smtp-starttls must be required or off");
  EXPECT_EQ(parse_config({"--smtp-auth-secret", "a-b"}, kMinimal).error,
            "--smtp-auth-secret must be a secret's name (letters, digits and _)");
  EXPECT_EQ(parse_config({"--deliver-timeout-seconds", "0"}, kMinimal).error,
            "--deliver-timeout-seconds must be a whole number from 1 to 300");
  EXPECT_EQ(parse_config({"--deliver-allow-http", "yes"}, kMinimal).error,
            "--deliver-allow-http must be on or off");
  const std::string help = config_help();
  for (const char* s :
       {"--deliver-allow", "AUTOREPORT_SIDECAR_DELIVER_ALLOW_PRIVATE", "--deliver-secrets-file",
        "--smtp-starttls", "default required", "default 26214400", "AUTOREPORT_SIDECAR_SECRET_<NAME>"}) {
    EXPECT_NE(help.find(s), std::string::npos) << s;
  }
}

} // namespace
} // namespace autoreport::sidecar
