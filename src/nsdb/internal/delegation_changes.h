// What a snapshot changes in the two families of delegations, gathered while
// the ingest walks the zone in (domain, host) order and written afterwards:
// the only writer of zone_domains (ZoneDomainChanges) and the edge changes
// that NsBlockWriter turns into ns_blocks (NsEdgeChanges).
//
// Both keep their changes compact, since a snapshot can change hundreds of
// millions of edges: edges of the snapshot by index and rank into it, values
// once each in one buffer, and names only for what the snapshot no longer
// holds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nsdb/edge_value.h"
#include "nsdb/internal/atomic_write.h"
#include "nsdb/internal/domain_record.h"
#include "zone/snapshot.h"

namespace nsradar::nsdb {

// A domain or an edge in the store but not in the snapshot has no index
// into the snapshot.
inline constexpr uint32_t kStoreOnly = UINT32_MAX;

// The zone_domains records to rewrite: a changed domain's record is written
// whole (or deleted when it lost its last edge).
class ZoneDomainChanges {
 public:
  // The new record of a domain of the snapshot (`domain_index`), or of one
  // only the store holds (kStoreOnly, then `name` says which); an empty
  // `record` deletes it.
  void Add(uint32_t domain_index, std::string_view name, const DomainRecordWriter& record, zone::DomainKind kind);
  // Writes the records into part `part` of zone_domains.
  Status Write(const zone::ZoneSnapshot& snap, uint32_t zone_id, AtomicWrite* w, int part = 0) const;
  size_t size() const { return changes_.size(); }
  // Frees the memory: the rest of the ingest does not need it.
  void Clear();

 private:
  struct Change {
    uint32_t domain;  // index in the snapshot, or kStoreOnly
    uint32_t name;    // index into store_only_names_ when kStoreOnly
    uint64_t record;  // offset << 24 | length, into records_; length 0: delete
  };
  std::vector<Change> changes_;
  std::vector<std::string> store_only_names_;
  std::string records_;
};

// Where NsEdgeChanges writes an edge's key (keys.h, AppendNsEdgeKey): its
// value, or null to delete it.
using EdgeSink = std::function<Status(std::string_view key, const std::string_view* value)>;

// The edges to write, for NsBlockWriter. They arrive in zone order,
// (domain, host); Sort puts them in (host, domain) order, cut into key
// ranges of whole hosts that threads can write as separate SST files.
class NsEdgeChanges {
 public:
  explicit NsEdgeChanges(const zone::ZoneSnapshot& snap) : snap_(snap) {}

  // An edge of the snapshot (host rank, domain index) and its new value.
  void AddSnapshotEdge(uint32_t host_rank, uint32_t domain_index, const EdgeValue& value);
  // An edge only the store holds, and its new value (none: delete it).
  void AddStoreOnlyEdge(std::string_view host, std::string_view domain, std::optional<std::string> value);

  // Sorts; returns the number of parts (more than one only in bulk mode,
  // for large changes).
  int Sort(bool bulk);
  // Writes part `part` of the sorted changes, in key order; parts may be
  // written at once.
  Status WritePart(int part, const EdgeSink& sink) const;
  // Frees the memory, once every part is written.
  void Clear();

 private:
  struct EdgeChange {
    uint32_t host;    // rank in the snapshot
    uint32_t domain;  // index in the snapshot
    uint64_t value;   // offset << 24 | length, into values_
  };
  struct StoreOnlyChange {
    std::string domain, host;
    std::optional<std::string> value;  // none: delete
  };
  void KeyOf(const EdgeChange& c, std::string* key) const;
  // The first change of `part`: parts hold whole hosts.
  size_t PartBegin(int part) const;
  std::string_view ValueOf(const EdgeChange& c) const;

  const zone::ZoneSnapshot& snap_;
  std::vector<EdgeChange> changes_;  // zone order until Sort, key order after
  std::vector<StoreOnlyChange> store_only_;
  std::vector<std::pair<std::string, const StoreOnlyChange*>> store_only_keys_;  // sorted by Sort
  // Most edges of a snapshot share one of a few values: each is kept once.
  std::unordered_map<std::string, uint64_t> value_refs_;
  std::string values_, encoded_;
  int parts_ = 1;
};

}  // namespace nsradar::nsdb
