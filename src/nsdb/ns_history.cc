// A name server's domain count at each snapshot, with the domains new and
// gone: a sweep over the presence runs of the host's edges.
#include <algorithm>
#include <map>

#include "nsdb/edge_value.h"
#include "nsdb/internal/edge_cursor.h"
#include "nsdb/internal/keys.h"
#include "nsdb/internal/store_impl.h"
#include "nsdb/store.h"

namespace nsradar::nsdb {
namespace {

// Per snapshot of one zone: runs starting there, runs whose last snapshot
// it is (present there, gone at the next).
struct ZoneSweep {
  std::vector<int64_t> times;  // the zone's snapshots, ascending
  std::vector<int64_t> starts, ends;
  bool used = false;  // the host has an edge in the zone
};

}  // namespace

Status Store::NsSnapshotCounts(std::string_view ns, std::vector<NsSnapshotCount>* out) const {
  out->clear();
  std::map<uint32_t, ZoneSweep> zones;
  for (const ZoneInfo& z : impl_->ZoneList()) {
    ZoneSweep& sweep = zones[z.id];
    for (const auto& snap : z.snapshots) sweep.times.push_back(snap.observed_at);
    sweep.starts.assign(sweep.times.size(), 0);
    sweep.ends.assign(sweep.times.size(), 0);
  }
  NsBlockCursor it(*impl_, ns, false);
  EdgeValue edge;
  for (it.Seek(ns, "", false); it.Valid(); it.Next()) {
    if (!EdgeValue::Decode(it.value(), &edge)) {
      return Status::Corruption("ns_blocks value of " + std::string(ns) + " " + std::string(it.domain()));
    }
    auto z = zones.find(edge.zone_id);
    if (z == zones.end()) continue;  // a zone the table lost: nothing to place it on
    ZoneSweep& sweep = z->second;
    sweep.used = true;
    // Run bounds are snapshot times of the zone (edge_value.h).
    auto index = [&](int64_t t) {
      return static_cast<size_t>(std::lower_bound(sweep.times.begin(), sweep.times.end(), t) - sweep.times.begin());
    };
    for (const SeenRun& run : edge.runs) {
      const size_t first = index(run.first);
      if (first >= sweep.times.size()) continue;
      ++sweep.starts[first];
      if (!run.open()) {
        const size_t last = index(run.last);
        if (last < sweep.times.size()) ++sweep.ends[last];
      }
    }
  }
  NSRADAR_RETURN_IF_ERROR(it.status());
  // Every zone's snapshots in time order; a zone's count holds until its
  // next snapshot, and the host's count is the sum over its zones.
  struct Step {
    int64_t time;
    int64_t delta;
    uint64_t added, removed;
  };
  std::vector<Step> steps;
  for (const auto& [id, sweep] : zones) {
    if (!sweep.used) continue;  // zones without the host would only add flat points
    for (size_t i = 0; i < sweep.times.size(); ++i) {
      const int64_t removed = i ? sweep.ends[i - 1] : 0;
      steps.push_back({sweep.times[i], sweep.starts[i] - removed, static_cast<uint64_t>(sweep.starts[i]),
                       static_cast<uint64_t>(removed)});
    }
  }
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.time < b.time; });
  int64_t domains = 0;
  for (const Step& s : steps) {
    domains += s.delta;
    if (out->empty() || out->back().time != s.time) out->push_back({s.time, 0, 0, 0});
    out->back().domains = static_cast<uint64_t>(domains);
    out->back().added += s.added;
    out->back().removed += s.removed;
  }
  return Status::OK();
}

}  // namespace nsradar::nsdb
