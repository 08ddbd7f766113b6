#include "ingest/internal/query_matcher.h"

#include <cstring>

namespace nsradar::ingest {

size_t QueryMatcher::KeyHash::operator()(const Key& k) const {
  uint64_t a, b;
  std::memcpy(&a, k.client.bytes.data(), 8);
  std::memcpy(&b, k.client.bytes.data() + 8, 8);
  uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);
  h ^= (static_cast<uint64_t>(k.port) << 16 | k.id) * 0xff51afd7ed558ccdULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

void QueryMatcher::FillQuery(const Key& k, const Pending& q, DnsEvent* ev) const {
  ev->Clear();
  ev->ts_us = q.ts_us;
  ev->client = k.client;
  ev->client_port = k.port;
  ev->server = q.server;
  ev->server_port = q.server_port;
  ev->transport = q.transport;
  ev->qname_raw = q.qname_raw;
  // The raw form differs from the canonical one only by case (see
  // dns::ParseMessageName): escapes never stand for letters.
  ev->qname = q.qname_raw;
  for (char& c : ev->qname) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  ev->qtype = q.qtype;
  ev->qclass = q.qclass;
  ev->id = k.id;
  ev->has_query = true;
  ev->query_size = q.size;
  ev->bailiwick = q.bailiwick;
  ev->has_bailiwick = q.has_bailiwick;
}

}  // namespace nsradar::ingest
