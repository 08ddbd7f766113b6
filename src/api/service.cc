#include "api/service.h"

#include <fmt/format.h>

#include <chrono>

#include "api/internal/params.h"
#include "api/internal/routes.h"

namespace nsradar::api {
namespace {

// The metrics label of the web UI's files and sessions.
constexpr std::string_view kUiLabel = "ui";
constexpr std::string_view kAccessRestricted = "Access restricted. Check credits balance or enter the correct API key.";

// Without the pipeline's, GET /v2/rpz honours the built-in allowlist, as
// `nsradar rpz export` does without --allowlist.
const detect::Allowlist* BuiltInAllowlist() {
  static const detect::Allowlist allowlist = detect::Allowlist::BuiltIn();
  return &allowlist;
}

}  // namespace

Service::Service(const nsdb::Store* store, const ApiKeys* keys, Metrics* metrics, const ServiceOptions& options)
    : store_(store),
      keys_(keys),
      metrics_(metrics),
      limiter_(options.rate_limit),
      ui_(keys),
      extra_metrics_(options.extra_metrics),
      writable_store_(options.writable_store),
      on_store_changed_(options.on_store_changed),
      rpz_path_(options.rpz_path),
      rpz_(options.rpz),
      alert_stream_(options.alert_stream),
      hunt_(options.hunt ? *options.hunt : warehouse::HuntTarget{}) {
  if (rpz_.allowlist == nullptr) rpz_.allowlist = BuiltInAllowlist();
}

Response Service::Handle(const Request& req, std::string_view api_key_header) {
  auto start = std::chrono::steady_clock::now();
  std::string_view label = kUnroutedLabel;
  Response r = Dispatch(req, api_key_header, &label);
  metrics_->Record(label, r.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return r;
}

std::optional<Response> Service::Admit(const Request& req, std::string_view api_key_header, KeyDigest* digest) {
  // v1 clients send the key as a parameter; a header serves as well, and
  // the web UI's session cookie.
  std::string_view key = req.params.Get("apiKey").value_or(api_key_header);
  if (key.empty()) {
    if (auto session = ui_.SessionKey(req)) {
      if (!UiService::OriginAllowed(req)) return ErrorResponse(403, "cross-origin request refused (Origin)");
      *digest = *session;
      return AdmitDigest(*digest);
    }
  }
  if (!keys_->Find(key, digest)) return ErrorResponse(403, kAccessRestricted);
  return AdmitDigest(*digest);
}

std::optional<Response> Service::AdmitDigest(const KeyDigest& digest) {
  if (!limiter_.Allow(digest)) {
    Response r = ErrorResponse(429, "Too many requests: the rate limit of this API key is exceeded.");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return std::nullopt;
}

Response Service::Dispatch(const Request& req, std::string_view api_key_header, std::string_view* label) {
  if (IsUiPath(req.path)) {
    *label = kUiLabel;
    return ui_.Handle(req);
  }
  RouteMatch m = MatchRoute(req.method, req.path);
  // A wrong method is told before the key is checked, an unknown path too.
  if (m.route == nullptr && m.wrong_method != nullptr) {
    *label = m.wrong_method->label;
    // A path may take several methods (/v2/allowlist/{domain}): name them all.
    std::string allowed;
    for (std::string_view method : {"GET", "POST", "DELETE"}) {
      if (MatchRoute(method, req.path).route == nullptr) continue;
      if (!allowed.empty()) allowed += ", ";
      allowed += method;
    }
    Response r = ErrorResponse(405, "use " + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  if (m.route == nullptr) return ErrorResponse(404, "no such endpoint: " + req.path);
  *label = m.route->label;
  std::string who;
  if (m.route->needs_key) {
    KeyDigest digest;
    if (auto denied = Admit(req, api_key_header, &digest)) return *denied;
    who = fmt::format("key:{:02x}{:02x}{:02x}{:02x}", digest[0], digest[1], digest[2], digest[3]);
  }
  return m.route->handler(Call{*store_, req, m.path, *metrics_, extra_metrics_, writable_store_, on_store_changed_,
                               rpz_path_, rpz_, who, alert_stream_, hunt_});
}

}  // namespace nsradar::api
