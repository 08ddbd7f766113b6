// The API's endpoints as one table: each row's method, path pattern,
// handler, /metrics label and whether it needs a key. The table alone drives
// routing and the labels, and a test holds it equal to the OpenAPI
// document's paths, so adding an endpoint is a handler, a row and its
// OpenAPI entry.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/metrics.h"
#include "api/request.h"
#include "intel/rpz.h"
#include "nsdb/store.h"
#include "warehouse/hunt.h"

namespace nsradar::api {

class AlertStream;

// The values of a route's {parameters}, by name; views into the request's
// path.
class PathParams {
 public:
  void Add(std::string_view name, std::string_view value) { items_.emplace_back(name, value); }
  void Clear() { items_.clear(); }
  // The value of {name}; "" when the route's pattern has no such parameter.
  std::string_view Get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string_view, std::string_view>> items_;
};

// What a handler is given. The key, when its route needs one, has been
// checked.
struct Call {
  const nsdb::Store& store;
  const Request& req;
  const PathParams& path;
  const Metrics& metrics;
  // Appends more Prometheus lines to /metrics; may be empty.
  const std::function<void(std::string* out)>& extra_metrics;
  // The same store, writable, where this process is its writer; else null.
  nsdb::Store* writable_store;
  // To call after writing to writable_store; may be empty.
  const std::function<void()>& on_store_changed;
  // The RPZ this process writes (GET /v2/rpz): path "" when none.
  const std::string& rpz_path;
  const intel::RpzOptions& rpz;
  // Who is asking, for audit records: "key:" and the first 8 hex digits of
  // the SHA-256 of the key (or of the session's key); "" on keyless routes.
  std::string_view who;
  // The live alerts (GET /v2/alerts/stream), where this process raises
  // them (serve --config); else null.
  AlertStream* alert_stream;
  // The warehouse the /v2/hunt endpoints query; no shards when none.
  const warehouse::HuntTarget& hunt;
};

struct Route {
  std::string_view method;   // "GET" (which answers HEAD as well), "POST" or "DELETE"
  std::string_view pattern;  // "/v2/ns/{ns}/domains": literal segments and {parameters}
  std::string_view label;    // the endpoint label of the route's /metrics lines
  bool needs_key;
  Response (*handler)(const Call& call);
};

// The label of requests no route's path matches.
inline constexpr std::string_view kUnroutedLabel = "other";

std::span<const Route> Routes();

struct RouteMatch {
  const Route* route = nullptr;  // the route for the path and method
  // Else, when a route has the path but wants another method, that route.
  const Route* wrong_method = nullptr;
  PathParams path;
};

// Finds the route of a request. Paths match segment by segment; empty
// segments ("//", a trailing "/") are ignored, and a {parameter} matches any
// one segment.
RouteMatch MatchRoute(std::string_view method, std::string_view path);

}  // namespace nsradar::api
