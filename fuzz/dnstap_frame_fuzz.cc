// dnstap frames: the input is a sequence of frames, each a 2-byte length and
// its bytes (hand-decoded protobuf, then the DNS message inside).
#include <cstddef>
#include <cstdint>

#include "ingest/dnstap_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nsradar::ingest::SourceOptions options;
  options.max_pending_queries = 64;
  nsradar::ingest::SourceStats stats;
  nsradar::ingest::DnstapDecoder decoder(options, &stats);
  auto sink = [](const nsradar::ingest::DnsEvent& ev) {
    if (ev.qname.size() != ev.qname_raw.size()) __builtin_trap();
  };
  size_t pos = 0;
  while (pos + 2 <= size) {
    size_t len = static_cast<size_t>(data[pos] << 8 | data[pos + 1]);
    pos += 2;
    if (len > size - pos) len = size - pos;
    decoder.Frame(data + pos, len, sink);
    pos += len;
  }
  decoder.Finish(sink);
  return 0;
}
