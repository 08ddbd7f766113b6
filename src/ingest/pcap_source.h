// PcapSource: DNS transactions from pcap or pcapng files (read by
// CaptureFileReader, plain or compressed), or live capture on an interface
// (through libpcap).
//
// Link types, per packet: Ethernet (with 802.1Q/802.1ad tags), Linux cooked
// SLL and SLL2, raw IP, IPv4, IPv6, BSD null/loopback. IPv4 and IPv6 (extension
// headers skipped), IP fragments reassembled (internal/ip_defrag.h), UDP and TCP on
// the DNS ports (internal/tcp_reassembly.h), queries paired with responses
// (internal/query_matcher.h). Every dropped packet is counted by reason.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ingest/source.h"

namespace nsradar::ingest {

// A file: pcap or pcapng, plain, gzip, zstd or xz. Damage that ends the
// file early is counted and set as stats().input_error.
std::unique_ptr<EventSource> NewPcapFileSource(const std::string& path, const SourceOptions& options);
// Live capture on `interface` until *stop becomes true (checked at least
// every 100 ms). `filter` is a BPF expression ("" for the DNS ports).
std::unique_ptr<EventSource> NewPcapLiveSource(const std::string& interface, const std::string& filter,
                                               const SourceOptions& options, const std::atomic<bool>* stop);

// Decodes the packets of one capture into events; the part of PcapSource
// that needs no file or libpcap handle, so tests and fuzzers can feed it
// directly. The link type comes with each packet (a pcapng file's interfaces
// differ), while fragments, TCP streams and the query table are shared by
// all of them: a query seen on one interface pairs with its response on
// another.
class PacketDecoder {
 public:
  PacketDecoder(const SourceOptions& options, SourceStats* stats);
  ~PacketDecoder();
  // `link_type` as capture files (LINKTYPE_*) or libpcap (DLT_*) name it;
  // the two differ only for raw IP, and both are read.
  void Packet(int link_type, int64_t ts_us, const uint8_t* data, size_t caplen, size_t wire_len, const EventSink& sink);
  // Emits the queries still waiting for a response.
  void Finish(const EventSink& sink);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace nsradar::ingest
