// DnstapSource: dnstap (https://dnstap.info) from Frame Streams files, as
// BIND writes them and fstrm_capture records them from Unbound, Knot
// Resolver and PowerDNS; gzip or zstd compressed files read the same.
//
// Client-side (and authoritative) query and response messages become events
// through the same query/response matching as captures, so a dnstap file and
// a pcap of the same traffic yield the same events. Resolver- and
// forwarder-side messages (the resolver's own upstream traffic) are counted
// and skipped unless asked for. The protobuf encoding is decoded by hand:
// the schema is small and fixed, and this runs once per message.
#pragma once

#include <memory>
#include <string>

#include "ingest/source.h"

namespace nsradar::ingest {

std::unique_ptr<EventSource> NewDnstapFileSource(const std::string& path, const SourceOptions& options);

// Decodes Frame Streams data frames holding dnstap messages; shared by the
// file source and the socket receiver, and fed directly by the fuzzer.
class DnstapDecoder {
 public:
  DnstapDecoder(const SourceOptions& options, SourceStats* stats);
  ~DnstapDecoder();
  // One data frame (a serialized dnstap.Dnstap message).
  void Frame(const uint8_t* data, size_t size, const EventSink& sink);
  void Finish(const EventSink& sink);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace nsradar::ingest
