// Detector: per registered domain evidence of DNS tunneling and data
// exfiltration, in bounded memory, raising explained alerts.
//
// Two tiers, so the per-event cost stays near one cache miss:
//   - every domain has DomainCounters (queries, encoded-looking and plain
//     names, NXDOMAIN, rare query types, a distinct-client bitmap, times,
//     what responses said about its name servers);
//   - a domain that ever sends an encoded-looking name, a rare data type
//     or a known tool's mark becomes suspicious and gets Evidence in a
//     smaller BoundedTable: the information sent in a short and a long
//     window (InfoSketch over distinct subdomain strings), a filter of its
//     recent names (a repeat carries nothing), a decayed evidence score per
//     client and for the domain, the name-server facts, samples, marks.
//
// Two rules decide, and an alert fires once per domain when either does;
// its time is the event time at which it did:
//   - evidence: each new name adds its weight (query_evidence.h) to the
//     client's and the domain's score, which decay with
//     `evidence_decay_us`; the score plus the name-server prior
//     (name_server_facts.h) reaching `evidence_threshold` decides. A dozen
//     strongly encoded queries to a self-hosted young domain do; the same
//     shape to a shared provider or from a crowd does not. A tool's mark of
//     medium confidence adds a threshold's worth; a high one decides alone.
//   - volume: enough distinct subdomain bytes per client in the short or
//     the long window, with mostly encoded names (the low-and-slow leaks
//     and loud transfers, whatever their name servers).
//
// Queries under an Allowlist name are tallied under that name instead of their
// registered domain and reported as `benign-data-over-dns`, by the volume rule
// only. Queries at or below a name the analysts marked as a false positive
// (SetMarked) are ignored altogether: no counters, no evidence, no baseline, no
// alert, whatever their volume. Each client keeps a baseline, how many of its
// queries looked encoded, so an alert can say that a host began sending encoded
// names only when it met this domain.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detect/alert.h"
#include "detect/allowlist.h"
#include "detect/bounded_table.h"
#include "detect/domain_counters.h"
#include "detect/info_sketch.h"
#include "detect/name_server_facts.h"
#include "detect/query_evidence.h"
#include "detect/tool_marks.h"
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
  uint64_t min_queries = 20;                // before the volume rule applies
  // The evidence rule: score units are log-likelihood ratios of a data
  // channel over ordinary use (query_evidence.h); docs/detection.md shows
  // the false positives and recall against this threshold.
  double evidence_threshold = 30;
  int64_t evidence_decay_us = 1'800'000'000;  // a score loses 1/e of itself in 30 minutes
  // Tool marks add evidence; off, the detector must still find the tools
  // by their traffic alone (the recall tests check both).
  bool fingerprints = true;
  // The reverse name-server index, asked once per domain whose score
  // reaches a third of the threshold; borrowed, may be null (traffic facts
  // only). Must outlive the detector.
  NameServerOracle* name_servers = nullptr;
};

class Detector {
 public:
  explicit Detector(DetectorOptions options = {}, Allowlist allowlist = Allowlist::BuiltIn());
  // Feeds one event; appends any alert it completes to *alerts.
  void Add(const ingest::DnsEvent& ev, std::vector<Alert>* alerts);
  // Replaces the analysts' false positives (intel/store_allowlist.h): from
  // the next Add, queries at or below an entry are ignored, including those
  // of domains already tracked (their state stays, unused, until evicted or
  // unmarked: a domain taken off the list is judged on as before). Entries'
  // categories are not used. Not thread-safe: the caller serialises it with
  // Add. Replacing is safe at any time because nothing outlives one Add's
  // use of this list, unlike the allowlist given at construction, which
  // never changes: Evidence keeps views of its categories.
  void SetMarked(Allowlist marked) { marked_ = std::move(marked); }
  size_t domains() const { return counters_.size(); }
  size_t suspicious_domains() const { return evidence_.size(); }
  size_t clients() const { return clients_seen_; }
  uint64_t domain_evictions() const { return counters_.evictions(); }
  uint64_t name_server_lookups() const { return name_server_lookups_; }
  // The suspicious domains still tracked, each with the highest evidence
  // (score plus prior) it reached, highest first, at most `n`: how close
  // benign traffic came to the threshold (bench/benign_days_bench).
  // Allowlisted names are left out: the volume rule alone judges them.
  std::vector<std::pair<std::string, double>> PeakEvidence(size_t n) const;

 private:
  static constexpr int kClients = 8;
  static constexpr int kSamples = 3;
  // A score that decays toward 0 and never goes below it: evidence builds
  // up over a session, and ordinary queries between sessions cannot bank
  // credit against the next one.
  struct DecayedScore {
    double value = 0;
    int64_t time = 0;
    void Add(double weight, int64_t now, int64_t decay_us);
  };
  // The names (or labels) a domain was recently sent, as a Bloom filter of
  // 1,024 bits and two hashes, emptied after 256 (about 2% false repeats
  // then).
  struct RecentNames {
    std::array<uint64_t, 16> bits{};
    uint32_t count = 0;
    bool Insert(uint64_t hash);  // whether the name is new
  };
  struct Evidence {
    InfoSketch info_short, info_long;
    int64_t short_start = 0, long_start = 0;
    uint32_t longest_label = 0;
    std::array<AlertClient, kClients> clients;
    std::array<DecayedScore, kClients> client_scores;
    int client_count = 0;
    DecayedScore domain_score;
    // Names and labels recently sent: a repeated name carries nothing, and
    // only a name's new labels carry information (a DNSBL customer's access
    // key or a beacon's id repeats in every name; a tunnel's data never).
    RecentNames recent, recent_labels;
    // The direction of information: distinct subdomain bytes sent, and
    // responses to new names whose answers carried data (8 bytes or more).
    uint64_t up_bytes = 0, down_bytes = 0;
    uint32_t new_names = 0, answered = 0, data_answers = 0;
    std::array<std::string, kSamples> samples;
    int sample_count = 0;
    ToolMark mark;
    Dnscat2HexTracker dnscat2;
    NameServerFacts facts;
    bool facts_looked_up = false;
    double peak = 0;                   // the highest score plus prior reached
    std::string_view benign_category;  // points into allowlist_, fixed for the detector's life
  };
  enum class Rule { kNone, kVolume, kEvidence };
  // A client's baseline, in a direct-mapped slot: a colliding client
  // replaces it (the baseline is advisory; the table never grows).
  struct alignas(32) Host {
    uint64_t id = 0;  // hash of family and address; 0: empty
    int64_t first_seen = 0;
    uint32_t queries = 0, encoded = 0;
  };

  void UpdateEvidence(const ingest::DnsEvent& ev, std::string_view sub, ToolMark mark, const Host& before,
                      double clients, Evidence& e);
  void Evaluate(const std::string& domain, const TrafficFacts& traffic, DomainCounters& c, Evidence& e, int64_t now,
                std::vector<Alert>* alerts);
  static TrafficFacts TrafficFactsOf(const DomainCounters& c);
  Alert MakeAlert(const std::string& domain, const TrafficFacts& traffic, const DomainCounters& c, const Evidence& e,
                  Rule rule, int64_t now, double best_score) const;

  DetectorOptions options_;
  const Allowlist allowlist_;  // const: Evidence keeps views into it
  Allowlist marked_;           // the analysts' false positives; nothing keeps views into it
  DomainCounterTable counters_;
  BoundedTable<Evidence> evidence_;
  std::vector<Host> hosts_;
  size_t clients_seen_ = 0;
  uint64_t name_server_lookups_ = 0;
};

}  // namespace nsradar::detect
