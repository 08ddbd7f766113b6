// Benign DNS traffic for measuring a tunnel detector's false positives
// (tests) and speed (bench). Not a product feature: it lives beside the
// detector as test support.
//
// The registered domains and most host names are real: the 124K names of
// testdata/detect/benign-hosts.txt.zst (scripts/make-benign-hosts.py) over
// 106K registered domains. Two generators draw on them:
//
// GenerateBenignCorpus: the office day the detector was calibrated on
// (docs/detection.md, "False positives"). Each event draws its kind
// independently:
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
//
// ReplayBenignDay: the hard benign days (docs/benign-days.md): the kinds
// of traffic that look most like data over DNS (hashes, addresses and keys
// in labels, lookup storms, NXDOMAIN noise) as real services and hosts send
// them, seen on a resolver's client side over 24 hours with a diurnal
// curve: an office of 2,000 hosts, and an ISP's resolver with more than
// 50,000 client addresses and 5,000,000 queries. Hosts act in bursts (a
// page load, a mail's checks, a boot, a log job's reverse lookups) and
// every family of names is formed the way the real service forms it;
// benign_corpus.cc names the source of each format. Streamed in time
// order, so a day never sits in memory. Deterministic for a seed, with any
// compiler (each random draw is its own statement) on one standard library
// (std::shuffle and uniform_real_distribution are the library's own).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
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

enum class Day {
  kOffice,  // 2,000 hosts (500 of them behind a branch office's NAT), their mail gateways, log servers, an NSM sensor
  kIsp,     // homes (IPv4 routers forwarding, IPv6 devices asking directly), business NATs, mail and web servers
};

// What a query of the hard days is. Each family has documented name
// shapes (docs/benign-days.md), which benign_corpus_test checks.
enum class Family : uint8_t {
  kBrowsing,         // real host names and the office's intranet names, A and AAAA
  kHttpsRr,          // HTTPS (65) beside an A query (Apple devices, Chromium browsers); _<port>._https.<name> off 443
  kEsni,             // _esni.<host> TXT of old Firefox builds
  kCdn,              // CDN node and object names (Akamai, CloudFront, googlevideo, gvt1, Netflix OCAs, fbcdn, AMP)
  kAdTech,           // ad serving: per-render SafeFrame hashes, Floodlight ids, header bidding
  kCloud,            // per-customer cloud names: buckets, API gateways, function URLs, Plex, MyFRITZ
  kAvReputation,     // file hashes in labels: Sophos, McAfee GTI, ESET, Team Cymru MHR; AV vendors' hosts
  kIpBlocklist,      // DNSBL/DNSWL: a reversed IPv4 (or 32 nibbles) under the list's zone (RFC 5782)
  kDomainBlocklist,  // URI and hashed-address lists: <domain>.<zone>, <hash>.email.rspamd.com
  kDkim,             // <selector>._domainkey.<domain> TXT (RFC 6376)
  kMailPolicy,       // SPF, DMARC, MTA-STS, TLS-RPT, BIMI, MX, DANE TLSA
  kForwardConfirm,   // A of a connecting mail server's PTR name, the address in its labels
  kReverseDns,       // PTR under in-addr.arpa and ip6.arpa, Team Cymru origin lookups: storms from log servers
  kPushTelemetry,    // push, telemetry, connectivity checks, update services
  kTime,             // NTP pool zones and vendors' time servers
  kSearchSuffix,     // names with a search suffix appended (NXDOMAIN), WPAD and ISATAP
  kLocalLeak,        // .local, single-label, wide-area Bonjour and LAN names that reach the ISP's resolver
  kDohCanary,        // use-application-dns.net, mask.icloud.com, _dns.resolver.arpa
  kChromeProbe,      // Chromium's 7-15 random letters, bare or with the search suffix
  kActiveDirectory,  // Kerberos and LDAP SRV, DC locator, Kerberos realm TXT
  kDynamicUpdate,    // SOA of a host's own name and reverse zone, GSS-TSIG TKEY before a secure update
  kTypo,             // mistyped host names, NXDOMAIN
  kRetryLoop,        // a stuck device asking one name all day
  kCount,
};
inline constexpr size_t kFamilyCount = static_cast<size_t>(Family::kCount);
std::string_view FamilyName(Family f);

struct DayOptions {
  Day day = Day::kOffice;
  uint64_t seed = 1;
  // The share of the documented day: host counts and every stream's rate
  // are multiplied by it (the office's servers and the ISP's NAT, mail and
  // web server addresses stay). Small scales are for sanitizer builds.
  double scale = 1;
  int64_t start_us = 1'790'035'200'000'000;  // a midnight (UTC); the day runs 24 h from it
};

struct DayCounts {
  uint64_t queries = 0;
  std::array<uint64_t, kFamilyCount> by_family{};
  uint64_t client_addresses = 0;  // distinct addresses that sent a query
  uint64_t hosts = 0;             // hosts simulated, each host behind a NAT counted
  uint64_t nat_addresses = 0;     // addresses that carry many hosts' traffic
  uint64_t nat_queries = 0;       // queries from them
};

// Receives each event of a day, in time order, and its family. The event
// is reused: copy what you keep.
using DaySink = std::function<void(const ingest::DnsEvent&, Family)>;

// Replays one day through `sink`, with the registered domain set from the
// default public suffix list, and returns what it sent.
DayCounts ReplayBenignDay(const std::vector<std::string>& hosts, const DayOptions& options, const DaySink& sink);

}  // namespace nsradar::detect::testing
