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
    boost::asio::io_context io(1);
    Hub hub(io, config, std::move(verifier));
    hub.start();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { hub.shutdown(); });
    std::cerr << "autoreport-sidecar: listening on " << config.listen << ":" << config.port << "\n";
    io.run();
    return hub.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "autoreport-sidecar: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
