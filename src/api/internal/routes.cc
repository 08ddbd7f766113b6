#include "api/internal/routes.h"

#include <array>

#include "api/internal/handlers.h"

namespace nsradar::api {
namespace {

Response HandleHealth(const Call&) {
  Response r;
  r.content_type = "text/plain";
  r.body = "ok\n";
  return r;
}

Response HandleOpenApi(const Call&) {
  Response r;
  r.body = OpenApiDocument();
  return r;
}

constexpr bool kKey = true, kNoKey = false;

// Labels are part of dashboards and alerting rules: keep them when a row
// changes, and list new ones in docs/api.md.
constexpr std::array kRoutes = {
    Route{"GET", "/api/v1", "v1", kKey, HandleV1},
    Route{"GET", "/v2/ns/{ns}/domains", "v2_ns_domains", kKey, HandleNsDomains},
    Route{"GET", "/v2/ns/{ns}/domains/export", "v2_ns_domains_export", kKey, HandleNsDomainsExport},
    Route{"GET", "/v2/ns/{ns}/counts", "v2_ns_counts", kKey, HandleNsCounts},
    Route{"GET", "/v2/ns/{ns}/history", "v2_ns_history", kKey, HandleNsHistory},
    Route{"GET", "/v2/ns/{ns}/addresses", "v2_addresses", kKey, HandleNsAddresses},
    Route{"GET", "/v2/nameservers", "v2_nameservers", kKey, HandleNameServers},
    Route{"GET", "/v2/domain/{domain}", "v2_domain", kKey, HandleDomain},
    Route{"GET", "/v2/ip/{address}/nameservers", "v2_ip_nameservers", kKey, HandleAddressHosts},
    Route{"GET", "/v2/stats", "v2_stats", kKey, HandleStats},
    Route{"POST", "/v2/bulk/nameservers", "v2_bulk_nameservers", kKey, HandleBulkNameServers},
    Route{"POST", "/v2/bulk/domains", "v2_bulk_domains", kKey, HandleBulkDomains},
    Route{"GET", "/v2/export/cof", "v2_export", kKey, HandleCofExport},
    Route{"GET", "/v2/check/{domain}", "v2_check", kKey, HandleCheck},
    Route{"GET", "/v2/alerts", "v2_alerts", kKey, HandleAlerts},
    Route{"GET", "/v2/alerts/stream", "v2_alerts_stream", kKey, HandleAlertStream},
    Route{"POST", "/v2/block/{domain}", "v2_block", kKey, HandleBlock},
    Route{"GET", "/v2/allowlist", "v2_allowlist", kKey, HandleAllowlist},
    Route{"GET", "/v2/allowlist/{domain}", "v2_allowlist_domain", kKey, HandleAllowlistDomain},
    Route{"POST", "/v2/allowlist/{domain}", "v2_allowlist_mark", kKey, HandleAllowlistMark},
    Route{"DELETE", "/v2/allowlist/{domain}", "v2_allowlist_unmark", kKey, HandleAllowlistUnmark},
    Route{"GET", "/v2/intel/sources", "v2_intel_sources", kKey, HandleIntelSources},
    Route{"GET", "/v2/rpz", "v2_rpz", kKey, HandleRpz},
    Route{"GET", "/v2/hunt/{domain}/events", "v2_hunt_events", kKey, HandleHuntEvents},
    Route{"GET", "/v2/hunt/{domain}/clients", "v2_hunt_clients", kKey, HandleHuntClients},
    Route{"GET", "/v2/hunt/{domain}/timeline", "v2_hunt_timeline", kKey, HandleHuntTimeline},
    Route{"GET", "/v2/hunt/{domain}/first-seen", "v2_hunt_first_seen", kKey, HandleHuntFirstSeen},
    Route{"GET", "/v2/hunt/top", "v2_hunt_top", kKey, HandleHuntTop},
    Route{"GET", "/v2/hunt/{domain}/observations", "v2_hunt_observations", kKey, HandleHuntObservations},
    Route{"GET", "/v2/openapi.json", "openapi", kNoKey, HandleOpenApi},
    Route{"GET", "/metrics", "metrics", kNoKey, HandleMetrics},
    Route{"GET", "/healthz", "healthz", kNoKey, HandleHealth},
};

// The next segment of *rest, skipping empty ones; "" at the end.
std::string_view NextSegment(std::string_view* rest) {
  while (!rest->empty() && rest->front() == '/') rest->remove_prefix(1);
  std::string_view segment = rest->substr(0, rest->find('/'));
  rest->remove_prefix(segment.size());
  return segment;
}

bool MatchPath(std::string_view pattern, std::string_view path, PathParams* params) {
  params->Clear();
  for (;;) {
    std::string_view want = NextSegment(&pattern), got = NextSegment(&path);
    if (want.empty() || got.empty()) return want.empty() && got.empty();
    if (want.front() == '{') {
      params->Add(want.substr(1, want.size() - 2), got);
    } else if (want != got) {
      return false;
    }
  }
}

bool Allows(const Route& route, std::string_view method) {
  return method == route.method || (method == "HEAD" && route.method == "GET");
}

}  // namespace

std::string_view PathParams::Get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (key == name) return value;
  }
  return "";
}

std::span<const Route> Routes() { return kRoutes; }

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
  RouteMatch m;
  PathParams params;
  for (const Route& route : kRoutes) {
    if (!MatchPath(route.pattern, path, &params)) continue;
    if (Allows(route, method)) {
      m.route = &route;
      m.path = std::move(params);
      return m;
    }
    if (m.wrong_method == nullptr) m.wrong_method = &route;
  }
  return m;
}

}  // namespace nsradar::api
