// A TCP stream that gathers a connection's frames and sends them with one system call.
//
// Fan-out writes one WebSocket message per notification to every subscriber. When a client falls
// behind, its queue holds several frames; written one by one, each costs a system call (on loopback,
// the kernel's whole TCP path). Under the WebSocket stream, this layer takes each write into a
// buffer and completes it at once (posted, as Asio requires). While the session drains a queue of
// several frames (cork()), it gathers them and sends them with one write when the queue is empty
// (uncork()); otherwise a frame goes out at once, or with the next write when one is in flight. It bounds
// what it holds: past kMaxPending bytes a write completes only when the bytes before it are on the socket, so
// a slow socket still pushes back into the session's bounded queue. Reads pass straight through. Only the
// single-threaded event loop uses it.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace autoreport::sidecar {

class CorkedStream {
public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using next_layer_type = boost::beast::tcp_stream;
  static constexpr size_t kMaxPending = 64 * 1024;

  explicit CorkedStream(boost::beast::tcp_stream&& stream)
      : state_(std::make_shared<State>(std::move(stream))) {}

  executor_type get_executor() noexcept { return state_->next.get_executor(); }
  next_layer_type& next_layer() noexcept { return state_->next; }
  const next_layer_type& next_layer() const noexcept { return state_->next; }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return state_->next.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, size_t)>(
        [](auto h, std::shared_ptr<State> state, const ConstBuffers& buffers) {
          const size_t n = boost::asio::buffer_size(buffers);
          if (state->error) {
            boost::asio::post(state->next.get_executor(),
                              [h = std::move(h), ec = state->error]() mutable { std::move(h)(ec, 0); });
            return;
          }
          const size_t at = state->pending.size();
          state->pending.resize(at + n);
          boost::asio::buffer_copy(boost::asio::buffer(state->pending.data() + at, n), buffers);
          if (state->pending.size() > kMaxPending && state->flushing) {
            // Held until the bytes before it are on the socket: a slow socket pushes back.
            auto held = std::make_shared<decltype(h)>(std::move(h));
            state->held = [held, n](boost::beast::error_code ec) { std::move (*held)(ec, ec ? 0 : n); };
          } else {
            boost::asio::post(state->next.get_executor(), [h = std::move(h), n]() mutable {
              std::move(h)(boost::beast::error_code{}, n);
            });
          }
          if (!state->corked || state->pending.size() > kMaxPending) {
            // Not gathering: send now (a write to an idle socket completes in this call), so that a
            // lone frame leaves without waiting for the rest of the loop's turn.
            flush(state);
          }
        },
        handler, state_, buffers);
  }

  // The session is about to write several frames: hold them until uncork().
  void cork() noexcept { state_->corked = true; }
  // Sends what is gathered.
  void uncork() {
    state_->corked = false;
    flush(state_);
  }

  // Runs `then` once everything gathered is on the socket (or the socket failed).
  void after_flush(std::function<void()> then) {
    state_->corked = false;
    if (!state_->flushing && state_->pending.empty()) {
      then();
      return;
    }
    state_->after_flush = std::move(then);
    flush(state_);
  }

private:
  struct State {
    explicit State(boost::beast::tcp_stream&& s) : next(std::move(s)) {}
    boost::beast::tcp_stream next;
    std::string pending; // gathered, not yet handed to the socket
    std::string sending; // being written
    bool flushing = false;
    bool corked = false;
    boost::beast::error_code error;
    std::function<void(boost::beast::error_code)> held; // a write waiting for room
    std::function<void()> after_flush;
  };

  static void flush(const std::shared_ptr<State>& state) {
    if (state->flushing || state->pending.empty()) {
      return;
    }
    state->flushing = true;
    std::swap(state->pending, state->sending);
    boost::asio::async_write(state->next, boost::asio::buffer(state->sending),
                             [state](boost::beast::error_code ec, size_t) {
                               state->flushing = false;
                               state->sending.clear();
                               if (ec && !state->error) {
                                 state->error = ec;
                               }
                               if (auto held = std::move(state->held)) {
                                 state->held = nullptr;
                                 held(state->error);
                               }
                               if (!state->pending.empty() && !state->error &&
                                   (!state->corked || state->pending.size() > kMaxPending)) {
                                 flush(state);
                                 return;
                               }
                               if (state->error) {
                                 state->pending.clear();
                               }
                               if (state->pending.empty() && state->after_flush) {
                                 auto then = std::move(state->after_flush);
                                 state->after_flush = nullptr;
                                 then();
                               }
                             });
  }

  std::shared_ptr<State> state_;
};

// The WebSocket close handshake tears the connection down only after the close frame is sent.
template <class Handler>
void async_teardown(boost::beast::role_type role, CorkedStream& stream, Handler&& handler) {
  auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
  stream.after_flush([role, &stream, h] {
    boost::beast::async_teardown(role, stream.next_layer(),
                                 [h](boost::beast::error_code ec) { std::move (*h)(ec); });
  });
}

inline void teardown(boost::beast::role_type role, CorkedStream& stream, boost::beast::error_code& ec) {
  boost::beast::teardown(role, stream.next_layer(), ec);
}

} // namespace autoreport::sidecar
