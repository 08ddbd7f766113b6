// ApiKeys: the set of keys allowed to use the API, held only as SHA-256
// digests; RateLimiter: a token bucket per key.
//
// Key file: one key per line, `at_` followed by 29 lower-case letters or
// digits (the Reverse NS API's format). Blank lines and `#` comments are
// ignored; a malformed line fails the load with file:line, and a failed
// (re)load leaves the previous set in force.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "util/status.h"

namespace nsradar::api {

using KeyDigest = std::array<uint8_t, 32>;

struct KeyDigestHash {
  size_t operator()(const KeyDigest& d) const;
};

// True when `key` has the shape of an API key.
bool IsWellFormedKey(std::string_view key);
KeyDigest DigestKey(std::string_view key);

class ApiKeys {
 public:
  // Replaces the key set with the keys in `path`; thread-safe with Find.
  Status Load(const std::string& path);
  // The digest of `key` when it is a known key.
  bool Find(std::string_view key, KeyDigest* digest) const;
  // True when the key with this digest is (still) in the set: a UI session
  // ends when its key is removed from the file.
  bool Contains(const KeyDigest& digest) const;
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_set<KeyDigest, KeyDigestHash> digests_;
};

// Allows `rate` requests per second per key with bursts of up to `rate`.
// A rate of 0 disables the limit.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(double rate) : rate_(rate) {}
  bool Allow(const KeyDigest& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  const double rate_;
  std::mutex mu_;
  std::unordered_map<KeyDigest, Bucket, KeyDigestHash> buckets_;
};

}  // namespace nsradar::api
