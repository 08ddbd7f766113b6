// Sorted runs of key changes on disk: what a chunked snapshot ingest
// (SnapshotIngest over a SpilledZone) writes per chunk for a family whose
// key order is not the zone's (ns_edges: (host, domain) where the chunks
// come in (domain, host) order), merged into the family's SST parts at the
// end. Each run holds sorted keys, each at most once across all runs.
//
// A record is varint key length, the key, varint (value length + 1, or 0
// for a deletion), the value.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nsradar::nsdb {

class SortedRunWriter {
 public:
  // Creates (truncates) `path`.
  Status Open(const std::string& path);
  ~SortedRunWriter();
  // Keys must come in order; a null value is a deletion.
  Status Add(std::string_view key, const std::string_view* value);
  Status Finish();

 private:
  std::string path_;
  FILE* f_ = nullptr;
  std::string record_;
};

// Merges runs in key order: `emit(key, value)` (value null for a
// deletion) sees every record of every run once, keys ascending. Each run
// is read through a buffer of `buffer_bytes`.
Status MergeSortedRuns(const std::vector<std::string>& paths, size_t buffer_bytes,
                       const std::function<Status(std::string_view key, const std::string_view* value)>& emit);

}  // namespace nsradar::nsdb
