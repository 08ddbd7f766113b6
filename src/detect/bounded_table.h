// BoundedTable: per-key state for at most `capacity` keys, whatever the
// stream holds. A random-subdomain flood cannot grow it: when it is full, a
// new key takes the place of the lightest of a few sampled entries (an
// approximate space-saving eviction), and inherits that entry's weight as
// its error bound, so a key that keeps coming back climbs above the
// one-off keys and stays.
//
// It sits on the per-event path of detection, so it is built for that:
// entries live in one vector allocated up front, the index is a flat
// linear-probing array of (hash, slot) pairs at most half full, and an
// evicted entry's state is rebuilt in place. State must be
// default-constructible; Touch returns a reference valid until the next
// Touch.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "util/hash.h"

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
    size_t slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    index_.assign(slots, Slot{0, kEmpty});
    mask_ = slots - 1;
  }

  // The entry of `key`, created (possibly evicting another) if absent; its
  // weight grows by one. *evicted, when given, says whether a key was
  // dropped to make room.
  Entry& Touch(std::string_view key, bool* evicted = nullptr) {
    if (evicted) *evicted = false;
    const uint64_t h = HashBytes(key);
    size_t i = h & mask_;
    for (; index_[i].slot != kEmpty; i = (i + 1) & mask_) {
      if (index_[i].hash == h && entries_[index_[i].slot].key == key) {
        Entry& e = entries_[index_[i].slot];
        ++e.weight;
        return e;
      }
    }
    uint32_t slot;
    uint64_t inherited = 0;
    if (entries_.size() < capacity_) {
      slot = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      slot = LightestSample();
      inherited = entries_[slot].weight;
      Erase(entries_[slot].key);
      ++evictions_;
      if (evicted) *evicted = true;
      std::destroy_at(&entries_[slot].state);
      std::construct_at(&entries_[slot].state);
      // The erase may have moved index entries: find the free position again.
      for (i = h & mask_; index_[i].slot != kEmpty;) i = (i + 1) & mask_;
    }
    Entry& e = entries_[slot];
    e.key.assign(key);
    e.weight = inherited + 1;
    e.error = inherited;
    index_[i] = Slot{h, slot};
    return e;
  }

  const Entry* Find(std::string_view key) const {
    const uint64_t h = HashBytes(key);
    for (size_t i = h & mask_; index_[i].slot != kEmpty; i = (i + 1) & mask_) {
      if (index_[i].hash == h && entries_[index_[i].slot].key == key) return &entries_[index_[i].slot];
    }
    return nullptr;
  }

  size_t size() const { return entries_.size(); }
  uint64_t evictions() const { return evictions_; }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  static constexpr int kSamples = 8;
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash;
    uint32_t slot;
  };

  uint32_t LightestSample() {
    std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(entries_.size() - 1));
    uint32_t best = pick(rng_);
    for (int i = 1; i < kSamples; ++i) {
      uint32_t c = pick(rng_);
      if (entries_[c].weight < entries_[best].weight) best = c;
    }
    return best;
  }

  // Removes `key` from the index, shifting later entries of its probe run
  // back so that every lookup still finds its key (no tombstones).
  void Erase(std::string_view key) {
    const uint64_t h = HashBytes(key);
    size_t i = h & mask_;
    while (!(index_[i].hash == h && entries_[index_[i].slot].key == key)) i = (i + 1) & mask_;
    for (size_t j = (i + 1) & mask_; index_[j].slot != kEmpty; j = (j + 1) & mask_) {
      const size_t home = index_[j].hash & mask_;
      // Move j into the hole at i unless j's home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        index_[i] = index_[j];
        i = j;
      }
    }
    index_[i] = Slot{0, kEmpty};
  }

  const size_t capacity_;
  std::vector<Entry> entries_;
  std::vector<Slot> index_;
  size_t mask_ = 0;
  std::mt19937_64 rng_;
  uint64_t evictions_ = 0;
};

}  // namespace nsradar::detect
