#include "ingest/internal/tcp_reassembly.h"

#include <cstring>

namespace nsradar::ingest {
namespace {

// Sequence-number comparison modulo 2^32 (RFC 1982 style).
inline int32_t SeqDiff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }

}  // namespace

size_t TcpReassembly::KeyHash::operator()(const Key& k) const {
  uint64_t a, b, c, d;
  std::memcpy(&a, k.src.bytes.data(), 8);
  std::memcpy(&b, k.src.bytes.data() + 8, 8);
  std::memcpy(&c, k.dst.bytes.data(), 8);
  std::memcpy(&d, k.dst.bytes.data() + 8, 8);
  uint64_t h = (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL) ^ (c * 0x165667b19e3779f9ULL) ^ d;
  h ^= (static_cast<uint64_t>(k.sport) << 16 | k.dport) * 0xff51afd7ed558ccdULL;
  return static_cast<size_t>(h ^ (h >> 31));
}

void TcpReassembly::Drop(std::unordered_map<Key, Flow, KeyHash>::iterator it) {
  lru_.erase(it->second.lru);
  flows_.erase(it);
}

void TcpReassembly::Add(const TcpSegment& s, const std::function<void(const uint8_t*, size_t)>& on_message,
                        const std::function<void(const char*)>& on_problem) {
  // Forget directions idle too long (the least recently active first).
  while (!lru_.empty()) {
    auto old = flows_.find(lru_.front());
    if (old == flows_.end()) {
      lru_.pop_front();
      continue;
    }
    if (s.ts_us - old->second.last_ts < kIdleTimeoutUs) break;
    if (!old->second.buffer.empty() || !old->second.ahead.empty()) on_problem("tcp_incomplete_at_timeout");
    Drop(old);
  }
  Key key{s.src, s.dst, s.sport, s.dport};
  auto it = flows_.find(key);
  if (s.rst) {
    if (it != flows_.end()) Drop(it);
    return;
  }
  if (it == flows_.end()) {
    if (s.size == 0 && !s.syn) return;  // a bare ACK or FIN of a flow we do not follow
    if (flows_.size() >= max_flows_) {
      on_problem("tcp_flow_table_full");
      Drop(flows_.find(lru_.front()));
    }
    it = flows_.emplace(key, Flow()).first;
    lru_.push_back(key);
    it->second.lru = std::prev(lru_.end());
    // Joining mid-stream (no SYN seen) we start at this segment and hope it
    // begins a message; a wrong guess shows up as a bad message.
    it->second.next_seq = s.syn ? s.seq + 1 : s.seq;
  } else {
    lru_.splice(lru_.end(), lru_, it->second.lru);
  }
  Flow& f = it->second;
  f.last_ts = s.ts_us;
  if (s.syn) f.next_seq = s.seq + 1;
  if (s.size > 0) {
    int32_t d = SeqDiff(s.seq, f.next_seq);
    if (d > 0) {
      if (f.ahead_bytes + s.size > kMaxBuffered) {
        on_problem("tcp_reorder_buffer_full");
        Drop(it);
        return;
      }
      auto [slot, inserted] = f.ahead.try_emplace(s.seq, reinterpret_cast<const char*>(s.payload), s.size);
      if (inserted) f.ahead_bytes += s.size;
    } else if (const size_t skip = f.next_seq - s.seq; skip < s.size) {
      // A retransmitted prefix of `skip` bytes, counted modulo 2^32: -d
      // overflows when d is INT32_MIN (found by pcapng_fuzz).
      f.buffer.append(reinterpret_cast<const char*>(s.payload) + skip, s.size - skip);
      f.next_seq += static_cast<uint32_t>(s.size - skip);
    }
    // Segments that were waiting and now fit.
    while (!f.ahead.empty()) {
      auto first = f.ahead.begin();
      int32_t gap = SeqDiff(first->first, f.next_seq);
      if (gap > 0) break;
      const size_t skip = f.next_seq - first->first;  // gap <= 0: bytes already delivered
      if (skip < first->second.size()) {
        f.buffer.append(first->second, skip);
        f.next_seq += static_cast<uint32_t>(first->second.size() - skip);
      }
      f.ahead_bytes -= first->second.size();
      f.ahead.erase(first);
    }
    if (f.buffer.size() > kMaxBuffered) {
      on_problem("tcp_message_too_large");
      Drop(it);
      return;
    }
    size_t pos = 0;
    while (f.buffer.size() - pos >= 2) {
      size_t len = static_cast<uint8_t>(f.buffer[pos]) << 8 | static_cast<uint8_t>(f.buffer[pos + 1]);
      if (f.buffer.size() - pos - 2 < len) break;
      on_message(reinterpret_cast<const uint8_t*>(f.buffer.data()) + pos + 2, len);
      pos += 2 + len;
    }
    f.buffer.erase(0, pos);
  }
  if (s.fin) {
    if (!f.buffer.empty()) on_problem("tcp_truncated_message");
    Drop(it);
  }
}

}  // namespace nsradar::ingest
