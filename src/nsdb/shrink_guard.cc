#include "nsdb/shrink_guard.h"

#include <fmt/format.h>

#include <vector>

namespace nsradar::nsdb {

std::string ShrinkRefusal(const Store& store, const zone::SpilledZone& zone, bool allow_shrink) {
  if (allow_shrink) return "";
  if (zone.edge_count() == 0) {
    return "it holds no delegation (no NS record below the zone apex); pass --allow-shrink if the zone is "
           "really empty";
  }
  std::vector<ZoneInfo> zones;
  if (!store.Zones(&zones).ok()) return "";
  for (const auto& z : zones) {
    if (z.name != zone.apex() || z.snapshots.empty()) continue;
    const uint64_t before = z.snapshots.back().edges;
    if (zone.edge_count() * 2 < before) {
      return fmt::format(
          "it has {} delegation edges where the latest snapshot of zone {} has {}; a truncated "
          "or partial file? pass --allow-shrink if the shrink is real",
          zone.edge_count(), z.name.empty() ? "." : z.name, before);
    }
  }
  return "";
}

}  // namespace nsradar::nsdb
