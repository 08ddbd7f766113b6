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
bool LooksEncoded(const LabelFeatures& f) {
  if (f.length < 16) return false;
  if (f.non_ldh || f.base64_chars) return true;
  const bool has_digit = f.digit_ratio > 0;
  if ((f.hex_only || f.base32_only) && has_digit && f.digit_ratio < 1) return true;
  if (f.longest_label >= 40 && (f.digit_ratio >= 0.05 || f.entropy >= 4.2)) return true;
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
      table_(options.max_domains),
      hosts_(options.max_clients, 2) {}

void Detector::Add(const ingest::DnsEvent& ev, std::vector<Alert>* alerts) {
  const std::string_view registered = ev.registered_domain();
  if (registered.empty() || !ev.has_query) return;
  std::string_view key = registered;
  std::string_view benign_category;
  if (std::string_view listed = allowlist_.Match(ev.qname, &benign_category); !listed.empty()) key = listed;
  auto& entry = table_.Touch(key);
  State& s = entry.state;
  const int64_t now = ev.ts_us;
  if (s.queries == 0) {
    s.first_seen = s.short_start = s.long_start = now;
    s.benign_category = benign_category;
  }
  // The host's baseline, keyed by family and address bytes.
  char host_key[1 + 16];
  host_key[0] = static_cast<char>(ev.client.family);
  std::memcpy(host_key + 1, ev.client.bytes.data(), ev.client.size());
  const std::string_view host_id(host_key, 1 + ev.client.size());
  Host& host = hosts_.Touch(host_id).state;
  s.client_bits |= uint64_t{1} << (HashBytes(host_id) & 63);
  if (host.queries == 0) host.first_seen = now;
  if (now - s.short_start > options_.short_window_us) {
    s.info_short.Clear();
    s.short_start = now;
  }
  if (now - s.long_start > options_.long_window_us) {
    s.info_long.Clear();
    s.long_start = now;
  }
  s.last_seen = std::max(s.last_seen, now);
  ++s.queries;
  if (ev.rcode == 3) ++s.nxdomain;
  if (RareType(ev.qtype)) ++s.rare_types;
  // The part left of the registered domain, as sent.
  std::string_view raw = ev.qname_raw;
  std::string_view sub;
  if (raw.size() > registered.size() + 1) sub = raw.substr(0, raw.size() - registered.size() - 1);
  bool encoded = false;
  if (!sub.empty()) {
    const uint64_t h = HashBytes(sub);
    s.info_short.AddHash(h, static_cast<double>(sub.size()));
    s.info_long.AddHash(h, static_cast<double>(sub.size()));
    if (sub.size() >= 16) {  // shorter names never look encoded: skip the statistics
      LabelFeatures f = ComputeLabelFeatures(sub);
      s.longest_label = std::max(s.longest_label, f.longest_label);
      encoded = LooksEncoded(f);
      s.encoded += encoded;
    } else {
      uint32_t label = 0;
      for (char ch : sub) {
        label = ch == '.' ? 0 : label + 1;
        s.longest_label = std::max(s.longest_label, label);
      }
    }
    if (options_.fingerprints && s.fingerprint.empty()) s.fingerprint = ToolFingerprint(sub, ev.qtype);
    if (s.sample_count < kSamples) s.samples[s.sample_count++] = ev.qname_raw;
  }
  // Clients: the first kClients distinct ones are tracked by address.
  int c = 0;
  while (c < s.client_count && !(s.clients[c].address == ev.client)) ++c;
  if (c == s.client_count && s.client_count < kClients) {
    s.clients[s.client_count++] = AlertClient{ev.client, 0, now, host.first_seen, host.queries, host.encoded};
  }
  if (c < s.client_count) ++s.clients[c].queries;
  // Allowlisted traffic (antivirus lookups, DKIM) would make every host
  // look like it always sends encoded names.
  if (s.benign_category.empty()) {
    ++host.queries;
    host.encoded += encoded;
  }
  if (!s.alerted) Evaluate(entry.key, s, now, alerts);
}

void Detector::Evaluate(const std::string& domain, State& s, int64_t now, std::vector<Alert>* alerts) {
  if (s.queries < options_.min_queries) return;
  // Information per client: a tunnel or a leak is one host (or a few)
  // sending everything; names of shared infrastructure (CDN nodes, ad
  // frames) are spread over many hosts, each sending little.
  const double clients = std::max(1.0, DistinctClients(s.client_bits));
  const double info_short = s.info_short.Estimate() / clients;
  const double info_long = s.info_long.Estimate() / clients;
  const double encoded_ratio = static_cast<double>(s.encoded) / static_cast<double>(s.queries);
  const double rare_ratio = static_cast<double>(s.rare_types) / static_cast<double>(s.queries);
  const bool volume = info_short >= options_.short_info_bytes || info_long >= options_.long_info_bytes;
  const bool encoded = encoded_ratio >= options_.min_encoded_ratio;
  if (!volume || !(encoded || !s.fingerprint.empty())) return;

  Alert a;
  a.registered_domain = domain;
  a.alert_time_us = now;
  a.first_seen_us = s.first_seen;
  a.last_seen_us = s.last_seen;
  // Tunnels move data both ways quickly (rare types, a short window);
  // exfiltration leaks upstream only, often slowly.
  const bool fast = info_short >= options_.short_info_bytes;
  a.category = (rare_ratio >= 0.5 || !s.fingerprint.empty() || fast) ? "tunneling" : "exfiltration";
  // Random names from a crowd of hosts, mostly unanswered: a
  // random-subdomain (water torture) attack on the domain's servers, or
  // hosts behind a resolver being used for one; not a data channel.
  const double nxdomain_ratio = static_cast<double>(s.nxdomain) / static_cast<double>(s.queries);
  if (clients >= kCrowd && nxdomain_ratio >= 0.5 && s.fingerprint.empty()) a.category = "random-subdomain-attack";
  if (!s.benign_category.empty()) {
    a.category = "benign-data-over-dns";
    a.benign_category = s.benign_category;
    a.reasons.push_back({"allowlist", 1, 1, std::string(s.benign_category)});
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
  a.reasons.push_back({"distinct_subdomains_short_window", s.info_short.Distinct(), 0, ""});
  a.reasons.push_back({"rare_qtype_ratio", rare_ratio, 0.5, "TXT, NULL, CNAME, MX, KEY, ANY, private types"});
  a.reasons.push_back({"distinct_clients", clients, 0, "hosts sharing the domain's traffic (estimate)"});
  a.reasons.push_back({"longest_label", static_cast<double>(s.longest_label), 0, ""});
  if (s.queries) {
    a.reasons.push_back({"nxdomain_ratio", static_cast<double>(s.nxdomain) / static_cast<double>(s.queries), 0, ""});
  }
  if (!s.fingerprint.empty()) a.reasons.push_back({"tool_fingerprint", 1, 1, s.fingerprint});
  a.score = std::min(
      1.0,
      0.4 * std::min(1.0, std::max(info_short / options_.short_info_bytes, info_long / options_.long_info_bytes) / 2) +
          0.4 * encoded_ratio + (s.fingerprint.empty() ? 0.0 : 0.2));
  a.severity = a.category == "benign-data-over-dns" ? "info" : a.score >= 0.6 ? "high" : "medium";
  for (int i = 0; i < s.client_count; ++i) a.clients.push_back(s.clients[i]);
  std::sort(a.clients.begin(), a.clients.end(),
            [](const AlertClient& x, const AlertClient& y) { return x.queries > y.queries; });
  for (int i = 0; i < s.sample_count; ++i) a.samples.push_back(s.samples[i]);
  s.alerted = true;
  alerts->push_back(std::move(a));
}

}  // namespace nsradar::detect
