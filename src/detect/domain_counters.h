// DomainCounters: the few numbers the detector keeps for every registered
// domain it sees, 64 bytes each (one cache line), in one flat
// linear-probing table. Every event touches exactly one of these; the
// heavier evidence (sketches, clients, samples) is kept only for domains
// that ever looked suspicious, in a separate, smaller table.
//
// Keys are 64-bit hashes of the domain name, trusted as identities: at the
// table's 786K entries the chance of any collision is below 2e-8, and a
// collision only merges two domains' counters. When the table is full, a
// new domain replaces the lightest of 8 sampled entries and inherits its
// weight (approximate space-saving), as in BoundedTable.
//
// The table starts small and doubles up to its capacity, so memory follows
// the domains actually seen; its slots live in transparent huge pages where
// the kernel allows, because a random probe into tens of megabytes
// otherwise pays a TLB miss on top of the cache miss.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <random>
#include <type_traits>

namespace nsradar::detect {

struct alignas(64) DomainCounters {
  uint64_t hash = 0;  // 0: an empty slot
  int64_t first_seen = 0, last_seen = 0;
  uint64_t client_bits = 0;  // one bit per client hash: distinct clients
  uint32_t queries = 0, encoded = 0, nxdomain = 0, rare_types = 0;
  uint32_t plain = 0;       // queries whose subdomain looks like a host name
  uint32_t weight = 0;      // touches, plus what an evicted entry left
  bool suspicious = false;  // an encoded name, a rare type or a tool's mark was seen: evidence is kept
  bool alerted = false;
  uint8_t traffic_facts = 0;                   // DomainCounters::k* bits: what responses said about the domain
  static constexpr uint8_t kSelfHostedNs = 1;  // an NS record of the domain named a host inside it
  static constexpr uint8_t kWebPresence = 2;   // the apex or www answered with an address
};
static_assert(sizeof(DomainCounters) == 64);
static_assert(std::is_trivially_copyable_v<DomainCounters>);

class DomainCounterTable {
 public:
  explicit DomainCounterTable(size_t capacity, uint64_t seed = 3) : capacity_(capacity), rng_(seed) {
    max_slots_ = 16;
    while (max_slots_ * 3 < capacity * 4) max_slots_ *= 2;  // load at most 3/4
    Allocate(std::min<size_t>(max_slots_, 4096));
  }
  ~DomainCounterTable() { Release(slots_, slot_count_); }
  DomainCounterTable(const DomainCounterTable&) = delete;
  DomainCounterTable& operator=(const DomainCounterTable&) = delete;

  // The counters of `hash`, created if absent: *created says so. The
  // reference is valid until the next Touch.
  DomainCounters& Touch(uint64_t hash, bool* created) {
    if (hash == 0) hash = 1;  // 0 marks empty slots
    size_t i = hash & mask_;
    for (; slots_[i].hash != 0; i = (i + 1) & mask_) {
      if (slots_[i].hash == hash) {
        *created = false;
        ++slots_[i].weight;
        return slots_[i];
      }
    }
    *created = true;
    uint32_t inherited = 0;
    if (size_ == capacity_) {
      const size_t victim = LightestSample();
      inherited = slots_[victim].weight;
      Erase(victim);
      ++evictions_;
      i = FreeSlot(hash);
    } else if (++size_ * 4 > slot_count_ * 3) {
      Grow();
      i = FreeSlot(hash);
    }
    slots_[i] = DomainCounters();
    slots_[i].hash = hash;
    slots_[i].weight = inherited + 1;
    return slots_[i];
  }

  // Starts loading the slot `hash` would probe first.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[(hash == 0 ? 1 : hash) & mask_], 1); }

  size_t size() const { return size_; }
  uint64_t evictions() const { return evictions_; }
  size_t memory_bytes() const { return slot_count_ * sizeof(DomainCounters); }

 private:
  size_t FreeSlot(uint64_t hash) const {
    size_t i = hash & mask_;
    while (slots_[i].hash != 0) i = (i + 1) & mask_;
    return i;
  }

  // Fresh anonymous memory is zero: every slot starts empty.
  void Allocate(size_t count) {
    const size_t bytes = count * sizeof(DomainCounters);
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (bytes >= (2u << 20)) madvise(p, bytes, MADV_HUGEPAGE);
    slots_ = static_cast<DomainCounters*>(p);
    slot_count_ = count;
    mask_ = count - 1;
  }
  static void Release(DomainCounters* slots, size_t count) {
    if (slots) munmap(slots, count * sizeof(DomainCounters));
  }

  void Grow() {
    if (slot_count_ >= max_slots_) return;
    DomainCounters* old = slots_;
    const size_t old_count = slot_count_;
    Allocate(old_count * 2);
    for (size_t j = 0; j < old_count; ++j) {
      if (old[j].hash != 0) slots_[FreeSlot(old[j].hash)] = old[j];
    }
    Release(old, old_count);
  }

  size_t LightestSample() {
    std::uniform_int_distribution<size_t> pick(0, mask_);
    size_t best = SIZE_MAX;
    for (int n = 0; n < 8; ++n) {
      size_t i = pick(rng_);
      while (slots_[i].hash == 0) i = (i + 1) & mask_;  // the table is at least half full here
      if (best == SIZE_MAX || slots_[i].weight < slots_[best].weight) best = i;
    }
    return best;
  }

  // Empties slot i, shifting later entries of its probe run back so every
  // lookup still finds its key (no tombstones).
  void Erase(size_t i) {
    for (size_t j = (i + 1) & mask_; slots_[j].hash != 0; j = (j + 1) & mask_) {
      const size_t home = slots_[j].hash & mask_;
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].hash = 0;
  }

  const size_t capacity_;
  size_t max_slots_ = 0;
  DomainCounters* slots_ = nullptr;  // owned: mmap'd, slot_count_ entries
  size_t slot_count_ = 0;
  size_t mask_ = 0;
  size_t size_ = 0;
  uint64_t evictions_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace nsradar::detect
