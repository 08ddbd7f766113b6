// Capture files: the input is the whole file, pcap or pcapng (or either
// compressed, as ByteSource detects it), read by CaptureFileReader and every
// packet fed to one PacketDecoder with its interface's link type, as the file
// source does. Checks that the reader keeps its invariants whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/capture_file_reader.h"
#include "ingest/pcap_source.h"
#include "util/byte_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nsradar::ingest::SourceOptions options;
  options.max_pending_queries = 64;
  options.max_tcp_flows = 16;
  nsradar::ingest::SourceStats stats;
  std::unique_ptr<nsradar::ByteSource> in = nsradar::ByteSource::FromMemory(reinterpret_cast<const char*>(data), size);
  size_t skips = 0;
  nsradar::ingest::CaptureFileReader reader(in.get(), "<fuzz>",
                                            [&](const char*, uint64_t, const std::string&) { ++skips; });
  nsradar::ingest::PacketDecoder decoder(options, &stats);
  auto sink = [](const nsradar::ingest::DnsEvent& ev) {
    if (ev.qname.size() != ev.qname_raw.size() || ev.ts_us < 0 ||
        ev.ts_us > nsradar::ingest::kMaxEventSeconds * 1'000'000) {
      __builtin_trap();
    }
  };
  nsradar::ingest::CapturedPacket packet;
  for (;;) {
    bool got = false;
    nsradar::Status s = reader.Next(&packet, &got);
    if (!s.ok()) {
      if (skips == 0) __builtin_trap();  // every error is counted first
      break;
    }
    if (!got) break;
    // A packet lies inside its block, which lies inside the input's bound.
    if (packet.caplen > nsradar::ingest::CaptureFileReader::kMaxBlock || packet.ts_us < 0) __builtin_trap();
    decoder.Packet(packet.link_type, packet.ts_us, packet.data, packet.caplen, packet.wire_len, sink);
  }
  decoder.Finish(sink);
  return 0;
}
