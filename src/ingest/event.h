// DnsEvent: one DNS transaction (a query, its response, or both) as every
// source becomes it: pcap, dnstap, and the resolvers' logs.
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
  uint32_t query_size = 0, response_size = 0;
  std::string sensor;  // resolver or sensor identity where the source names one
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
