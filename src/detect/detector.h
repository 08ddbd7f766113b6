// Detector: per registered domain evidence of DNS tunneling and data
// exfiltration, in bounded memory, raising explained alerts.
//
// Per domain (BoundedTable, at most max_domains): the information sent in a
// short and a long window (InfoSketch over distinct subdomain strings,
// weighted by length: repeats add nothing), distinct subdomains, queries,
// NXDOMAIN answers, the query-type mix, encoded-looking names
// (LabelFeatures), clients, first and last time, samples, and fingerprints
// of known tools. An alert fires once per domain when the evidence crosses
// the thresholds; its time is the event time at which it did.
//
// Queries under an Allowlist name are tallied under that name instead of
// their registered domain and reported as `benign-data-over-dns`. Each
// client (a second BoundedTable) keeps its own baseline, how many of its
// queries looked encoded, so an alert can say that a host began sending
// encoded names only when it met this domain.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/allowlist.h"
#include "detect/bounded_table.h"
#include "detect/info_sketch.h"
#include "dns/address.h"
#include "ingest/event.h"

namespace nsradar::detect {

struct DetectorOptions {
  size_t max_domains = 50'000;
  size_t max_clients = 65'536;
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

struct AlertReason {
  std::string feature;
  double value = 0;
  double threshold = 0;
  std::string detail;
};

struct AlertClient {
  dns::Address address;
  uint64_t queries = 0;  // to this domain
  int64_t first_seen_us = 0;
  // The host's baseline when it first queried this domain: its queries to
  // other domains and how many of them looked encoded, since it was first
  // seen.
  int64_t host_first_seen_us = 0;
  uint64_t host_queries_before = 0;
  uint64_t host_encoded_before = 0;
};

struct Alert {
  std::string registered_domain;
  std::string category;         // tunneling, exfiltration, benign-data-over-dns
  std::string benign_category;  // the allowlist category, for benign-data-over-dns
  std::string severity;         // high, medium
  double score = 0;
  std::vector<AlertClient> clients;
  int64_t first_seen_us = 0, last_seen_us = 0, alert_time_us = 0;
  std::vector<AlertReason> reasons;
  std::vector<std::string> samples;
};

class Detector {
 public:
  explicit Detector(DetectorOptions options = {}, Allowlist allowlist = Allowlist::BuiltIn());
  // Feeds one event; appends any alert it completes to *alerts.
  void Add(const ingest::DnsEvent& ev, std::vector<Alert>* alerts);
  size_t domains() const { return table_.size(); }
  size_t clients() const { return hosts_.size(); }
  uint64_t domain_evictions() const { return table_.evictions(); }

 private:
  static constexpr int kClients = 8;
  static constexpr int kSamples = 3;
  struct State {
    InfoSketch info_short, info_long;
    int64_t short_start = 0, long_start = 0;
    int64_t first_seen = 0, last_seen = 0;
    uint64_t queries = 0, nxdomain = 0, encoded = 0, rare_types = 0;
    uint32_t longest_label = 0;
    uint64_t client_bits = 0;  // one bit per client hash: distinct clients
    std::array<AlertClient, kClients> clients{};
    int client_count = 0;
    std::array<std::string, kSamples> samples;
    int sample_count = 0;
    std::string fingerprint;
    std::string_view benign_category;  // points into allowlist_
    bool alerted = false;
  };
  struct Host {
    int64_t first_seen = 0;
    uint64_t queries = 0, encoded = 0;
  };

  void Evaluate(const std::string& domain, State& s, int64_t now, std::vector<Alert>* alerts);

  DetectorOptions options_;
  Allowlist allowlist_;
  BoundedTable<State> table_;
  BoundedTable<Host> hosts_;
};

// Known tools' marks in a subdomain (iodine, dns2tcp, dnscat2, Cobalt
// Strike, DNSExfiltrator); empty when none. Evidence, never the only reason.
std::string ToolFingerprint(std::string_view subdomain_raw, uint16_t qtype);

}  // namespace nsradar::detect
