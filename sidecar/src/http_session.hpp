// One HTTP connection: the dashboard, /healthz and /metrics, or a checked WebSocket handshake handed to
// a WebSocket session.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace autoreport::sidecar {

class Hub;

// Serves one accepted connection: over TLS when tls is given, else plain TCP.
void serve_http(boost::asio::ip::tcp::socket socket, Hub& hub, boost::asio::ssl::context* tls);

} // namespace autoreport::sidecar
