// SnapshotIngest: makes the store hold "zone Z at time T" for one snapshot,
// as one atomic write (docs/store.md, "Applying a snapshot"), one method per
// phase:
//   Begin             the zone's entry, T's neighbours among its snapshot
//                     times, the SST directory of a bulk write;
//   JoinDelegations   the snapshot's (domain, host) pairs merge-joined with
//                     the zone's stored ones: each pair's runs updated, and
//                     what changed recorded, with count deltas;
//   WriteDelegations  zone_domains and ns_blocks, on both cores in bulk mode;
//   WriteNsCounts     per-host counts, read and written as absolute values;
//   JoinAndWriteGlue  glue, the same way, into zone_glue, glue, glue_by_addr;
//   WriteZoneTable    store counters and the zone's entry;
//   Commit            the one atomic write, then the zone table in memory.
// Nothing is visible to readers before Commit.
//
// A zone too large for memory comes as a SpilledZone and is joined chunk by
// chunk (RunChunked): each chunk of consecutive domains against the stored
// domains of its key range, its zone_domains records written as one SST
// part, its edge changes and count deltas as sorted runs on disk that are
// merged into ns_blocks parts and ns_counts after the last chunk. All the
// parts are still ingested by the one Commit.
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
#include "zone/spilled_zone.h"

namespace nsradar::nsdb {

class SnapshotIngest {
 public:
  // Runs as `writer`; `snap`, `source` and `result` must outlive Run.
  SnapshotIngest(Writer& writer, const zone::ZoneSnapshot& snap, int64_t t, const std::string& source,
                 IngestResult* result);
  // A zone applied in chunks that, with their change lists, fit in
  // `memory_budget` bytes; `zone` must outlive Run.
  SnapshotIngest(Writer& writer, const zone::SpilledZone& zone, size_t memory_budget, int64_t t,
                 const std::string& source, IngestResult* result);
  Status Run();

  // Bytes of memory per edge of a chunk while it is joined and written (the
  // chunk's snapshot and change lists), for sizing chunks.
  static constexpr size_t kChunkBytesPerEdge = 160;

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

  // What the whole snapshot holds (a chunk holds part of it).
  struct Totals {
    std::string apex;
    uint32_t serial = 0;
    bool has_serial = false;
    uint64_t domains = 0, edges = 0, glue = 0;
  };

  Status RunChunked();
  Status Begin();
  // The join over the stored domains after `after` (none: from the zone's
  // first) through `through` (none: to its last).
  Status JoinDelegations(const std::string* after = nullptr, const std::string* through = nullptr);
  Status WriteDelegations();
  // Part `part` of the edge changes, as the ns_blocks they rewrite.
  Status WriteEdgePart(int part);
  // A chunk's changes: its zone_domains part, its edge changes (a run) and
  // its count deltas (a run).
  Status WriteChunk();
  // After the last chunk: the edge runs merged into ns_blocks parts, the
  // count runs merged into ns_counts.
  Status MergeChunkRuns();
  Status WriteNsCounts();
  // Reads the counts of `deltas` (sorted by key) and writes them back
  // changed.
  Status ApplyCountDeltas(const std::vector<std::pair<std::string, CountDelta>>& deltas);
  Status JoinAndWriteGlue();
  Status WriteZoneTable();
  Status Commit();

  // One pair of the delegation join. When `present`, the snapshot holds it
  // as (host_rank, domain_index); `kind` is the domain's, from the snapshot
  // or else from the store.
  void VisitDelegation(std::string_view domain, std::string_view host, const std::vector<SeenRun>* stored_runs,
                       bool present, uint32_t host_rank, uint32_t domain_index, zone::DomainKind stored_kind);
  // Counts the change of one edge from `existed`/`was_active` to edge_ and
  // files it with the edge changes.
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
  const zone::ZoneSnapshot* snap_;              // the snapshot, or the chunk being joined
  const zone::SpilledZone* spilled_ = nullptr;  // a chunked ingest's zone
  const size_t memory_budget_ = 0;
  const Totals totals_;
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
  std::optional<NsEdgeChanges> edge_changes_;  // of the snapshot or chunk
  int zone_domain_part_ = 0;                   // a chunked ingest's current zone_domains part
  uint64_t zone_domain_entries_ = 0;           // ... and its keys
  std::vector<std::string> edge_runs_, count_runs_;
  std::vector<CountDelta> host_delta_;             // by the snapshot's host rank
  std::map<std::string, CountDelta> extra_delta_;  // hosts only the store holds
};

}  // namespace nsradar::nsdb
