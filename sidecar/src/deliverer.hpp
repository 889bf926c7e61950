// The sender (issue 18): claims pending deliveries from the database (autoreport.claim_deliveries),
// sends each to its webhook (HTTP POST) or by e-mail (SMTP) through libcurl on the event loop, and
// reports each attempt (autoreport.finish_delivery). Its own database connection LISTENs on
// autoreport_deliveries; it claims on start, on each notification, every 5 seconds, and when slots
// free up after a full batch. Each destination's concurrency and per_minute limits hold claimed
// deliveries back in this process until their turn.
#pragma once

#include "config.hpp"
#include "curl_loop.hpp"
#include "database.hpp"
#include "delivery_message.hpp"
#include "delivery_policy.hpp"
#include "metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace autoreport::sidecar {

class Deliverer {
public:
  static constexpr const char* kChannel = "autoreport_deliveries";
  static constexpr std::chrono::seconds kClaimInterval{5};

  Deliverer(boost::asio::io_context& io, const Config& config, Secrets secrets);
  ~Deliverer();
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  void start();
  // Stops claiming and hands back the deliveries waiting for a limit; transfers in flight go on.
  void stop();
  // Drops the transfers still in flight (their leases expire and a sidecar sends them again) and closes
  // the connection. Nothing is called back afterwards.
  void abandon();
  // Transfers in flight or reports not yet written.
  bool busy() const noexcept;

  const DeliveryMetrics& metrics() const noexcept { return metrics_; }
  size_t in_flight() const noexcept { return transfers_.size(); }
  size_t waiting() const noexcept { return waiting_.size(); }
  const std::string& worker() const noexcept { return worker_; }
  // The line logged at start: whether delivery is on and what it allows.
  static std::string describe(const Config& config);

private:
  struct Transfer;
  struct Waiting {
    ClaimedDelivery delivery;
    std::chrono::steady_clock::time_point since;
  };
  struct Report {
    int64_t id = 0;
    std::string outcome;
    std::optional<std::string> status;
    std::optional<std::string> reply;
    std::optional<std::string> error;
    int64_t retry_in_ms = 0;
    std::chrono::steady_clock::time_point first_try;
  };

  void on_connected(bool again);
  void tick();
  void claim();
  void renew_leases();
  std::chrono::seconds renewal_interval() const noexcept;
  void on_claimed(bool ok, const std::string& value, int asked);
  // Starts the waiting deliveries whose destinations' limits allow it.
  void pump();
  void send(ClaimedDelivery d);
  // Sets up the transfer, or returns why the delivery is given up without one.
  std::string prepare_webhook(Transfer& t);
  std::string prepare_email(Transfer& t);
  void on_done(CURL* easy, CURLcode result);
  // Counts the outcome and reports it.
  void conclude(const ClaimedDelivery& d, const Decision& decision, std::optional<long> status,
                const std::string& reply);
  void report(Report r);
  void flush_reports();
  void freed();
  double unit();

  boost::asio::io_context& io_;
  Config config_;
  Secrets secrets_;
  std::optional<std::string> smtp_auth_; // user:password
  std::string worker_;
  Database db_;
  CurlLoop curl_;
  boost::asio::steady_timer tick_;
  std::map<std::string, DestinationLimit> limits_;
  std::deque<Waiting> waiting_;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::deque<Report> unreported_; // reports whose query failed, tried again while their lease lasts
  std::deque<Report> to_report_;  // waiting for the report being written
  size_t reporting_ = 0;          // reports being written
  size_t single_reports_ = 0;     // after a batch failed: its reports one statement each
  static constexpr size_t kReportBatch = 200;
  bool claiming_ = false;
  bool renewing_ = false;
  std::chrono::steady_clock::time_point last_renewal_;
  bool claim_again_ = false;
  bool last_full_ = true;
  bool stopping_ = false;
  bool abandoned_ = false;
  std::chrono::steady_clock::time_point last_claim_;
  // The earliest retry this sidecar scheduled: claimed then rather than at the next kClaimInterval.
  std::optional<std::chrono::steady_clock::time_point> retry_due_;
  std::string last_claim_error_;
  std::mt19937_64 rng_;
  DeliveryMetrics metrics_;
};

} // namespace autoreport::sidecar
