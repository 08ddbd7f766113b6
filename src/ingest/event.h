// DnsEvent: one DNS transaction (a query, its response, or both) as every
// source becomes it: pcap, dnstap, and the resolvers' logs.
//
// Vantage: which side of a recursive resolver the transaction was seen on.
// Client side (every source but resolver-side dnstap): a host asked a
// server, usually an end user asking its resolver; `client` is that host.
// Resolver side (dnstap RESOLVER_* and FORWARDER_* messages): the resolver
// itself asked an authoritative server (or a forwarder) to fill its cache;
// `server` is that authoritative server, `client` the resolver's own source
// address as it reports it, and `sensor` the resolver's dnstap identity.
// Resolvers sending from a wildcard socket (BIND without query-source)
// report 0.0.0.0 or ::, which is no host: `client` is left unknown then,
// so that counting by client never merges every such resolver into one
// fake host. Counting by client on the resolver side counts resolvers, not
// end users: every cache miss of every user behind the resolver appears as
// the resolver's query.
//
// Sources fill what they know and leave the rest at its "unknown" value
// (rcode -1, port 0, family 0, empty vectors). Events are reused by the
// sources (Clear keeps the strings' capacity), so consumers must copy what
// they keep.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/address.h"

namespace nsradar::ingest {

// Times beyond this (about year 36812) are refused or clamped by every
// source, so microseconds, and differences of them, fit an int64_t.
inline constexpr int64_t kMaxEventSeconds = int64_t{1} << 40;

enum class Transport : uint8_t { kUnknown, kUdp, kTcp, kDot, kDoh, kDoq };
const char* TransportName(Transport t);

enum class Vantage : uint8_t { kClient, kResolver };
const char* VantageName(Vantage v);  // "client", "resolver"

struct DnsRecordData {
  std::string name;  // canonical owner
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::string data;  // presentation form (A, AAAA, NS, CNAME, PTR, MX, TXT, SOA), else RFC 3597 "\# n hex"
};

struct DnsEvent {
  int64_t ts_us = 0;  // UNIX microseconds: of the query when known, else of the response
  dns::Address client, server;
  uint16_t client_port = 0, server_port = 0;
  Transport transport = Transport::kUnknown;
  std::string qname_raw;  // presentation form of the bytes as sent (case kept, \DDD escapes)
  std::string qname;      // canonical: lower case, no trailing dot
  uint16_t qtype = 0, qclass = 0, id = 0;
  int rcode = -1;  // -1: no response seen
  bool has_query = false, has_response = false;
  std::vector<DnsRecordData> answers;
  std::vector<DnsRecordData> authority_ns;  // NS records of the authority section
  // A and AAAA records of the additional section, read only when the
  // authority section has NS records: a referral's glue. Untrusted: whether
  // a record really is glue for a name server of this response is for the
  // consumer to check (PassiveDns does, with `bailiwick`).
  std::vector<DnsRecordData> glue;
  uint32_t query_size = 0, response_size = 0;
  std::string sensor;  // resolver or sensor identity where the source names one
  Vantage vantage = Vantage::kClient;
  // Resolver side: the zone the resolver asked the server as (dnstap's
  // query_zone), canonical, when has_bailiwick ("" being the root).
  // Records outside it are data the server had no authority to give.
  std::string bailiwick;
  bool has_bailiwick = false;
  // Resolver side, when both sides are read: the same sensor logged a
  // client-side query for this name, or for a name below it (QNAME
  // minimisation), within 5 s, so this event repeats that query upstream.
  // Detection must not count it as another query (the client's event
  // already counts); SourceOptions::keep_echoes says whether sources
  // deliver such events at all.
  bool echo = false;
  // Offset into qname of its registered domain (eTLD+1); npos when qname is
  // itself a public suffix. Set by the source through SetRegisteredDomain.
  size_t registered_offset = std::string::npos;

  std::string_view registered_domain() const {
    return registered_offset == std::string::npos ? std::string_view()
                                                  : std::string_view(qname).substr(registered_offset);
  }
  void Clear();
};

}  // namespace nsradar::ingest
