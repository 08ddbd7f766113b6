// Captured packets: the first input byte picks the link type, the rest is a
// sequence of packets, each a 2-byte length and its bytes, fed to one
// decoder so fragments, TCP streams and the query table carry across them.
#include <pcap/pcap.h>

#include <cstddef>
#include <cstdint>

#include "ingest/pcap_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const int kLinks[] = {DLT_EN10MB, DLT_LINUX_SLL, 276, DLT_RAW, DLT_NULL, DLT_LOOP, DLT_IPV4, DLT_IPV6};
  nsradar::ingest::SourceOptions options;
  options.max_pending_queries = 64;
  options.max_tcp_flows = 16;
  nsradar::ingest::SourceStats stats;
  const int link_type = kLinks[data[0] % 8];
  nsradar::ingest::PacketDecoder decoder(options, &stats);
  size_t events = 0;
  auto sink = [&](const nsradar::ingest::DnsEvent& ev) {
    ++events;
    if (ev.qname.size() != ev.qname_raw.size()) __builtin_trap();
  };
  size_t pos = 1;
  int64_t ts = 0;
  while (pos + 2 <= size) {
    size_t len = static_cast<size_t>(data[pos] << 8 | data[pos + 1]);
    pos += 2;
    if (len > size - pos) len = size - pos;
    decoder.Packet(link_type, ts += 1000, data + pos, len, len, sink);
    pos += len;
  }
  decoder.Finish(sink);
  return 0;
}
