// The store's answers as JSON, shared by the CLI's --json output and the
// HTTP API so the two never drift apart.
#pragma once

#include "nsdb/store.h"
#include "util/json_writer.h"

namespace nsradar::nsdb {

// {"domain","zone","kind","name_servers":[...],"edges":[{"ns","first_seen",
// "last_seen","active"}],"history":[{"time","event","name_servers"}]}
void WriteDomainJson(const DomainInfo& info, JsonWriter& w);

// {"zones","snapshots","edges","active_edges","domains","name_servers","glue",
// "disk_bytes","zone_list":[{"name","snapshots","first","latest"}]}
void WriteStatsJson(const StoreStats& st, JsonWriter& w);

}  // namespace nsradar::nsdb
