// The store's answers as JSON: one writer per kind of row, shared by the
// CLI's --json output and the HTTP API's v2 so the two never drift apart
// (docs/api.md shows each shape). v1 keeps the Reverse NS API's own shape
// and does not use these.
//
// Where an answer is about one name server or address, that subject is
// echoed under "ns" or "address"; rows in a list carry their own "name".
#pragma once

#include <string_view>
#include <vector>

#include "nsdb/store.h"
#include "util/json_writer.h"

namespace nsradar::nsdb {

// A domain on a name server:
// {"name","first_seen","last_seen","active","kind","zone","observed"}
void WriteDomainRowJson(const DomainRow& row, JsonWriter& w);

// A page of them: {"ns","total","count","domains":[row...],"next_cursor"},
// next_cursor null on the last page.
void WriteDomainPageJson(std::string_view ns, const DomainPage& page, JsonWriter& w);

// The counts of a name server, as two fields of an object the caller has
// open: "domain_count","active_count".
void WriteNsCountFields(const NsCounts& counts, JsonWriter& w);

// A page of name servers at or below a name:
// {"suffix","name_servers":[{"name","domain_count","active_count"}...],"next_cursor"}
void WriteNsPageJson(std::string_view suffix, const std::vector<NsRow>& rows, bool more, JsonWriter& w);

// The glue addresses of a host, as a field of an object the caller has
// open: "addresses":[{"address","first_seen","last_seen"}...]
void WriteAddressesField(const std::vector<GlueRow>& rows, JsonWriter& w);
// {"ns","addresses":[...]}
void WriteHostAddressesJson(std::string_view host, const std::vector<GlueRow>& rows, JsonWriter& w);
// The hosts with an address in glue:
// {"address","name_servers":[{"name","first_seen","last_seen"}...]}
void WriteAddressHostsJson(const dns::Address& address, const std::vector<GlueRow>& rows, JsonWriter& w);

// {"domain","zone","kind","name_servers":[...],"edges":[{"ns","first_seen",
// "last_seen","active","observed"}],"history":[{"time","event","name_servers"}]}
void WriteDomainJson(const DomainInfo& info, JsonWriter& w);

// {"zones","snapshots","edges","active_edges","domains","name_servers","glue",
// "disk_bytes","zone_list":[{"name","snapshots","first","latest"}]}
void WriteStatsJson(const StoreStats& st, JsonWriter& w);

}  // namespace nsradar::nsdb
