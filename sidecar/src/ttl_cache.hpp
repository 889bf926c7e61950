// A bounded cache whose entries expire: at most max_entries, each kept for ttl after it was stored;
// when full, the least recently used entry makes room. Pure (no Beast, no libpq), one thread.
//
// The sidecar keeps the database's answers in it ("may this role listen here", "is this role a
// superuser"), so that what clients ask cannot grow its memory without bound.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <utility>

namespace autoreport::sidecar {

template <class Key, class Value, class Clock = std::chrono::steady_clock> class TtlCache {
public:
  using time_point = typename Clock::time_point;

  TtlCache(size_t max_entries, typename Clock::duration ttl) : max_entries_(max_entries), ttl_(ttl) {}

  // The value stored for key, unless it has expired at now (an expired entry is removed).
  std::optional<Value> get(const Key& key, time_point now) {
    const auto it = index_.find(key);
    if (it == index_.end()) {
      return std::nullopt;
    }
    if (now - it->second->stored >= ttl_) {
      order_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second); // most recently used first
    return it->second->value;
  }

  // Stores value for key at now, replacing any; evicts the least recently used entry when full.
  // With max_entries 0 or a zero ttl nothing is kept.
  void put(const Key& key, Value value, time_point now) {
    if (max_entries_ == 0 || ttl_ <= Clock::duration::zero()) {
      return;
    }
    if (const auto it = index_.find(key); it != index_.end()) {
      it->second->value = std::move(value);
      it->second->stored = now;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    while (index_.size() >= max_entries_) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    order_.push_front(Entry{key, std::move(value), now});
    index_.emplace(key, order_.begin());
  }

  void erase(const Key& key) {
    if (const auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  // Removes every entry that has expired at now.
  void expire(time_point now) {
    // The list is in use order, not age order: look at every entry.
    for (auto it = order_.begin(); it != order_.end();) {
      if (now - it->stored >= ttl_) {
        index_.erase(it->key);
        it = order_.erase(it);
      } else {
        ++it;
      }
    }
  }

  size_t size() const noexcept { return index_.size(); }
  size_t max_entries() const noexcept { return max_entries_; }

private:
  struct Entry {
    Key key;
    Value value;
    time_point stored;
  };
  size_t max_entries_;
  typename Clock::duration ttl_;
  std::list<Entry> order_;
  std::map<Key, typename std::list<Entry>::iterator> index_;
};

} // namespace autoreport::sidecar
