// StoreNameServerOracle: the detector's NameServerOracle backed by the
// reverse name-server index and threat intelligence in a store, through
// the same name server check the analysts read (check.h), with the costly
// parts (co-hosted listings) left out. Answers are cached per domain for
// `ttl` (the index changes with snapshots, not by the second), at most
// `capacity` domains, the oldest dropped first. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "detect/name_server_facts.h"
#include "intel/check.h"
#include "nsdb/store.h"

namespace nsradar::intel {

class StoreNameServerOracle : public detect::NameServerOracle {
 public:
  // Borrows `store`, which must outlive the oracle.
  explicit StoreNameServerOracle(const nsdb::Store* store, CheckOptions options = {}, size_t capacity = 20000,
                                 std::chrono::seconds ttl = std::chrono::minutes(10));

  detect::NameServerFacts Lookup(std::string_view registered_domain, int64_t now_us) override;

  uint64_t lookups() const { return lookups_; }
  uint64_t cache_hits() const { return hits_; }

 private:
  struct Cached {
    detect::NameServerFacts facts;
    std::chrono::steady_clock::time_point expires;
  };

  const nsdb::Store* store_;
  const CheckOptions options_;
  const size_t capacity_;
  const std::chrono::seconds ttl_;
  std::mutex mu_;  // guards everything below
  std::unordered_map<std::string, Cached> cache_;
  std::deque<std::string> order_;  // insertion order, for eviction
  uint64_t lookups_ = 0, hits_ = 0;
};

// The facts a check result holds.
detect::NameServerFacts FactsFromCheck(const CheckResult& check, const CheckOptions& options);

}  // namespace nsradar::intel
