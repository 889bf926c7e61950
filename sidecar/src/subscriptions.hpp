// Which connection listens to which channel, and when the sidecar must LISTEN or UNLISTEN.
//
// The sidecar holds one database connection: it LISTENs on a channel while at least one client is
// subscribed to it, and UNLISTENs when the last one leaves. After a reconnect it LISTENs again on
// every channel in use. Pure bookkeeping, driven by the server's event loop (one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace autoreport::sidecar {

using SessionId = uint64_t;

class Subscriptions {
public:
  enum class Change { None, Listen, Unlisten };

  // Adds a subscription; Listen when it is the channel's first subscriber.
  Change subscribe(SessionId session, const std::string& channel);
  // Removes one; Unlisten when it was the channel's last subscriber; None when there was none.
  Change unsubscribe(SessionId session, const std::string& channel);
  // Removes every subscription of a closing session; returns the channels to UNLISTEN.
  std::vector<std::string> remove_session(SessionId session);

  // The sessions subscribed to a channel, in id order.
  std::vector<SessionId> subscribers(const std::string& channel) const;
  // Every channel in use (to LISTEN again after a reconnect), in name order.
  std::vector<std::string> channels() const;
  // The channels one session is subscribed to, in name order.
  std::vector<std::string> channels_of(SessionId session) const;
  size_t count(SessionId session) const;
  bool subscribed(SessionId session, const std::string& channel) const;
  size_t total() const noexcept { return total_; }

private:
  std::map<std::string, std::set<SessionId>> by_channel_;
  std::map<SessionId, std::set<std::string>> by_session_;
  size_t total_ = 0;
};

} // namespace autoreport::sidecar
