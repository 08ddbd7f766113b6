#include "detect/detector.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "detect/evidence_tier.h"
#include "detect/label_features.h"
#include "dns/rr_type.h"
#include "util/hash.h"

namespace nsradar::detect {
namespace {

// Distinct clients of a domain from a 64-bit map (linear counting):
// exact enough to tell one or a few hosts from a crowd, in 8 bytes.
// A domain's traffic from at least this many hosts is a crowd, not a
// tunnel's client.
constexpr double kCrowd = 32;

double DistinctClients(uint64_t bits) {
  const int zeros = 64 - std::popcount(bits);
  if (zeros == 0) return 64 * std::log(64.0);
  return 64 * std::log(64.0 / zeros);
}

// What a response says about the domain's name servers and web site.
uint8_t LearnTrafficFacts(const ingest::DnsEvent& ev, std::string_view registered) {
  if (!ev.has_response || ev.rcode != 0) return 0;
  uint8_t facts = 0;
  auto note_ns = [&](const std::vector<ingest::DnsRecordData>& records) {
    for (const ingest::DnsRecordData& r : records) {
      if (r.type != dns::rr::kNS || r.name != registered) continue;
      const std::string_view target = r.data;
      if (target.size() > registered.size() && target.ends_with(registered) &&
          target[target.size() - registered.size() - 1] == '.') {
        facts |= DomainCounters::kSelfHostedNs;
      }
    }
  };
  note_ns(ev.authority_ns);
  const std::string_view q = ev.qname;
  if (ev.qtype == dns::rr::kNS) note_ns(ev.answers);
  if (q == registered || (q.size() == registered.size() + 4 && q.starts_with("www.") && q.ends_with(registered))) {
    for (const ingest::DnsRecordData& r : ev.answers) {
      if (r.type == dns::rr::kA || r.type == dns::rr::kAAAA) facts |= DomainCounters::kWebPresence;
    }
  }
  return facts;
}

double MarkWeight(MarkConfidence c, double threshold) {
  switch (c) {
    case MarkConfidence::kNone:
      return 0;
    case MarkConfidence::kLow:
      return threshold / 3;
    case MarkConfidence::kMedium:
    case MarkConfidence::kHigh:
      return threshold;
  }
  return 0;
}

}  // namespace

void Detector::DecayedScore::Add(double weight, int64_t now, int64_t decay_us) {
  if (now > time) {
    if (time != 0) value *= std::exp(-static_cast<double>(now - time) / static_cast<double>(decay_us));
    time = now;
  }
  value = std::max(0.0, value + weight);
}

bool Detector::RecentNames::Insert(uint64_t hash) {
  if (count >= 256) {
    bits = {};
    count = 0;
  }
  const uint32_t a = static_cast<uint32_t>(hash) & 1023, b = static_cast<uint32_t>(hash >> 32) & 1023;
  const bool seen = (bits[a >> 6] >> (a & 63) & 1) && (bits[b >> 6] >> (b & 63) & 1);
  if (seen) return false;
  bits[a >> 6] |= uint64_t{1} << (a & 63);
  bits[b >> 6] |= uint64_t{1} << (b & 63);
  ++count;
  return true;
}

Detector::Detector(DetectorOptions options, Allowlist allowlist)
    : options_(options),
      allowlist_(std::move(allowlist)),
      counters_(options.max_domains),
      evidence_(options.max_suspicious_domains, 2),
      hosts_(std::bit_ceil(std::max<size_t>(options.client_slots, 1))) {}

void Detector::Add(const ingest::DnsEvent& ev, std::vector<Alert>* alerts) {
  const std::string_view registered = ev.registered_domain();
  if (registered.empty() || !ev.has_query) return;
  const int64_t now = ev.ts_us;
  if (marked_.size() != 0) {
    std::string_view unused;
    if (!marked_.MatchEntries(ev.qname, &unused).empty()) return;
  }

  // The two table slots this event needs are random accesses into
  // megabytes: ask for both first, and compute the name's features while
  // they arrive.
  char host_key[1 + 16];
  host_key[0] = static_cast<char>(ev.client.family);
  std::memcpy(host_key + 1, ev.client.bytes.data(), ev.client.size());
  uint64_t host_id = HashBytes(std::string_view(host_key, 1 + ev.client.size()));
  if (host_id == 0) host_id = 1;  // 0 marks an empty slot
  Host& host = hosts_[host_id & (hosts_.size() - 1)];
  __builtin_prefetch(&host, 1);
  uint64_t key_hash = HashBytes(registered);
  counters_.Prefetch(key_hash);
  std::string_view key = registered;
  std::string_view benign_category;
  if (std::string_view listed = allowlist_.Match(ev.qname, &benign_category); !listed.empty()) {
    key = listed;
    key_hash = HashBytes(key);
  }

  // The part left of the registered domain, as sent, or lower-cased when
  // the sender randomises case (dns-0x20): case there is noise, not encoding.
  const std::string_view raw = NameAsRead(ev);
  std::string_view sub;
  if (raw.size() > registered.size() + 1) sub = raw.substr(0, raw.size() - registered.size() - 1);
  const NameEvidence name = ClassifyName(sub);
  const bool encoded = name.shape == NameShape::kEncoded;

  bool created = false;
  DomainCounters& c = counters_.Touch(key_hash, &created);
  if (created) c.first_seen = now;
  c.last_seen = std::max(c.last_seen, now);
  ++c.queries;
  c.nxdomain += ev.rcode == 3;
  c.rare_types += RareType(ev.qtype);
  c.encoded += encoded;
  c.plain += name.shape == NameShape::kPlain;
  c.client_bits |= uint64_t{1} << (host_id >> 58);
  if (ev.has_response) c.traffic_facts |= LearnTrafficFacts(ev, registered);
  ToolMark mark;
  if (options_.fingerprints && !c.alerted) mark = FindToolMark(sub.empty() ? raw : sub, ev.qtype);
  c.suspicious |= name.shape != NameShape::kPlain || static_cast<bool>(mark) || TunnelOnlyType(ev.qtype);

  // The client's baseline. Allowlisted traffic (antivirus lookups, DKIM)
  // would make every host look like it always sends encoded names.
  if (host.id != host_id) {
    clients_seen_ += host.id == 0;
    host = Host{host_id, now, 0, 0};
  }
  const Host before = host;
  if (benign_category.empty()) {
    ++host.queries;
    host.encoded += encoded;
  }
  if (!c.suspicious || c.alerted) return;

  auto& entry = evidence_.Touch(key);
  Evidence& e = entry.state;
  if (entry.weight == entry.error + 1) {  // new evidence
    e.short_start = e.long_start = now;
    e.benign_category = benign_category;
  }
  const TrafficFacts traffic = TrafficFactsOf(c);
  UpdateEvidence(ev, sub, mark, before, traffic.distinct_clients, e);
  Evaluate(entry.key, traffic, c, e, now, alerts);
}

void Detector::UpdateEvidence(const ingest::DnsEvent& ev, std::string_view sub, ToolMark mark, const Host& before,
                              double clients, Evidence& e) {
  const int64_t now = ev.ts_us;
  if (now - e.short_start > options_.short_window_us) {
    e.info_short.Clear();
    e.short_start = now;
  }
  if (now - e.long_start > options_.long_window_us) {
    e.info_long.Clear();
    e.long_start = now;
  }
  // A name sent before (a retransmission, another type for the same name,
  // a cached name asked again) carries nothing new: no weight, no sample.
  // A new name weighs by its new labels only.
  const uint64_t h = HashBytes(sub);
  const bool fresh = e.recent.Insert(h);
  double weight = kRepeatWeight;
  NameEvidence name;
  if (fresh) {
    std::string novel;
    for (size_t pos = 0; pos < sub.size();) {
      const size_t dot = std::min(sub.find('.', pos), sub.size());
      const std::string_view label = sub.substr(pos, dot - pos);
      if (e.recent_labels.Insert(HashBytes(label))) {
        if (!novel.empty()) novel.push_back('.');
        novel.append(label);
      }
      pos = dot + 1;
    }
    name = ClassifyName(novel);
    weight = NovelQueryWeight(name, ev.qtype);
    ++e.new_names;
    e.up_bytes += sub.size();
    if (ev.has_response) {
      ++e.answered;
      const uint32_t down = AnswerDataBytes(ev);
      e.down_bytes += down;
      e.data_answers += down >= 8;
    }
    if (!sub.empty() && e.sample_count < kSamples) e.samples[e.sample_count++] = ev.qname_raw;
    if (options_.fingerprints && !mark && !sub.empty() && e.dnscat2.Feed(sub)) {
      mark = {MarkConfidence::kHigh, "dnscat2", "hex packets repeating one session id"};
    }
    // What a crowd sends to a domain is what the domain is for: one
    // client's share of it (a NAT's hundred hosts) weighs that much less.
    if (weight > 0) weight /= std::max(1.0, clients / 4);
    weight += MarkWeight(mark.confidence, options_.evidence_threshold);
  }
  if (mark.confidence > e.mark.confidence) e.mark = mark;
  if (!sub.empty()) {
    e.info_short.AddHash(h, static_cast<double>(sub.size()));
    e.info_long.AddHash(h, static_cast<double>(sub.size()));
    for (uint32_t label = 0; char ch : sub) {
      label = ch == '.' ? 0 : label + 1;
      e.longest_label = std::max(e.longest_label, label);
    }
  }
  // Clients: the first kClients distinct ones are tracked by address, each
  // with its own score; every client adds to the domain's.
  int k = 0;
  while (k < e.client_count && !(e.clients[k].address == ev.client)) ++k;
  if (k == e.client_count && e.client_count < kClients) {
    e.clients[e.client_count] = AlertClient{ev.client, 0, now, before.first_seen, before.queries, before.encoded};
    e.client_scores[e.client_count++] = DecayedScore{};
  }
  if (k < e.client_count) {
    ++e.clients[k].queries;
    e.client_scores[k].Add(weight, now, options_.evidence_decay_us);
  }
  e.domain_score.Add(weight, now, options_.evidence_decay_us);
}

TrafficFacts Detector::TrafficFactsOf(const DomainCounters& c) {
  TrafficFacts t;
  t.self_hosted = c.traffic_facts & DomainCounters::kSelfHostedNs;
  t.web_presence = c.traffic_facts & DomainCounters::kWebPresence;
  t.distinct_clients = std::max(1.0, DistinctClients(c.client_bits));
  t.queries = c.queries;
  t.plain_queries = c.plain;
  return t;
}

void Detector::Evaluate(const std::string& domain, const TrafficFacts& traffic, DomainCounters& c, Evidence& e,
                        int64_t now, std::vector<Alert>* alerts) {
  const double h = options_.evidence_threshold;
  Rule rule = Rule::kNone;

  // Volume: information per client. A tunnel or a leak is one host (or a
  // few) sending everything; names of shared infrastructure (CDN nodes, ad
  // frames) are spread over many hosts, each sending little.
  const double info_short = e.info_short.Estimate() / traffic.distinct_clients;
  const double info_long = e.info_long.Estimate() / traffic.distinct_clients;
  const double encoded_ratio = static_cast<double>(c.encoded) / static_cast<double>(c.queries);
  // A crowd's traffic is not one host's channel: the client estimate
  // saturates near 266, so an ad network's millions of users can still
  // reach the per-client bar; for a crowd the rule is left to what it
  // finds among them, a random-subdomain attack (mostly NXDOMAIN).
  const bool crowd_ok = traffic.distinct_clients < kCrowd || c.nxdomain * 2 >= c.queries || !e.benign_category.empty();
  if (c.queries >= options_.min_queries && crowd_ok &&
      (info_short >= options_.short_info_bytes || info_long >= options_.long_info_bytes) &&
      (encoded_ratio >= options_.min_encoded_ratio || e.mark)) {
    rule = Rule::kVolume;
  }

  // Evidence: the best client's score, or the domain's when its clients
  // share the session (a tunnel over several resolvers), against the
  // threshold less the prior. Allowlisted services are judged by volume.
  double best = e.domain_score.value / std::max(1.0, traffic.distinct_clients / 2);
  for (int i = 0; i < e.client_count; ++i) best = std::max(best, e.client_scores[i].value);
  if (e.benign_category.empty()) {
    if (!e.facts_looked_up && options_.name_servers != nullptr && best >= h / 3) {
      e.facts = options_.name_servers->Lookup(domain, now);
      e.facts_looked_up = true;
      ++name_server_lookups_;
    }
    const double prior = NameServerPrior(e.facts, traffic, h, nullptr);
    e.peak = std::max(e.peak, best + prior);
    if (rule == Rule::kNone && (best + prior >= h || e.mark.confidence == MarkConfidence::kHigh)) {
      rule = Rule::kEvidence;
    }
  }
  if (rule == Rule::kNone) return;
  alerts->push_back(MakeAlert(domain, traffic, c, e, rule, now, best));
  c.alerted = true;
}

std::vector<std::pair<std::string, double>> Detector::PeakEvidence(size_t n) const {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& entry : evidence_.entries()) {
    if (entry.state.benign_category.empty()) out.emplace_back(entry.key, entry.state.peak);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > n) out.resize(n);
  return out;
}

Alert Detector::MakeAlert(const std::string& domain, const TrafficFacts& traffic, const DomainCounters& c,
                          const Evidence& e, Rule rule, int64_t now, double best_score) const {
  const double h = options_.evidence_threshold;
  const double clients = traffic.distinct_clients;
  const double info_short = e.info_short.Estimate() / clients;
  const double info_long = e.info_long.Estimate() / clients;
  const double queries = static_cast<double>(c.queries);
  const double encoded_ratio = c.encoded / queries;
  const double rare_ratio = c.rare_types / queries;
  const double nxdomain_ratio = c.nxdomain / queries;
  std::string prior_detail;
  const double prior = NameServerPrior(e.facts, traffic, h, &prior_detail);

  Alert a;
  a.registered_domain = domain;
  a.alert_time_us = now;
  a.first_seen_us = c.first_seen;
  a.last_seen_us = c.last_seen;
  // The direction of information (docs/detection.md): a channel whose
  // answers carry data back is a tunnel; one whose answers carry nothing
  // (addresses, NXDOMAIN, a short acknowledgement) leaks upstream only.
  // Without responses (query logs), rare types say a tunnel.
  if (e.answered > 0) {
    a.category = e.data_answers * 10 >= e.answered * 3 ? AlertCategory::kTunneling : AlertCategory::kExfiltration;
  } else {
    a.category = rare_ratio >= 0.5 ? AlertCategory::kTunneling : AlertCategory::kExfiltration;
  }
  // Random names from a crowd of hosts, mostly unanswered: a
  // random-subdomain (water torture) attack on the domain's servers, or
  // hosts behind a resolver being used for one; not a data channel.
  if (clients >= kCrowd && nxdomain_ratio >= 0.5 && !e.mark) a.category = AlertCategory::kRandomSubdomainAttack;
  if (!e.benign_category.empty()) {
    a.category = AlertCategory::kBenignDataOverDns;
    a.benign_category = e.benign_category;
    a.reasons.push_back({"allowlist", 1, 1, std::string(e.benign_category)});
  }
  if (rule == Rule::kEvidence) {
    a.reasons.push_back({"evidence_score", best_score + prior, h,
                         "the client's (or domain's) new names weighed by shape, length and type, decayed over "
                         "30 minutes, plus the name-server prior"});
  }
  a.reasons.push_back({"name_server_prior", prior, 0, prior_detail});
  if (info_short >= options_.short_info_bytes) {
    a.reasons.push_back({"info_short_window_bytes", info_short, options_.short_info_bytes,
                         "distinct subdomain bytes per client within the short window"});
  }
  if (info_long >= options_.long_info_bytes) {
    a.reasons.push_back({"info_long_window_bytes", info_long, options_.long_info_bytes,
                         "distinct subdomain bytes per client within the long window"});
  }
  a.reasons.push_back({"encoded_name_ratio", encoded_ratio, options_.min_encoded_ratio,
                       "queries whose subdomain looks encoded (base32/64, hex, high entropy, 8-bit)"});
  a.reasons.push_back({"distinct_subdomains_short_window", e.info_short.Distinct(), 0, ""});
  a.reasons.push_back({"upstream_bytes", static_cast<double>(e.up_bytes), 0, "bytes of new names sent"});
  a.reasons.push_back({"data_answer_ratio", e.answered ? static_cast<double>(e.data_answers) / e.answered : 0, 0.3,
                       "answers to new names that carried 8 bytes of data or more (tunneling at 0.3)"});
  a.reasons.push_back({"downstream_bytes", static_cast<double>(e.down_bytes), 0, "bytes of data in those answers"});
  a.reasons.push_back({"rare_qtype_ratio", rare_ratio, 0.5, "TXT, NULL, CNAME, MX, KEY, ANY, private types"});
  a.reasons.push_back({"distinct_clients", clients, 0, "hosts sharing the domain's traffic (estimate)"});
  a.reasons.push_back({"longest_label", static_cast<double>(e.longest_label), 0, ""});
  a.reasons.push_back({"nxdomain_ratio", nxdomain_ratio, 0, ""});
  if (e.mark) {
    a.reasons.push_back({"tool_fingerprint", 1, 1, std::string(e.mark.tool)});
    a.reasons.push_back(
        {"tool_mark", 1, 1,
         fmt::format("{}: {} (confidence {})", e.mark.tool, e.mark.what, MarkConfidenceName(e.mark.confidence))});
  }
  const double volume = std::max(info_short / options_.short_info_bytes, info_long / options_.long_info_bytes);
  a.score = std::min(1.0, std::max(0.4 * std::min(1.0, volume / 2) + 0.4 * encoded_ratio + (e.mark ? 0.2 : 0.0),
                                   (best_score + prior) / (2 * h)));
  a.severity = a.category == AlertCategory::kBenignDataOverDns                ? Severity::kInfo
               : a.score >= 0.6 || e.mark.confidence == MarkConfidence::kHigh ? Severity::kHigh
                                                                              : Severity::kMedium;
  for (int i = 0; i < e.client_count; ++i) a.clients.push_back(e.clients[i]);
  std::sort(a.clients.begin(), a.clients.end(),
            [](const AlertClient& x, const AlertClient& y) { return x.queries > y.queries; });
  for (int i = 0; i < e.sample_count; ++i) a.samples.push_back(e.samples[i]);
  return a;
}

}  // namespace nsradar::detect
