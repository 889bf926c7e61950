// The sidecar's Prometheus text: histogram buckets are cumulative, every counter and gauge is present.
#include "metrics.hpp"

#include <gtest/gtest.h>

using namespace autoreport::sidecar;

TEST(SidecarMetrics, HistogramBucketsAreCumulative) {
  Histogram h;
  h.observe(0.00005); // first bucket
  h.observe(0.003);   // le 0.005
  h.observe(10);      // only +Inf
  const std::string text = h.text("x_seconds", "help");
  EXPECT_NE(text.find("# TYPE x_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{le=\"0.0001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{le=\"2.5\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_count 3\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_sum 10.00305"), std::string::npos);
}

TEST(SidecarMetrics, TextHasCountersGaugesAndDropReasons) {
  Metrics m;
  m.connections_total = 7;
  m.count_drop(DropReason::SlowConsumer);
  m.count_drop(DropReason::SlowConsumer);
  m.count_drop(DropReason::PongTimeout);
  m.shed = 4;
  const std::string text = metrics_text(m, Gauges{3, 5, true, 2, 9, 6});
  EXPECT_NE(text.find("autoreport_sidecar_connections 3\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_subscriptions 5\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_connections_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_drops_total{reason=\"slow_consumer\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_drops_total{reason=\"pong_timeout\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_drops_total{reason=\"rate_limit\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_database_up 1\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_reconnects_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE autoreport_sidecar_sockets gauge\nautoreport_sidecar_sockets 9\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_shed_total 4\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_database_timeouts_total 6\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE autoreport_sidecar_delivery_delay_seconds histogram\n"), std::string::npos);
  EXPECT_NE(metrics_text(m, Gauges{}).find("autoreport_sidecar_database_up 0\n"), std::string::npos);
}

TEST(SidecarMetrics, HardeningCounters) {
  Metrics m;
  m.count_drop(DropReason::TokenExpired);
  m.refused_role = 2;
  m.refused_header_too_large = 3;
  Gauges g;
  g.grant_cache_entries = 9;
  const std::string text = metrics_text(m, g);
  EXPECT_NE(text.find("autoreport_sidecar_drops_total{reason=\"token_expired\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_refused_role_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_refused_header_too_large_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_grant_cache_entries 9\n"), std::string::npos);
}

TEST(SidecarMetrics, DeliveriesByKindAndOutcome) {
  DeliveryMetrics m;
  m.count(DeliveryKind::Webhook, DeliveryOutcome::Delivered);
  m.count(DeliveryKind::Webhook, DeliveryOutcome::Retried);
  m.count(DeliveryKind::Webhook, DeliveryOutcome::Retried);
  m.count(DeliveryKind::Email, DeliveryOutcome::GivenUp);
  m.attempts[0] = 3;
  m.attempts[1] = 1;
  m.latency.observe(0.3);
  m.latency.observe(7200);
  const std::string text = delivery_metrics_text(m, 5, 2);
  EXPECT_NE(text.find("autoreport_sidecar_deliveries_total{kind=\"webhook\",outcome=\"delivered\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_deliveries_total{kind=\"webhook\",outcome=\"retried\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_deliveries_total{kind=\"email\",outcome=\"given_up\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_deliveries_total{kind=\"email\",outcome=\"delivered\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_delivery_attempts_total{kind=\"webhook\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_delivery_attempts_total{kind=\"email\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE autoreport_sidecar_delivery_latency_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_delivery_latency_seconds_bucket{le=\"0.5\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_delivery_latency_seconds_bucket{le=\"3600\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_delivery_latency_seconds_bucket{le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_deliveries_in_flight 5\n"), std::string::npos);
  EXPECT_NE(text.find("autoreport_sidecar_deliveries_waiting 2\n"), std::string::npos);
}
