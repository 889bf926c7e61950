// libcurl's multi interface driven by the Asio event loop (as curl's multi-uv and asiohiper examples):
// curl says which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it
// (CURLMOPT_TIMERFUNCTION); the loop waits on those sockets with stream descriptors that never own
// them, and on one steady timer, and calls curl_multi_socket_action. Finished transfers are read
// with curl_multi_info_read and handed to their callback. Nothing blocks the loop; the only threads
// are curl's own resolver threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <curl/curl.h>

#include <functional>
#include <map>
#include <memory>

namespace autoreport::sidecar {

class CurlLoop {
public:
  using DoneFn = std::function<void(CURLcode result)>;

  // Throws std::runtime_error when libcurl cannot be set up.
  explicit CurlLoop(boost::asio::io_context& io);
  ~CurlLoop();
  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;

  // Starts a transfer of a configured easy handle, which the caller keeps alive until done is called
  // or it is removed. done is called once, on the loop, after the handle has left the multi handle.
  // Returns false (done not called) when curl refuses the handle.
  bool add(CURL* easy, DoneFn done);
  // Abandons a transfer without calling its callback.
  void remove(CURL* easy);
  // Abandons every transfer; nothing is called back afterwards.
  void stop();
  size_t transfers() const noexcept { return transfers_.size(); }

private:
  // One socket curl asked to watch. The descriptor never owns the socket: curl closes it.
  struct Watch {
    Watch(boost::asio::io_context& io, curl_socket_t fd) : descriptor(io, fd), fd(fd) {}
    boost::asio::posix::stream_descriptor descriptor;
    curl_socket_t fd;
    bool want_read = false;
    bool want_write = false;
    bool reading = false; // an async_wait is pending
    bool writing = false;
    bool gone = false; // curl said CURL_POLL_REMOVE
  };

  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  void arm(const std::shared_ptr<Watch>& watch);
  void forget(curl_socket_t fd);
  void action(curl_socket_t fd, int flags);
  void drain();

  boost::asio::io_context& io_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  std::map<curl_socket_t, std::shared_ptr<Watch>> watches_;
  std::map<CURL*, DoneFn> transfers_;
  bool stopped_ = false;
  // Bumped when a timeout is (re)scheduled or cancelled, so a stale posted action does nothing.
  uint64_t timer_serial_ = 0;
};

} // namespace autoreport::sidecar
