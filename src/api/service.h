// Service: the reverse-NS HTTP API without the transport. It routes a
// Request by the route table (internal/routes.cc, where every endpoint is listed),
// checks the API key and the key's rate, and counts every answer in Metrics.
// Thread-safe; one instance serves every connection.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api/alert_stream.h"
#include "api/api_keys.h"
#include "api/metrics.h"
#include "api/request.h"
#include "api/ui_service.h"
#include "intel/rpz.h"
#include "nsdb/store.h"
#include "warehouse/hunt.h"

namespace nsradar::api {

struct ServiceOptions {
  double rate_limit = 30;  // requests per second per key; 0 = unlimited
  // Called on every /metrics request, from any server thread, to append
  // more lines in the Prometheus text exposition format (HELP, TYPE and
  // samples, each line ending in a newline) after the API's own, so other
  // parts of the process (the live pipeline) publish their counters.
  std::function<void(std::string* out)> extra_metrics = nullptr;
  // The store again, writable, when this process is its writer (serve
  // --config): actions (POST /v2/block/{domain}) write to it and then call
  // on_store_changed. Null: actions answer 409.
  nsdb::Store* writable_store = nullptr;
  std::function<void()> on_store_changed = nullptr;
  // The RPZ file this process writes ("" when none) and its options
  // (origin, action, the allowlist files' entries), for GET /v2/rpz.
  std::string rpz_path{};
  intel::RpzOptions rpz{};
  // The alerts this process raises, live (GET /v2/alerts/stream); borrowed,
  // must outlive the Service. Null: that route answers 404.
  AlertStream* alert_stream = nullptr;
  // The ClickHouse warehouse of the /v2/hunt endpoints, copied; null: they
  // answer 503.
  const warehouse::HuntTarget* hunt = nullptr;
};

class Service {
 public:
  // Borrows all three; they must outlive the Service.
  Service(const nsdb::Store* store, const ApiKeys* keys, Metrics* metrics, const ServiceOptions& options);

  // `api_key_header` is the key the transport found in a header (X-API-Key
  // or Authorization: Bearer), if any; the apiKey parameter, v1's way,
  // takes precedence over it. Without either, the web UI's session cookie
  // stands for its key (ui_service.h), on other methods than GET/HEAD only
  // with a same-origin Origin. "/" and "/ui/..." are the web UI's.
  Response Handle(const Request& req, std::string_view api_key_header);

 private:
  // Sets *label to the metrics label of the route taken.
  Response Dispatch(const Request& req, std::string_view api_key_header, std::string_view* label);
  // An error answer when the request may not proceed.
  // On success *digest is the digest of the key the request stands for.
  std::optional<Response> Admit(const Request& req, std::string_view api_key_header, KeyDigest* digest);
  std::optional<Response> AdmitDigest(const KeyDigest& digest);

  const nsdb::Store* store_;
  const ApiKeys* keys_;
  Metrics* metrics_;
  RateLimiter limiter_;
  UiService ui_;
  std::function<void(std::string* out)> extra_metrics_;
  nsdb::Store* writable_store_;
  std::function<void()> on_store_changed_;
  std::string rpz_path_;
  intel::RpzOptions rpz_;
  AlertStream* alert_stream_;
  warehouse::HuntTarget hunt_;
};

}  // namespace nsradar::api
