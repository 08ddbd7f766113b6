// BoundedTable: per-key state for at most `capacity` keys, whatever the
// stream holds. A random-subdomain flood cannot grow it: when it is full, a
// new key takes the place of the lightest of a few sampled entries (an
// approximate space-saving eviction), and inherits that entry's weight as
// its error bound, so a key that keeps coming back climbs above the
// one-off keys and stays.
//
// State must be default-constructible; Touch returns a reference valid until
// the next Touch.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nsradar::detect {

template <typename State>
class BoundedTable {
 public:
  struct Entry {
    std::string key;
    uint64_t weight = 0;  // how often the key was touched, plus `error`
    uint64_t error = 0;   // weight inherited from the evicted entry
    State state;
  };

  explicit BoundedTable(size_t capacity, uint64_t seed = 1) : capacity_(capacity), rng_(seed) {
    entries_.reserve(capacity);
    index_.reserve(capacity);
  }

  // The entry of `key`, created (possibly evicting another) if absent; its
  // weight grows by one. *evicted, when given, says whether a key was
  // dropped to make room.
  Entry& Touch(std::string_view key, bool* evicted = nullptr) {
    if (evicted) *evicted = false;
    auto it = index_.find(key);
    if (it != index_.end()) {
      Entry& e = entries_[it->second];
      ++e.weight;
      return e;
    }
    size_t slot;
    uint64_t inherited = 0;
    if (entries_.size() < capacity_) {
      slot = entries_.size();
      entries_.emplace_back();
    } else {
      slot = LightestSample();
      inherited = entries_[slot].weight;
      index_.erase(entries_[slot].key);
      ++evictions_;
      if (evicted) *evicted = true;
    }
    Entry& e = entries_[slot];
    e.key.assign(key);
    e.weight = inherited + 1;
    e.error = inherited;
    e.state = State();
    index_.emplace(e.key, slot);
    return e;
  }

  const Entry* Find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &entries_[it->second];
  }

  size_t size() const { return entries_.size(); }
  uint64_t evictions() const { return evictions_; }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  static constexpr int kSamples = 8;

  size_t LightestSample() {
    std::uniform_int_distribution<size_t> pick(0, entries_.size() - 1);
    size_t best = pick(rng_);
    for (int i = 1; i < kSamples; ++i) {
      size_t c = pick(rng_);
      if (entries_[c].weight < entries_[best].weight) best = c;
    }
    return best;
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  const size_t capacity_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
  std::mt19937_64 rng_;
  uint64_t evictions_ = 0;
};

}  // namespace nsradar::detect
