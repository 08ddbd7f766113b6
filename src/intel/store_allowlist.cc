#include "intel/store_allowlist.h"

namespace nsradar::intel {

Status AddStoreAllowlist(const nsdb::Store& store, detect::Allowlist* allowlist) {
  std::vector<nsdb::AllowlistEvent> listed;
  NSRADAR_RETURN_IF_ERROR(store.Allowlisted(&listed));
  for (const auto& e : listed) allowlist->Add(e.domain, kFalsePositiveCategory);
  return Status::OK();
}

}  // namespace nsradar::intel
