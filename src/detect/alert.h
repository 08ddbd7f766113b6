// Alert: what the detector raises about one registered domain, and the
// vocabulary it is told in (category, severity), each with one name table
// used for output and input alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/address.h"
#include "util/enum_names.h"

namespace nsradar::detect {

enum class AlertCategory {
  kTunneling,              // data both ways through the domain's name server
  kExfiltration,           // data leaving, upstream only
  kRandomSubdomainAttack,  // random names from a crowd of hosts, mostly NXDOMAIN
  kBenignDataOverDns,      // data over DNS to an allowlisted service (AV, DKIM, ...)
};
inline constexpr EnumName<AlertCategory> kAlertCategoryNames[] = {
    {AlertCategory::kTunneling, "tunneling"},
    {AlertCategory::kExfiltration, "exfiltration"},
    {AlertCategory::kRandomSubdomainAttack, "random-subdomain-attack"},
    {AlertCategory::kBenignDataOverDns, "benign-data-over-dns"},
};
inline std::string_view CategoryName(AlertCategory c) { return NameOf(kAlertCategoryNames, c); }
inline bool ParseCategory(std::string_view text, AlertCategory* out) { return ValueOf(kAlertCategoryNames, text, out); }

// Whether alerts of this category are data channels to block (RPZ) and to
// count against the domain in name server checks.
constexpr bool IsDataChannel(AlertCategory c) {
  switch (c) {
    case AlertCategory::kTunneling:
    case AlertCategory::kExfiltration:
      return true;
    case AlertCategory::kRandomSubdomainAttack:
    case AlertCategory::kBenignDataOverDns:
      return false;
  }
  return false;
}

enum class Severity { kInfo, kMedium, kHigh };
inline constexpr EnumName<Severity> kSeverityNames[] = {
    {Severity::kInfo, "info"},
    {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"},
};
inline std::string_view SeverityName(Severity s) { return NameOf(kSeverityNames, s); }

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
  AlertCategory category = AlertCategory::kTunneling;
  std::string benign_category;  // the allowlist category, for kBenignDataOverDns
  Severity severity = Severity::kMedium;
  double score = 0;
  std::vector<AlertClient> clients;
  int64_t first_seen_us = 0, last_seen_us = 0, alert_time_us = 0;
  std::vector<AlertReason> reasons;
  std::vector<std::string> samples;
  // The name server check of the domain as JSON, when the caller ran one
  // (detect/watch with a store); embedded in the alert as "name_server_check".
  std::string check_json;
};

}  // namespace nsradar::detect
