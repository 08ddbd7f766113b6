#include "warehouse/lifecycle.h"

#include <fmt/format.h>

#include <charconv>

#include "warehouse/http_client.h"

namespace nsradar::warehouse {

namespace {

// One unsigned number answered by a query (TabSeparated: digits and a newline).
Status QueryNumber(const Endpoint& e, const std::string& sql, uint64_t* out) {
  std::string answer;
  NSRADAR_RETURN_IF_ERROR(Execute(e, sql, &answer));
  while (!answer.empty() && answer.back() == '\n') answer.pop_back();
  auto [end, ec] = std::from_chars(answer.data(), answer.data() + answer.size(), *out);
  if (answer.empty() || ec != std::errc() || end != answer.data() + answer.size()) {
    return Status::Corruption(
        fmt::format("{}: '{}' answered '{}', not a number", e.Display(), sql, answer.substr(0, 100)));
  }
  return Status::OK();
}

// The shard's schema version: 0 when it has no schema_version table.
Status SchemaVersion(const Endpoint& e, const SchemaNames& names, int* version) {
  uint64_t exists = 0;
  NSRADAR_RETURN_IF_ERROR(
      QueryNumber(e,
                  fmt::format("SELECT count() FROM system.tables WHERE database = {} AND name = 'schema_version'",
                              SqlString(names.database)),
                  &exists));
  if (exists == 0) {
    *version = 0;
    return Status::OK();
  }
  uint64_t v = 0;
  NSRADAR_RETURN_IF_ERROR(
      QueryNumber(e, fmt::format("SELECT max(version) FROM {}.schema_version", names.database), &v));
  *version = static_cast<int>(std::min<uint64_t>(v, 1u << 30));
  return Status::OK();
}

Status Run(const Endpoint& e, const std::string& sql) {
  std::string ignored;
  return Execute(e, sql, &ignored);
}

// ALTER TABLE ... ADD COLUMN where system.columns lacks the column.
Status AddColumn(const Endpoint& e, const SchemaNames& names, const ColumnAddition& c) {
  uint64_t has = 0;
  NSRADAR_RETURN_IF_ERROR(
      QueryNumber(e,
                  fmt::format("SELECT count() FROM system.columns WHERE database = {} AND table = {} AND name = {}",
                              SqlString(names.database), SqlString(c.table), SqlString(c.column)),
                  &has));
  if (has > 0) return Status::OK();
  return Run(e, fmt::format("ALTER TABLE {}.{} ADD COLUMN {} {}", names.database, c.table, c.column, c.type));
}

}  // namespace

Status Init(const std::vector<Endpoint>& shards, const SchemaNames& names, InitResult* result) {
  NSRADAR_RETURN_IF_ERROR(CheckNames(names));
  result->from_version.assign(shards.size(), 0);
  // Look at every shard before changing any.
  for (size_t i = 0; i < shards.size(); ++i) {
    NSRADAR_RETURN_IF_ERROR(SchemaVersion(shards[i], names, &result->from_version[i]));
    if (result->from_version[i] > kSchemaVersion) {
      return Status::InvalidArgument(
          fmt::format("{}: the warehouse has schema version {}, newer than this nsradar's {}; upgrade nsradar",
                      shards[i].Display(), result->from_version[i], kSchemaVersion));
    }
  }
  const std::vector<Migration> migrations = Migrations(names);
  for (size_t i = 0; i < shards.size(); ++i) {
    for (const Migration& m : migrations) {
      if (m.version <= result->from_version[i]) continue;
      for (const std::string& sql : m.statements) NSRADAR_RETURN_IF_ERROR(Run(shards[i], sql));
      for (const ColumnAddition& c : m.columns) NSRADAR_RETURN_IF_ERROR(AddColumn(shards[i], names, c));
      // The version table is created with the first migration's database.
      NSRADAR_RETURN_IF_ERROR(Run(shards[i], VersionTableStatement(names)));
      NSRADAR_RETURN_IF_ERROR(
          Run(shards[i], fmt::format("INSERT INTO {}.schema_version VALUES ({}, now())", names.database, m.version)));
    }
  }
  return Status::OK();
}

Status GetStatus(const std::vector<Endpoint>& shards, const SchemaNames& names, WarehouseStatus* out) {
  NSRADAR_RETURN_IF_ERROR(CheckNames(names));
  out->shards.clear();
  out->cluster_rows.clear();
  const Endpoint* with_schema = nullptr;
  for (const Endpoint& e : shards) {
    ShardStatus s;
    s.endpoint = e.Display();
    std::string version;
    if (Status st = Execute(e, "SELECT version()", &version); !st.ok()) {
      s.error = st.message();
      out->shards.push_back(std::move(s));
      continue;
    }
    s.reachable = true;
    while (!version.empty() && version.back() == '\n') version.pop_back();
    s.server_version = version;
    Status st = SchemaVersion(e, names, &s.schema_version);
    for (const std::string& t : TableNames()) {
      if (!st.ok() || s.schema_version == 0) break;
      TableCount c;
      c.table = t;
      st = QueryNumber(e, fmt::format("SELECT count() FROM {}.{}_local", names.database, t), &c.rows);
      s.local_rows.push_back(c);
    }
    if (!st.ok()) s.error = st.message();
    if (st.ok() && s.schema_version > 0 && with_schema == nullptr) with_schema = &e;
    out->shards.push_back(std::move(s));
  }
  if (with_schema == nullptr) return Status::OK();
  for (const std::string& t : TableNames()) {
    TableCount c;
    c.table = t;
    // A shard that is down leaves the total short; say so rather than
    // print a number that looks complete.
    if (Status st = QueryNumber(*with_schema, fmt::format("SELECT count() FROM {}.{}", names.database, t), &c.rows);
        !st.ok()) {
      out->cluster_rows.clear();
      out->shards.front().error += (out->shards.front().error.empty() ? "" : "; ") + st.message();
      break;
    }
    out->cluster_rows.push_back(c);
  }
  return Status::OK();
}

Status Expire(const std::vector<Endpoint>& shards, const SchemaNames& names, int keep_days, uint64_t* dropped) {
  NSRADAR_RETURN_IF_ERROR(CheckNames(names));
  if (keep_days < 1) return Status::InvalidArgument(fmt::format("--days {}: must be at least 1", keep_days));
  *dropped = 0;
  for (const Endpoint& e : shards) {
    for (const char* table : {"dns_events_local", "evidence_local"}) {
      // Partitions are days (toDate(ts)); system.parts names each by its
      // value ('2026-12-02'), which DROP PARTITION takes back as a literal.
      // (Its min_date/max_date are 0 for a custom partition key in 18.16.)
      std::string list;
      NSRADAR_RETURN_IF_ERROR(Execute(
          e,
          fmt::format("SELECT DISTINCT partition FROM system.parts WHERE database = {} AND table = '{}' AND active "
                      "AND toDate(partition) < today() - {}",
                      SqlString(names.database), table, keep_days),
          &list));
      for (size_t pos = 0; pos < list.size();) {
        size_t nl = list.find('\n', pos);
        std::string day = list.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? list.size() : nl + 1;
        if (day.empty()) continue;
        NSRADAR_RETURN_IF_ERROR(
            Run(e, fmt::format("ALTER TABLE {}.{} DROP PARTITION {}", names.database, table, SqlString(day))));
        ++*dropped;
      }
    }
  }
  return Status::OK();
}

Status Drop(const std::vector<Endpoint>& shards, const SchemaNames& names) {
  NSRADAR_RETURN_IF_ERROR(CheckNames(names));
  std::string failures;
  for (const Endpoint& e : shards) {
    for (const std::string& sql : DropStatements(names)) {
      if (Status st = Run(e, sql); !st.ok()) {
        failures += (failures.empty() ? "" : "; ") + st.message();
        break;
      }
    }
  }
  return failures.empty() ? Status::OK() : Status::IOError(failures);
}

}  // namespace nsradar::warehouse
