// Store: the reverse name-server index, embedded RocksDB in one directory.
//
// What it keeps (column families, keys in byte order; docs/store.md, and
// nsdb/internal/keys.h for the encodings):
//   ns_blocks         host \0 first domain         -> EdgeBlock     domains on a name server, ~128 a block
//   zone_domains      zone_id(BE32) domain         -> DomainRecord  a zone's delegations
//   ns_counts         reversed host                -> NsCounts      O(1) counts, suffix search
//   glue              host \0 address zone_id      -> EdgeValue     host -> addresses
//   glue_by_addr      address host \0 zone_id      -> EdgeValue     address -> hosts
//   zone_glue         zone_id host \0 address      -> EdgeValue     a zone's glue
//   observed_edges    host \0 domain               -> first, last, count   passive DNS, by name server
//   observed_domains  domain \0 host               -> first, last, count   passive DNS, by domain
//   observed_glue     host \0 address              -> first, last, count   passive DNS addresses
//   alerts            domain \0 time(BE64, µs)     -> category \0 JSON     detection alerts
//   intel             kind byte, indicator         -> category \0 source \0 added   threat intelligence
//   default           format, zone table, store counters
//
// A zone snapshot is applied as one atomic write (a WriteBatch, or for large
// changes SST files ingested together), so readers see a snapshot entirely
// or not at all and a crash at any moment leaves the store as it was before
// the snapshot, or after it. One writer at a time: every write (snapshots,
// observations, alerts, indicators, compaction) holds one mutex; any number
// of concurrent readers, in this process or others (read-only opens).
//
// Snapshot semantics: a file is the state of its zone at time T. first_seen
// is the earliest and last_seen the latest snapshot holding an edge; an edge
// missing from a later snapshot is removed at that snapshot. Snapshots may
// arrive in any order; applying one twice changes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/address.h"
#include "nsdb/edge_value.h"
#include "util/status.h"
#include "zone/snapshot.h"

namespace nsradar::zone {
class SpilledZone;  // zone/spilled_zone.h
}

namespace nsradar::nsdb {

struct StoreOptions {
  bool read_only = false;  // opens as a RocksDB secondary: never blocks a writer
  size_t block_cache_bytes = 256 << 20;
  // Snapshots changing more edges than this are written as SST files.
  size_t batch_limit = 200000;
};

struct NsCounts {
  uint64_t total = 0;   // domains ever seen on the name server
  uint64_t active = 0;  // domains present in their zone's latest snapshot
};

struct SnapshotInfo {
  int64_t observed_at = 0;
  uint32_t serial = 0;
  bool has_serial = false;
  uint64_t domains = 0;
  uint64_t edges = 0;
  std::string source;
};

struct ZoneInfo {
  uint32_t id = 0;
  std::string name;
  std::vector<SnapshotInfo> snapshots;  // ascending observed_at

  int64_t latest() const { return snapshots.empty() ? 0 : snapshots.back().observed_at; }
};

struct IngestResult {
  std::string zone;
  int64_t observed_at = 0;
  bool replaced_existing = false;  // this zone already had a snapshot at that time
  uint64_t domains = 0, edges = 0, glue = 0;
  uint64_t edges_added = 0;    // edges the store had never seen
  uint64_t edges_changed = 0;  // edges whose history changed
  uint64_t edges_removed = 0;  // edges present before this snapshot, absent in it
  bool bulk = false;           // written as SST files
};

struct DomainRow {
  std::string name;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  bool active = false;
  zone::DomainKind kind = zone::DomainKind::kRegistered;
  std::string zone;       // empty when only passive DNS saw the pair
  bool observed = false;  // passive DNS saw the pair (first/last seen include it)
};

// A row as a scan sees it: the views are valid only during the callback.
struct DomainRowView {
  std::string_view name;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  bool active = false;
  zone::DomainKind kind = zone::DomainKind::kRegistered;
  std::string_view zone;
  bool from_zone = false;  // zone files hold the pair ("" is the root zone's name)
  bool observed = false;
};

// A kind filter: "all" (nullopt) or a domain kind's name
// (zone::kDomainKindNames); false for anything else.
bool ParseKindFilter(std::string_view text, std::optional<zone::DomainKind>* out);
// "registered, subdomain, suffix or all", for help texts and errors.
std::string KindFilterNames();

struct DomainQuery {
  std::string ns;      // canonical host
  std::string after;   // keyset cursor: rows strictly after this domain
  size_t limit = 100;  // at most kMaxPage
  std::optional<int64_t> first_seen_after, first_seen_before, last_seen_after, last_seen_before;
  std::optional<zone::DomainKind> kind;  // none: every kind
  bool active_only = false;
  // Canonical; when set, only the domains at or below it (label by label:
  // "example.com" keeps example.com and a.example.com, not badexample.com).
  // A host's domains are kept in name order, not by reversed labels, so a
  // suffix is no key range: it filters the host's rows as the others do.
  std::string suffix;
  bool want_total = true;
};

inline constexpr size_t kMaxPage = 10000;

struct DomainPage {
  std::vector<DomainRow> rows;
  uint64_t total = 0;  // rows matching the filters, ignoring the cursor
  bool more = false;   // another page follows
};

struct NsRow {
  std::string name;
  NsCounts counts;
};

struct DomainEvent {
  enum class Type { kCreated, kNsAdded, kNsRemoved, kDropped };
  int64_t time = 0;
  Type type = Type::kCreated;
  std::vector<std::string> name_servers;
};
const char* DomainEventName(DomainEvent::Type t);

struct DomainEdge {
  std::string ns;
  EdgeValue value;  // zone-file runs; empty when only passive DNS saw the pair
  int64_t first_seen = 0, last_seen = 0;
  bool active = false;     // in the zone's latest snapshot (never for a pair only traffic saw)
  bool from_zone = false;  // zone files hold the pair
  bool observed = false;   // passive DNS saw it
};

struct DomainInfo {
  std::string name;
  std::string zone;
  zone::DomainKind kind = zone::DomainKind::kRegistered;
  std::vector<DomainEdge> edges;  // every name server ever seen, by name
  std::vector<DomainEvent> history;
  std::vector<std::string> current() const;  // active name servers
};

struct GlueRow {
  std::string host;
  dns::Address address;
  int64_t first_seen = 0, last_seen = 0;
};

// What passive DNS saw: an NS record (`domain` served by `ns`) in a
// response, or an address record of a name server host.
struct NsObservation {
  std::string ns, domain;  // canonical
  int64_t time = 0;
};
struct AddressObservation {
  std::string host;
  dns::Address address;
  int64_t time = 0;
};
struct ObserveResult {
  uint64_t pairs_new = 0, pairs_again = 0;
  uint64_t addresses_new = 0, addresses_again = 0;
};

// One (name server, domain) pair, as a scan of the whole index yields it.
struct EdgeRow {
  std::string ns, domain;
  int64_t first_seen = 0, last_seen = 0;
  bool active = false;
  bool from_zone = false;  // zone files hold the pair
  bool observed = false;   // passive DNS saw it
};

// A resumable scan in (name server, domain) order: pass the last row's
// ns and domain as after_* to continue.
struct EdgeScan {
  std::string ns;  // only this name server; empty for every one
  std::string after_ns, after_domain;
  size_t limit = 1000;
};

struct StoreStats {
  uint64_t zones = 0, snapshots = 0;
  uint64_t edges = 0, active_edges = 0;
  uint64_t domains = 0, name_servers = 0, glue = 0;
  uint64_t disk_bytes = 0;
  std::vector<std::pair<std::string, uint64_t>> family_sst_bytes;  // per column family
  std::vector<ZoneInfo> zone_list;
};

// A detection alert as kept for the checks, the API and RPZ: the alert's
// JSON as the detector wrote it, indexed by domain and time.
struct StoredAlert {
  std::string domain;  // the registered domain (or allowlisted name) alerted on
  int64_t alert_time_us = 0;
  std::string category;
  std::string json;
};

// Threat intelligence: a domain, a name server host or an address known to
// be bad, with where it came from. A domain indicator covers the names
// below it too (the checks match parents).
enum class IndicatorKind : char { kDomain = 'd', kNameServer = 'n', kAddress = 'a' };
struct Indicator {
  IndicatorKind kind = IndicatorKind::kDomain;
  std::string value;  // canonical name, or an address as dns::Address::ToKey
  std::string category, source;
  int64_t added = 0;  // UNIX seconds
};

// The analysts' allowlist (false positives): each time a domain is marked
// or unmarked is an event, kept for ever as the audit trail; the domain is
// allowlisted while its latest event marks it. A listed domain covers the
// names below it, as the allowlist files' entries do.
struct AllowlistEvent {
  std::string domain;   // canonical
  int64_t time_us = 0;  // when (UNIX µs); a domain's events have distinct times
  bool listed = true;   // marked (true) or unmarked
  std::string by;       // who, e.g. "key:1a2b3c4d"
  std::string alert;    // the alert id (domain@alert_time_us) it answers; may be empty
  std::string reason;   // why, free text
};

// A name server's domains at one snapshot time (of any zone delegating to
// it): how many it serves then, how many of those are new at that snapshot,
// and how many it served at the zone's previous snapshot and not at this one.
struct NsSnapshotCount {
  int64_t time = 0;
  uint64_t domains = 0, added = 0, removed = 0;
};

class Store {
 public:
  // A store of another on-disk format is refused, a format-1 store with the
  // command that converts it (`nsradar store migrate`, nsdb/migrate.h).
  static Status Open(const std::string& dir, const StoreOptions& options, std::unique_ptr<Store>* out);
  ~Store();

  // Applies `snap` as the state of its zone at `observed_at`.
  Status IngestSnapshot(const zone::ZoneSnapshot& snap, int64_t observed_at, const std::string& source,
                        IngestResult* result);
  // The same for a zone read within a memory budget (zone/spilled_zone.h):
  // applied in chunks whose work fits in `memory_budget` bytes, still as one
  // atomic write, with the same semantics and results.
  Status IngestSnapshot(const zone::SpilledZone& zone, size_t memory_budget, int64_t observed_at,
                        const std::string& source, IngestResult* result);

  Status DomainsOnNs(const DomainQuery& q, DomainPage* page) const;
  // The rows DomainsOnNs would return, handed to `visit` one by one without
  // copying (q.want_total is ignored); *more says whether a page follows.
  Status VisitDomainsOnNs(const DomainQuery& q, const std::function<void(const DomainRowView&)>& visit,
                          bool* more) const;
  Status Counts(std::string_view ns, NsCounts* out) const;
  // Hosts equal to or below `suffix`, in reversed-label order, after `after`.
  // *more (when given) tells whether rows beyond `limit` exist.
  Status NameServersUnder(std::string_view suffix, std::string_view after, size_t limit, std::vector<NsRow>* out,
                          bool* more = nullptr) const;
  Status Domain(std::string_view domain, DomainInfo* out) const;
  Status HostAddresses(std::string_view host, std::vector<GlueRow>* out) const;
  Status AddressHosts(const dns::Address& addr, std::vector<GlueRow>* out) const;
  Status Stats(StoreStats* out) const;
  Status Zones(std::vector<ZoneInfo>* out) const;
  Status ScanEdges(const EdgeScan& scan, std::vector<EdgeRow>* out) const;

  // A read-only store sees what writers in other processes committed only
  // after catching up; a no-op for the writer.
  Status CatchUp();

  // Records what passive DNS saw, in one atomic write. Each pair and address
  // keeps its first and last observation and a count; nothing is ever marked
  // removed (absence from traffic proves nothing). Queries merge these with
  // the zone-file data.
  Status Observe(const std::vector<NsObservation>& pairs, const std::vector<AddressObservation>& addresses,
                 ObserveResult* result);

  // Keeps an alert; an alert for the same domain and time replaces it.
  Status PutAlert(const StoredAlert& alert);
  // Alerts of `domain` (every domain when empty), by domain then time, at
  // most `limit`.
  Status Alerts(std::string_view domain, size_t limit, std::vector<StoredAlert>* out) const;

  // Adds or replaces indicators (by kind and value), in one atomic write.
  // With `replace_source`, that source's earlier indicators go in the same
  // write (a list re-imported replaces itself; *replaced counts them).
  Status PutIndicators(const std::vector<Indicator>& indicators, std::string_view replace_source = {},
                       uint64_t* replaced = nullptr);
  // NotFound when `value` is not an indicator of that kind.
  Status FindIndicator(IndicatorKind kind, std::string_view value, Indicator* out) const;
  Status ScanIndicators(const std::function<void(const Indicator&)>& visit) const;

  // Appends `event` to its domain's allowlist trail (synced), unless the
  // domain is already in that state: then *changed is false and nothing is
  // written (marking twice is one mark). event->time_us becomes one above
  // the domain's latest event when it is not later already.
  Status PutAllowlistEvent(AllowlistEvent* event, bool* changed);
  // The trail of `domain` (every domain's when empty), by domain then time.
  Status AllowlistHistory(std::string_view domain, std::vector<AllowlistEvent>* out) const;
  // The domains allowlisted now, each as the event that marked it, by domain.
  Status Allowlisted(std::vector<AllowlistEvent>* out) const;

  // The domain count of `ns` over time, one point per snapshot time of the
  // zones its domains are delegated in, from the zone files' presence runs
  // (passive DNS has no snapshots). Reads every zone-file edge of the host:
  // linear in its domain count.
  Status NsSnapshotCounts(std::string_view ns, std::vector<NsSnapshotCount>* out) const;

  // Full compaction, for measurements.
  Status CompactAll();

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nsradar::nsdb
