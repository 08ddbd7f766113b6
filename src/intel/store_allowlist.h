// The analysts' allowlist: domains marked as false positives in the web UI
// or the API, kept in the store with their audit trail
// (nsdb::Store::Allowlisted), read as detect::Allowlist entries: the RPZ
// leaves them out as it does the allowlist files' entries, the name-server
// check discounts their alerts, and the live detector ignores their queries
// (detect::Detector::SetMarked; the pipeline reads them again after each
// change through the API).
#pragma once

#include <string_view>

#include "detect/allowlist.h"
#include "nsdb/store.h"
#include "util/status.h"

namespace nsradar::intel {

// The category of the store's entries.
inline constexpr std::string_view kFalsePositiveCategory = "false-positive";

// Adds every domain the store allowlists now to *allowlist.
Status AddStoreAllowlist(const nsdb::Store& store, detect::Allowlist* allowlist);

}  // namespace nsradar::intel
