#include "intel/rpz.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "detect/alert.h"
#include "dns/name.h"
#include "intel/check.h"
#include "intel/store_allowlist.h"
#include "util/atomic_file.h"
#include "util/log.h"

namespace nsradar::intel {
namespace {

// The owner of an NSIP trigger for one address.
std::string NsipOwner(const dns::Address& a) {
  if (a.family == 4) return fmt::format("32.{}.{}.{}.{}", a.bytes[3], a.bytes[2], a.bytes[1], a.bytes[0]);
  std::string out = "128";
  for (int g = 7; g >= 0; --g) out += fmt::format(".{:x}", (a.bytes[2 * g] << 8) | a.bytes[2 * g + 1]);
  return out;
}

// The CNAME target that applies `action`.
std::string_view RpzTarget(RpzAction action) {
  switch (action) {
    case RpzAction::kNxdomain:
      return ".";
    case RpzAction::kNodata:
      return "*.";
    case RpzAction::kDrop:
      return "rpz-drop.";
  }
  return ".";
}

}  // namespace

Status CollectRpzTriggers(const nsdb::Store& store, const RpzOptions& o, RpzTriggers* out) {
  *out = RpzTriggers();
  detect::Allowlist marked;  // the analysts' false positives
  NSRADAR_RETURN_IF_ERROR(AddStoreAllowlist(store, &marked));
  auto allowed = [&](std::string_view name) {
    std::string_view category;
    if ((o.allowlist && !o.allowlist->Match(name, &category).empty()) || !marked.Match(name, &category).empty()) {
      ++out->allowlisted;
      return true;
    }
    return false;
  };
  NSRADAR_RETURN_IF_ERROR(store.ScanIndicators([&](const nsdb::Indicator& i) {
    if (i.kind == nsdb::IndicatorKind::kDomain && !allowed(i.value)) out->qname.insert(i.value);
    if (i.kind == nsdb::IndicatorKind::kNameServer && !allowed(i.value)) out->nsdname.insert(i.value);
    if (i.kind == nsdb::IndicatorKind::kAddress) {
      if (auto a = dns::Address::FromKey(i.value)) out->nsip.insert(NsipOwner(*a));
    }
  }));
  std::vector<nsdb::StoredAlert> alerts;
  NSRADAR_RETURN_IF_ERROR(store.Alerts("", SIZE_MAX, &alerts));
  std::string last;
  CheckOptions co;
  co.co_hosted_per_ns = 0;
  for (const auto& a : alerts) {
    detect::AlertCategory category;
    if (!detect::ParseCategory(a.category, &category) || !detect::IsDataChannel(category) || a.domain == last) continue;
    last = a.domain;
    if (allowed(a.domain)) continue;
    out->qname.insert(a.domain);
    CheckResult check;
    NSRADAR_RETURN_IF_ERROR(CheckDomain(store, a.domain, co, &check));
    for (const auto& ns : check.name_servers) {
      if (ns.current && ns.in_bailiwick && ns.domain_count <= co.dedicated_domains && !allowed(ns.name)) {
        out->nsdname.insert(ns.name);
      }
    }
  }
  return Status::OK();
}

Status BuildRpz(const nsdb::Store& store, const RpzOptions& o, std::string* zone, RpzStats* stats) {
  *stats = RpzStats();
  const std::string_view target = RpzTarget(o.action);
  RpzTriggers t;
  NSRADAR_RETURN_IF_ERROR(CollectRpzTriggers(store, o, &t));
  stats->allowlisted = t.allowlisted;
  stats->serial = o.serial;
  if (stats->serial == 0) {
    stats->serial = static_cast<uint32_t>(std::time(nullptr));
    if (stats->serial <= o.previous_serial) stats->serial = o.previous_serial + 1;
  }
  std::string& z = *zone;
  z = fmt::format(
      "; Response Policy Zone written by nsradar ({} QNAME, {} NSDNAME, {} NSIP triggers).\n"
      "$ORIGIN {}.\n"
      "$TTL 60\n"
      "@ IN SOA localhost. hostmaster.localhost. {} 3600 600 86400 60\n"
      "@ IN NS localhost.\n",
      t.qname.size(), t.nsdname.size(), t.nsip.size(), o.origin, stats->serial);
  for (const auto& n : t.qname) {
    z += fmt::format("{} CNAME {}\n*.{} CNAME {}\n", n, target, n, target);
  }
  for (const auto& n : t.nsdname) z += fmt::format("{}.rpz-nsdname CNAME {}\n", n, target);
  for (const auto& n : t.nsip) z += fmt::format("{}.rpz-nsip CNAME {}\n", n, target);
  stats->qname = t.qname.size();
  stats->nsdname = t.nsdname.size();
  stats->nsip = t.nsip.size();
  return Status::OK();
}

uint32_t ReadRpzSerial(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t soa = line.find(" SOA ");
    if (soa == std::string::npos) continue;
    std::istringstream fields(line.substr(soa + 5));
    std::string mname, rname;
    uint64_t serial = 0;
    if (fields >> mname >> rname >> serial && serial <= UINT32_MAX) return static_cast<uint32_t>(serial);
    return 0;
  }
  return 0;
}

Status ExportRpz(const nsdb::Store& store, RpzOptions options, const std::string& path, RpzStats* stats) {
  options.previous_serial = std::max(options.previous_serial, ReadRpzSerial(path));
  std::string zone;
  NSRADAR_RETURN_IF_ERROR(BuildRpz(store, options, &zone, stats));
  return ReplaceFile(path, zone);
}

Status ExportRpzAndReload(const nsdb::Store& store, const RpzOptions& options, const std::string& path,
                          const std::string& reload_command) {
  RpzStats stats;
  NSRADAR_RETURN_IF_ERROR(ExportRpz(store, options, path, &stats));
  Log(LogLevel::kInfo, "rpz",
      fmt::format("{}: serial {}, {} QNAME, {} NSDNAME, {} NSIP triggers", path, stats.serial, stats.qname,
                  stats.nsdname, stats.nsip));
  if (reload_command.empty()) return Status::OK();
  if (int rc = std::system(reload_command.c_str()); rc != 0) {
    Log(LogLevel::kError, "rpz", fmt::format("the RPZ reload command '{}' failed (status {})", reload_command, rc));
  }
  return Status::OK();
}

}  // namespace nsradar::intel
