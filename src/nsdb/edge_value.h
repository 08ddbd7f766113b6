// EdgeValue: the presence history of one (name server, domain) edge.
//
// An edge is present in some of its zone's snapshots. Its history is a list
// of maximal runs of consecutive snapshots that contain it, as [first, last]
// times in UNIX seconds. The last run may be open: the edge is present
// through the zone's latest snapshot, whatever its time, so a new in-order
// snapshot that still holds the edge needs no write at all.
//
// Invariants: runs are sorted, disjoint, non-adjacent (a gap of at least one
// snapshot separates them), every bound is a snapshot time of the zone, and
// only the last run may be open.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zone/snapshot.h"

namespace nsradar::nsdb {

inline constexpr int64_t kOpenEnd = INT64_MAX;

struct SeenRun {
  int64_t first;
  int64_t last;  // kOpenEnd while present in the zone's latest snapshot

  bool open() const { return last == kOpenEnd; }
  friend bool operator==(const SeenRun&, const SeenRun&) = default;
};

struct EdgeValue {
  uint32_t zone_id = 0;
  zone::DomainKind kind = zone::DomainKind::kRegistered;
  std::vector<SeenRun> runs;

  bool active() const { return !runs.empty() && runs.back().open(); }
  int64_t first_seen() const { return runs.empty() ? 0 : runs.front().first; }
  // `zone_latest` resolves an open run.
  int64_t last_seen(int64_t zone_latest) const {
    if (runs.empty()) return 0;
    return runs.back().open() ? std::max(zone_latest, runs.back().first) : runs.back().last;
  }

  void EncodeTo(std::string* out) const;
  static bool Decode(std::string_view in, EdgeValue* out);

  friend bool operator==(const EdgeValue&, const EdgeValue&) = default;
};

// What a listing shows of an edge: its bounds, not the runs between them.
// Decoding one allocates nothing, which matters on the API's page path.
struct EdgeSpan {
  uint32_t zone_id = 0;
  zone::DomainKind kind = zone::DomainKind::kRegistered;
  int64_t first_seen = 0;  // 0 without runs, as EdgeValue
  SeenRun last_run{0, 0};  // meaningful only with runs
  bool has_runs = false;

  bool active() const { return has_runs && last_run.open(); }
  int64_t last_seen(int64_t zone_latest) const {
    if (!has_runs) return 0;
    return last_run.open() ? std::max(zone_latest, last_run.first) : last_run.last;
  }

  // Accepts exactly what EdgeValue::Decode accepts.
  static bool Decode(std::string_view in, EdgeSpan* out);
};

// The runs alone, as EdgeValue encodes them: varint count, then per run
// varint(first - previous bound) and varint(open ? 0 : last - first + 1).
void EncodeRuns(const std::vector<SeenRun>& runs, std::string* out);
// Consumes encoded runs from the front of *in; false if malformed.
bool DecodeRuns(std::string_view* in, std::vector<SeenRun>* runs);

// Records whether the edge is present in the snapshot taken at `t`, given the
// zone's neighbouring snapshot times (`prev` < t < `next`, both excluding t
// itself; no `next` means t is, or becomes, the latest). Returns true when
// the runs changed. Applying the same observation twice changes nothing.
bool ApplyObservation(std::vector<SeenRun>* runs, int64_t t, bool present, std::optional<int64_t> prev,
                      std::optional<int64_t> next);

}  // namespace nsradar::nsdb
