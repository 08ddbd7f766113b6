// TcpReassembly: DNS over TCP (RFC 7766) from captured segments. Each
// direction of a connection is a byte stream of messages prefixed by a
// 2-byte length; segments are put back in order (out-of-order ones wait,
// bounded), retransmissions are trimmed, and each complete message is
// handed out.
//
// Memory is bounded: at most max_flows directions are tracked (the least
// recently active is dropped), each holding at most kMaxBuffered bytes; a
// direction idle longer than the idle timeout is forgotten.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <unordered_map>

#include "dns/address.h"

namespace nsradar::ingest {

struct TcpSegment {
  dns::Address src, dst;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0;
  bool syn = false, fin = false, rst = false;
  const uint8_t* payload = nullptr;
  size_t size = 0;
  int64_t ts_us = 0;
};

class TcpReassembly {
 public:
  static constexpr size_t kMaxBuffered = 256 << 10;
  static constexpr int64_t kIdleTimeoutUs = 120'000'000;

  explicit TcpReassembly(size_t max_flows) : max_flows_(max_flows) {}

  // Calls on_message(data, size) for each complete DNS message the segment
  // completes, and on_problem(reason) for each thing dropped.
  void Add(const TcpSegment& s, const std::function<void(const uint8_t*, size_t)>& on_message,
           const std::function<void(const char*)>& on_problem);
  size_t flows() const { return flows_.size(); }

 private:
  struct Key {
    dns::Address src, dst;
    uint16_t sport = 0, dport = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Flow {
    uint32_t next_seq = 0;
    std::string buffer;                     // in-order bytes not yet consumed
    std::map<uint32_t, std::string> ahead;  // out-of-order segments by seq
    size_t ahead_bytes = 0;
    int64_t last_ts = 0;
    std::list<Key>::iterator lru;
  };

  void Drop(std::unordered_map<Key, Flow, KeyHash>::iterator it);

  const size_t max_flows_;
  std::unordered_map<Key, Flow, KeyHash> flows_;
  std::list<Key> lru_;  // most recently active at the back
};

}  // namespace nsradar::ingest
