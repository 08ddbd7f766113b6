#include "detect/detector.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "detect/label_features.h"
#include "dns/rr_type.h"
#include "util/hash.h"

namespace nsradar::detect {
namespace {

// Types that carry data downstream better than A/AAAA and that ordinary
// clients rarely ask for in bulk.
bool RareType(uint16_t t) {
  return t == dns::rr::kTXT || t == 10 /* NULL */ || t == dns::rr::kCNAME || t == dns::rr::kMX || t == 25 /* KEY */ ||
         t == 255 /* ANY */ || t >= 65280 /* private use */;
}

// Encoded data rather than a host name. Calibrated on the benign corpus
// (docs/detection.md): words, even consonant-heavy ones ("tijdschrift"),
// never count; random base32 of 16+ characters holds a digit with
// probability above 96%, so letter-only names are not taken for base32.
bool LooksEncoded(const LabelFeatures& f, std::string_view sub) {
  if (f.length < 16) return false;
  if (f.non_ldh || f.base64_chars) return true;
  const bool has_digit = f.digit_ratio > 0;
  if ((f.hex_only || f.base32_only) && has_digit && f.digit_ratio < 1) return true;
  if (f.longest_label >= 40 && (f.digit_ratio >= 0.05 || ByteEntropy(sub) >= 4.2)) return true;
  return f.digit_ratio >= 0.3;
}

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

}  // namespace

std::string ToolFingerprint(std::string_view sub, uint16_t qtype) {
  if (sub.find("=auth") != std::string_view::npos || sub.find("=connect") != std::string_view::npos) {
    return "dns2tcp";
  }
  if (sub.starts_with("dnscat.") || sub.starts_with("dnscat")) return "dnscat2";
  if (sub.starts_with("init.") && sub.size() > 30) return "DNSExfiltrator";
  if (qtype == 10 /* NULL */) return "iodine";                                  // iodine's default downstream type
  if (sub.starts_with("vaaaak") || sub.starts_with("Vaaaak")) return "iodine";  // its version handshake
  for (std::string_view p : {"api.", "www6.", "post."}) {
    if (sub.starts_with(p) && sub.size() > p.size() + 16) {
      std::string_view rest = sub.substr(p.size());
      if (std::all_of(rest.begin(), rest.begin() + 16,
                      [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
        return "Cobalt Strike";
      }
    }
  }
  return "";
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

  // The part left of the registered domain, as sent. Names under 16 bytes
  // never look encoded: most events stop at the length test.
  std::string_view raw = ev.qname_raw;
  std::string_view sub;
  if (raw.size() > registered.size() + 1) sub = raw.substr(0, raw.size() - registered.size() - 1);
  bool encoded = false;
  uint32_t longest_label = 0;
  if (sub.size() >= 16) {
    LabelFeatures f = ComputeLabelFeatures(sub);
    longest_label = f.longest_label;
    encoded = LooksEncoded(f, sub);
  }

  bool created = false;
  DomainCounters& c = counters_.Touch(key_hash, &created);
  if (created) c.first_seen = now;
  c.last_seen = std::max(c.last_seen, now);
  ++c.queries;
  c.nxdomain += ev.rcode == 3;
  c.rare_types += RareType(ev.qtype);
  c.encoded += encoded;
  c.client_bits |= uint64_t{1} << (host_id >> 58);
  std::string fingerprint;
  if (options_.fingerprints && !sub.empty() && !c.alerted) fingerprint = ToolFingerprint(sub, ev.qtype);
  c.suspicious |= encoded || !fingerprint.empty();

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
  if (now - e.short_start > options_.short_window_us) {
    e.info_short.Clear();
    e.short_start = now;
  }
  if (now - e.long_start > options_.long_window_us) {
    e.info_long.Clear();
    e.long_start = now;
  }
  if (!sub.empty()) {
    const uint64_t h = HashBytes(sub);
    e.info_short.AddHash(h, static_cast<double>(sub.size()));
    e.info_long.AddHash(h, static_cast<double>(sub.size()));
    if (longest_label == 0) {
      for (char ch : sub) {
        longest_label = ch == '.' ? 0 : longest_label + 1;
        e.longest_label = std::max(e.longest_label, longest_label);
      }
    }
    e.longest_label = std::max(e.longest_label, longest_label);
    if (e.fingerprint.empty()) e.fingerprint = std::move(fingerprint);
    if (e.sample_count < kSamples) e.samples[e.sample_count++] = ev.qname_raw;
  }
  // Clients: the first kClients distinct ones are tracked by address.
  int k = 0;
  while (k < e.client_count && !(e.clients[k].address == ev.client)) ++k;
  if (k == e.client_count && e.client_count < kClients) {
    e.clients[e.client_count++] = AlertClient{ev.client, 0, now, before.first_seen, before.queries, before.encoded};
  }
  if (k < e.client_count) ++e.clients[k].queries;
  Evaluate(entry.key, c, e, now, alerts);
}

void Detector::Evaluate(const std::string& domain, DomainCounters& c, Evidence& e, int64_t now,
                        std::vector<Alert>* alerts) {
  if (c.queries < options_.min_queries) return;
  // Information per client: a tunnel or a leak is one host (or a few)
  // sending everything; names of shared infrastructure (CDN nodes, ad
  // frames) are spread over many hosts, each sending little.
  const double clients = std::max(1.0, DistinctClients(c.client_bits));
  const double info_short = e.info_short.Estimate() / clients;
  const double info_long = e.info_long.Estimate() / clients;
  const double encoded_ratio = static_cast<double>(c.encoded) / static_cast<double>(c.queries);
  const double rare_ratio = static_cast<double>(c.rare_types) / static_cast<double>(c.queries);
  const bool volume = info_short >= options_.short_info_bytes || info_long >= options_.long_info_bytes;
  const bool encoded = encoded_ratio >= options_.min_encoded_ratio;
  if (!volume || !(encoded || !e.fingerprint.empty())) return;

  Alert a;
  a.registered_domain = domain;
  a.alert_time_us = now;
  a.first_seen_us = c.first_seen;
  a.last_seen_us = c.last_seen;
  // Tunnels move data both ways quickly (rare types, a short window);
  // exfiltration leaks upstream only, often slowly.
  const bool fast = info_short >= options_.short_info_bytes;
  a.category =
      (rare_ratio >= 0.5 || !e.fingerprint.empty() || fast) ? AlertCategory::kTunneling : AlertCategory::kExfiltration;
  // Random names from a crowd of hosts, mostly unanswered: a
  // random-subdomain (water torture) attack on the domain's servers, or
  // hosts behind a resolver being used for one; not a data channel.
  const double nxdomain_ratio = static_cast<double>(c.nxdomain) / static_cast<double>(c.queries);
  if (clients >= kCrowd && nxdomain_ratio >= 0.5 && e.fingerprint.empty()) {
    a.category = AlertCategory::kRandomSubdomainAttack;
  }
  if (!e.benign_category.empty()) {
    a.category = AlertCategory::kBenignDataOverDns;
    a.benign_category = e.benign_category;
    a.reasons.push_back({"allowlist", 1, 1, std::string(e.benign_category)});
  }
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
  a.reasons.push_back({"rare_qtype_ratio", rare_ratio, 0.5, "TXT, NULL, CNAME, MX, KEY, ANY, private types"});
  a.reasons.push_back({"distinct_clients", clients, 0, "hosts sharing the domain's traffic (estimate)"});
  a.reasons.push_back({"longest_label", static_cast<double>(e.longest_label), 0, ""});
  if (c.queries) {
    a.reasons.push_back({"nxdomain_ratio", static_cast<double>(c.nxdomain) / static_cast<double>(c.queries), 0, ""});
  }
  if (!e.fingerprint.empty()) a.reasons.push_back({"tool_fingerprint", 1, 1, e.fingerprint});
  a.score = std::min(
      1.0,
      0.4 * std::min(1.0, std::max(info_short / options_.short_info_bytes, info_long / options_.long_info_bytes) / 2) +
          0.4 * encoded_ratio + (e.fingerprint.empty() ? 0.0 : 0.2));
  a.severity = a.category == AlertCategory::kBenignDataOverDns ? Severity::kInfo
               : a.score >= 0.6                                ? Severity::kHigh
                                                               : Severity::kMedium;
  for (int i = 0; i < e.client_count; ++i) a.clients.push_back(e.clients[i]);
  std::sort(a.clients.begin(), a.clients.end(),
            [](const AlertClient& x, const AlertClient& y) { return x.queries > y.queries; });
  for (int i = 0; i < e.sample_count; ++i) a.samples.push_back(e.samples[i]);
  c.alerted = true;
  alerts->push_back(std::move(a));
}

}  // namespace nsradar::detect
