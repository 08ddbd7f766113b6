// Response Policy Zone output: the verdicts as a zone the network's own
// resolvers (BIND 9, Unbound, PowerDNS Recursor) enforce.
//
// Triggers:
//   - QNAME, for every domain with a kept tunneling or exfiltration alert
//     and every domain indicator: `NAME CNAME .` and `*.NAME CNAME .`;
//   - NSDNAME, for every name-server indicator and for the dedicated,
//     in-bailiwick name server of an alerted domain (a tunnel's own server:
//     it serves nothing else, and any other domain it serves is the same
//     operator's): `HOST.rpz-nsdname CNAME .`;
//   - NSIP, for every address indicator: `32.D.C.B.A.rpz-nsip CNAME .`
//     (IPv6: `128.<groups reversed, zz for the zero run>.rpz-nsip`).
// The allowlist always wins: a name listed in RpzOptions::allowlist or in
// the store's analysts' allowlist (intel/store_allowlist.h), or a name below
// one, is never a trigger. Knot Resolver 5 loads NSDNAME and NSIP triggers and silently
// ignores them; QNAME triggers work there.
#pragma once

#include <set>
#include <string>

#include "detect/allowlist.h"
#include "nsdb/store.h"
#include "util/enum_names.h"
#include "util/status.h"

namespace nsradar::intel {

// The policy a trigger applies: NXDOMAIN (CNAME .), NODATA (CNAME *.) or
// dropping the query (CNAME rpz-drop.).
enum class RpzAction { kNxdomain, kNodata, kDrop };
inline constexpr EnumName<RpzAction> kRpzActionNames[] = {
    {RpzAction::kNxdomain, "nxdomain"},
    {RpzAction::kNodata, "nodata"},
    {RpzAction::kDrop, "drop"},
};
inline std::string_view RpzActionName(RpzAction a) { return NameOf(kRpzActionNames, a); }
inline bool ParseRpzAction(std::string_view text, RpzAction* out) { return ValueOf(kRpzActionNames, text, out); }

struct RpzOptions {
  std::string origin = "rpz.nsradar";  // the zone's name, canonical
  RpzAction action = RpzAction::kNxdomain;
  uint32_t serial = 0;  // 0: the current UNIX time, or one above `previous_serial`
  uint32_t previous_serial = 0;
  const detect::Allowlist* allowlist = nullptr;  // the files' entries; none when null
};

struct RpzStats {
  uint64_t qname = 0, nsdname = 0, nsip = 0;
  uint64_t allowlisted = 0;  // triggers left out because the allowlist names them
  uint32_t serial = 0;
};

// The triggers the zone holds: QNAME owners, NSDNAME hosts and NSIP owners
// (`32.4.3.2.1`), without the zone's suffixes.
struct RpzTriggers {
  std::set<std::string> qname, nsdname, nsip;
  uint64_t allowlisted = 0;  // left out because an allowlist names them
};
Status CollectRpzTriggers(const nsdb::Store& store, const RpzOptions& options, RpzTriggers* out);

// The zone text.
Status BuildRpz(const nsdb::Store& store, const RpzOptions& options, std::string* zone, RpzStats* stats);

// Writes the zone to `path` atomically (a temporary file renamed over it),
// with a serial above the one already there.
Status ExportRpz(const nsdb::Store& store, RpzOptions options, const std::string& path, RpzStats* stats);

// What a running nsradar (serve's pipeline, correlate) does when its alerts
// change: ExportRpz, then the operator's reload command, run by the shell
// when not empty, so that the resolvers load the new zone. The zone's
// triggers and a failed command are logged; only a failed write is returned
// (the previous zone then stays, and the caller tries again later).
Status ExportRpzAndReload(const nsdb::Store& store, const RpzOptions& options, const std::string& path,
                          const std::string& reload_command);

// The SOA serial of an RPZ file written by ExportRpz; 0 when absent or unreadable.
uint32_t ReadRpzSerial(const std::string& path);

}  // namespace nsradar::intel
