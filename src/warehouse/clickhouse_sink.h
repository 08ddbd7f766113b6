// ClickHouseSink: the writer's Sink on a ClickHouse cluster over HTTP.
// Inserts go to the Distributed table (`INSERT INTO db.t (columns) FORMAT
// RowBinary`) with insert_distributed_sync=1, so an acknowledged insert is
// on its shards rather than in the receiving server's queue. An insert goes
// to one endpoint, the last that answered; after a failure the next call
// starts at the next endpoint (the writer's lookup of the uncertain batch
// first: a failed insert may have stored some shards' rows). Lookups and
// probes try the endpoints in turn.
#pragma once

#include <memory>
#include <vector>

#include "warehouse/endpoint.h"
#include "warehouse/http_client.h"
#include "warehouse/schema.h"
#include "warehouse/sink.h"

namespace nsradar::warehouse {

std::unique_ptr<Sink> NewClickHouseSink(std::vector<Endpoint> endpoints, SchemaNames names,
                                        QueryOptions options = {.timeout_seconds = 20});

// Whether ClickHouse's error code means the data or the schema is at fault
// (the batch would fail again as it is), not the cluster's state.
bool IsRejection(int server_code);

}  // namespace nsradar::warehouse
