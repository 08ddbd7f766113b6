// nsradar warehouse init|status|expire|drop: the ClickHouse warehouse's
// schema on a cluster (docs/warehouse.md).
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "util/json_writer.h"
#include "warehouse/lifecycle.h"

namespace nsradar::cli {
namespace {

struct WarehouseOptions : WarehouseConnection {
  int days = 0;
};

void RunInit(const GlobalOptions& g, const WarehouseOptions& o) {
  const auto shards = WarehouseShards(o);
  warehouse::InitResult r;
  if (Status s = warehouse::Init(shards, o.names, &r); !s.ok()) Fail(s);
  if (g.json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Field("schema_version", warehouse::kSchemaVersion).Key("shards").BeginArray();
    for (size_t i = 0; i < shards.size(); ++i) {
      w.BeginObject().Field("endpoint", shards[i].Display()).Field("from_version", r.from_version[i]).EndObject();
    }
    w.EndArray().EndObject();
    fmt::print("{}\n", out);
    return;
  }
  for (size_t i = 0; i < shards.size(); ++i) {
    fmt::print("{}: schema version {} -> {}\n", shards[i].Display(), r.from_version[i], warehouse::kSchemaVersion);
  }
}

void RunStatus(const GlobalOptions& g, const WarehouseOptions& o) {
  warehouse::WarehouseStatus st;
  if (Status s = warehouse::GetStatus(WarehouseShards(o), o.names, &st); !s.ok()) Fail(s);
  bool healthy = true;
  for (const auto& s : st.shards) healthy &= s.reachable && s.error.empty() && s.schema_version > 0;
  if (g.json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("shards").BeginArray();
    for (const auto& s : st.shards) {
      w.BeginObject().Field("endpoint", s.endpoint).Field("reachable", s.reachable);
      if (!s.error.empty()) w.Field("error", s.error);
      if (s.reachable) w.Field("server_version", s.server_version).Field("schema_version", s.schema_version);
      w.Key("rows").BeginObject();
      for (const auto& c : s.local_rows) w.Field(c.table, c.rows);
      w.EndObject().EndObject();
    }
    w.EndArray().Key("cluster_rows").BeginObject();
    for (const auto& c : st.cluster_rows) w.Field(c.table, c.rows);
    w.EndObject().EndObject();
    fmt::print("{}\n", out);
  } else {
    std::vector<std::string> header = {"SHARD", "SERVER", "SCHEMA"};
    for (const auto& t : warehouse::TableNames()) header.push_back(t);
    Table t(header);
    auto add = [&](std::string name, std::string server, std::string schema,
                   const std::vector<warehouse::TableCount>& rows) {
      std::vector<std::string> row = {std::move(name), std::move(server), std::move(schema)};
      for (const auto& c : rows) row.push_back(WithCommas(c.rows));
      row.resize(header.size(), "-");
      t.Add(std::move(row));
    };
    for (const auto& s : st.shards) {
      add(s.endpoint, s.reachable ? s.server_version : "unreachable",
          s.reachable ? (s.schema_version ? std::to_string(s.schema_version) : "none") : "-", s.local_rows);
    }
    if (!st.cluster_rows.empty()) add("cluster (distributed)", "", "", st.cluster_rows);
    t.Print(stdout);
    for (const auto& s : st.shards) {
      if (!s.error.empty()) PrintError(s.error);
    }
  }
  if (!healthy) throw CLI::RuntimeError(1);
}

void RunExpire(const WarehouseOptions& o) {
  uint64_t dropped = 0;
  if (Status s = warehouse::Expire(WarehouseShards(o), o.names, o.days, &dropped); !s.ok()) Fail(s);
  fmt::print("{} day partition(s) older than {} days dropped\n", dropped, o.days);
}

void RunDrop(const WarehouseOptions& o) {
  if (Status s = warehouse::Drop(WarehouseShards(o), o.names); !s.ok()) Fail(s);
}

void AddCommon(CLI::App* cmd, WarehouseOptions* o) { AddWarehouseConnectionOptions(cmd, o); }

}  // namespace

void AddWarehouseConnectionOptions(CLI::App* cmd, WarehouseConnection* c) {
  cmd->add_option("--warehouse", c->urls, "ClickHouse shards: http://[USER[:PASSWORD]@]HOST[:PORT],...")->required();
  cmd->add_option("--user", c->user, "ClickHouse user where a URL names none");
  cmd->add_option("--password", c->password, "Its password (better: the environment variable)")
      ->envname("NSRADAR_WAREHOUSE_PASSWORD");
  cmd->add_option("--database", c->names.database, "Database of the tables")->capture_default_str();
  cmd->add_option("--cluster", c->names.cluster, "remote_servers cluster the Distributed tables span")
      ->capture_default_str();
}

std::vector<warehouse::Endpoint> WarehouseShards(const WarehouseConnection& c) {
  std::vector<warehouse::Endpoint> shards;
  if (Status s = warehouse::ParseEndpoints(c.urls, c.user, c.password, &shards); !s.ok()) Fail(s);
  return shards;
}

void AddWarehouseCommands(CLI::App& app, const GlobalOptions& global) {
  CLI::App* wh = app.add_subcommand("warehouse", "The ClickHouse warehouse's schema on a cluster");
  wh->require_subcommand(1);
  auto o = std::make_shared<WarehouseOptions>();
  CLI::App* init = wh->add_subcommand("init", "Create or upgrade the schema on every shard (idempotent)");
  AddCommon(init, o.get());
  init->callback([o, &global] { RunInit(global, *o); });
  CLI::App* status = wh->add_subcommand("status", "Per-shard reachability, schema version and row counts");
  AddCommon(status, o.get());
  status->callback([o, &global] { RunStatus(global, *o); });
  CLI::App* expire = wh->add_subcommand("expire", "Drop day partitions of events and evidence older than --days");
  AddCommon(expire, o.get());
  expire->add_option("--days", o->days, "Days to keep")->required();
  expire->callback([o] { RunExpire(*o); });
  CLI::App* drop = wh->add_subcommand("drop", "Drop every warehouse table on every shard");
  AddCommon(drop, o.get());
  drop->callback([o] { RunDrop(*o); });
}

}  // namespace nsradar::cli
