// The listening socket: accepts connections (HTTPS only when a certificate is configured) and hands
// each to an HTTP session.
#pragma once

#include "config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace autoreport::sidecar {

class Hub;

class Listener {
public:
  Listener(boost::asio::io_context& io, Hub& hub);
  // Loads the TLS certificate when configured, binds, listens and starts accepting.
  void start(const Config& config);
  // Stops accepting; connections already accepted go on.
  void stop();

private:
  void accept();

  Hub& hub_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_; // when serving HTTPS/WSS only
  bool stopped_ = false;
};

} // namespace autoreport::sidecar
