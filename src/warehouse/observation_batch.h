// ObservationBatch: the passive-DNS observations of one writer batch,
// aggregated per (rrname, rrtype, rdata): the first and last time it was
// seen and how often, so a record a resolver answers thousands of times a
// second is one row per batch, not one per answer. Rows of every batch and
// every sensor are merged when read (min/max/sum grouped by the record,
// warehouse/hunt.h), which plain MergeTree does on ClickHouse 18.16
// (docs/warehouse.md says why not a summing or aggregating engine).
//
// Memory: the batch holds each distinct record once; the writer closes it
// at its row bound or its byte bound (keys' bytes), whichever comes first.
// Not thread-safe: the writer holds its lock around it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "warehouse/spool.h"

namespace nsradar::warehouse {

class ObservationBatch {
 public:
  // `rrname` canonical (dns/name.h); `time` in UNIX seconds. A name or
  // data longer than any DNS name (kMaxField: logs carry what they like) is
  // not taken.
  static constexpr size_t kMaxField = 1024;
  void Add(std::string_view rrname, uint16_t rrtype, std::string_view rdata, int64_t time);

  size_t rows() const { return records_.size(); }
  // What the distinct records cost in memory, roughly (keys and entries).
  size_t bytes() const { return bytes_; }

  // Encodes the records as rows of `observations` (sorted by record, so a
  // batch's bytes do not depend on hashing) into `out`, which names the
  // batch (sensor, seq) and gets rows, payload and the range of last_seen;
  // then empties this batch.
  void Encode(Batch* out);

 private:
  struct Seen {
    int64_t first = 0, last = 0;
    uint64_t count = 0;
    uint16_t rrtype = 0;
    uint16_t rrname_size = 0;    // the key is rrname then rdata
    uint16_t registered_at = 0;  // of the registered domain in rrname; rrname_size when none
  };
  std::unordered_map<std::string, Seen> records_;
  std::string key_;  // the lookup's, kept for its capacity
  size_t bytes_ = 0;
};

}  // namespace nsradar::warehouse
