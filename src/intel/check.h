// Name server checks: what the index, the kept alerts and threat
// intelligence say about a domain, and a verdict with every reason spelled
// out. The heart of the product: a suspicious domain is judged by who
// serves it (a tunnel's domain is usually served by its own dedicated,
// in-bailiwick, recently seen name server) and by what else those servers
// and their addresses serve.
#pragma once

#include <string>
#include <vector>

#include "nsdb/store.h"
#include "util/enum_names.h"
#include "util/status.h"

namespace nsradar::intel {

// What a check concludes, strongest first: intelligence names the domain or
// its servers; it looks like a tunnel's set-up or sits beside alerted or
// listed domains; every server is a shared provider; none of these.
enum class Verdict { kMalicious, kSuspicious, kBenignInfrastructure, kUnknown };
inline constexpr EnumName<Verdict> kVerdictNames[] = {
    {Verdict::kMalicious, "malicious"},
    {Verdict::kSuspicious, "suspicious"},
    {Verdict::kBenignInfrastructure, "benign-infrastructure"},
    {Verdict::kUnknown, "unknown"},
};
inline std::string_view VerdictName(Verdict v) { return NameOf(kVerdictNames, v); }

struct CheckOptions {
  // A name server serving at most this many domains is dedicated; at least
  // `shared_domains`, a shared provider.
  uint64_t dedicated_domains = 3;
  uint64_t shared_domains = 100;
  // A pair first seen less than this long before `now` is new.
  int64_t new_seconds = 30 * 86400;
  int64_t now = 0;  // UNIX seconds; 0: the current time
  size_t co_hosted_per_ns = 20;
  size_t max_name_servers = 8;
};

struct AddressFinding {
  dns::Address address;
  std::vector<std::string> other_hosts;  // other name servers on the address (first 10)
  std::vector<nsdb::Indicator> intel;
};

struct NameServerFinding {
  std::string name;
  bool current = false;   // active in the zone, or seen only in traffic
  bool observed = false;  // passive DNS saw the pair
  uint64_t domain_count = 0, active_domain_count = 0;
  bool in_bailiwick = false;              // the host lies under the domain itself
  int64_t first_seen = 0, last_seen = 0;  // of this (name server, domain) pair
  int64_t ns_first_seen = 0;              // the name server's first domain, when it serves few enough to scan
  std::vector<AddressFinding> addresses;
  std::vector<nsdb::Indicator> intel;  // on the host or a parent of it
};

struct CoHostedDomain {
  std::string name, ns;
  int64_t first_seen = 0, last_seen = 0;
  std::vector<nsdb::Indicator> intel;
  bool alerted = false;
  // The domain, or a parent, is on the analysts' allowlist (a false
  // positive): its alerts do not count against its neighbours.
  bool false_positive = false;
};

struct CheckResult {
  std::string domain;
  Verdict verdict = Verdict::kUnknown;
  std::vector<std::string> reasons;
  bool indexed = false;
  int64_t first_seen = 0;  // the domain's earliest pair
  std::vector<NameServerFinding> name_servers;
  std::vector<nsdb::DomainEvent> recent_changes;
  std::vector<CoHostedDomain> co_hosted;  // a first page per name server
  std::vector<nsdb::StoredAlert> alerts;
  bool false_positive = false;         // on the analysts' allowlist: its alerts do not count
  std::vector<nsdb::Indicator> intel;  // on the domain or a parent of it
};

// Indicators on `name` or any parent of it (but the root), of `kind`.
std::vector<nsdb::Indicator> MatchNameIntel(const nsdb::Store& store, nsdb::IndicatorKind kind, std::string_view name);

Status CheckDomain(const nsdb::Store& store, std::string_view domain, const CheckOptions& options, CheckResult* out);

// Alerts on a domain the analysts marked as a false positive (or below a
// marked name; intel/store_allowlist.h) make neither it nor its neighbours
// suspicious.
//
// The result as one JSON object: domain, verdict, reasons, false_positive,
// name_servers (name, domain_count, in_bailiwick, first_seen, addresses,
// intel, ...), co_hosted (with alerted, false_positive), recent_changes,
// alerts, intel.
void AppendCheckJson(const CheckResult& result, std::string* out);

}  // namespace nsradar::intel
