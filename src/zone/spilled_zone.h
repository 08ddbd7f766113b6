// SpilledZone: a zone file read within a memory budget, for zones whose
// ZoneSnapshot would not fit in memory (a .com of 400M edges needs ~50 GB).
//
// Reading keeps the file's (domain, host) pairs in a buffer of half the
// budget; a full buffer is sorted and written to a run file in
// SpillOptions::tmp_dir. After the last record the runs are merged (k-way,
// de-duplicated, filtered to the zone as ZoneSnapshot::Load filters) to
// count the zone, and ForEachChunk merges them again to hand the
// delegations out in name order as ZoneSnapshots of consecutive domains. A
// zone that fits in one buffer is never written to disk. The addresses of
// the file (glue candidates) stay in memory: zones hold few (CZDS-style:
// about 0.15 per domain), and the glue kept is what ZoneSnapshot keeps.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/status.h"
#include "zone/snapshot.h"

namespace nsradar::zone {

struct SpillOptions {
  size_t memory_budget = size_t{1} << 30;  // bytes; the buffer of pairs gets half
  std::string tmp_dir;                     // for the run files; must exist; removed by the caller
};

class SpilledZone {
 public:
  static Status Load(const std::string& path, const SnapshotOptions& options, const SpillOptions& spill,
                     std::unique_ptr<SpilledZone>* out);
  // Same, from a reader the caller made (tests).
  static Status Load(ZoneReader* reader, const SnapshotOptions& options, const SpillOptions& spill,
                     std::unique_ptr<SpilledZone>* out);
  ~SpilledZone();
  SpilledZone(const SpilledZone&) = delete;
  SpilledZone& operator=(const SpilledZone&) = delete;

  const std::string& apex() const { return glue_.apex(); }
  bool has_serial() const { return glue_.has_serial(); }
  uint32_t serial() const { return glue_.serial(); }
  const ReaderStats& reader_stats() const { return glue_.reader_stats(); }
  uint64_t dropped_records() const { return glue_.dropped_records(); }
  uint64_t domain_count() const { return domains_; }
  uint64_t edge_count() const { return edges_; }
  // Sorted runs written to disk while reading (0: the zone fit in one buffer).
  size_t runs() const { return runs_.size(); }

  // Hands the delegations to `visit` in name order, as snapshots of
  // consecutive domains with at most `max_edges` edges each (a domain with
  // more comes alone) and no glue. A snapshot is valid during its call.
  Status ForEachChunk(size_t max_edges, const std::function<Status(const ZoneSnapshot&)>& visit) const;
  // The zone's glue, as a snapshot without delegations (apex and serial set).
  const ZoneSnapshot& glue() const { return glue_; }

 private:
  class Buffer;
  class Merger;
  SpilledZone() = default;

  Status Read(ZoneReader* reader, const SnapshotOptions& options, const SpillOptions& spill);
  // Counts the merged delegations and keeps the addresses of their hosts.
  Status Count(std::vector<std::pair<std::string, dns::Address>>* addresses);

  std::unique_ptr<Buffer> buffer_;  // the one run kept in memory, when nothing was spilled
  std::vector<std::string> runs_;   // run files
  size_t budget_ = 0;
  uint64_t domains_ = 0, edges_ = 0;
  ZoneSnapshot glue_;  // also holds the apex, serial and reader statistics
};

}  // namespace nsradar::zone
