#include "api/metrics.h"

#include <fmt/format.h>

namespace nsradar::api {

const char* EndpointName(Endpoint e) {
  switch (e) {
    case Endpoint::kV1:
      return "v1";
    case Endpoint::kV2Domains:
      return "v2_ns_domains";
    case Endpoint::kV2NameServers:
      return "v2_nameservers";
    case Endpoint::kV2Domain:
      return "v2_domain";
    case Endpoint::kV2Addresses:
      return "v2_addresses";
    case Endpoint::kV2Counts:
      return "v2_ns_counts";
    case Endpoint::kV2Stats:
      return "v2_stats";
    case Endpoint::kV2Bulk:
      return "v2_bulk";
    case Endpoint::kV2Export:
      return "v2_export";
    case Endpoint::kV2Check:
      return "v2_check";
    case Endpoint::kV2Alerts:
      return "v2_alerts";
    case Endpoint::kOpenApi:
      return "openapi";
    case Endpoint::kMetrics:
      return "metrics";
    case Endpoint::kHealth:
      return "healthz";
    case Endpoint::kOther:
    case Endpoint::kCount:
      break;
  }
  return "other";
}

void Metrics::Record(Endpoint e, int status, double seconds) {
  Histogram& h = latency_[static_cast<size_t>(e)];
  size_t b = 0;
  while (b < kBucketBounds.size() && seconds > kBucketBounds[b]) ++b;
  if (b < kBucketBounds.size()) h.buckets[b].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  ++requests_[{e, status}];
}

void Metrics::Rejected(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++rejected_[reason];
}

void Metrics::Render(std::string* out) const {
  auto o = std::back_inserter(*out);
  fmt::format_to(o,
                 "# HELP nsradar_http_requests_total HTTP requests answered, by endpoint and status.\n"
                 "# TYPE nsradar_http_requests_total counter\n");
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, n] : requests_) {
      fmt::format_to(o, "nsradar_http_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n", EndpointName(k.first),
                     k.second, n);
    }
    fmt::format_to(o,
                   "# HELP nsradar_http_rejected_total Connections or requests refused before routing.\n"
                   "# TYPE nsradar_http_rejected_total counter\n");
    for (const auto& [reason, n] : rejected_) {
      fmt::format_to(o, "nsradar_http_rejected_total{{reason=\"{}\"}} {}\n", reason, n);
    }
  }
  fmt::format_to(o,
                 "# HELP nsradar_http_request_duration_seconds Time to answer a request (to its first byte "
                 "for streamed answers).\n"
                 "# TYPE nsradar_http_request_duration_seconds histogram\n");
  for (size_t e = 0; e < latency_.size(); ++e) {
    const Histogram& h = latency_[e];
    uint64_t count = h.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const char* name = EndpointName(static_cast<Endpoint>(e));
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBucketBounds.size(); ++b) {
      cumulative += h.buckets[b].load(std::memory_order_relaxed);
      fmt::format_to(o, "nsradar_http_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"{}\"}} {}\n", name,
                     kBucketBounds[b], cumulative);
    }
    fmt::format_to(o, "nsradar_http_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"+Inf\"}} {}\n", name, count);
    fmt::format_to(o, "nsradar_http_request_duration_seconds_sum{{endpoint=\"{}\"}} {}\n", name,
                   h.sum_micros.load(std::memory_order_relaxed) / 1e6);
    fmt::format_to(o, "nsradar_http_request_duration_seconds_count{{endpoint=\"{}\"}} {}\n", name, count);
  }
  fmt::format_to(o,
                 "# HELP nsradar_http_connections Open client connections.\n"
                 "# TYPE nsradar_http_connections gauge\nnsradar_http_connections {}\n",
                 connections());
}

}  // namespace nsradar::api
