#include "metrics.hpp"

#include <cstdio>

namespace autoreport::sidecar {

void Histogram::observe(double seconds) noexcept {
  size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) {
    ++i;
  }
  ++counts_[i];
  sum_ += seconds;
  ++count_;
}

std::string Histogram::text(const char* name, const char* help) const {
  std::string out = std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    char le[32];
    if (i < bounds_.size()) {
      std::snprintf(le, sizeof le, "%g", bounds_[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out += std::string(name) + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.9g", sum_);
  out += std::string(name) + "_sum " + sum + "\n" + name + "_count " + std::to_string(count_) + "\n";
  return out;
}

std::string metrics_text(const Metrics& m, const Gauges& g) {
  std::string out;
  const auto gauge = [&](const char* name, const char* help, uint64_t value, const char* type) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
           std::to_string(value) + "\n";
  };
  gauge("autoreport_sidecar_connections", "WebSocket clients connected now", g.connections, "gauge");
  gauge("autoreport_sidecar_subscriptions", "subscriptions now", g.subscriptions, "gauge");
  gauge("autoreport_sidecar_connections_total", "WebSocket clients accepted", m.connections_total, "counter");
  gauge("autoreport_sidecar_frames_in_total", "frames received from clients", m.frames_in, "counter");
  gauge("autoreport_sidecar_frames_out_total", "frames written to clients", m.frames_out, "counter");
  gauge("autoreport_sidecar_notifications_total", "notifications received from the database", m.notifications,
        "counter");
  out += "# HELP autoreport_sidecar_drops_total clients closed by the sidecar, by reason\n"
         "# TYPE autoreport_sidecar_drops_total counter\n";
  static constexpr std::array<const char*, kDropReasons> reasons = {
      "slow_consumer", "rate_limit", "frame_too_large", "pong_timeout", "token_expired"};
  for (size_t i = 0; i < kDropReasons; ++i) {
    out += std::string("autoreport_sidecar_drops_total{reason=\"") + reasons[i] + "\"} " +
           std::to_string(m.drops[i]) + "\n";
  }
  gauge("autoreport_sidecar_refused_auth_total", "handshakes refused for a bad token", m.refused_auth,
        "counter");
  gauge("autoreport_sidecar_refused_origin_total", "handshakes refused for their Origin", m.refused_origin,
        "counter");
  gauge("autoreport_sidecar_refused_capacity_total", "handshakes refused at the connection limit",
        m.refused_capacity, "counter");
  gauge("autoreport_sidecar_refused_role_total",
        "handshakes refused for the token's role (missing, superuser or BYPASSRLS)", m.refused_role,
        "counter");
  gauge("autoreport_sidecar_refused_header_too_large_total",
        "handshakes and requests refused with 431 (header over the limit)", m.refused_header_too_large,
        "counter");
  gauge("autoreport_sidecar_grant_cache_entries", "grant answers cached now (at most --grant-cache-entries)",
        g.grant_cache_entries, "gauge");
  gauge("autoreport_sidecar_tls_failures_total", "TLS handshakes that failed", m.tls_failures, "counter");
  gauge("autoreport_sidecar_database_up", "1 when the database connection is up", g.database_up ? 1 : 0,
        "gauge");
  gauge("autoreport_sidecar_reconnects_total", "database reconnections", g.reconnects, "counter");
  gauge("autoreport_sidecar_sockets", "accepted sockets open now, HTTP and WebSocket", g.sockets, "gauge");
  gauge("autoreport_sidecar_shed_total", "connections closed unserved for want of a socket", m.shed,
        "counter");
  gauge("autoreport_sidecar_database_timeouts_total",
        "database connection attempts and commands abandoned at their deadline", g.database_timeouts,
        "counter");
  out += m.delivery_delay.text("autoreport_sidecar_delivery_delay_seconds",
                               "from a notification reaching the sidecar to its frame being written");
  return out;
}

std::string delivery_metrics_text(const DeliveryMetrics& m, size_t in_flight, size_t waiting) {
  static constexpr std::array<const char*, kDeliveryKinds> kinds = {"webhook", "email"};
  static constexpr std::array<const char*, kDeliveryOutcomes> outcomes = {"delivered", "retried", "given_up"};
  std::string out = "# HELP autoreport_sidecar_deliveries_total delivery attempts by kind and outcome\n"
                    "# TYPE autoreport_sidecar_deliveries_total counter\n";
  for (size_t k = 0; k < kDeliveryKinds; ++k) {
    for (size_t o = 0; o < kDeliveryOutcomes; ++o) {
      out += std::string("autoreport_sidecar_deliveries_total{kind=\"") + kinds[k] + "\",outcome=\"" +
             outcomes[o] + "\"} " + std::to_string(m.outcomes[k][o]) + "\n";
    }
  }
  out +=
      "# HELP autoreport_sidecar_delivery_attempts_total delivery attempts made (sent or refused), by kind\n"
      "# TYPE autoreport_sidecar_delivery_attempts_total counter\n";
  for (size_t k = 0; k < kDeliveryKinds; ++k) {
    out += std::string("autoreport_sidecar_delivery_attempts_total{kind=\"") + kinds[k] + "\"} " +
           std::to_string(m.attempts[k]) + "\n";
  }
  out += m.latency.text("autoreport_sidecar_delivery_latency_seconds",
                        "from a delivery's creation (report_ready) to its receiver accepting it");
  out += "# HELP autoreport_sidecar_deliveries_in_flight deliveries being sent now\n"
         "# TYPE autoreport_sidecar_deliveries_in_flight gauge\n"
         "autoreport_sidecar_deliveries_in_flight " +
         std::to_string(in_flight) +
         "\n# HELP autoreport_sidecar_deliveries_waiting claimed deliveries waiting for their destination's "
         "concurrency or per_minute limit\n"
         "# TYPE autoreport_sidecar_deliveries_waiting gauge\n"
         "autoreport_sidecar_deliveries_waiting " +
         std::to_string(waiting) + "\n";
  return out;
}

} // namespace autoreport::sidecar
