// sidecar-load: the load client of the sidecar's benchmarks (bench/sidecar.sh) and of its exact-count
// test (test/sidecar/load_test.sh). It opens many WebSocket clients to a server that speaks the
// sidecar's protocol (ours, or the Node.js baseline in test/bench/node-bridge), sends NOTIFYs through
// its own libpq connection, and checks and times what every client receives.
//
// One thread runs every WebSocket client (one Asio event loop, Boost.Beast); the main thread drives
// the run and sends the NOTIFYs. The load client reports its own CPU time, so that a reader can tell
// whether it, rather than the server, was the limit.
//
// Each NOTIFY payload is JSON {"n":N,"s":STEP,"t":MICROS,"pad":"..."}: N numbers the notifications
// of a run from 0, STEP is the fan-out step (0 otherwise), MICROS is CLOCK_REALTIME in microseconds
// when the statement carrying it was sent. A notify frame's latency is its arrival time minus MICROS
// (same host, same clock). The arrival time is the kernel's receive time of the bytes on the client's
// socket (SO_TIMESTAMPNS), so that the load client's own queueing does not count against the server;
// the time the client finished processing the frame is reported beside it.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/json/src.hpp> // Boost.JSON header-only: its implementation is compiled into this file

#include <libpq-fe.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(sidecar-load MODE [options]: load and exact-count client for the sidecar

Modes:
  count     --clients clients (1000) subscribe to --channel; once all are subscribed, --notifications
            NOTIFYs (1000) are sent at --rate per second (250); waits up to --timeout seconds for
            the last frames, then checks that every client received every notification exactly once,
            with a contiguous seq from 1 and payloads in order. Exits 0 only when all of that holds.
  fanout    --clients subscribers (1000) on one channel; the NOTIFY rate starts at --start-rate (50/s)
            and grows by --step-factor (1.25) every --step-seconds (3) up to --max-rate (25600/s)
            until the server saturates
            (delivered frames/s below 95% of offered, p99 latency over 500 ms, a frame lost or a
            client closed). Reports delivered frames/s per step and the maximum. The NOTIFYs go
            through one libpq connection, all those due in a 2 ms tick in one statement
            (SELECT pg_notify(..), pg_notify(..), ...; at most 500 each), so that round trips do not
            cap the offered rate.
  latency   --rate NOTIFYs per second (50) to --clients subscribers (1000) for --duration seconds (20);
            reports latency p50, p99 and max, and any lost frame.
  idle      opens --clients connections (10000) that complete the WebSocket handshake and subscribe
            to nothing; holds them --hold seconds (3). With --server-pid, reports the server's
            resident memory (VmRSS) before and after, per connection.

Options:
  --url URL              ws://HOST:PORT/PATH of the server (ws://127.0.0.1:8080/)
  --token JWT            sent as ?token=JWT in the handshake
  --database CONNINFO    libpq connection string or URI for the NOTIFYs (count, fanout, latency)
  --channel NAME         the channel (bench.load)
  --clients N            WebSocket clients
  --notifications N      count: notifications to send
  --rate R               count, latency: notifications per second (0 in count: as fast as possible)
  --payload-bytes B      pad each NOTIFY payload to B bytes (at most 7999)
  --burst                count: send all the notifications in ONE transaction
                         (SELECT pg_notify(..) FROM generate_series(..)), not paced by --rate
  --timeout S            count: seconds to wait for the last frames (20)
  --duration S           latency: seconds (20)
  --step-seconds S       fanout: seconds per step (3)
  --start-rate R         fanout: first step's notifications per second (50)
  --max-rate R           fanout: last step's notifications per second (25600)
  --step-factor F        fanout: each step's rate over the one before (1.25; small steps find the
                         saturation point more closely than doubling, which would overload the server)
  --server-pid PID       the server's process: its CPU use (fanout, latency) and VmRSS (idle) are reported
  --hold S               idle: seconds to hold the connections before reading VmRSS (3)
  --concurrency N        handshakes in flight at once (200)
  --help                 this text

Every mode prints a human summary, its own CPU use (getrusage), and a last line
"RESULT mode=... key=value ..." for scripts.
)";

struct Options {
  std::string mode;
  std::string url = "ws://127.0.0.1:8080/";
  std::string token;
  std::string database;
  std::string channel = "bench.load";
  size_t clients = 0; // 0: the mode's default
  uint64_t notifications = 1000;
  double rate = -1; // -1: the mode's default
  size_t payload_bytes = 0;
  double timeout = 20;
  double duration = 20;
  double step_seconds = 3;
  double start_rate = 50;
  double max_rate = 25600;
  double step_factor = 1.25;
  int server_pid = 0;
  double hold = 3;
  size_t concurrency = 200;
  bool burst = false; // count: every notification in one statement (generate_series)
};

// CLOCK_REALTIME in microseconds: the clock of the payloads' send timestamps.
int64_t realtime_micros() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Parses the command line; throws std::invalid_argument with the reason.
Options parse_options(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    throw std::invalid_argument("a mode is required (count, fanout, latency or idle)");
  }
  size_t i = 0;
  if (args[0] != "--help") {
    o.mode = args[i++];
  }
  const auto number = [&](const std::string& flag, const std::string& text) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || !std::isfinite(v) || v < 0) {
      throw std::invalid_argument(flag + " needs a non-negative number, not \"" + text + "\"");
    }
    return v;
  };
  for (; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help") {
      o.mode = "help";
      return o;
    }
    if (flag == "--burst") {
      o.burst = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      throw std::invalid_argument("unknown option or missing value: " + flag);
    }
    const std::string& v = args[++i];
    if (flag == "--url") {
      o.url = v;
    } else if (flag == "--token") {
      o.token = v;
    } else if (flag == "--database") {
      o.database = v;
    } else if (flag == "--channel") {
      o.channel = v;
    } else if (flag == "--clients") {
      o.clients = static_cast<size_t>(number(flag, v));
    } else if (flag == "--notifications") {
      o.notifications = static_cast<uint64_t>(number(flag, v));
    } else if (flag == "--rate") {
      o.rate = number(flag, v);
    } else if (flag == "--payload-bytes") {
      o.payload_bytes = static_cast<size_t>(number(flag, v));
    } else if (flag == "--timeout") {
      o.timeout = number(flag, v);
    } else if (flag == "--duration") {
      o.duration = number(flag, v);
    } else if (flag == "--step-seconds") {
      o.step_seconds = number(flag, v);
    } else if (flag == "--start-rate") {
      o.start_rate = number(flag, v);
    } else if (flag == "--max-rate") {
      o.max_rate = number(flag, v);
    } else if (flag == "--step-factor") {
      o.step_factor = number(flag, v);
    } else if (flag == "--server-pid") {
      o.server_pid = static_cast<int>(number(flag, v));
    } else if (flag == "--hold") {
      o.hold = number(flag, v);
    } else if (flag == "--concurrency") {
      o.concurrency = std::max<size_t>(1, static_cast<size_t>(number(flag, v)));
    } else {
      throw std::invalid_argument("unknown option " + flag);
    }
  }
  if (o.mode != "count" && o.mode != "fanout" && o.mode != "latency" && o.mode != "idle") {
    throw std::invalid_argument("unknown mode \"" + o.mode + "\" (count, fanout, latency or idle)");
  }
  if (o.clients == 0) {
    o.clients = o.mode == "idle" ? 10000 : 1000;
  }
  if (o.rate < 0) {
    o.rate = o.mode == "count" ? 250 : 50;
  }
  if (o.step_factor <= 1) {
    throw std::invalid_argument("--step-factor must be above 1");
  }
  if (o.payload_bytes > 7999) {
    throw std::invalid_argument("--payload-bytes is at most 7999, PostgreSQL's NOTIFY payload limit");
  }
  const bool channel_ok =
      !o.channel.empty() && o.channel.size() <= 63 &&
      std::all_of(o.channel.begin(), o.channel.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
  if (!channel_ok) {
    throw std::invalid_argument("--channel must be 1 to 63 letters, digits, _, - and .");
  }
  if (o.mode != "idle" && o.database.empty()) {
    throw std::invalid_argument("--database is required for the NOTIFYs of mode " + o.mode);
  }
  return o;
}

// Where to connect: host, port and the handshake's target (path and query, with the token).
struct Endpoint {
  std::string host;
  std::string port;
  std::string target;
};

Endpoint parse_url(const std::string& url, const std::string& token) {
  const std::string scheme = "ws://";
  if (url.rfind(scheme, 0) != 0) {
    throw std::invalid_argument("--url must start with ws:// (TLS is not supported here): " + url);
  }
  const std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  Endpoint e;
  e.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  e.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  e.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (!token.empty()) {
    e.target += (e.target.find('?') == std::string::npos ? "?token=" : "&token=") + token;
  }
  return e;
}

// CPU time of this process (all its threads) over a stretch of wall-clock time.
class CpuMeter {
public:
  CpuMeter() { reset(); }
  void reset() {
    getrusage(RUSAGE_SELF, &start_);
    wall_ = Clock::now();
  }
  struct Reading {
    double user = 0, system = 0, wall = 0;
    double percent() const { return wall > 0 ? 100 * (user + system) / wall : 0; }
  };
  Reading read() const {
    rusage now{};
    getrusage(RUSAGE_SELF, &now);
    const auto secs = [](const timeval& a, const timeval& b) {
      return static_cast<double>(a.tv_sec - b.tv_sec) + static_cast<double>(a.tv_usec - b.tv_usec) / 1e6;
    };
    return {secs(now.ru_utime, start_.ru_utime), secs(now.ru_stime, start_.ru_stime), seconds_since(wall_)};
  }

private:
  rusage start_{};
  Clock::time_point wall_;
};

// CPU seconds (user + system) that process `pid` has used so far, or -1 (no such process, or none asked).
double process_cpu_seconds(int pid) {
  if (pid <= 0) {
    return -1;
  }
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) {
    return -1;
  }
  // After "pid (comm)": state is field 3, utime field 14 and stime field 15, in clock ticks.
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) {
      ticks += std::strtod(field.c_str(), nullptr);
    }
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The share of one core that the server (--server-pid) used since `cpu_seconds` was read `wall`
// seconds ago, in percent; -1 without a server.
double server_percent(int pid, double cpu_seconds, double wall) {
  const double now = process_cpu_seconds(pid);
  return now < 0 || cpu_seconds < 0 || wall <= 0 ? -1 : 100 * (now - cpu_seconds) / wall;
}

// A TCP stream whose reads note the kernel's receive time of the bytes (SO_TIMESTAMPNS, reported by
// recvmsg), for the latency of a frame's arrival as opposed to the time this client got round to it.
class StampedStream {
public:
  using executor_type = asio::io_context::executor_type;
  using next_layer_type = beast::basic_stream<tcp, executor_type>;

  explicit StampedStream(executor_type ex) : next_(ex) {}
  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }
  // CLOCK_REALTIME microseconds when the last bytes read arrived, or 0 when unknown.
  int64_t last_arrival_micros() const noexcept { return last_arrival_; }
  // Asks the kernel for receive timestamps (after connecting).
  void enable_timestamps() {
    const int on = 1;
    ::setsockopt(next_.socket().native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return next_.async_write_some(buffers, std::forward<Handler>(handler));
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return asio::async_initiate<Handler, void(beast::error_code, size_t)>(
        [this](auto h, const MutableBuffers& b) {
          read_when_ready(std::make_shared<decltype(h)>(std::move(h)), *asio::buffer_sequence_begin(b));
        },
        handler, buffers);
  }

private:
  template <class HandlerPtr> void read_when_ready(HandlerPtr h, asio::mutable_buffer into) {
    next_.socket().async_wait(tcp::socket::wait_read, [this, h, into](beast::error_code ec) {
      if (ec) {
        std::move (*h)(ec, 0);
        return;
      }
      iovec iov{into.data(), into.size()};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2];
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      const ssize_t n = ::recvmsg(next_.socket().native_handle(), &msg, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        read_when_ready(h, into);
        return;
      }
      if (n < 0) {
        std::move (*h)(beast::error_code(errno, boost::system::system_category()), 0);
        return;
      }
      if (n == 0 && into.size() > 0) {
        std::move (*h)(asio::error::eof, 0);
        return;
      }
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts{};
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          last_arrival_ = static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
        }
      }
      std::move (*h)(beast::error_code{}, static_cast<size_t>(n));
    });
  }

  next_layer_type next_;
  int64_t last_arrival_ = 0;
};

[[maybe_unused]] void teardown(beast::role_type role, StampedStream& s, beast::error_code& ec) {
  beast::teardown(role, s.next_layer(), ec);
}

template <class Handler> void async_teardown(beast::role_type role, StampedStream& s, Handler&& handler) {
  beast::async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

// p50, p99 and max of latencies in microseconds.
struct Percentiles {
  size_t samples = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

Percentiles percentiles(std::vector<uint32_t> v) {
  Percentiles p;
  p.samples = v.size();
  if (v.empty()) {
    return p;
  }
  const auto at = [&](double q) {
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
    return v[k] / 1000.0;
  };
  p.p50_ms = at(0.50);
  p.p99_ms = at(0.99);
  p.max_ms = *std::max_element(v.begin(), v.end()) / 1000.0;
  return p;
}

// Parses frames into an arena on a fixed buffer: no allocation for a frame that fits.
class FrameReader {
public:
  // The frame as a JSON object, or nullptr; valid until the next call.
  const json::object* parse(std::string_view text) {
    value_.reset(); // before the arena it lives in
    arena_.emplace(buffer_, sizeof buffer_);
    parser_.reset(json::storage_ptr(&*arena_));
    json::error_code ec;
    parser_.write(text, ec);
    if (ec) {
      parser_.reset();
      return nullptr;
    }
    value_.emplace(parser_.release());
    return value_->if_object();
  }

private:
  unsigned char buffer_[16384] = {};
  std::optional<json::monotonic_resource> arena_;
  json::parser parser_;
  std::optional<json::value> value_;
};

int64_t int_of(const json::object& o, std::string_view key, int64_t fallback = -1) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    return fallback;
  }
  json::error_code ec;
  const auto n = v->to_number<int64_t>(ec);
  return ec ? fallback : n;
}

std::string_view string_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// What one client saw. Written only by the event loop's thread.
struct ClientStats {
  bool connected = false;
  bool subscribed = false;
  bool closed = false; // by the server or the network before the end of the run
  std::string problem; // the first thing that went wrong
  uint64_t received = 0;
  int64_t last_seq = 0;
  int64_t next_n = 0;
  uint64_t seq_errors = 0;
  uint64_t order_errors = 0;
  uint64_t gaps = 0;
  uint64_t error_frames = 0;
  uint64_t foreign = 0;   // notify frames of another channel or with a payload that is not ours
  std::vector<bool> seen; // count: which notifications arrived
};

class Client;

// Every client, the event loop they share, and the counters the main thread watches.
struct Load {
  explicit Load(const Options& o) : opt(o), endpoint(parse_url(o.url, o.token)) {}

  const Options& opt;
  Endpoint endpoint;
  asio::io_context io{1};
  tcp::endpoint address;
  std::vector<std::shared_ptr<Client>> clients;
  bool subscribe = true;
  bool track_seen = false;
  bool stopping = false; // the run is over: errors from here on are ours
  size_t next_to_start = 0;
  size_t in_flight = 0;
  FrameReader reader;
  std::vector<std::vector<uint32_t>> latencies; // per step, microseconds, to the frame's arrival
  std::vector<uint32_t> processed;              // step 0, microseconds, to this client processing it

  std::atomic<uint64_t> connected{0}, subscribed{0}, failed{0}, closed{0}, frames{0};

  void pump();
  void record_latency(int64_t step, int64_t micros) {
    if (step < 0 || step > 1024) {
      return;
    }
    if (latencies.size() <= static_cast<size_t>(step)) {
      latencies.resize(static_cast<size_t>(step) + 1);
    }
    latencies[static_cast<size_t>(step)].push_back(
        static_cast<uint32_t>(std::clamp<int64_t>(micros, 0, 1LL << 31)));
  }
};

// One WebSocket client: connect, handshake, subscribe (unless idle), then read until the end.
class Client : public std::enable_shared_from_this<Client> {
public:
  Client(Load& load, size_t index) : load_(load), index_(index), ws_(load.io.get_executor()) {
    if (load.track_seen) {
      stats.seen.assign(load.opt.notifications, false);
    }
  }

  ClientStats stats;

  void start() {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(load_.address,
                                               [self = shared_from_this()](beast::error_code ec) {
                                                 if (ec) {
                                                   self->opened();
                                                   self->fail("connect", ec);
                                                   return;
                                                 }
                                                 self->handshake();
                                               });
  }

  // Ends the connection at once (the run is over).
  void stop() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

private:
  void handshake() {
    beast::get_lowest_layer(ws_).expires_never();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    ws_.next_layer().enable_timestamps();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.read_message_max(1 << 20);
    const std::string host = load_.endpoint.host + ":" + load_.endpoint.port;
    ws_.async_handshake(host, load_.endpoint.target, [self = shared_from_this()](beast::error_code ec) {
      self->opened();
      if (ec) {
        self->fail("handshake", ec);
        return;
      }
      self->stats.connected = true;
      ++self->load_.connected;
      self->read();
      if (self->load_.subscribe) {
        self->send_subscribe();
      }
    });
  }

  // One handshake less in flight: start the next client.
  void opened() {
    --load_.in_flight;
    load_.pump();
  }

  void send_subscribe() {
    out_ =
        R"({"op":"subscribe","channel":")" + load_.opt.channel + R"(","id":)" + std::to_string(index_) + "}";
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->fail("subscribe", ec);
      }
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->fail("read", ec);
        return;
      }
      self->on_frame(
          std::string_view(static_cast<const char*>(self->buffer_.data().data()), self->buffer_.size()));
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  void fail(const char* what, beast::error_code ec) {
    if (load_.stopping || stats.closed) {
      return;
    }
    std::string why = std::string(what) + ": " + ec.message();
    if (ec == websocket::error::closed) {
      why = "closed by the server with code " + std::to_string(ws_.reason().code) + " \"" +
            std::string(ws_.reason().reason.c_str()) + "\"";
    }
    note(why);
    if (stats.connected) {
      stats.closed = true;
      ++load_.closed;
    } else {
      ++load_.failed;
    }
  }

  void note(const std::string& problem) {
    if (stats.problem.empty()) {
      stats.problem = problem;
    }
  }

  void on_frame(std::string_view text) {
    const json::object* o = load_.reader.parse(text);
    if (o == nullptr) {
      note("a frame that is not a JSON object: " + std::string(text.substr(0, 200)));
      return;
    }
    const std::string_view type = string_of(*o, "type");
    if (type == "notify") {
      on_notify(*o);
    } else if (type == "subscribed") {
      if (!stats.subscribed) {
        stats.subscribed = true;
        ++load_.subscribed;
      }
    } else if (type == "gap") {
      ++stats.gaps;
      note("a gap frame: " + std::string(text.substr(0, 200)));
    } else {
      ++stats.error_frames;
      note("an unexpected frame: " + std::string(text.substr(0, 200)));
    }
  }

  void on_notify(const json::object& o) {
    const int64_t now = realtime_micros();
    const json::value* payload = o.if_contains("payload");
    const json::object* p = payload != nullptr ? payload->if_object() : nullptr;
    if (string_of(o, "channel") != load_.opt.channel || p == nullptr) {
      ++stats.foreign;
      note("a notify frame that is not ours");
      return;
    }
    ++stats.received;
    load_.frames.fetch_add(1, std::memory_order_relaxed);
    const int64_t seq = int_of(o, "seq");
    if (seq != stats.last_seq + 1) {
      ++stats.seq_errors;
      note("seq " + std::to_string(seq) + " after seq " + std::to_string(stats.last_seq));
    }
    stats.last_seq = seq;
    const int64_t n = int_of(*p, "n");
    if (n != stats.next_n) {
      ++stats.order_errors;
      note("notification " + std::to_string(n) + " where " + std::to_string(stats.next_n) + " was next");
    }
    stats.next_n = n + 1;
    if (n >= 0 && static_cast<size_t>(n) < stats.seen.size()) {
      if (stats.seen[static_cast<size_t>(n)]) {
        note("notification " + std::to_string(n) + " twice");
      }
      stats.seen[static_cast<size_t>(n)] = true;
    }
    const int64_t sent = int_of(*p, "t", now);
    const int64_t arrived = ws_.next_layer().last_arrival_micros();
    load_.record_latency(int_of(*p, "s"), (arrived > 0 ? arrived : now) - sent);
    if (int_of(*p, "s") == 0) {
      load_.processed.push_back(static_cast<uint32_t>(std::clamp<int64_t>(now - sent, 0, 1LL << 31)));
    }
  }

  Load& load_;
  size_t index_;
  // The io_context's own executor type, not the type-erased any_io_executor: cheaper per operation.
  websocket::stream<StampedStream> ws_;
  beast::flat_buffer buffer_;
  std::string out_;
};

void Load::pump() {
  while (in_flight < opt.concurrency && next_to_start < clients.size()) {
    ++in_flight;
    clients[next_to_start++]->start();
  }
}

// Runs the clients' event loop in its own thread from construction to finish().
class LoopThread {
public:
  explicit LoopThread(Load& load) : load_(load), guard_(asio::make_work_guard(load.io)) {
    thread_ = std::thread([this] { load_.io.run(); });
  }
  ~LoopThread() { finish(); }

  // Runs f on the loop's thread and returns its result.
  template <class F> auto call(F f) {
    auto promise = std::make_shared<std::promise<decltype(f())>>();
    auto result = promise->get_future();
    asio::post(load_.io, [promise, f = std::move(f)]() mutable { promise->set_value(f()); });
    return result.get();
  }

  // Closes every connection and ends the loop.
  void finish() {
    if (!thread_.joinable()) {
      return;
    }
    // Pending handlers (a handshake's timer, say) are dropped with the io_context, not awaited.
    asio::post(load_.io, [this] {
      load_.stopping = true;
      for (auto& c : load_.clients) {
        c->stop();
      }
      load_.io.stop();
    });
    guard_.reset();
    thread_.join();
  }

private:
  Load& load_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Waits until done() holds or the time is up; true when it held.
bool wait_until(const std::function<bool()>& done, double seconds) {
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (!done()) {
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The NOTIFYs, through one libpq connection. Several notifications go in one statement
// (SELECT pg_notify(..), pg_notify(..), ...: one transaction, delivered in order at its commit) so
// that one connection's round trips do not cap the rate.
class Notifier {
public:
  Notifier(const std::string& conninfo, std::string channel, size_t payload_bytes)
      : conn_(PQconnectdb(conninfo.c_str())), channel_(std::move(channel)), payload_bytes_(payload_bytes) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string error = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("cannot connect to the database for NOTIFY: " + error);
    }
  }
  ~Notifier() { PQfinish(conn_); }
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  uint64_t sent() const { return next_; }

  // All of the next `count` notifications in one statement, so one transaction: the database hands
  // them to the listener together at commit.
  void burst(uint64_t count) {
    const auto started = Clock::now();
    std::string pad;
    const size_t bare = std::string("{\"n\":" + std::to_string(next_ + count) +
                                    ",\"s\":0,\"t\":" + std::to_string(realtime_micros()))
                            .size() +
                        1;
    if (payload_bytes_ > bare + 9) {
      pad = ",\"pad\":\"" + std::string(payload_bytes_ - bare - 9, 'x') + "\"";
    }
    sql_ = "SELECT pg_notify('" + channel_ + "', '{\"n\":' || g || ',\"s\":0,\"t\":' || " +
           std::to_string(realtime_micros()) + " || '" + pad + "}') FROM generate_series(" +
           std::to_string(next_) + ", " + std::to_string(next_ + count - 1) + ") AS g";
    PGresult* r = PQexec(conn_, sql_.c_str());
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (!ok) {
      throw std::runtime_error(std::string("NOTIFY failed: ") + PQerrorMessage(conn_));
    }
    next_ += count;
    busy_ += seconds_since(started);
  }
  double busy_seconds() const { return busy_; }

  // Sends the next `count` notifications of fan-out step `step`, at most kBatch per statement.
  void send(uint64_t count, int step) {
    while (count > 0) {
      const uint64_t batch = std::min<uint64_t>(count, kBatch);
      const auto started = Clock::now();
      const int64_t t = realtime_micros();
      sql_ = "SELECT ";
      for (uint64_t i = 0; i < batch; ++i) {
        sql_ += i == 0 ? "pg_notify('" : ",pg_notify('";
        sql_ += channel_;
        sql_ += "','";
        append_payload(next_ + i, step, t);
        sql_ += "')";
      }
      PGresult* r = PQexec(conn_, sql_.c_str());
      const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
      PQclear(r);
      if (!ok) {
        throw std::runtime_error(std::string("NOTIFY failed: ") + PQerrorMessage(conn_));
      }
      next_ += batch;
      count -= batch;
      busy_ += seconds_since(started);
    }
  }

  // Sends at `rate` per second (0: as fast as possible) until `seconds` have passed or `limit`
  // notifications are sent, whichever comes first; returns how many it sent.
  uint64_t paced(double rate, double seconds, uint64_t limit, int step) {
    const auto start = Clock::now();
    const auto tick = std::chrono::milliseconds(2);
    uint64_t sent = 0;
    for (auto next_tick = start;; next_tick += tick) {
      const double elapsed = seconds_since(start);
      if (sent >= limit || elapsed >= seconds) {
        return sent;
      }
      const uint64_t due =
          rate == 0 ? limit
                    : std::min<uint64_t>(limit, static_cast<uint64_t>(std::floor(rate * elapsed)) + 1);
      if (due > sent) {
        send(due - sent, step);
        sent = due;
      }
      std::this_thread::sleep_until(next_tick + tick);
    }
  }

private:
  static constexpr uint64_t kBatch = 500;

  // {"n":N,"s":STEP,"t":MICROS} padded with "pad" to payload_bytes_. Nothing in it needs quoting.
  void append_payload(uint64_t n, int step, int64_t t) {
    std::string p =
        "{\"n\":" + std::to_string(n) + ",\"s\":" + std::to_string(step) + ",\"t\":" + std::to_string(t);
    const size_t bare = p.size() + 1;
    const size_t padded = bare + 9; // ,"pad":""
    if (payload_bytes_ > padded) {
      p += ",\"pad\":\"" + std::string(payload_bytes_ - padded, 'x') + "\"";
    }
    p += "}";
    sql_ += p;
  }

  PGconn* conn_;
  std::string channel_;
  size_t payload_bytes_;
  std::string sql_;
  uint64_t next_ = 0;
  double busy_ = 0;
};

// Resolves the server, creates the clients and starts opening them.
void open_clients(Load& load, bool subscribe, bool track_seen) {
  load.subscribe = subscribe;
  load.track_seen = track_seen;
  tcp::resolver resolver(load.io);
  load.address = *resolver.resolve(load.endpoint.host, load.endpoint.port).begin();
  load.clients.reserve(load.opt.clients);
  for (size_t i = 0; i < load.opt.clients; ++i) {
    load.clients.push_back(std::make_shared<Client>(load, i));
  }
  asio::post(load.io, [&load] { load.pump(); });
}

// The first problems of the clients that saw any, at most `limit` lines.
void print_problems(const Load& load, size_t limit) {
  size_t shown = 0, with_problem = 0;
  for (size_t i = 0; i < load.clients.size(); ++i) {
    const ClientStats& s = load.clients[i] ? load.clients[i]->stats : ClientStats{};
    if (s.problem.empty()) {
      continue;
    }
    ++with_problem;
    if (shown++ < limit) {
      std::printf("  client %zu: %s\n", i, s.problem.c_str());
    }
  }
  if (with_problem > limit) {
    std::printf("  ... and %zu more clients with a problem\n", with_problem - limit);
  }
}

// Waits until every client is subscribed; false (with what went wrong printed) otherwise.
bool all_subscribed(Load& load, LoopThread& loop, const char* mode) {
  const auto start = Clock::now();
  const uint64_t n = load.opt.clients;
  const bool ok = wait_until([&] { return load.subscribed == n || load.failed + load.closed > 0; }, 60) &&
                  load.subscribed == n;
  if (!ok) {
    std::printf(
        "sidecar-load %s: only %llu of %llu clients subscribed (%llu could not connect, %llu closed)\n", mode,
        static_cast<unsigned long long>(load.subscribed.load()), static_cast<unsigned long long>(n),
        static_cast<unsigned long long>(load.failed.load()),
        static_cast<unsigned long long>(load.closed.load()));
    loop.finish();
    print_problems(load, 10);
    return false;
  }
  std::printf("sidecar-load %s: %llu clients subscribed to %s in %.2f s\n", mode,
              static_cast<unsigned long long>(n), load.opt.channel.c_str(), seconds_since(start));
  return true;
}

void print_cpu(const CpuMeter::Reading& cpu) {
  std::printf("sidecar-load: load client CPU %.2f s user + %.2f s system over %.2f s = %.0f%% of one core\n",
              cpu.user, cpu.system, cpu.wall, cpu.percent());
}

// Ranges of the notifications a client did not get, e.g. "0-9, 17".
std::string missing_ranges(const std::vector<bool>& seen) {
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < seen.size();) {
    if (seen[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < seen.size() && !seen[j + 1]) {
      ++j;
    }
    if (shown++ == 8) {
      return out + ", ...";
    }
    out += (out.empty() ? "" : ", ") + std::to_string(i) + (j > i ? "-" + std::to_string(j) : "");
    i = j + 1;
  }
  return out;
}

int run_count(const Options& opt) {
  Load load(opt);
  CpuMeter cpu;
  open_clients(load, true, true);
  LoopThread loop(load);
  if (!all_subscribed(load, loop, "count")) {
    return 1;
  }
  const uint64_t m = opt.notifications;
  const uint64_t expected = m * opt.clients;
  const auto start = Clock::now();
  Notifier notifier(opt.database, opt.channel, opt.payload_bytes);
  if (opt.burst) {
    notifier.burst(m);
  } else {
    notifier.paced(opt.rate, 1e9, m, 0);
  }
  const double sending = seconds_since(start);
  std::printf("sidecar-load count: sent %llu notifications in %.2f s (%s)\n",
              static_cast<unsigned long long>(m), sending,
              opt.burst       ? "in one transaction"
              : opt.rate == 0 ? "rate unlimited"
                              : ("rate " + std::to_string(static_cast<long>(opt.rate)) + "/s").c_str());
  const bool all =
      wait_until([&] { return load.frames >= expected || load.closed == opt.clients; }, opt.timeout);
  const double receiving = seconds_since(start);
  // A moment for frames beyond the expected (duplicates) to show.
  std::this_thread::sleep_for(std::chrono::milliseconds(all ? 200 : 0));
  const Percentiles lat = loop.call(
      [&] { return percentiles(load.latencies.empty() ? std::vector<uint32_t>{} : load.latencies[0]); });
  loop.finish();
  const CpuMeter::Reading used = cpu.read();

  size_t exact = 0;
  for (const auto& c : load.clients) {
    const ClientStats& s = c->stats;
    if (s.received == m && s.seq_errors == 0 && s.order_errors == 0 && s.gaps == 0 && s.error_frames == 0 &&
        s.foreign == 0 && !s.closed && s.problem.empty()) {
      ++exact;
    }
  }
  const uint64_t frames = load.frames;
  std::printf("sidecar-load count: %llu of %llu notify frames in %.2f s; %zu of %zu clients exact "
              "(all %llu notifications, seq contiguous from 1, payloads in order)\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(expected), receiving,
              exact, opt.clients, static_cast<unsigned long long>(m));
  std::printf("sidecar-load count: latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", lat.p50_ms, lat.p99_ms,
              lat.max_ms);
  if (exact != opt.clients) {
    size_t shown = 0;
    for (size_t i = 0; i < load.clients.size() && shown < 10; ++i) {
      const ClientStats& s = load.clients[i]->stats;
      const std::string missing = missing_ranges(s.seen);
      if (s.problem.empty() && missing.empty()) {
        continue;
      }
      ++shown;
      std::printf("  client %zu: received %llu of %llu%s%s%s%s\n", i,
                  static_cast<unsigned long long>(s.received), static_cast<unsigned long long>(m),
                  missing.empty() ? "" : "; missing ", missing.c_str(),
                  s.problem.empty() ? "" : "; first problem: ", s.problem.c_str());
    }
    if (opt.clients - exact > shown) {
      std::printf("  ... and %zu more clients not exact\n", opt.clients - exact - shown);
    }
  }
  print_cpu(used);
  std::printf("RESULT mode=count clients=%zu notifications=%llu frames=%llu expected=%llu exact_clients=%zu "
              "exact=%d seconds=%.2f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f cpu_s=%.2f cpu_pct=%.0f\n",
              opt.clients, static_cast<unsigned long long>(m), static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(expected), exact, exact == opt.clients ? 1 : 0, receiving,
              lat.p50_ms, lat.p99_ms, lat.max_ms, used.user + used.system, used.percent());
  return exact == opt.clients && frames == expected ? 0 : 1;
}

int run_fanout(const Options& opt) {
  Load load(opt);
  open_clients(load, true, false);
  LoopThread loop(load);
  if (!all_subscribed(load, loop, "fanout")) {
    return 1;
  }
  Notifier notifier(opt.database, opt.channel, opt.payload_bytes);
  const uint64_t n = opt.clients;
  std::printf("sidecar-load fanout: %llu subscribers, %.0f s per step; delivered = notify frames received "
              "during the step / its length\n",
              static_cast<unsigned long long>(n), opt.step_seconds);
  std::printf("  %8s %12s %12s %9s %9s %9s %6s %8s %8s\n", "notify/s", "offered/s", "delivered/s", "p50 ms",
              "p99 ms", "max ms", "lost", "client%", "server%");
  CpuMeter total_cpu;
  double best = 0, best_client_cpu = 0, best_server_cpu = -1;
  double sustained = 0; // the highest offered frames/s of a step that did not saturate the server
  std::string why = "the last step (--max-rate) did not saturate the server";
  int step = 0;
  for (double rate = opt.start_rate; rate <= opt.max_rate; rate *= opt.step_factor, ++step) {
    CpuMeter cpu;
    const double server_before = process_cpu_seconds(opt.server_pid);
    const uint64_t frames_before = load.frames;
    const auto start = Clock::now();
    const uint64_t sent = notifier.paced(rate, opt.step_seconds, UINT64_MAX, step);
    const double length = seconds_since(start);
    const uint64_t delivered_frames = load.frames - frames_before;
    const CpuMeter::Reading step_cpu = cpu.read();
    const double server_cpu = server_percent(opt.server_pid, server_before, step_cpu.wall);
    const uint64_t expected = notifier.sent() * n;
    const bool drained = wait_until([&] { return load.frames >= expected || load.closed > 0; }, 5);
    const Percentiles lat = loop.call([&] {
      return percentiles(static_cast<size_t>(step) < load.latencies.size()
                             ? load.latencies[static_cast<size_t>(step)]
                             : std::vector<uint32_t>{});
    });
    const double offered = static_cast<double>(sent * n) / length;
    const double delivered = static_cast<double>(delivered_frames) / length;
    const uint64_t lost = expected > load.frames ? expected - load.frames : 0;
    best = std::max(best, delivered);
    if (delivered >= best) {
      best_client_cpu = step_cpu.percent();
      best_server_cpu = server_cpu;
    }
    std::printf("  %8.0f %12.0f %12.0f %9.2f %9.2f %9.2f %6llu %7.0f%% %7.0f%%\n",
                static_cast<double>(sent) / length, offered, delivered, lat.p50_ms, lat.p99_ms, lat.max_ms,
                static_cast<unsigned long long>(lost), step_cpu.percent(), server_cpu);
    std::fflush(stdout);
    if (load.closed > 0) {
      why = std::to_string(load.closed.load()) + " clients were closed by the server";
      break;
    }
    if (!drained || lost > 0) {
      why = "frames still missing 5 s after the step";
      break;
    }
    if (delivered < 0.95 * offered) {
      why = "delivered below 95% of offered";
      break;
    }
    if (lat.p99_ms > 500) {
      why = "p99 latency over 500 ms";
      break;
    }
    sustained = offered;
  }
  loop.finish();
  const CpuMeter::Reading used = total_cpu.read();
  std::printf("sidecar-load fanout: saturated: %s\n", why.c_str());
  std::printf("sidecar-load fanout: max delivered %.0f frames/s; highest offered rate kept up with %.0f "
              "frames/s; NOTIFY statements busy %.1f s\n",
              best, sustained, notifier.busy_seconds());
  if (load.closed > 0) {
    print_problems(load, 3);
  }
  print_cpu(used);
  std::printf("RESULT mode=fanout clients=%llu max_delivered=%.0f sustained=%.0f client_cpu_pct_at_max=%.0f "
              "server_cpu_pct_at_max=%.0f cpu_s=%.2f cpu_pct=%.0f closed=%llu\n",
              static_cast<unsigned long long>(n), best, sustained, best_client_cpu, best_server_cpu,
              used.user + used.system, used.percent(), static_cast<unsigned long long>(load.closed.load()));
  return 0;
}

int run_latency(const Options& opt) {
  Load load(opt);
  open_clients(load, true, false);
  LoopThread loop(load);
  if (!all_subscribed(load, loop, "latency")) {
    return 1;
  }
  Notifier notifier(opt.database, opt.channel, opt.payload_bytes);
  CpuMeter cpu;
  const double server_before = process_cpu_seconds(opt.server_pid);
  const uint64_t sent = notifier.paced(opt.rate, opt.duration, UINT64_MAX, 0);
  const uint64_t expected = sent * opt.clients;
  wait_until([&] { return load.frames >= expected || load.closed > 0; }, 5);
  const CpuMeter::Reading used = cpu.read();
  const double server_cpu = server_percent(opt.server_pid, server_before, used.wall);
  const Percentiles lat = loop.call(
      [&] { return percentiles(load.latencies.empty() ? std::vector<uint32_t>{} : load.latencies[0]); });
  const Percentiles processed = loop.call([&] { return percentiles(load.processed); });
  loop.finish();
  const uint64_t lost = expected > load.frames ? expected - load.frames : 0;
  std::printf(
      "sidecar-load latency: %llu notifications at %.0f/s to %zu subscribers over %.1f s: %llu frames, "
      "%llu lost\n",
      static_cast<unsigned long long>(sent), opt.rate, opt.clients, opt.duration,
      static_cast<unsigned long long>(load.frames.load()), static_cast<unsigned long long>(lost));
  std::printf("sidecar-load latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms (arrival on the client's socket - "
              "send time in the payload, %zu samples)\n",
              lat.p50_ms, lat.p99_ms, lat.max_ms, lat.samples);
  std::printf("sidecar-load latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms (this client done processing the "
              "frame - send time)\n",
              processed.p50_ms, processed.p99_ms, processed.max_ms);
  if (load.closed > 0) {
    print_problems(load, 3);
  }
  print_cpu(used);
  if (server_cpu >= 0) {
    std::printf("sidecar-load latency: server CPU %.0f%% of one core\n", server_cpu);
  }
  std::printf("RESULT mode=latency clients=%zu rate=%.0f frames=%llu lost=%llu p50_ms=%.3f p99_ms=%.3f "
              "max_ms=%.3f processed_p50_ms=%.3f processed_p99_ms=%.3f cpu_s=%.2f cpu_pct=%.0f "
              "server_cpu_pct=%.0f\n",
              opt.clients, opt.rate, static_cast<unsigned long long>(load.frames.load()),
              static_cast<unsigned long long>(lost), lat.p50_ms, lat.p99_ms, lat.max_ms, processed.p50_ms,
              processed.p99_ms, used.user + used.system, used.percent(), server_cpu);
  return lost == 0 ? 0 : 1;
}

// VmRSS of a process in KiB, or -1.
long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

int run_idle(const Options& opt) {
  const long before = opt.server_pid > 0 ? rss_kib(opt.server_pid) : -1;
  Load load(opt);
  CpuMeter cpu;
  const auto start = Clock::now();
  open_clients(load, false, false);
  LoopThread loop(load);
  const uint64_t n = opt.clients;
  wait_until([&] { return load.connected + load.failed >= n; }, 120);
  const double opening = seconds_since(start);
  std::printf("sidecar-load idle: %llu of %llu connections open in %.2f s (%llu failed)\n",
              static_cast<unsigned long long>(load.connected.load()), static_cast<unsigned long long>(n),
              opening, static_cast<unsigned long long>(load.failed.load()));
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::duration<double>(opt.hold));
  const long after = opt.server_pid > 0 ? rss_kib(opt.server_pid) : -1;
  const uint64_t open = load.connected - load.closed;
  loop.finish();
  const CpuMeter::Reading used = cpu.read();
  double per = 0;
  if (before > 0 && after > 0 && open > 0) {
    per = static_cast<double>(after - before) / static_cast<double>(open);
    std::printf(
        "sidecar-load idle: server VmRSS %ld KiB before, %ld KiB with %llu open connections: %.1f KiB per "
        "connection\n",
        before, after, static_cast<unsigned long long>(open), per);
  }
  if (load.failed + load.closed > 0) {
    print_problems(load, 5);
  }
  print_cpu(used);
  std::printf("RESULT mode=idle clients=%llu open=%llu failed=%llu rss_before_kib=%ld rss_after_kib=%ld "
              "kib_per_connection=%.2f cpu_s=%.2f cpu_pct=%.0f\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(open),
              static_cast<unsigned long long>(load.failed.load()), before, after, per,
              used.user + used.system, used.percent());
  return open == n ? 0 : 1;
}

// As many open files as the hard limit allows: one per connection.
void raise_file_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

} // namespace

int main(int argc, char** argv) {
  Options opt;
  try {
    opt = parse_options(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "sidecar-load: %s (see --help)\n", e.what());
    return 2;
  }
  if (opt.mode == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  raise_file_limit();
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  if (r.rlim_cur < opt.clients + 64) {
    std::fprintf(stderr,
                 "sidecar-load: %zu clients need more open files than the limit of %llu (ulimit -Hn)\n",
                 opt.clients, static_cast<unsigned long long>(r.rlim_cur));
    return 2;
  }
  try {
    if (opt.mode == "count") {
      return run_count(opt);
    }
    if (opt.mode == "fanout") {
      return run_fanout(opt);
    }
    if (opt.mode == "latency") {
      return run_latency(opt);
    }
    return run_idle(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sidecar-load: %s\n", e.what());
    return 1;
  }
}
