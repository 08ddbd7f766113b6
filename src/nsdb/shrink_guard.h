// The shrink guard of snapshot ingest. A snapshot replaces its zone's state,
// so an empty or much shrunken file (a failed download, a truncated
// transfer, a mirror glitch) would mark every missing delegation as
// removed. Such files are refused unless the user says the shrink is real.
#pragma once

#include <string>

#include "nsdb/store.h"
#include "zone/spilled_zone.h"

namespace nsradar::nsdb {

// Why `zone` must not be ingested into `store` (empty: it may): it holds no
// delegation, or fewer than half the edges of its zone's latest snapshot.
// `allow_shrink` (the user's --allow-shrink) lets every zone through.
std::string ShrinkRefusal(const Store& store, const zone::SpilledZone& zone, bool allow_shrink);

}  // namespace nsradar::nsdb
