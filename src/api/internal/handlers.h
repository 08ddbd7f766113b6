// The handlers of the route table (routes.cc), one per endpoint, grouped in
// files by kind of answer.
#pragma once

#include <string>
#include <string_view>

#include "api/internal/routes.h"
#include "nsdb/store.h"

namespace nsradar::api {

// v1_handler.cc
Response HandleV1(const Call& call);

// v2_handlers.cc: one JSON document each.
Response HandleNsDomains(const Call& call);
Response HandleNsCounts(const Call& call);
Response HandleNsHistory(const Call& call);
Response HandleNsAddresses(const Call& call);
Response HandleNameServers(const Call& call);
Response HandleDomain(const Call& call);
Response HandleAddressHosts(const Call& call);
Response HandleStats(const Call& call);
Response HandleCheck(const Call& call);
Response HandleAlerts(const Call& call);
// One filter parameter of a name server's domain list (cursor, kind, active,
// the first/last-seen fences; apiKey is ignored) into *q: "" or the error
// naming the parameter, "KEY: unknown parameter" for any other key. The
// list and its export read the same filters through it.
std::string ReadDomainFilter(std::string_view key, std::string_view value, nsdb::DomainQuery* q);
// alert_stream_handler.cc: server-sent events.
Response HandleAlertStream(const Call& call);
Response HandleMetrics(const Call& call);

// action_handlers.cc: analysts' actions, which write to the store, and the
// allowlist they keep.
Response HandleBlock(const Call& call);
Response HandleAllowlistMark(const Call& call);
Response HandleAllowlistUnmark(const Call& call);
Response HandleAllowlist(const Call& call);
Response HandleAllowlistDomain(const Call& call);

// intel_handlers.cc: the threat intelligence's sources and the RPZ.
Response HandleIntelSources(const Call& call);
Response HandleRpz(const Call& call);

// bulk_handler.cc and cof_export.cc: streamed NDJSON.
Response HandleBulkNameServers(const Call& call);
Response HandleBulkDomains(const Call& call);
Response HandleCofExport(const Call& call);
// domain_export.cc: a name server's filtered domain list as a CSV or JSON
// download, streamed.
Response HandleNsDomainsExport(const Call& call);

// hunt_handlers.cc: forensics over the ClickHouse warehouse.
Response HandleHuntEvents(const Call& call);
Response HandleHuntClients(const Call& call);
Response HandleHuntTimeline(const Call& call);
Response HandleHuntFirstSeen(const Call& call);
Response HandleHuntTop(const Call& call);
Response HandleHuntObservations(const Call& call);

// openapi.cc, generated from openapi.json.
const std::string& OpenApiDocument();

}  // namespace nsradar::api
