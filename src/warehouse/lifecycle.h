// The warehouse schema's lifecycle on a cluster: create or upgrade it on
// every shard, report what each shard holds, expire old days, drop it.
//
// Every shard is handled on its own (its local tables, its schema_version
// table), since a Distributed table only reaches the shards' local tables
// and DDL ON CLUSTER would need ZooKeeper. The endpoints are the cluster's
// shards, in the order of its remote_servers entry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"
#include "warehouse/endpoint.h"
#include "warehouse/schema.h"

namespace nsradar::warehouse {

struct InitResult {
  std::vector<int> from_version;  // per shard, 0 where nothing was there
};

// Creates the schema where it is missing and applies the migrations a
// shard lacks. Idempotent. Fails, before changing anything, when a shard
// is unreachable or has a version newer than kSchemaVersion.
Status Init(const std::vector<Endpoint>& shards, const SchemaNames& names, InitResult* result);

struct TableCount {
  std::string table;
  uint64_t rows = 0;
};

struct ShardStatus {
  std::string endpoint;  // Display()
  bool reachable = false;
  std::string error;  // why not, or why the counts are missing
  std::string server_version;
  int schema_version = 0;  // 0: no schema
  std::vector<TableCount> local_rows;
};

struct WarehouseStatus {
  std::vector<ShardStatus> shards;
  // Through the Distributed tables of the first shard with the schema:
  // every shard's rows, as a query sees them; empty when none has it.
  std::vector<TableCount> cluster_rows;
};

// Never fails for an unreachable shard (that is what it reports); fails
// only for bad names.
Status GetStatus(const std::vector<Endpoint>& shards, const SchemaNames& names, WarehouseStatus* out);

// Drops the day partitions of dns_events and evidence older than
// `keep_days` days (UTC) on every shard: the retention TTL of 19.6+
// would do, done by hand. Returns how many partitions went.
Status Expire(const std::vector<Endpoint>& shards, const SchemaNames& names, int keep_days, uint64_t* dropped);

// Drops every table on every shard; reachable shards are dropped even when
// another fails, and the failures are returned together.
Status Drop(const std::vector<Endpoint>& shards, const SchemaNames& names);

}  // namespace nsradar::warehouse
