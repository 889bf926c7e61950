// autoreport-sidecar: carries PostgreSQL LISTEN/NOTIFY to WebSocket clients.
#include "config.hpp"
#include "hub.hpp"

#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

extern char** environ;

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
} // namespace

int main(int argc, char** argv) {
  using namespace autoreport::sidecar;
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv(*e);
    if (const size_t eq = kv.find('='); eq != std::string::npos && kv.rfind("AUTOREPORT_SIDECAR_", 0) == 0) {
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  const ConfigResult parsed = parse_config(std::vector<std::string>(argv + 1, argv + argc), env);
  if (parsed.help_requested) {
    std::cout << config_help();
    return 0;
  }
  if (!parsed.config) {
    std::cerr << "autoreport-sidecar: " << parsed.error << "\n";
    return 2;
  }
  try {
    Config config = *parsed.config;
    const JwtAlgorithm alg = *parse_jwt_algorithm(config.jwt_algorithm);
    std::string key =
        alg == JwtAlgorithm::HS256
            ? (config.jwt_secret.empty() ? read_file(config.jwt_secret_file) : config.jwt_secret)
            : read_file(config.jwt_public_key_file);
    while (alg == JwtAlgorithm::HS256 && !key.empty() && (key.back() == '\n' || key.back() == '\r')) {
      key.pop_back();
    }
    if (alg == JwtAlgorithm::HS256) {
      if (const std::string weak = hs256_secret_weakness(key); !weak.empty()) {
        std::cerr << "autoreport-sidecar: " << weak << "\n";
        return 2;
      }
    }
    auto verifier =
        std::make_unique<JwtVerifier>(alg, key, config.jwt_leeway_seconds, config.max_token_lifetime_seconds);
    // Delivery secrets: the file's and the AUTOREPORT_SIDECAR_SECRET_<NAME> variables', a name in both
    // refused.
    SecretsResult file_secrets;
    if (!config.deliver_secrets_file.empty()) {
      file_secrets = parse_secrets_file(read_file(config.deliver_secrets_file));
      if (!file_secrets.error.empty()) {
        std::cerr << "autoreport-sidecar: " << config.deliver_secrets_file << ": " << file_secrets.error
                  << "\n";
        return 2;
      }
    }
    SecretsResult secrets = collect_secrets(file_secrets.secrets, env);
    if (!secrets.error.empty()) {
      std::cerr << "autoreport-sidecar: " << secrets.error << "\n";
      return 2;
    }
    if (!config.smtp_auth_secret.empty() &&
        find_secret(secrets.secrets, config.smtp_auth_secret) == nullptr) {
      std::cerr << "autoreport-sidecar: --smtp-auth-secret names the secret " << config.smtp_auth_secret
                << ", which is neither in --deliver-secrets-file nor in AUTOREPORT_SIDECAR_SECRET_"
                << config.smtp_auth_secret << "\n";
      return 2;
    }
    boost::asio::io_context io(1);
    Hub hub(io, config, std::move(verifier), std::move(secrets.secrets));
    hub.start();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { hub.shutdown(); });
    std::cerr << "autoreport-sidecar: listening on " << config.listen << ":" << config.port << "\n";
    std::cerr << "autoreport-sidecar: " << Deliverer::describe(config) << "\n";
    io.run();
    return hub.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "autoreport-sidecar: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
