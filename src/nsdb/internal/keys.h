// The store's on-disk format: its column families and, for each, how keys
// and values are laid out, every encoder with its decoder beside it (the way
// LevelDB's db/dbformat.h pairs them). docs/store.md shows the same table.
// Nothing else in src/nsdb builds or takes apart a key, or a value other than
// EdgeValue (edge_value.h) and DomainRecord (internal/domain_record.h), which have
// their own headers: a layout change starts here (DEVELOPERS.md, "How to
// change a column family's key layout").
//
// Names in keys are canonical (dns/name.h) and so hold no NUL byte: a \0
// after a name keeps the order of (name, rest) pairs equal to the byte order
// of their keys, a name before the longer names it begins. Addresses are
// dns::Address::ToKey (a family byte, 4 or 6, then the address bytes), so
// they sort numerically within a family. Zone ids and times are big-endian
// so that they sort as numbers.
//
// Decoders return false on malformed input and never read past it; the
// views they fill point into their input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dns/address.h"
#include "nsdb/store.h"

namespace nsradar::nsdb {

// Written as the "format" entry of the default family when a store is
// created; a store of another format is refused. Format 1 kept one ns_edges
// key per edge; format 2 keeps ns_blocks instead, and `nsradar store
// migrate` (migrate.h) converts a format-1 store.
inline constexpr int kFormatVersion = 2;

// The column families, in the order RocksDB opens them.
enum Cf {
  kMeta = 0,         // "default": the format, the zone table, the store counters
  kNsBlocks,         // host \0 first domain          -> EdgeBlock      domains on a name server
  kZoneDomains,      // zone id, domain               -> DomainRecord   a zone's delegations
  kNsCounts,         // reversed host                 -> NsCounts       O(1) counts, suffix search
  kGlue,             // host \0 address zone id       -> EdgeValue      host -> addresses
  kGlueByAddr,       // address host \0 zone id       -> EdgeValue      address -> hosts
  kZoneGlue,         // zone id host \0 address       -> EdgeValue      a zone's glue
  kObservedEdges,    // host \0 domain                -> ObservedValue  passive DNS: domains on a name server
  kObservedDomains,  // domain \0 host                -> ObservedValue  passive DNS: a domain's name servers
  kObservedGlue,     // host \0 address               -> ObservedValue  passive DNS: a host's addresses
  kAlerts,           // domain \0 time (µs)           -> category \0 JSON
  kIntel,            // kind byte, indicator          -> category \0 source \0 varint added
  kAllowlist,        // domain \0 time (µs)           -> state byte, by \0 alert \0 reason
  kCfCount
};
inline constexpr const char* kCfNames[kCfCount] = {
    "default",        "ns_blocks",        "zone_domains",  "ns_counts", "glue",  "glue_by_addr", "zone_glue",
    "observed_edges", "observed_domains", "observed_glue", "alerts",    "intel", "allowlist"};
// The families from kObservedEdges on came after format 1's first stores: a
// reader of an older store opens without them until a writer creates them.
inline constexpr Cf kFirstLateCf = kObservedEdges;
// Format 1's family of edges, one key per edge (host \0 domain ->
// EdgeValue): read only by the migration, dropped once it is done.
inline constexpr std::string_view kLegacyNsEdges = "ns_edges";

// --- default ----------------------------------------------------------------

// "format" -> kFormatVersion as decimal text.
inline constexpr std::string_view kFormatKey = "format";
std::string EncodeFormatVersion(int version);
// False unless `in` is exactly what EncodeFormatVersion writes.
bool DecodeFormatVersion(std::string_view in, int* version);

// "zone/" zone name -> ZoneInfo without its name: varint id, varint
// snapshot count, per snapshot varint observed_at, varint serial, a
// has_serial byte, varint domains, varint edges, varint source length and
// the source.
inline constexpr std::string_view kZoneTablePrefix = "zone/";
std::string ZoneTableKey(std::string_view zone);
// False when `key` is not a zone table key.
bool ParseZoneTableKey(std::string_view key, std::string_view* zone);
void EncodeZoneInfo(const ZoneInfo& zone, std::string* out);
// Fills all of *zone but its name.
bool DecodeZoneInfo(std::string_view in, ZoneInfo* zone);

// "counter/NAME" -> varint: store-wide totals, written as absolute values.
enum Counter { kEdgeCount = 0, kActiveEdgeCount, kDomainCount, kNameServerCount, kGlueCount, kCounterCount };
std::string_view CounterKey(Counter c);
void EncodeCounter(uint64_t value, std::string* out);
bool DecodeCounter(std::string_view in, uint64_t* value);

// --- ns_blocks: host \0 first domain -> EdgeBlock ------------------------------
// A name server's domains in blocks (internal/edge_block.h), each keyed by
// its host and its first domain, the keys built as an edge's below. The
// same edge key (host \0 domain) names one edge in the change lists of an
// ingest and in format 1's ns_edges.

void AppendNsEdgeKey(std::string* out, std::string_view host, std::string_view domain);
bool ParseNsEdgeKey(std::string_view key, std::string_view* host, std::string_view* domain);
// The domain of a key known to be one of `host`'s, without a search for the
// separator (a page of a name server's domains reads thousands).
inline std::string_view NsEdgeKeyDomain(std::string_view key, std::string_view host) {
  return key.substr(host.size() + 1);
}
// The keys of `host`'s edges are those from AppendNsEdgeKey(host, "") up to
// NsEdgeHostLimit(host), excluded.
std::string NsEdgeHostLimit(std::string_view host);

// --- zone_domains: zone id (BE32) domain -> DomainRecord ----------------------
// --- zone_glue:    zone id (BE32) host \0 address -> EdgeValue ---------------

// Every key of a zone in zone_domains and zone_glue starts with this; the
// next zone's prefix bounds a scan of one zone.
std::string ZoneKeyPrefix(uint32_t zone_id);
void AppendZoneDomainKey(std::string* out, uint32_t zone_id, std::string_view domain);
bool ParseZoneDomainKey(std::string_view key, uint32_t* zone_id, std::string_view* domain);
void AppendZoneGlueKey(std::string* out, uint32_t zone_id, std::string_view host, std::string_view address);
bool ParseZoneGlueKey(std::string_view key, uint32_t* zone_id, std::string_view* host, std::string_view* address);

// --- ns_counts: reversed host (net.example.ns1) -> NsCounts ------------------

std::string NsCountsKey(std::string_view host);
std::string ParseNsCountsKey(std::string_view key);  // the host
// varint total, varint active.
void EncodeNsCounts(const NsCounts& counts, std::string* out);
bool DecodeNsCounts(std::string_view in, NsCounts* counts);

// The ns_counts keys of the hosts at or below a name. They begin at
// first_key() but are not contiguous: "com.example2" sorts between
// "com.example" and "com.example.ns1", so a scan asks about every key.
class NsCountsSubtree {
 public:
  explicit NsCountsSubtree(std::string_view name);
  const std::string& first_key() const { return self_; }
  enum class Place { kInside, kBetween, kPast };
  // kBetween: not in the subtree, but keys after it may be.
  Place Locate(std::string_view key) const;

 private:
  std::string self_, below_;
};

// --- glue:         host \0 address zone id (BE32) -> EdgeValue ----------------
// --- glue_by_addr: address host \0 zone id (BE32) -> EdgeValue ----------------

// One key per (host, address, zone): a zone's glue, whatever other zones
// carry.
struct GlueKey {
  std::string_view host, address;
  uint32_t zone_id = 0;
};
void AppendGlueKey(std::string* out, const GlueKey& key);
bool ParseGlueKey(std::string_view key, GlueKey* out);
// The glue keys of `host` all start with this.
std::string GlueHostPrefix(std::string_view host);
// The glue_by_addr keys of an address all start with this.
std::string GlueAddressPrefix(const dns::Address& address);
void AppendGlueByAddressKey(std::string* out, const GlueKey& key);
bool ParseGlueByAddressKey(std::string_view key, GlueKey* out);

// --- observed_edges:   host \0 domain  -> ObservedValue ----------------------
// --- observed_domains: domain \0 host  -> ObservedValue ----------------------
// --- observed_glue:    host \0 address -> ObservedValue ----------------------

// Each key joins a name and what was seen with it; the families differ only
// in which comes first.
std::string ObservedKey(std::string_view name, std::string_view other);
bool ParseObservedKey(std::string_view key, std::string_view* name, std::string_view* other);
// The observed keys of `name` all start with this, and sort before
// ObservedNameLimit(name).
std::string ObservedNamePrefix(std::string_view name);
std::string ObservedNameLimit(std::string_view name);

// What passive DNS saw of a pair (or a host's address): the first and last
// observation and how many there were. Varints: first, last - first, count.
struct ObservedValue {
  int64_t first = 0, last = 0;
  uint64_t count = 0;
};
void EncodeObservedValue(const ObservedValue& value, std::string* out);
bool DecodeObservedValue(std::string_view in, ObservedValue* value);

// --- alerts: domain \0 alert time (µs, BE64) -> category \0 JSON -------------

void EncodeAlert(const StoredAlert& alert, std::string* key, std::string* value);
bool DecodeAlert(std::string_view key, std::string_view value, StoredAlert* alert);
// The alert keys of `domain` all start with this; every key with "".
std::string AlertDomainPrefix(std::string_view domain);

// --- intel: kind byte ('d', 'n', 'a'), indicator -> category \0 source \0 varint added

std::string IndicatorKey(IndicatorKind kind, std::string_view value);
void EncodeIndicator(const Indicator& indicator, std::string* key, std::string* value);
bool DecodeIndicator(std::string_view key, std::string_view value, Indicator* indicator);

// --- allowlist: domain \0 event time (µs, BE64) -> '+' (listed) or '-', by \0 alert \0 reason

void EncodeAllowlistEvent(const AllowlistEvent& event, std::string* key, std::string* value);
bool DecodeAllowlistEvent(std::string_view key, std::string_view value, AllowlistEvent* event);
// The event keys of `domain` all start with this; every key with "".
std::string AllowlistDomainPrefix(std::string_view domain);

}  // namespace nsradar::nsdb
