// libcurl's multi interface on the Asio loop (see curl_loop.hpp).
#include "curl_loop.hpp"

#include <boost/asio/post.hpp>

#include <iostream>
#include <stdexcept>
#include <vector>

namespace autoreport::sidecar {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

CurlLoop::CurlLoop(asio::io_context& io) : io_(io), timer_(io) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) {
    throw std::runtime_error(std::string("libcurl: ") + curl_easy_strerror(global));
  }
  multi_ = curl_multi_init();
  if (multi_ == nullptr) {
    throw std::runtime_error("libcurl: cannot create a multi handle");
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlLoop::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlLoop::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlLoop::~CurlLoop() {
  stop();
  curl_multi_cleanup(multi_);
}

bool CurlLoop::add(CURL* easy, DoneFn done) {
  if (stopped_) {
    return false;
  }
  transfers_[easy] = std::move(done);
  if (const CURLMcode rc = curl_multi_add_handle(multi_, easy); rc != CURLM_OK) {
    transfers_.erase(easy);
    std::cerr << "autoreport-sidecar: deliver: " << curl_multi_strerror(rc) << "\n";
    return false;
  }
  return true; // curl asks for a timeout of 0 (on_timer), which starts the transfer on the next turn
}

void CurlLoop::remove(CURL* easy) {
  if (transfers_.erase(easy) > 0) {
    curl_multi_remove_handle(multi_, easy);
  }
}

void CurlLoop::stop() {
  stopped_ = true;
  ++timer_serial_;
  timer_.cancel();
  std::vector<CURL*> easies;
  for (const auto& [easy, done] : transfers_) {
    easies.push_back(easy);
  }
  transfers_.clear();
  for (CURL* easy : easies) {
    curl_multi_remove_handle(multi_, easy); // may report CURL_POLL_REMOVE for its sockets
  }
  while (!watches_.empty()) {
    forget(watches_.begin()->first);
  }
}

// curl's socket callback: what it wants of fd now.
int CurlLoop::on_socket(CURL* /*easy*/, curl_socket_t fd, int what, void* self_ptr, void* /*socketp*/) {
  auto* self = static_cast<CurlLoop*>(self_ptr);
  if (what == CURL_POLL_REMOVE) {
    self->forget(fd);
    return 0;
  }
  auto it = self->watches_.find(fd);
  if (it == self->watches_.end()) {
    it = self->watches_.emplace(fd, std::make_shared<Watch>(self->io_, fd)).first;
  }
  const std::shared_ptr<Watch>& watch = it->second;
  watch->want_read = what == CURL_POLL_IN || what == CURL_POLL_INOUT;
  watch->want_write = what == CURL_POLL_OUT || what == CURL_POLL_INOUT;
  self->arm(watch);
  return 0;
}

// Stops watching fd and lets go of the descriptor without closing it (curl closes its sockets).
void CurlLoop::forget(curl_socket_t fd) {
  const auto it = watches_.find(fd);
  if (it == watches_.end()) {
    return;
  }
  const std::shared_ptr<Watch> watch = it->second;
  watches_.erase(it);
  watch->gone = true;
  watch->want_read = watch->want_write = false;
  error_code ignored;
  watch->descriptor.cancel(ignored); // pending waits end with operation_aborted
  watch->descriptor.release();
}

// Waits for what curl wants of a socket, one wait per direction at a time.
void CurlLoop::arm(const std::shared_ptr<Watch>& watch) {
  if (watch->want_read && !watch->reading) {
    watch->reading = true;
    watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                 [this, watch](const error_code& ec) {
                                   watch->reading = false;
                                   if (ec || watch->gone || stopped_) {
                                     return;
                                   }
                                   if (watch->want_read) {
                                     action(watch->fd, CURL_CSELECT_IN);
                                   }
                                   if (!watch->gone && !stopped_) {
                                     arm(watch);
                                   }
                                 });
  }
  if (watch->want_write && !watch->writing) {
    watch->writing = true;
    watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_write,
                                 [this, watch](const error_code& ec) {
                                   watch->writing = false;
                                   if (ec || watch->gone || stopped_) {
                                     return;
                                   }
                                   if (watch->want_write) {
                                     action(watch->fd, CURL_CSELECT_OUT);
                                   }
                                   if (!watch->gone && !stopped_) {
                                     arm(watch);
                                   }
                                 });
  }
}

// curl's timer callback: wake it after timeout_ms (-1: never). curl may not be called back from inside
// its own callback, so a timeout of 0 is posted to the loop.
int CurlLoop::on_timer(CURLM* /*multi*/, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<CurlLoop*>(self_ptr);
  const uint64_t serial = ++self->timer_serial_;
  self->timer_.cancel();
  if (timeout_ms < 0 || self->stopped_) {
    return 0;
  }
  if (timeout_ms == 0) {
    asio::post(self->io_, [self, serial] {
      if (serial == self->timer_serial_ && !self->stopped_) {
        self->action(CURL_SOCKET_TIMEOUT, 0);
      }
    });
    return 0;
  }
  self->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  self->timer_.async_wait([self, serial](const error_code& ec) {
    if (!ec && serial == self->timer_serial_ && !self->stopped_) {
      self->action(CURL_SOCKET_TIMEOUT, 0);
    }
  });
  return 0;
}

void CurlLoop::action(curl_socket_t fd, int flags) {
  int running = 0;
  if (const CURLMcode rc = curl_multi_socket_action(multi_, fd, flags, &running); rc != CURLM_OK) {
    std::cerr << "autoreport-sidecar: deliver: " << curl_multi_strerror(rc) << "\n";
  }
  drain();
}

// Hands each finished transfer to its callback, after it has left the multi handle.
void CurlLoop::drain() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) {
      continue;
    }
    CURL* easy = msg->easy_handle;
    const CURLcode result = msg->data.result; // msg is invalid once the handle is removed
    const auto it = transfers_.find(easy);
    curl_multi_remove_handle(multi_, easy);
    if (it == transfers_.end()) {
      continue;
    }
    DoneFn done = std::move(it->second);
    transfers_.erase(it);
    if (done) {
      done(result); // may add transfers or free this one
    }
    if (stopped_) {
      return;
    }
  }
}

} // namespace autoreport::sidecar
