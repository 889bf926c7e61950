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
  EXPECT_EQ(parse_config({"--allowed-origin", "example.com"}, kMinimal).error,
            "--allowed-origin must be origins like https://reports.example.com");
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

} // namespace
} // namespace autoreport::sidecar
