#include "api/service.h"

#include <chrono>

#include "api/params.h"

namespace nsradar::api {
namespace {

constexpr std::string_view kAccessRestricted = "Access restricted. Check credits balance or enter the correct API key.";

// "/v2/ns/ns1.example.com/domains" -> {"v2", "ns", "ns1.example.com", "domains"}.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

Response NotFound(const Request& req) { return ErrorResponse(404, "no such endpoint: " + req.path); }

}  // namespace

Service::Service(const nsdb::Store* store, const ApiKeys* keys, Metrics* metrics, const ServiceOptions& options)
    : store_(store), keys_(keys), metrics_(metrics), limiter_(options.rate_limit) {}

Response Service::Handle(const Request& req, std::string_view api_key_header) {
  auto start = std::chrono::steady_clock::now();
  Endpoint endpoint = Endpoint::kOther;
  Response r = Route(req, api_key_header, &endpoint);
  metrics_->Record(endpoint, r.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return r;
}

std::optional<Response> Service::Admit(std::string_view key) {
  KeyDigest digest;
  if (!keys_->Find(key, &digest)) return ErrorResponse(403, kAccessRestricted);
  if (!limiter_.Allow(digest)) {
    Response r = ErrorResponse(429, "Too many requests: the rate limit of this API key is exceeded.");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return std::nullopt;
}

Response Service::Route(const Request& req, std::string_view api_key_header, Endpoint* endpoint) {
  std::vector<std::string_view> seg = Segments(req.path);
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (seg.size() == 1 && seg[0] == "healthz") {
    *endpoint = Endpoint::kHealth;
    Response r;
    r.content_type = "text/plain";
    r.body = "ok\n";
    return r;
  }
  if (seg.size() == 1 && seg[0] == "metrics") {
    *endpoint = Endpoint::kMetrics;
    return HandleMetrics(*store_, *metrics_);
  }
  if (seg.size() == 2 && seg[0] == "v2" && seg[1] == "openapi.json") {
    *endpoint = Endpoint::kOpenApi;
    Response r;
    r.body = OpenApiDocument();
    return r;
  }
  // v1 clients send the key as a parameter; a header serves as well.
  const std::string_view key = req.params.Get("apiKey").value_or(api_key_header);
  if (seg.size() == 2 && seg[0] == "api" && seg[1] == "v1") {
    *endpoint = Endpoint::kV1;
    if (!get) return ErrorResponse(405, "use GET");
    if (auto denied = Admit(key)) return *denied;
    return HandleV1(*store_, req);
  }
  if (seg.empty() || seg[0] != "v2") return NotFound(req);

  if (seg.size() == 3 && seg[1] == "bulk" && (seg[2] == "nameservers" || seg[2] == "domains")) {
    *endpoint = Endpoint::kV2Bulk;
    if (req.method != "POST") return ErrorResponse(405, "use POST");
    if (auto denied = Admit(key)) return *denied;
    return HandleBulk(*store_, req, seg[2] == "nameservers");
  }
  if (!get) return ErrorResponse(405, "use GET");
  if (seg.size() == 4 && seg[1] == "ns") {
    if (seg[3] == "domains") *endpoint = Endpoint::kV2Domains;
    if (seg[3] == "counts") *endpoint = Endpoint::kV2Counts;
    if (seg[3] == "addresses") *endpoint = Endpoint::kV2Addresses;
    if (*endpoint == Endpoint::kOther) return NotFound(req);
    if (auto denied = Admit(key)) return *denied;
    if (*endpoint == Endpoint::kV2Domains) return HandleNsDomains(*store_, req, seg[2]);
    if (*endpoint == Endpoint::kV2Counts) return HandleNsCounts(*store_, seg[2]);
    return HandleNsAddresses(*store_, seg[2]);
  }
  if (seg.size() == 2 && seg[1] == "nameservers") {
    *endpoint = Endpoint::kV2NameServers;
    if (auto denied = Admit(key)) return *denied;
    return HandleNameServers(*store_, req);
  }
  if (seg.size() == 3 && seg[1] == "domain") {
    *endpoint = Endpoint::kV2Domain;
    if (auto denied = Admit(key)) return *denied;
    return HandleDomain(*store_, seg[2]);
  }
  if (seg.size() == 4 && seg[1] == "ip" && seg[3] == "nameservers") {
    *endpoint = Endpoint::kV2Addresses;
    if (auto denied = Admit(key)) return *denied;
    return HandleAddressHosts(*store_, seg[2]);
  }
  if (seg.size() == 2 && seg[1] == "stats") {
    *endpoint = Endpoint::kV2Stats;
    if (auto denied = Admit(key)) return *denied;
    return HandleStats(*store_);
  }
  if (seg.size() == 3 && seg[1] == "check") {
    *endpoint = Endpoint::kV2Check;
    if (auto denied = Admit(key)) return *denied;
    return HandleCheck(*store_, seg[2]);
  }
  if (seg.size() == 2 && seg[1] == "alerts") {
    *endpoint = Endpoint::kV2Alerts;
    if (auto denied = Admit(key)) return *denied;
    return HandleAlerts(*store_, req);
  }
  if (seg.size() == 3 && seg[1] == "export" && seg[2] == "cof") {
    *endpoint = Endpoint::kV2Export;
    if (auto denied = Admit(key)) return *denied;
    return HandleCofExport(*store_, req);
  }
  return NotFound(req);
}

}  // namespace nsradar::api
