// NameSet: a set of short strings built once and then only probed, laid
// out for speed: the strings in one arena, open addressing with linear
// probing over a power-of-two table of (hash tag, offset, length), and
// util/hash.h's HashBytes. std::unordered_set<std::string> with
// std::hash spent 17% of event ingest in Public Suffix List lookups; this
// spends a few nanoseconds per probe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "util/hash.h"

namespace nsradar::dns {

class NameSet {
 public:
  void Insert(std::string_view s) {
    if (Contains(s)) return;
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = Hash(s);
    const uint32_t bit = static_cast<uint32_t>(h >> 16) & (kFilterBits - 1);
    filter_[bit / 64] |= uint64_t{1} << (bit % 64);
    Place(h, static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(s.size()));
    arena_.append(s);
    ++count_;
  }

  bool Contains(std::string_view s) const {
    if (slots_.empty()) return false;
    const uint64_t h = Hash(s);
    // Most probes are for names not in the set; an 8 KiB bitmap that stays
    // in L1 turns nearly all of them away before the table (hundreds of KiB,
    // a cache miss per probe) is touched.
    const uint32_t bit = static_cast<uint32_t>(h >> 16) & (kFilterBits - 1);
    if (!(filter_[bit / 64] >> (bit % 64) & 1)) return false;
    const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;  // 0 marks an empty slot
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.tag == 0) return false;
      if (slot.tag == tag && slot.size == s.size() &&
          std::memcmp(arena_.data() + slot.offset, s.data(), s.size()) == 0) {
        return true;
      }
    }
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

 private:
  static constexpr uint32_t kFilterBits = 1 << 16;
  struct Slot {
    uint32_t tag = 0, offset = 0, size = 0;
  };

  static uint64_t Hash(std::string_view s) { return HashBytes(s); }

  void Place(uint64_t h, uint32_t offset, uint32_t size) {
    const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;
    size_t i = h & mask_;
    while (slots_[i].tag != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{tag, offset, size};
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot());
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.tag != 0) Place(Hash(std::string_view(arena_.data() + s.offset, s.size)), s.offset, s.size);
    }
  }

  std::vector<uint64_t> filter_ = std::vector<uint64_t>(kFilterBits / 64);
  std::string arena_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

}  // namespace nsradar::dns
