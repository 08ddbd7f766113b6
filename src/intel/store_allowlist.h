// The analysts' allowlist: domains marked as false positives in the web UI
// or the API, kept in the store with their audit trail
// (nsdb::Store::Allowlisted), read as detect::Allowlist entries so that the
// detector and the RPZ honour them as they honour the allowlist files.
#pragma once

#include <string_view>

#include "detect/allowlist.h"
#include "nsdb/store.h"
#include "util/status.h"

namespace nsradar::intel {

// The category of the store's entries: the detector reports traffic under
// them as benign-data-over-dns (false-positive).
inline constexpr std::string_view kFalsePositiveCategory = "false-positive";

// Adds every domain the store allowlists now to *allowlist.
Status AddStoreAllowlist(const nsdb::Store& store, detect::Allowlist* allowlist);

}  // namespace nsradar::intel
