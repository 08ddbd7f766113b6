// Metrics: request counters and latency histograms per endpoint, rendered in
// the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace nsradar::api {

enum class Endpoint {
  kV1,
  kV2Domains,
  kV2NameServers,
  kV2Domain,
  kV2Addresses,
  kV2Counts,
  kV2Stats,
  kV2Bulk,
  kV2Export,
  kV2Check,
  kV2Alerts,
  kOpenApi,
  kMetrics,
  kHealth,
  kOther,
  kCount
};
const char* EndpointName(Endpoint e);

class Metrics {
 public:
  static constexpr std::array<double, 12> kBucketBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                           0.05,   0.1,   0.25,   0.5,   1,    5};

  void Record(Endpoint e, int status, double seconds);
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void Rejected(const std::string& reason);
  int64_t connections() const { return connections_.load(std::memory_order_relaxed); }

  // Appends the metrics text to *out.
  void Render(std::string* out) const;

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kBucketBounds.size()> buckets{};  // not cumulative
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_micros{0};
  };
  std::array<Histogram, static_cast<size_t>(Endpoint::kCount)> latency_;
  mutable std::mutex mu_;  // guards the two maps
  std::map<std::pair<Endpoint, int>, uint64_t> requests_;
  std::map<std::string, uint64_t> rejected_;
  std::atomic<int64_t> connections_{0};
};

}  // namespace nsradar::api
