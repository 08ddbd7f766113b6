// Sink: what the writer needs of the warehouse, so that its spooling,
// replay and idempotence are tested against a fake as well as against a
// real cluster (ClickHouseSink).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "warehouse/spool.h"

namespace nsradar::warehouse {

class Sink {
 public:
  virtual ~Sink() = default;

  // OK when the warehouse can take the writer's rows now: every shard
  // answers and has every column the writer inserts (schema version 2).
  virtual Status Probe() = 0;

  // Inserts `rows` (RowBinary, all or some of the batch's rows) into the
  // batch's table. InvalidArgument: the server refused the data (its
  // message: a bad row, a column it lacks); any other error (connection,
  // timeout, a shard down, an overloaded server) may pass with a retry, and
  // some of the rows may have been stored nevertheless.
  virtual Status Insert(const Batch& batch, std::string_view rows) = 0;

  // The batch_row of every row of the batch (sensor, seq) the warehouse
  // holds, in any order.
  virtual Status StoredRows(const Batch& batch, std::vector<uint32_t>* rows) = 0;
};

}  // namespace nsradar::warehouse
