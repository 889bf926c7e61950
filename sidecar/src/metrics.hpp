// The sidecar's counters and their Prometheus text (pure: no Beast, no libpq).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace autoreport::sidecar {

// Why the sidecar closed a client.
enum class DropReason { SlowConsumer, RateLimit, FrameTooLarge, PongTimeout, TokenExpired };
constexpr size_t kDropReasons = 5;

// A Prometheus histogram of seconds with fixed bucket bounds (kBounds unless given).
class Histogram {
public:
  static constexpr std::array<double, 14> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                     0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
  Histogram() : Histogram(std::vector<double>(kBounds.begin(), kBounds.end())) {}
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}
  void observe(double seconds) noexcept;
  // The histogram's lines for metric name (with _bucket, _sum and _count).
  std::string text(const char* name, const char* help) const;

private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_; // the last is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

// What the hub counts as it runs.
struct Metrics {
  uint64_t connections_total = 0;
  uint64_t frames_in = 0;
  uint64_t frames_out = 0;
  uint64_t notifications = 0;
  std::array<uint64_t, kDropReasons> drops{};
  uint64_t refused_auth = 0;
  uint64_t refused_origin = 0;
  uint64_t refused_capacity = 0;
  uint64_t tls_failures = 0;
  uint64_t shed = 0;         // connections closed unserved for want of a socket (limit or descriptors)
  uint64_t refused_role = 0; // 403: the token's role is missing, a superuser or BYPASSRLS
  uint64_t refused_header_too_large = 0; // 431: the request's header (with its token) is over the limit
  // From a notification reaching the sidecar to its frame being written to a client's socket.
  Histogram delivery_delay;

  void count_drop(DropReason reason) noexcept { ++drops[static_cast<size_t>(reason)]; }
};

// What is read off the hub at the moment /metrics is asked.
struct Gauges {
  size_t connections = 0;
  size_t subscriptions = 0;
  bool database_up = false;
  uint64_t reconnects = 0;
  size_t sockets = 0;             // accepted sockets open now, HTTP and WebSocket
  uint64_t database_timeouts = 0; // connection attempts and commands abandoned at their deadline
  size_t grant_cache_entries = 0;
};

// The Prometheus text exposition (version 0.0.4) of the counters and gauges.
std::string metrics_text(const Metrics& metrics, const Gauges& gauges);

// What the sender counts, by kind (webhook, email).
enum class DeliveryKind { Webhook, Email };
enum class DeliveryOutcome { Delivered, Retried, GivenUp };
constexpr size_t kDeliveryKinds = 2;
constexpr size_t kDeliveryOutcomes = 3;
struct DeliveryMetrics {
  std::array<std::array<uint64_t, kDeliveryOutcomes>, kDeliveryKinds> outcomes{};
  std::array<uint64_t, kDeliveryKinds> attempts{};
  // From the delivery's creation (report_ready) to its receiver accepting it: seconds to an hour.
  Histogram latency{{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}};

  void count(DeliveryKind kind, DeliveryOutcome outcome) noexcept {
    ++outcomes[static_cast<size_t>(kind)][static_cast<size_t>(outcome)];
  }
};

// The sender's lines of /metrics: deliveries by kind and outcome, attempts by kind, the latency, and
// the gauges of deliveries in flight and claimed ones waiting for a destination's limit.
std::string delivery_metrics_text(const DeliveryMetrics& metrics, size_t in_flight, size_t waiting);

} // namespace autoreport::sidecar
