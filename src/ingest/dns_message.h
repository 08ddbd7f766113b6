// ParseDnsMessage: the DNS wire format (RFC 1035 4.1) as far as nsradar needs
// it: header, first question, answer records, the authority section's NS
// records and, when there are any, the additional section's addresses. Hand-written because it runs once per packet at
// millions of packets per second; fuzzed (fuzz/dns_message_fuzz.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ingest/event.h"

namespace nsradar::ingest {

struct DnsMessage {
  uint16_t id = 0;
  bool qr = false;  // a response
  uint8_t opcode = 0, rcode = 0;
  bool tc = false;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  std::string qname, qname_raw;
  uint16_t qtype = 0, qclass = 0;
  std::vector<DnsRecordData> answers;
  std::vector<DnsRecordData> authority_ns;
  std::vector<DnsRecordData> glue;  // A and AAAA of the additional section, when authority_ns is not empty
};

// Why a message was refused; names stable enough for counters and logs.
enum class DnsParseError : uint8_t {
  kNone,
  kShortHeader,
  kNoQuestion,
  kBadQuestionName,
  kShortQuestion,
  kBadRecordName,
  kShortRecord,
};
const char* DnsParseErrorName(DnsParseError e);

// Parses `size` bytes at `data` into *out (reusing its storage). When
// `records` is false only the header and question are read. A message whose
// records are damaged after a good question still yields the question: the
// error is returned and *out holds what was read.
DnsParseError ParseDnsMessage(const uint8_t* data, size_t size, bool records, DnsMessage* out);

}  // namespace nsradar::ingest
