// Detector: per registered domain evidence of DNS tunneling and data
// exfiltration, in bounded memory, raising explained alerts.
//
// Two tiers, so the per-event cost stays near one cache miss:
//   - every domain has DomainCounters (queries, encoded-looking names,
//     NXDOMAIN, rare query types, a distinct-client bitmap, times);
//   - a domain that ever sends an encoded-looking name or a known tool's
//     mark becomes suspicious and gets Evidence in a smaller BoundedTable:
//     the information sent in a short and a long window (InfoSketch over
//     distinct subdomain strings, weighted by length: repeats add nothing),
//     its first clients with their baselines, samples, the fingerprint.
// An alert fires once per domain when the evidence crosses the thresholds;
// its time is the event time at which it did.
//
// Queries under an Allowlist name are tallied under that name instead of
// their registered domain and reported as `benign-data-over-dns`. Each
// client keeps a baseline, how many of its queries looked encoded, so an
// alert can say that a host began sending encoded names only when it met
// this domain.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/alert.h"
#include "detect/allowlist.h"
#include "detect/bounded_table.h"
#include "detect/domain_counters.h"
#include "detect/info_sketch.h"
#include "dns/address.h"
#include "ingest/event.h"

namespace nsradar::detect {

struct DetectorOptions {
  size_t max_domains = 750'000;             // DomainCounters, 64 bytes each (at 3/4 load)
  size_t max_suspicious_domains = 10'000;   // Evidence, about 2.4 KB each
  size_t client_slots = 65'536;             // host baselines, direct-mapped, 24 bytes each
  int64_t short_window_us = 600'000'000;    // 10 minutes
  int64_t long_window_us = 86'400'000'000;  // a day, for low-and-slow leaks
  double short_info_bytes = 3000;           // distinct subdomain bytes in the short window
  double long_info_bytes = 6000;            // ... in the long window
  double min_encoded_ratio = 0.5;           // of queries whose names look encoded
  uint64_t min_queries = 20;
  // Tool fingerprints add evidence; off, the detector must still find the
  // tools by their traffic alone (the recall harness checks both).
  bool fingerprints = true;
};

class Detector {
 public:
  explicit Detector(DetectorOptions options = {}, Allowlist allowlist = Allowlist::BuiltIn());
  // Feeds one event; appends any alert it completes to *alerts.
  void Add(const ingest::DnsEvent& ev, std::vector<Alert>* alerts);
  size_t domains() const { return counters_.size(); }
  size_t suspicious_domains() const { return evidence_.size(); }
  size_t clients() const { return clients_seen_; }
  uint64_t domain_evictions() const { return counters_.evictions(); }

 private:
  static constexpr int kClients = 8;
  static constexpr int kSamples = 3;
  struct Evidence {
    InfoSketch info_short, info_long;
    int64_t short_start = 0, long_start = 0;
    uint32_t longest_label = 0;
    std::array<AlertClient, kClients> clients;
    int client_count = 0;
    std::array<std::string, kSamples> samples;
    int sample_count = 0;
    std::string fingerprint;
    std::string_view benign_category;  // points into allowlist_
  };
  // A client's baseline, in a direct-mapped slot: a colliding client
  // replaces it (the baseline is advisory; the table never grows).
  struct alignas(32) Host {
    uint64_t id = 0;  // hash of family and address; 0: empty
    int64_t first_seen = 0;
    uint32_t queries = 0, encoded = 0;
  };

  void Evaluate(const std::string& domain, DomainCounters& c, Evidence& e, int64_t now, std::vector<Alert>* alerts);

  DetectorOptions options_;
  Allowlist allowlist_;
  DomainCounterTable counters_;
  BoundedTable<Evidence> evidence_;
  std::vector<Host> hosts_;
  size_t clients_seen_ = 0;
};

// Known tools' marks in a subdomain (iodine, dns2tcp, dnscat2, Cobalt
// Strike, DNSExfiltrator); empty when none. Evidence, never the only reason.
std::string ToolFingerprint(std::string_view subdomain_raw, uint16_t qtype);

}  // namespace nsradar::detect
