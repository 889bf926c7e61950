#include "hub.hpp"

#include "protocol.hpp"
#include "session.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include <sys/resource.h>

#include <iostream>
#include <set>

namespace autoreport::sidecar {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using error_code = boost::system::error_code;

namespace {

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

SocketSlot::SocketSlot(Hub& hub) : count_(hub.sockets_) {
  ++*count_;
}

void SocketSlot::release() noexcept {
  if (count_) {
    --*count_;
    count_.reset();
  }
}

Hub::Hub(asio::io_context& io, Config config, std::unique_ptr<JwtVerifier> verifier, Secrets secrets)
    : io_(io), config_(std::move(config)), verifier_(std::move(verifier)),
      db_(
          io, config_.database, std::chrono::seconds(config_.connect_timeout_seconds),
          std::chrono::seconds(config_.query_timeout_seconds),
          [this](const std::string& c, const std::string& p) { on_notify(c, p); },
          [this](bool again) { on_connected(again); }),
      listener_(io, *this), keepalive_timer_(io), revalidate_timer_(io),
      grants_(static_cast<size_t>(config_.grant_cache_entries),
              std::chrono::seconds(config_.grant_cache_seconds)),
      role_status_(static_cast<size_t>(config_.grant_cache_entries),
                   std::chrono::seconds(config_.grant_cache_seconds)),
      health_timer_(io) {
  if (!config_.deliver_allow.empty()) {
    deliverer_ = std::make_unique<Deliverer>(io, config_, std::move(secrets));
  }
  // Descriptors beyond sockets: the database connection, the spare, files, cancel requests.
  constexpr rlim_t kReserved = 32;
  socket_limit_ = static_cast<size_t>(config_.max_connections);
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY) {
    const rlim_t usable = nofile.rlim_cur > kReserved + 1 ? nofile.rlim_cur - kReserved : 1;
    socket_limit_ = std::min(socket_limit_, static_cast<size_t>(usable));
  }
}

uint64_t Hub::wait_for_request(std::function<bool()> close) {
  const uint64_t id = next_waiting_++;
  waiting_.emplace(id, std::move(close));
  return id;
}

bool Hub::close_oldest_waiting() {
  while (!waiting_.empty()) {
    const std::function<bool()> close = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    if (close()) {
      return true;
    }
  }
  return false;
}

void Hub::check_health(HealthFn done) {
  if (stopping_) {
    done("shutting_down");
    return;
  }
  switch (db_.problem()) {
  case Database::Problem::Connecting:
    done("database_connecting");
    return;
  case Database::Problem::Unreachable:
    done("database_unreachable");
    return;
  case Database::Problem::Timeout:
    done("database_timeout");
    return;
  case Database::Problem::None:
    break;
  }
  const auto now = std::chrono::steady_clock::now();
  if (probing_ && now - probe_started_ >= kHealthDeadline) {
    done("database_timeout"); // the probe in flight is already late
    return;
  }
  health_waiters_.push_back(std::move(done));
  if (probing_) {
    return;
  }
  // One probe at a time, shared by every /healthz asked meanwhile.
  probing_ = true;
  probe_started_ = now;
  health_timer_.expires_after(kHealthDeadline);
  health_timer_.async_wait([this](error_code ec) {
    if (!ec) {
      std::cerr << "autoreport-sidecar: health: the database did not answer within "
                << kHealthDeadline.count() << " s\n";
      answer_health("database_timeout");
    }
  });
  db_.query("SELECT 1", {}, [this](bool ok, const std::string& error) {
    probing_ = false;
    health_timer_.cancel();
    if (!ok) {
      std::cerr << "autoreport-sidecar: health: " << error << "\n";
    }
    // A probe failed at a command's deadline (it waited behind a late one) is a timeout.
    answer_health(ok                                            ? nullptr
                  : db_.problem() == Database::Problem::Timeout ? "database_timeout"
                                                                : "database_error");
  });
}

void Hub::answer_health(const char* reason) {
  std::vector<HealthFn> waiters;
  waiters.swap(health_waiters_);
  for (HealthFn& w : waiters) {
    w(reason);
  }
}

void Hub::start() {
  listener_.start(config_);
  db_.start();
  if (deliverer_) {
    deliverer_->start();
  }
  keepalive();
  revalidate();
}

void Hub::revalidate() {
  revalidate_timer_.expires_after(std::chrono::seconds(std::max(1, config_.grant_cache_seconds)));
  revalidate_timer_.async_wait([this](error_code ec) {
    if (ec || stopping_) {
      return;
    }
    revalidate();
    grants_.expire(std::chrono::steady_clock::now());
    role_status_.expire(std::chrono::steady_clock::now());
    if (revalidating_ || !db_.connected()) {
      return;
    }
    // Every (role, channel) in use, asked in one query.
    nlohmann::json pairs = nlohmann::json::array();
    std::set<std::pair<std::string, std::string>> seen;
    for (const std::string& channel : subs_.channels()) {
      for (const SessionId id : subs_.subscribers(channel)) {
        if (const auto r = roles_.find(id); r != roles_.end() && seen.emplace(r->second, channel).second) {
          pairs.push_back({r->second, channel});
        }
      }
    }
    if (pairs.empty()) {
      return;
    }
    revalidating_ = true;
    db_.query("SELECT coalesce(json_agg(p), '[]')::text FROM json_array_elements($1::json) AS p "
              "WHERE NOT autoreport.channel_allowed(p->>0, p->>1, 'listen')",
              {pairs.dump()}, [this](bool ok, const std::string& value) {
                revalidating_ = false;
                if (!ok) {
                  return; // asked again next time
                }
                const nlohmann::json revoked = nlohmann::json::parse(value, nullptr, false);
                if (!revoked.is_array()) {
                  return;
                }
                for (const auto& pair : revoked) {
                  const std::string role = pair.at(0).get<std::string>();
                  const std::string channel = pair.at(1).get<std::string>();
                  grants_.put(std::make_tuple(role, channel, std::string("listen")), false,
                              std::chrono::steady_clock::now());
                  for (const SessionId id : subs_.subscribers(channel)) {
                    const auto r = roles_.find(id);
                    if (r == roles_.end() || r->second != role) {
                      continue;
                    }
                    if (subs_.unsubscribe(id, channel) == Subscriptions::Change::Unlisten) {
                      db_.unlisten(channel);
                    }
                    if (auto s = session(id)) {
                      s->send_text(revoked_frame(channel));
                    }
                  }
                }
              });
  });
}

void Hub::keepalive() {
  const auto now = std::chrono::steady_clock::now();
  db_.expire(now);
  std::vector<std::shared_ptr<Session>> live;
  live.reserve(sessions_.size());
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) {
      live.push_back(std::move(s));
    }
  }
  for (const auto& s : live) {
    s->tick(now); // may close the session and remove it from sessions_
  }
  keepalive_timer_.expires_after(std::chrono::seconds(1));
  keepalive_timer_.async_wait([this](error_code ec) {
    if (!ec && !stopping_) {
      keepalive();
    }
  });
}

void Hub::wrote(const Message& message) noexcept {
  ++metrics_.frames_out;
  if (message.received != std::chrono::steady_clock::time_point{}) {
    metrics_.delivery_delay.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - message.received).count());
  }
}

void Hub::shutdown() {
  stopping_ = true;
  keepalive_timer_.cancel();
  revalidate_timer_.cancel();
  listener_.stop();
  if (deliverer_) {
    deliverer_->stop(); // no more claims; transfers in flight may finish until the deadline
  }
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) {
      s->close(websocket::close_code::going_away, "server shutting down");
    }
  }
  shutdown_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(config_.shutdown_seconds);
  finish_shutdown();
}

bool Hub::drained() const noexcept {
  return sessions_.empty() && (!deliverer_ || !deliverer_->busy());
}

// Ends the loop once every client has gone and deliveries in flight have been sent and recorded, or at
// the shutdown deadline (deliveries still in flight are abandoned: their leases expire and they are
// sent again, which receivers dedupe by Idempotency-Key).
void Hub::finish_shutdown() {
  if (drained() || std::chrono::steady_clock::now() >= shutdown_deadline_) {
    if (deliverer_) {
      deliverer_->abandon();
    }
    db_.stop();
    io_.stop();
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(50));
  timer->async_wait([this, timer](error_code) { finish_shutdown(); });
}

SessionId Hub::add(const std::shared_ptr<Session>& session, const std::string& role) {
  const SessionId id = next_id_++;
  sessions_[id] = session;
  roles_[id] = role;
  ++metrics_.connections_total;
  return id;
}

void Hub::remove(SessionId id) {
  if (sessions_.erase(id) == 0) {
    return;
  }
  roles_.erase(id);
  pending_subscribes_.erase(id);
  // Operations still queued for the session are dropped; one in flight finds its queue gone.
  channel_ops_.erase(channel_ops_.lower_bound({id, std::string()}),
                     channel_ops_.lower_bound({id + 1, std::string()}));
  for (const std::string& channel : subs_.remove_session(id)) {
    db_.unlisten(channel);
  }
}

std::shared_ptr<Session> Hub::session(SessionId id) const {
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.lock();
}

void Hub::allowed(const std::string& role, const std::string& channel, const std::string& action,
                  std::function<void(bool, const std::string&)> done) {
  const auto key = std::make_tuple(role, channel, action);
  if (const auto cached = grants_.get(key, std::chrono::steady_clock::now())) {
    done(*cached, "");
    return;
  }
  db_.query("SELECT autoreport.channel_allowed($1, $2, $3)", {role, channel, action},
            [this, key, done = std::move(done)](bool ok, const std::string& value) {
              if (!ok) {
                done(false, value);
                return;
              }
              const bool yes = value == "t";
              grants_.put(key, yes, std::chrono::steady_clock::now());
              done(yes, "");
            });
}

void Hub::check_role(const std::string& role, std::function<void(const std::string&)> done) {
  if (const auto cached = role_status_.get(role, std::chrono::steady_clock::now())) {
    done(*cached);
    return;
  }
  if (db_.problem() == Database::Problem::Unreachable) {
    done("unavailable"); // refused or lost: answer now rather than at the query timeout
    return;
  }
  // While the first connection is being made (the sidecar just started), the lookup waits in the
  // command queue, at most --query-timeout.
  db_.query("SELECT CASE WHEN r.rolname IS NULL THEN 'missing' WHEN r.rolsuper OR r.rolbypassrls "
            "THEN 'privileged' ELSE 'ok' END FROM (SELECT 1) AS one "
            "LEFT JOIN pg_catalog.pg_roles AS r ON r.rolname = $1",
            {role}, [this, role, done = std::move(done)](bool ok, const std::string& value) {
              if (!ok) {
                done("unavailable");
                return;
              }
              role_status_.put(role, value, std::chrono::steady_clock::now());
              done(value);
            });
}

void Hub::check_own_role() {
  db_.query("SELECT pg_catalog.pg_has_role(current_user, 'autoreport_sidecar', 'MEMBER')", {},
            [this](bool ok, const std::string& value) {
              if (ok && value == "t") {
                own_role_checked_ = true;
                return;
              }
              if (!ok && !db_.connected()) {
                return; // the connection was lost: asked again on the next one
              }
              std::cerr << "autoreport-sidecar: the database role is not a member of autoreport_sidecar"
                        << (ok ? "" : " (" + value + ")")
                        << "; grant it: GRANT autoreport_sidecar TO <the sidecar's login role>\n";
              exit_code_ = 1;
              shutdown();
            });
}

void Hub::enqueue(SessionId id, const std::string& channel, ChannelOp op) {
  const auto key = std::make_pair(id, channel);
  std::deque<ChannelOp>& queue = channel_ops_[key];
  queue.push_back(std::move(op));
  if (queue.size() == 1) {
    run_next(key);
  }
}

void Hub::run_next(const std::pair<SessionId, std::string>& key) {
  const auto it = channel_ops_.find(key);
  if (it == channel_ops_.end() || it->second.empty()) {
    return;
  }
  const ChannelOp op = it->second.front(); // a copy: the queue changes while it runs
  op([this, key] {
    const auto at = channel_ops_.find(key);
    if (at == channel_ops_.end()) {
      return; // the session has gone
    }
    at->second.pop_front();
    if (at->second.empty()) {
      channel_ops_.erase(at);
    } else {
      run_next(key);
    }
  });
}

void Hub::subscribe(SessionId id, const std::string& role, const std::string& channel,
                    const nlohmann::json* request_id) {
  const std::optional<nlohmann::json> rid =
      request_id ? std::optional<nlohmann::json>(*request_id) : std::nullopt;
  // Subscriptions held plus subscribes asked but not yet answered count against the limit.
  size_t& pending = pending_subscribes_[id];
  if (!subs_.subscribed(id, channel) &&
      subs_.count(id) + pending >= static_cast<size_t>(config_.max_subscriptions)) {
    enqueue(id, channel, [this, id, rid](const std::function<void()>& done) {
      if (auto s = session(id)) {
        s->send_text(error_frame("too_many_subscriptions", "subscription limit reached", rid));
      }
      done();
    });
    return;
  }
  ++pending;
  enqueue(id, channel, [this, id, role, channel, rid](std::function<void()> done) {
    // The subscribe stops being pending the moment it is decided (held or refused), not when its
    // LISTEN returns: counted both as held and as pending meanwhile, it refused a subscribe below the limit.
    subscribe_now(
        id, role, channel, rid,
        [this, id] {
          if (const auto it = pending_subscribes_.find(id);
              it != pending_subscribes_.end() && it->second > 0) {
            --it->second;
          }
        },
        std::move(done));
  });
}

void Hub::subscribe_now(SessionId id, const std::string& role, const std::string& channel,
                        const std::optional<nlohmann::json>& rid, const std::function<void()>& decided,
                        std::function<void()> done) {
  allowed(role, channel, "listen",
          [this, id, channel, rid, decided, done = std::move(done)](bool yes, const std::string& error) {
            decided();
            auto s = session(id);
            if (!s) {
              done();
              return;
            }
            if (!error.empty()) {
              s->send_text(error_frame("unavailable", "cannot check the grant now", rid));
            } else if (!yes) {
              s->send_text(error_frame("forbidden", "no grant to listen on " + channel, rid));
            } else if (!subs_.subscribed(id, channel) &&
                       subs_.count(id) >= static_cast<size_t>(config_.max_subscriptions)) {
              s->send_text(error_frame("too_many_subscriptions", "subscription limit reached", rid));
            } else if (subs_.subscribe(id, channel) == Subscriptions::Change::Listen) {
              db_.listen(channel, [this, id, channel, rid, done](bool ok, const std::string&) {
                if (auto s2 = session(id)) {
                  s2->send_text(ok ? reply_frame("subscribed", channel, rid)
                                   : error_frame("unavailable", "cannot listen now", rid));
                }
                done();
              });
              return;
            } else {
              s->send_text(reply_frame("subscribed", channel, rid));
            }
            done();
          });
}

void Hub::unsubscribe(SessionId id, const std::string& channel, const nlohmann::json* request_id) {
  const std::optional<nlohmann::json> rid =
      request_id ? std::optional<nlohmann::json>(*request_id) : std::nullopt;
  enqueue(id, channel, [this, id, channel, rid](const std::function<void()>& done) {
    if (subs_.unsubscribe(id, channel) == Subscriptions::Change::Unlisten) {
      db_.unlisten(channel);
    }
    if (auto s = session(id)) {
      s->send_text(reply_frame("unsubscribed", channel, rid));
    }
    done();
  });
}

void Hub::publish(SessionId id, const std::string& role, const std::string& channel,
                  const std::string& payload, const nlohmann::json* request_id) {
  const std::optional<nlohmann::json> rid =
      request_id ? std::optional<nlohmann::json>(*request_id) : std::nullopt;
  enqueue(id, channel, [this, id, role, channel, payload, rid](std::function<void()> done) {
    allowed(role, channel, "publish",
            [this, id, channel, payload, rid, done = std::move(done)](bool yes, const std::string& error) {
              auto s = session(id);
              if (!s) {
                done();
                return;
              }
              if (!yes || !error.empty()) {
                s->send_text(error_frame(
                    error.empty() ? "forbidden" : "unavailable",
                    error.empty() ? "no grant to publish on " + channel : "cannot publish now", rid));
                done();
                return;
              }
              db_.query("SELECT pg_notify($1, $2)", {channel, payload},
                        [this, id, channel, rid, done](bool ok, const std::string&) {
                          if (auto s2 = session(id)) {
                            s2->send_text(ok ? reply_frame("published", channel, rid)
                                             : error_frame("unavailable", "cannot publish now", rid));
                          }
                          done();
                        });
            });
  });
}

void Hub::on_notify(const std::string& channel, const std::string& payload) {
  ++metrics_.notifications;
  const auto received = std::chrono::steady_clock::now();
  // One immutable body for every recipient; each queues only its own sequence-number prefix.
  const Frame body =
      std::make_shared<const std::string>(notify_body(channel, payload, iso8601_utc(now_micros())));
  for (SessionId id : subs_.subscribers(channel)) {
    if (auto s = session(id)) {
      s->send_notify(body, received);
    }
  }
}

void Hub::on_connected(bool reconnected) {
  if (!own_role_checked_) {
    check_own_role();
  }
  if (!reconnected) {
    return;
  }
  // Notifications sent while the connection was down are lost: LISTEN again, and say so.
  for (const std::string& channel : subs_.channels()) {
    db_.listen(channel);
  }
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) {
      const auto channels = subs_.channels_of(id);
      if (!channels.empty()) {
        s->send_text(gap_frame(channels, "database connection was lost and restored", s->next_seq()));
      }
    }
  }
}

std::string Hub::metrics_text() const {
  Gauges gauges{sessions_.size(), subs_.total(), db_.connected(),
                db_.reconnects(), *sockets_,     db_.timeouts()};
  gauges.grant_cache_entries = grants_.size();
  std::string text = sidecar::metrics_text(metrics_, gauges);
  if (deliverer_) {
    text += delivery_metrics_text(deliverer_->metrics(), deliverer_->in_flight(), deliverer_->waiting());
  } else {
    text += delivery_metrics_text(DeliveryMetrics{}, 0, 0);
  }
  return text;
}

} // namespace autoreport::sidecar
