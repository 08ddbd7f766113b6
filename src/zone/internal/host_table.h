// HostTable: name server hosts by name, for the snapshot builders
// (snapshot.cc, spilled_zone.cc).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "util/hash.h"

namespace nsradar::zone {

// Name server hosts by name: open addressing over (hash, id) pairs, the
// names themselves staying in the snapshot's arena. Several times faster
// than std::unordered_map for the one lookup every NS record makes.
class HostTable {
 public:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  // Returns the id of `name`, adding it as `next_id` when absent.
  template <typename NameOf>
  uint32_t FindOrAdd(std::string_view name, uint32_t next_id, NameOf name_of, bool* added) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    uint32_t h = Hash(name);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s = Slot{h, next_id};
        ++used_;
        *added = true;
        return next_id;
      }
      if (s.hash == h && name_of(s.id) == name) {
        *added = false;
        return s.id;
      }
    }
  }

  // The id of `name`, or kEmpty.
  template <typename NameOf>
  uint32_t Find(std::string_view name, NameOf name_of) const {
    if (slots_.empty()) return kEmpty;
    uint32_t h = Hash(name);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.id == kEmpty) return kEmpty;
      if (s.hash == h && name_of(s.id) == name) return s.id;
    }
  }

 private:
  struct Slot {
    uint32_t hash;
    uint32_t id;
  };

  static uint32_t Hash(std::string_view s) { return static_cast<uint32_t>(HashBytes(s)); }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{0, kEmpty});
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace nsradar::zone
