// Service: the reverse-NS HTTP API without the transport. It routes a
// Request to its handler, checks the API key and the key's rate, and counts
// every answer in Metrics. Thread-safe; one instance serves every
// connection.
//
//   GET  /api/v1?apiKey=K&ns=N[&from=D][&outputFormat=JSON|XML]   compatibility
//   GET  /v2/ns/{ns}/domains       domains on a name server (cursor, fences)
//   GET  /v2/ns/{ns}/counts        domain counts
//   GET  /v2/ns/{ns}/addresses     addresses of a name server
//   GET  /v2/nameservers?suffix=S  name servers at or below a name
//   GET  /v2/domain/{domain}       current name servers and history
//   GET  /v2/ip/{address}/nameservers
//   GET  /v2/stats
//   POST /v2/bulk/nameservers, /v2/bulk/domains   NDJSON answers
//   GET  /v2/export/cof[?ns=N]     Passive DNS Common Output Format, NDJSON
//   GET  /v2/openapi.json, /metrics, /healthz      no key needed
#pragma once

#include <string>

#include "api/api_keys.h"
#include "api/metrics.h"
#include "api/request.h"
#include "nsdb/store.h"

namespace nsradar::api {

struct ServiceOptions {
  double rate_limit = 30;  // requests per second per key; 0 = unlimited
};

class Service {
 public:
  // Borrows all three; they must outlive the Service.
  Service(const nsdb::Store* store, const ApiKeys* keys, Metrics* metrics, const ServiceOptions& options);

  // `api_key_header` is the key the transport found in a header (X-API-Key
  // or Authorization: Bearer), if any; the apiKey parameter, v1's way,
  // takes precedence over it.
  Response Handle(const Request& req, std::string_view api_key_header);

 private:
  Response Route(const Request& req, std::string_view api_key_header, Endpoint* endpoint);
  // An error answer when the request may not proceed.
  std::optional<Response> Admit(std::string_view key);

  const nsdb::Store* store_;
  const ApiKeys* keys_;
  Metrics* metrics_;
  RateLimiter limiter_;
};

// Handlers, one file each; they assume the caller was admitted.
Response HandleV1(const nsdb::Store& store, const Request& req);
Response HandleNsDomains(const nsdb::Store& store, const Request& req, std::string_view ns);
Response HandleNsCounts(const nsdb::Store& store, std::string_view ns);
Response HandleNsAddresses(const nsdb::Store& store, std::string_view ns);
Response HandleNameServers(const nsdb::Store& store, const Request& req);
Response HandleDomain(const nsdb::Store& store, std::string_view domain);
Response HandleAddressHosts(const nsdb::Store& store, std::string_view address);
Response HandleStats(const nsdb::Store& store);
Response HandleBulk(const nsdb::Store& store, const Request& req, bool name_servers);
Response HandleCofExport(const nsdb::Store& store, const Request& req);
Response HandleMetrics(const nsdb::Store& store, const Metrics& metrics);
Response HandleCheck(const nsdb::Store& store, std::string_view domain);
Response HandleAlerts(const nsdb::Store& store, const Request& req);
const std::string& OpenApiDocument();

}  // namespace nsradar::api
