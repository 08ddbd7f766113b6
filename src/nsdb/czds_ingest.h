// CzdsIngest: every zone of a CZDS download (zone/czds_directory.h) into
// the store, each zone its own atomic snapshot ingest as `zone ingest FILE`
// makes it, all within one memory budget.
//
// Zones are taken largest first. Each zone is read (its parser on a thread
// of its own) and written in turn with the whole budget, as single-file
// ingest does. With `overlap`, a thread reads (inflates, parses, sorts) the
// next zone while the calling thread writes the current one; the budget is
// split so both fit: the zone being read gets half of it (its pairs keep at
// most a quarter once read), the zone being written 3/8 on top of the
// quarter its pairs already hold. Overlap measured slower on the loaded
// 2-core machine (docs/benchmarks.md), so it is not the default.
//
// A CZDS file is machine-written, so a zone fails, and is not written, when
// its file cannot be read or inflated, holds any bad record (its error
// names file:line), has no SOA record, has an SOA owner other than the TLD
// of its file name, or fails the shrink guard (nsdb/shrink_guard.h). A
// failed zone leaves the others as they are committed.
//
// `stop` (set from a signal handler) ends the run early: the zone being
// written finishes and commits, a zone being read is read to its end and
// dropped, and no other zone is touched. Nothing is ever half-written:
// each zone is one atomic write.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nsdb/store.h"
#include "util/status.h"
#include "zone/czds_directory.h"

namespace nsradar::nsdb {

struct CzdsProgress {
  size_t zones_done = 0, zones_total = 0;  // done: committed or failed
  // Of the files, as on disk (compressed): read so far, of zones done, in all.
  uint64_t bytes_read = 0, bytes_done = 0, bytes_total = 0;
  uint64_t edges_written = 0;  // in zones committed so far
  double seconds = 0;          // since the run started
};

struct CzdsIngestOptions {
  size_t memory_budget = size_t{1} << 30;
  std::string spill_dir;  // parent of each zone's sorted runs; created, and removed at the end
  int64_t observed_at = 0;
  bool allow_shrink = false;
  bool overlap = false;
  size_t diagnostics_kept = 5;  // bad records kept per zone for its error
  // Called now and then from the run's threads, one call at a time.
  std::function<void(const CzdsProgress&)> progress;
  const std::atomic<bool>* stop = nullptr;
};

enum class CzdsZoneState { kCommitted, kFailed, kNotRun };

struct CzdsZoneResult {
  std::string zone;  // canonical TLD from the file name
  std::string path;
  CzdsZoneState state = CzdsZoneState::kNotRun;
  std::string error;    // kFailed: why; kNotRun: "interrupted"
  IngestResult ingest;  // kCommitted
  uint64_t records = 0, bad_records = 0;
  size_t sorted_runs = 0;
  double read_seconds = 0, write_seconds = 0;
};

// Ingests the listing's zones; *results gets one entry per zone of the
// listing, in its order. Returns non-OK only when the run could not start
// (the spill directory cannot be made); zone failures are in *results.
Status IngestCzds(Store* store, const zone::CzdsListing& listing, const CzdsIngestOptions& options,
                  std::vector<CzdsZoneResult>* results);

}  // namespace nsradar::nsdb
