// Reference-counted channel subscriptions.
#include "subscriptions.hpp"

namespace autoreport::sidecar {

Subscriptions::Change Subscriptions::subscribe(SessionId session, const std::string& channel) {
  auto& sessions = by_channel_[channel];
  const bool first = sessions.empty();
  if (!sessions.insert(session).second) {
    return Change::None; // already subscribed: nothing changes
  }
  by_session_[session].insert(channel);
  ++total_;
  return first ? Change::Listen : Change::None;
}

Subscriptions::Change Subscriptions::unsubscribe(SessionId session, const std::string& channel) {
  const auto it = by_channel_.find(channel);
  if (it == by_channel_.end() || it->second.erase(session) == 0) {
    return Change::None;
  }
  --total_;
  if (auto s = by_session_.find(session); s != by_session_.end()) {
    s->second.erase(channel);
    if (s->second.empty()) {
      by_session_.erase(s);
    }
  }
  if (it->second.empty()) {
    by_channel_.erase(it);
    return Change::Unlisten;
  }
  return Change::None;
}

std::vector<std::string> Subscriptions::remove_session(SessionId session) {
  std::vector<std::string> unlisten;
  const auto s = by_session_.find(session);
  if (s == by_session_.end()) {
    return unlisten;
  }
  const std::set<std::string> channels = s->second; // a copy: unsubscribe() edits the original
  for (const std::string& channel : channels) {
    if (unsubscribe(session, channel) == Change::Unlisten) {
      unlisten.push_back(channel);
    }
  }
  return unlisten;
}

std::vector<SessionId> Subscriptions::subscribers(const std::string& channel) const {
  const auto it = by_channel_.find(channel);
  return it == by_channel_.end() ? std::vector<SessionId>{}
                                 : std::vector<SessionId>(it->second.begin(), it->second.end());
}

std::vector<std::string> Subscriptions::channels() const {
  std::vector<std::string> out;
  out.reserve(by_channel_.size());
  for (const auto& [channel, sessions] : by_channel_) {
    out.push_back(channel);
  }
  return out;
}

std::vector<std::string> Subscriptions::channels_of(SessionId session) const {
  const auto it = by_session_.find(session);
  return it == by_session_.end() ? std::vector<std::string>{}
                                 : std::vector<std::string>(it->second.begin(), it->second.end());
}

size_t Subscriptions::count(SessionId session) const {
  const auto it = by_session_.find(session);
  return it == by_session_.end() ? 0 : it->second.size();
}

bool Subscriptions::subscribed(SessionId session, const std::string& channel) const {
  const auto it = by_channel_.find(channel);
  return it != by_channel_.end() && it->second.count(session) > 0;
}

} // namespace autoreport::sidecar
