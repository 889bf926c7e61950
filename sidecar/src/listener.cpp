#include "listener.hpp"

#include "http_session.hpp"

#include <boost/asio/ip/address.hpp>

namespace autoreport::sidecar {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& io, Hub& hub) : hub_(hub), acceptor_(io) {}

void Listener::start(const Config& config) {
  if (!config.tls_certificate_file.empty()) {
    // TLS only: with a certificate configured, plain HTTP would carry tokens in the clear.
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    tls_->use_certificate_chain_file(config.tls_certificate_file);
    tls_->use_private_key_file(config.tls_key_file, asio::ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address(config.listen),
                               static_cast<unsigned short>(config.port));
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (config.reuse_port) {
    acceptor_.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  }
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  accept();
}

void Listener::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void Listener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (stopped_) {
      return;
    }
    if (!ec) {
      serve_http(std::move(socket), hub_, tls_.get());
    }
    accept();
  });
}

} // namespace autoreport::sidecar
