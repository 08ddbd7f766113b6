#include "api/metrics.h"

#include <fmt/format.h>

namespace nsradar::api {

void Metrics::Record(std::string_view endpoint, int status, double seconds) {
  size_t b = 0;
  while (b < kBucketBounds.size() && seconds > kBucketBounds[b]) ++b;
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(endpoint);
  if (it == endpoints_.end()) it = endpoints_.emplace(endpoint, Endpoint{}).first;
  Endpoint& e = it->second;
  ++e.requests[status];
  if (b < kBucketBounds.size()) ++e.buckets[b];
  ++e.count;
  e.sum_micros += static_cast<uint64_t>(seconds * 1e6);
}

void Metrics::Rejected(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++rejected_[reason];
}

void Metrics::Render(std::string* out) const {
  auto o = std::back_inserter(*out);
  std::lock_guard lock(mu_);
  fmt::format_to(o,
                 "# HELP nsradar_http_requests_total HTTP requests answered, by endpoint and status.\n"
                 "# TYPE nsradar_http_requests_total counter\n");
  for (const auto& [name, e] : endpoints_) {
    for (const auto& [status, n] : e.requests) {
      fmt::format_to(o, "nsradar_http_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n", name, status, n);
    }
  }
  fmt::format_to(o,
                 "# HELP nsradar_http_rejected_total Connections or requests refused before routing.\n"
                 "# TYPE nsradar_http_rejected_total counter\n");
  for (const auto& [reason, n] : rejected_) {
    fmt::format_to(o, "nsradar_http_rejected_total{{reason=\"{}\"}} {}\n", reason, n);
  }
  fmt::format_to(o,
                 "# HELP nsradar_http_request_duration_seconds Time to answer a request (to its first byte "
                 "for streamed answers).\n"
                 "# TYPE nsradar_http_request_duration_seconds histogram\n");
  for (const auto& [name, e] : endpoints_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBucketBounds.size(); ++b) {
      cumulative += e.buckets[b];
      fmt::format_to(o, "nsradar_http_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"{}\"}} {}\n", name,
                     kBucketBounds[b], cumulative);
    }
    fmt::format_to(o, "nsradar_http_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"+Inf\"}} {}\n", name,
                   e.count);
    fmt::format_to(o, "nsradar_http_request_duration_seconds_sum{{endpoint=\"{}\"}} {}\n", name, e.sum_micros / 1e6);
    fmt::format_to(o, "nsradar_http_request_duration_seconds_count{{endpoint=\"{}\"}} {}\n", name, e.count);
  }
  fmt::format_to(o,
                 "# HELP nsradar_http_connections Open client connections.\n"
                 "# TYPE nsradar_http_connections gauge\nnsradar_http_connections {}\n",
                 connections());
}

}  // namespace nsradar::api
