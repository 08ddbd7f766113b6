// QueryMatcher: pairs DNS queries with their responses, in bounded memory.
//
// A query waits in the table, keyed by (client address, client port,
// message id), until its response arrives (one event with both halves),
// until it is older than the timeout in event time, or until the table is
// full and it is the oldest (a query-only event either way). A response with
// no waiting query is an event of its own. Responses carry their question,
// so a waiting query keeps only what the response lacks.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dns/address.h"
#include "ingest/dns_message.h"
#include "ingest/event.h"

namespace nsradar::ingest {

struct PacketInfo {
  int64_t ts_us = 0;
  dns::Address src, dst;
  uint16_t sport = 0, dport = 0;
  Transport transport = Transport::kUdp;
  uint32_t size = 0;  // DNS message bytes
  // dnstap resolver side: the zone the server was asked as (DnsEvent::bailiwick).
  std::optional<std::string_view> bailiwick;
};

class QueryMatcher {
 public:
  QueryMatcher(int64_t timeout_us, size_t max_pending) : timeout_us_(timeout_us), max_pending_(max_pending) {}

  // Feeds one parsed message; calls emit(event) for every event completed,
  // with *scratch as the event's storage.
  template <typename Emit>
  void Add(const PacketInfo& p, const DnsMessage& m, DnsEvent* scratch, Emit&& emit);
  // Emits every waiting query (end of input).
  template <typename Emit>
  void Flush(DnsEvent* scratch, Emit&& emit);
  size_t pending() const { return pending_.size(); }

 private:
  struct Key {
    dns::Address client;
    uint16_t port = 0, id = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Pending {
    int64_t ts_us = 0;
    dns::Address server;
    uint16_t server_port = 0;
    Transport transport = Transport::kUdp;
    uint32_t size = 0;
    uint16_t qtype = 0, qclass = 0;
    uint64_t seq = 0;  // insertion number, to tell a stale queue entry from a live one
    bool has_bailiwick = false;
    std::string qname_raw;
    std::string bailiwick;
  };

  void FillQuery(const Key& k, const Pending& q, DnsEvent* ev) const;
  // Pops expired or excess entries, emitting them.
  template <typename Emit>
  void Expire(int64_t now_us, bool all, DnsEvent* scratch, Emit&& emit);

  const int64_t timeout_us_;
  const size_t max_pending_;
  std::unordered_map<Key, Pending, KeyHash> pending_;
  std::deque<std::pair<Key, uint64_t>> order_;  // insertion order; entries may be stale
  uint64_t next_seq_ = 0;
};

// --- implementation of the templates ---

template <typename Emit>
void QueryMatcher::Expire(int64_t now_us, bool all, DnsEvent* scratch, Emit&& emit) {
  while (!order_.empty()) {
    auto [key, seq] = order_.front();
    auto it = pending_.find(key);
    if (it == pending_.end() || it->second.seq != seq) {
      order_.pop_front();  // answered or replaced
      continue;
    }
    if (!all && pending_.size() <= max_pending_ && now_us - it->second.ts_us < timeout_us_) break;
    FillQuery(key, it->second, scratch);
    pending_.erase(it);
    order_.pop_front();
    emit(*scratch);
  }
}

template <typename Emit>
void QueryMatcher::Add(const PacketInfo& p, const DnsMessage& m, DnsEvent* scratch, Emit&& emit) {
  Expire(p.ts_us, false, scratch, emit);
  if (!m.qr) {
    Key k{p.src, p.sport, m.id};
    Pending& q = pending_[k];
    if (q.seq != 0 || !q.qname_raw.empty()) {
      // A retransmission or a reused id: the earlier query goes out alone.
      FillQuery(k, q, scratch);
      emit(*scratch);
    }
    q.ts_us = p.ts_us;
    q.server = p.dst;
    q.server_port = p.dport;
    q.transport = p.transport;
    q.size = p.size;
    q.qtype = m.qtype;
    q.qclass = m.qclass;
    q.seq = ++next_seq_;
    q.qname_raw = m.qname_raw;
    q.has_bailiwick = p.bailiwick.has_value();
    q.bailiwick = p.bailiwick.value_or("");
    order_.emplace_back(k, q.seq);
    if (pending_.size() > max_pending_) Expire(p.ts_us, false, scratch, emit);
    return;
  }
  DnsEvent& ev = *scratch;
  ev.Clear();
  Key k{p.dst, p.dport, m.id};
  auto it = pending_.find(k);
  if (it != pending_.end() && it->second.qname_raw == m.qname_raw && it->second.qtype == m.qtype) {
    ev.ts_us = it->second.ts_us;
    ev.has_query = true;
    ev.query_size = it->second.size;
    pending_.erase(it);
  } else {
    ev.ts_us = p.ts_us;
  }
  ev.client = p.dst;
  ev.client_port = p.dport;
  ev.server = p.src;
  ev.server_port = p.sport;
  ev.transport = p.transport;
  ev.qname = m.qname;
  ev.qname_raw = m.qname_raw;
  ev.qtype = m.qtype;
  ev.qclass = m.qclass;
  ev.id = m.id;
  ev.rcode = m.rcode;
  ev.has_response = true;
  ev.response_size = p.size;
  ev.answers = m.answers;
  ev.authority_ns = m.authority_ns;
  ev.glue = m.glue;
  ev.has_bailiwick = p.bailiwick.has_value();
  ev.bailiwick = p.bailiwick.value_or("");
  emit(ev);
}

template <typename Emit>
void QueryMatcher::Flush(DnsEvent* scratch, Emit&& emit) {
  Expire(0, true, scratch, emit);
}

}  // namespace nsradar::ingest
