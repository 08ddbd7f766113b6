// DnstapSource: dnstap (https://dnstap.info) from Frame Streams files, as
// BIND writes them and fstrm_capture records them from Unbound, Knot
// Resolver and PowerDNS; gzip or zstd compressed files read the same.
//
// Query and response messages become events through the same
// query/response matching as captures, so a dnstap file and a pcap of the
// same traffic yield the same events: client-side ones (CLIENT_*, and AUTH_*,
// STUB_*, TOOL_*) and resolver-side ones (RESOLVER_* and FORWARDER_*, the
// resolver's own upstream traffic, DnsEvent::vantage), each side paired in
// its own table, as SourceOptions::vantage selects. Resolver-side events
// carry the message's query_zone as their bailiwick. With both sides read,
// a resolver-side event for a name the same sensor's client-side queries
// asked (or an ancestor of one) within 5 s is an echo (event.h), dropped
// unless SourceOptions::keep_echoes. The protobuf encoding is decoded by
// hand: the schema is small and fixed, and this runs once per message.
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
