// The warehouse schema as SQL, versioned. Every table exists twice on each
// shard: NAME_local (MergeTree, the rows this shard holds) and NAME (a
// Distributed table over the cluster's NAME_local, sharded by
// cityHash64(registered_domain), so every row of a domain lands on one
// shard and a domain's forensics reads one shard).
//
// Only SQL that ClickHouse 18.16 (Debian 12) and current releases both
// accept: MergeTree with PARTITION BY/ORDER BY clauses (18.16 has them; the
// older MergeTree(date, key, granularity) form is deprecated today), no
// TTL (19.6+; retention drops whole day partitions instead, see
// ExpireStatements), no DateTime64/IPv6/LowCardinality types (addresses are
// FixedString(16), IPv4 mapped into IPv6, "::" for unknown).
//
// Migrations are applied in order by version; each statement is
// idempotent (IF NOT EXISTS, or a column added only where system.columns
// lacks it), so a migration interrupted halfway is simply run again.
//
// Version 2 adds the batch id of the sensors' writer (warehouse/writer.h)
// to every table a sensor writes: batch_seq (the sensor's batch sequence
// number) and batch_row (the row's index in its batch); with `sensor` they
// name each row once, which is how a replayed batch finds the rows the
// warehouse already holds (docs/warehouse.md, idempotence).
//
// Version 3 adds to `evidence` what the central evaluator needs to read a
// row back into the event a sensor's detector saw (vantage, qname_raw,
// rcode, has_response, answer_bytes, ns_targets).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nsradar::warehouse {

inline constexpr int kSchemaVersion = 3;

// The tables, without the _local suffix, in creation order.
const std::vector<std::string>& TableNames();

struct SchemaNames {
  std::string database = "nsradar";
  std::string cluster = "nsradar";  // a remote_servers entry of every shard's config
};

// Database and cluster names become SQL identifiers: only [A-Za-z_][A-Za-z0-9_]*
// (at most 64 bytes) is accepted, so no quoting question arises; the error
// names the option.
Status CheckNames(const SchemaNames& names);

// A column a migration adds to a table unless it has it already (18.16
// has no ADD COLUMN IF NOT EXISTS).
struct ColumnAddition {
  std::string table;  // without the database
  std::string column;
  std::string type;
};

struct Migration {
  int version;
  std::vector<std::string> statements;
  std::vector<ColumnAddition> columns;  // after the statements, in order
};

// Every migration up to kSchemaVersion, for names already checked.
std::vector<Migration> Migrations(const SchemaNames& names);

// The table that records applied versions, one per shard (not distributed:
// each shard is upgraded on its own).
std::string VersionTableStatement(const SchemaNames& names);

// Drops every table (distributed first); the database is kept.
std::vector<std::string> DropStatements(const SchemaNames& names);

// A string literal for SQL: quoted, with backslash and quote escaped.
std::string SqlString(std::string_view s);

}  // namespace nsradar::warehouse
