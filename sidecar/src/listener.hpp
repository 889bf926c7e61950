// The listening socket: accepts connections (HTTPS only when a certificate is configured) and hands
// each to an HTTP session. At the socket limit the oldest connection still waiting to send its request
// is closed to make room (or, with none, the new one is); when descriptors run out, a spare one is
// given up to accept and close the connection, and accepting pauses briefly instead of spinning.
#pragma once

#include "config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace autoreport::sidecar {

class Hub;

class Listener {
public:
  Listener(boost::asio::io_context& io, Hub& hub);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  // Loads the TLS certificate when configured, binds, listens and starts accepting.
  void start(const Config& config);
  // Stops accepting; connections already accepted go on.
  void stop();

private:
  void accept();
  // Out of descriptors: closes the spare, accepts and closes one waiting connection, reopens the spare.
  void shed_with_spare();
  void open_spare();

  Hub& hub_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  int spare_fd_ = -1;
  std::unique_ptr<boost::asio::ssl::context> tls_; // when serving HTTPS/WSS only
  bool stopped_ = false;
};

} // namespace autoreport::sidecar
