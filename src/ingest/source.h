// EventSource: anything that yields DnsEvents (a pcap file, a dnstap file, a
// log file). formats.h opens the right one for a path.
//
// Bad input never stops a source: each skipped packet, frame or line is
// counted under a reason, and the first few are kept as samples for
// verbose output. An input that cannot be opened is an error of Run; one
// that breaks off (a read or decompression error, a truncated or damaged
// file) still delivers what came before and sets stats().input_error, so
// the program can fail the run once every input is read.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dns/public_suffix.h"
#include "ingest/event.h"
#include "util/status.h"

namespace nsradar::ingest {

// Which sides of a resolver's dnstap to read (--vantage, DnsEvent's
// Vantage): its client-side messages, its resolver-side ones, or both.
// Only dnstap tells the sides apart; captures and logs read as client side
// whatever the choice.
enum class VantageChoice : uint8_t { kClient, kResolver, kBoth };
std::string_view VantageChoiceName(VantageChoice v);
bool ParseVantageChoice(std::string_view text, VantageChoice* out);  // "client", "resolver", "both"

struct SourceOptions {
  const dns::PublicSuffixList* psl = nullptr;  // default list when null
  std::vector<uint16_t> dns_ports = {53};      // pcap: ports carrying DNS
  int64_t match_timeout_us = 5'000'000;        // pcap: a query without response is emitted after this
  size_t max_pending_queries = 200'000;        // pcap: bound of the query/response table
  size_t max_tcp_flows = 65'536;
  size_t max_samples = 5;  // bad-input samples kept per reason
  // Text logs: keep reading as the file grows, like `tail -F`, across
  // rotation (the path renamed and recreated) and truncation, until *stop.
  bool follow = false;
  const std::atomic<bool>* stop = nullptr;
  VantageChoice vantage = VantageChoice::kBoth;
  // Whether resolver-side echoes of client-side queries (DnsEvent::echo)
  // are delivered. Off by default, for detection (detect, watch, serve):
  // each query must count once, and the client-side event carries the
  // client. Passive DNS and display turn it on: referrals are echoes too.
  bool keep_echoes = false;
  // Whether events come with their registered domain (DnsEvent::
  // registered_offset). Off only for a caller that finds it itself on
  // another thread (NewPrefetchingSource with a list): the reading thread
  // is the busier one.
  bool registered_domains = true;
};

struct SourceStats {
  uint64_t records = 0;  // packets, frames or lines read
  uint64_t events = 0;
  std::map<std::string, uint64_t> skipped;                  // reason -> count
  std::map<std::string, std::vector<std::string>> samples;  // reason -> "place: detail"
  // Why the input was not read to its end (also counted under a reason); OK
  // when it was.
  Status input_error;

  void Skip(const std::string& reason, const std::string& sample, size_t max_samples);
};

using EventSink = std::function<void(const DnsEvent&)>;

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Reads the whole input, calling `sink` for every event, in input order
  // (for pcap: in order of completion of each transaction).
  virtual Status Run(const EventSink& sink) = 0;
  const SourceStats& stats() const { return stats_; }

 protected:
  SourceStats stats_;
};

// Fills ev->registered_offset from ev->qname.
void SetRegisteredDomain(const dns::PublicSuffixList& psl, DnsEvent* ev);

}  // namespace nsradar::ingest
