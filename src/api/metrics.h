// Metrics: request counters and latency histograms per endpoint, rendered in
// the Prometheus text exposition format (version 0.0.4). Endpoints are named
// by the route table's labels (internal/routes.cc).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace nsradar::api {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBucketBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                           0.05,   0.1,   0.25,   0.5,   1,    5};

  void Record(std::string_view endpoint, int status, double seconds);
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void Rejected(const std::string& reason);
  int64_t connections() const { return connections_.load(std::memory_order_relaxed); }

  // Appends the metrics text to *out.
  void Render(std::string* out) const;

 private:
  struct Endpoint {
    std::map<int, uint64_t> requests;                      // by status
    std::array<uint64_t, kBucketBounds.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    uint64_t sum_micros = 0;
  };
  mutable std::mutex mu_;  // guards the two maps
  std::map<std::string, Endpoint, std::less<>> endpoints_;
  std::map<std::string, uint64_t> rejected_;
  std::atomic<int64_t> connections_{0};
};

}  // namespace nsradar::api
