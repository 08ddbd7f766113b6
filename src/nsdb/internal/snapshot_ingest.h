// SnapshotIngest: makes the store hold "zone Z at time T" for one snapshot,
// as one atomic write (docs/store.md, "Applying a snapshot"), one method per
// phase:
//   Begin             the zone's entry, T's neighbours among its snapshot
//                     times, the SST directory of a bulk write;
//   JoinDelegations   the snapshot's (domain, host) pairs merge-joined with
//                     the zone's stored ones: each pair's runs updated, and
//                     what changed recorded, with count deltas;
//   WriteDelegations  zone_domains and ns_edges, on both cores in bulk mode;
//   WriteNsCounts     per-host counts, read and written as absolute values;
//   JoinAndWriteGlue  glue, the same way, into zone_glue, glue, glue_by_addr;
//   WriteZoneTable    store counters and the zone's entry;
//   Commit            the one atomic write, then the zone table in memory.
// Nothing is visible to readers before Commit.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsdb/edge_value.h"
#include "nsdb/internal/atomic_write.h"
#include "nsdb/internal/delegation_changes.h"
#include "nsdb/internal/domain_record.h"
#include "nsdb/internal/store_impl.h"
#include "nsdb/store.h"
#include "zone/snapshot.h"

namespace nsradar::nsdb {

class SnapshotIngest {
 public:
  // Runs as `writer`; `snap`, `source` and `result` must outlive Run.
  SnapshotIngest(Writer& writer, const zone::ZoneSnapshot& snap, int64_t t, const std::string& source,
                 IngestResult* result);
  Status Run();

 private:
  // Changes of edge and active-edge counts.
  struct CountDelta {
    int64_t total = 0;
    int64_t active = 0;
  };
  // The domain the delegation join is in: its new record and what happened
  // to it.
  struct DomainInProgress {
    bool started = false;
    std::string name;
    DomainRecordWriter record;
    uint32_t snap_index = kStoreOnly;
    zone::DomainKind kind = zone::DomainKind::kRegistered;
    bool had = false;      // the store held an edge of it
    bool changed = false;  // an edge of it changed
  };

  Status Begin();
  Status JoinDelegations();
  Status WriteDelegations();
  Status WriteNsCounts();
  Status JoinAndWriteGlue();
  Status WriteZoneTable();
  Status Commit();

  // One pair of the delegation join. When `present`, the snapshot holds it
  // as (host_rank, domain_index); `kind` is the domain's, from the snapshot
  // or else from the store.
  void VisitDelegation(std::string_view domain, std::string_view host, const std::vector<SeenRun>* stored_runs,
                       bool present, uint32_t host_rank, uint32_t domain_index, zone::DomainKind stored_kind);
  // Counts the change of one edge from `existed`/`was_active` to edge_ and
  // files it with the ns_edges changes.
  void NoteEdgeChange(std::string_view domain, std::string_view host, bool existed, bool was_active, bool present,
                      uint32_t host_rank, uint32_t domain_index);
  void FinishDomain();
  // Per-host count deltas, keyed by ns_counts key, merged across the
  // snapshot's hosts and store-only ones.
  std::vector<std::pair<std::string, CountDelta>> HostCountDeltas() const;
  // One pair of the glue join; returns its new value (none: deleted) in
  // *value and false when nothing changed.
  bool UpdateGlue(const std::vector<SeenRun>* stored_runs, bool present, std::optional<std::string>* value);

  Writer& writer_;
  const zone::ZoneSnapshot& snap_;
  const int64_t t_;
  const std::string& source_;
  IngestResult* r_;
  const bool bulk_;
  const std::string tmp_dir_;  // SST files of a bulk write
  AtomicWrite write_;

  ZoneInfo zone_;
  std::optional<int64_t> prev_, next_;  // T's neighbours among the zone's snapshot times
  int64_t counter_delta_[kCounterCount] = {};
  EdgeValue edge_;  // the pair being visited

  DomainInProgress domain_;
  ZoneDomainChanges domain_changes_;
  NsEdgeChanges edge_changes_;
  std::vector<CountDelta> host_delta_;             // by the snapshot's host rank
  std::map<std::string, CountDelta> extra_delta_;  // hosts only the store holds
};

}  // namespace nsradar::nsdb
