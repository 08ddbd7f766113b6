// IpDefrag: reassembles fragmented IPv4 and IPv6 datagrams (large DNS
// responses over UDP). At most kMaxDatagrams wait at once and each waits at
// most kTimeoutUs of capture time; overlapping fragments must agree or the
// datagram is dropped (a classic evasion).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <unordered_map>

#include "dns/address.h"

namespace nsradar::ingest {

struct Fragment {
  dns::Address src, dst;
  uint32_t id = 0;
  uint8_t protocol = 0;
  size_t offset = 0;  // bytes
  bool more = false;
  const uint8_t* data = nullptr;
  size_t size = 0;
  int64_t ts_us = 0;
};

class IpDefrag {
 public:
  static constexpr size_t kMaxDatagrams = 4096;
  static constexpr int64_t kTimeoutUs = 30'000'000;

  enum class Result { kIncomplete, kComplete, kDropped };
  // Adds a fragment; on kComplete *payload holds the whole transport payload.
  // On kDropped *reason says why.
  Result Add(const Fragment& f, std::string* payload, const char** reason);

 private:
  struct Key {
    dns::Address src, dst;
    uint32_t id = 0;
    uint8_t protocol = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Datagram {
    std::map<size_t, std::string> pieces;  // by offset
    size_t total = 0;                      // known once the last fragment arrived
    int64_t first_ts = 0;
    std::list<Key>::iterator age;
  };
  std::unordered_map<Key, Datagram, KeyHash> pending_;
  std::list<Key> ages_;  // oldest first
};

}  // namespace nsradar::ingest
