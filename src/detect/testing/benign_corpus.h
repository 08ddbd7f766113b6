// BenignCorpus: a day of ordinary DNS traffic from an office network, for
// measuring false positives (tests) and speed (bench). Not a product
// feature: it lives beside the detector as test support.
//
// The registered domains and most host names are real: the 124K names of
// testdata/detect/benign-hosts.txt.zst (scripts/make-benign-hosts.py) over
// 106K registered domains. On top of them it draws the traffic that makes
// naive tunnel detectors fire, each with the structure it has in the wild:
//   - browsing: real hosts, Zipf popularity, A/AAAA/HTTPS, some typos;
//   - popular sites' many subdomains: numbered shards, per-user and
//     per-region hosts, AMP cache names, streaming cache nodes;
//   - CDN and cloud object hashes (hex, base32-like, UUIDs) under CDN
//     domains that are on the allowlist and under many that are not;
//   - antivirus reputation lookups (Sophos, McAfee, ESET) and DNS
//     blocklists (reversed IPs, hashed domains);
//   - mail authentication (DKIM selectors, DMARC, SPF TXT, MTA-STS);
//   - reverse DNS (in-addr.arpa, nibble ip6.arpa);
//   - search-suffix noise and Active Directory: names with the office
//     domain appended, DESKTOP-XXXXXXX hosts, _msdcs SRV lookups;
//   - telemetry and push (numbered courier hosts, time servers).
// Clients are 2,000 hosts in 10.1.0.0/16; times are spread over `span_us`
// in order. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ingest/event.h"
#include "util/status.h"

namespace nsradar::detect::testing {

// Reads the host list (one name per line, plain or compressed).
Status LoadHostList(const std::string& path, std::vector<std::string>* hosts);

struct CorpusOptions {
  uint64_t queries = 1'200'000;
  int64_t start_us = 1'790'000'000'000'000;
  int64_t span_us = 86'400'000'000;  // a day
  uint32_t clients = 2'000;
  uint64_t seed = 1;
};

// Calls `sink` for every event, in time order, with the registered domain
// set from the default public suffix list.
void GenerateBenignCorpus(const std::vector<std::string>& hosts, const CorpusOptions& options,
                          const std::function<void(const ingest::DnsEvent&)>& sink);

}  // namespace nsradar::detect::testing
