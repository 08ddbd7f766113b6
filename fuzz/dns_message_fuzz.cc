// The DNS wire-format parser on arbitrary bytes: never a crash, never a
// name longer than the protocol allows.
#include <cstddef>
#include <cstdint>

#include "ingest/dns_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static nsradar::ingest::DnsMessage m;
  nsradar::ingest::ParseDnsMessage(data, size, true, &m);
  // 255 wire bytes at most; escapes make the text form up to 4x longer.
  if (m.qname.size() > 4 * 255 || m.qname.size() != m.qname_raw.size()) __builtin_trap();
  if (m.answers.size() > 64 || m.authority_ns.size() > 32) __builtin_trap();
  return 0;
}
