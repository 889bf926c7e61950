#include "listener.hpp"

#include "http_session.hpp"
#include "hub.hpp"

#include <boost/asio/ip/address.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

namespace autoreport::sidecar {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& io, Hub& hub) : hub_(hub), acceptor_(io), backoff_(io) {}

Listener::~Listener() {
  if (spare_fd_ >= 0) {
    ::close(spare_fd_);
  }
}

void Listener::open_spare() {
  if (spare_fd_ < 0) {
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
}

void Listener::shed_with_spare() {
  if (spare_fd_ >= 0) {
    ::close(spare_fd_);
    spare_fd_ = -1;
  }
  const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd >= 0) {
    ::close(fd);
    ++hub_.metrics().shed;
  }
  open_spare();
}

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
  acceptor_.native_non_blocking(true);
  open_spare();
  accept();
}

void Listener::stop() {
  stopped_ = true;
  backoff_.cancel();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void Listener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (stopped_) {
      return;
    }
    if (ec) {
      if (ec == asio::error::connection_aborted || ec == asio::error::operation_aborted) {
        accept(); // the peer gave up before it was accepted
        return;
      }
      // Out of descriptors (EMFILE, ENFILE) or memory: make room, shed one, pause, then go on.
      if (ec.value() == EMFILE || ec.value() == ENFILE) {
        std::cerr << "autoreport-sidecar: out of descriptors (" << ec.message() << "): shedding\n";
        if (hub_.close_oldest_waiting()) {
          ++hub_.metrics().shed;
        } else {
          shed_with_spare();
        }
      }
      backoff_.expires_after(std::chrono::milliseconds(50));
      backoff_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && !stopped_) {
          accept();
        }
      });
      return;
    }
    if (hub_.sockets() >= hub_.socket_limit()) {
      ++hub_.metrics().shed;
      if (!hub_.close_oldest_waiting()) {
        boost::system::error_code ignored;
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored); // no room: the new connection goes
        accept();
        return;
      }
    }
    serve_http(std::move(socket), hub_, tls_.get());
    accept();
  });
}

} // namespace autoreport::sidecar
