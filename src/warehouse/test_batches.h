// Test helpers of the warehouse writer's tests: a scratch folder and
// batches of real event rows.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "warehouse/rows.h"
#include "warehouse/spool.h"

namespace nsradar::warehouse::testing {

class ScratchDir {
 public:
  ScratchDir() {
    char name[] = "/tmp/nsradar-wh-XXXXXX";
    path_ = mkdtemp(name) ? name : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A batch of `rows` events of "q<i>.<domain>".
inline Batch EventBatch(uint64_t seq, uint32_t rows, const std::string& sensor = "s1",
                        const std::string& domain = "example.com") {
  Batch b;
  b.table = "dns_events";
  b.sensor = sensor;
  b.seq = seq;
  b.rows = rows;
  b.min_ts = UINT32_MAX;
  for (uint32_t i = 0; i < rows; ++i) {
    ingest::DnsEvent ev;
    ev.ts_us = int64_t{1'700'000'000 + i} * 1'000'000;
    ev.qname = "q" + std::to_string(i) + "." + domain;
    ev.registered_offset = ev.qname.size() - domain.size();
    const uint32_t ts = AppendEventRow(ev, {sensor, seq, i}, &b.payload);
    b.min_ts = std::min(b.min_ts, ts);
    b.max_ts = std::max(b.max_ts, ts);
  }
  return b;
}

}  // namespace nsradar::warehouse::testing
