#include "warehouse/schema.h"

#include <fmt/format.h>

namespace nsradar::warehouse {

namespace {

// The columns of a DNS record list (answers, authority NS, glue) as in
// ingest::DnsRecordData.
constexpr std::string_view kRecords = "Nested(name String, type UInt16, ttl UInt32, data String)";

struct TableDef {
  std::string_view name;
  std::string_view columns;
  std::string_view partition;
  std::string_view order;
};

// Version 1. dns_events follows ingest::DnsEvent field by field; ts is the
// second and usec the microsecond within it (DateTime64 is 20.1+).
const TableDef kTables[] = {
    {"dns_events",
     "ts DateTime, usec UInt32, sensor String, vantage Enum8('client' = 0, 'resolver' = 1), "
     "client FixedString(16), server FixedString(16), client_port UInt16, server_port UInt16, "
     "transport Enum8('unknown' = 0, 'udp' = 1, 'tcp' = 2, 'dot' = 3, 'doh' = 4, 'doq' = 5), "
     "qname_raw String, qname String, registered_domain String, qtype UInt16, qclass UInt16, id UInt16, "
     "rcode Int16, has_query UInt8, has_response UInt8, query_size UInt32, response_size UInt32, "
     "answers {R}, authority_ns {R}, glue {R}, bailiwick String, has_bailiwick UInt8, echo UInt8",
     "toDate(ts)", "(registered_domain, ts)"},
    // One row per alert a sensor or the central evaluator raised; clients
    // are the hosts it names.
    {"alerts",
     "ts DateTime, sensor String, alert_id String, registered_domain String, kind String, score Float64, "
     "clients Array(FixedString(16)), detail String",
     "toYYYYMM(ts)", "(registered_domain, ts)"},
    // Passive DNS as each sensor's batches summarise it; first/last/count
    // per (name, type, data) across sensors are min/max/sum at read time.
    {"observations",
     "sensor String, registered_domain String, rrname String, rrtype UInt16, rdata String, "
     "first_seen DateTime, last_seen DateTime, count UInt64",
     "toYYYYMM(last_seen)", "(registered_domain, rrname, rrtype, rdata)"},
    // The evidence tier: events that look encoded or carry a mark, which
    // the central evaluator scores across sensors.
    {"evidence",
     "ts DateTime, usec UInt32, sensor String, client FixedString(16), qname String, registered_domain String, "
     "qtype UInt16, query_size UInt32, response_size UInt32, encoded_bytes UInt32, marks Array(String)",
     "toDate(ts)", "(registered_domain, ts)"},
};

std::string Columns(std::string_view columns) {
  std::string out(columns);
  for (size_t at; (at = out.find("{R}")) != std::string::npos;) out.replace(at, 3, kRecords);
  return out;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& TableNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const TableDef& t : kTables) v.emplace_back(t.name);
    return v;
  }();
  return names;
}

Status CheckNames(const SchemaNames& names) {
  for (auto [option, value] : {std::pair{"--database", &names.database}, std::pair{"--cluster", &names.cluster}}) {
    if (!IsIdentifier(*value)) {
      return Status::InvalidArgument(fmt::format(
          "{} '{}': expected a name of letters, digits and _ (not starting with a digit, at most 64)", option, *value));
    }
  }
  return Status::OK();
}

std::vector<Migration> Migrations(const SchemaNames& names) {
  Migration v1{1, {fmt::format("CREATE DATABASE IF NOT EXISTS {}", names.database)}, {}};
  for (const TableDef& t : kTables) {
    v1.statements.push_back(
        fmt::format("CREATE TABLE IF NOT EXISTS {0}.{1}_local ({2}) ENGINE = MergeTree() PARTITION BY {3} ORDER BY {4}",
                    names.database, t.name, Columns(t.columns), t.partition, t.order));
    v1.statements.push_back(
        fmt::format("CREATE TABLE IF NOT EXISTS {0}.{1} AS {0}.{1}_local ENGINE = Distributed({2}, {0}, {1}_local, "
                    "cityHash64(registered_domain))",
                    names.database, t.name, names.cluster));
  }
  // Version 2: the writer's batch id, local tables first so that the
  // Distributed table never names a column its shards lack.
  Migration v2{2, {}, {}};
  for (std::string_view suffix : {"_local", ""}) {
    for (const TableDef& t : kTables) {
      const std::string table = fmt::format("{}{}", t.name, suffix);
      v2.columns.push_back({table, "batch_seq", "UInt64"});
      v2.columns.push_back({table, "batch_row", "UInt32"});
    }
  }
  // Version 3: what the central evaluator needs to read an evidence row
  // back into the event the detector saw (warehouse/correlator.h): the
  // name as sent, the side, the response's rcode, the data its answers
  // carried, and the targets of NS records of the domain it named.
  Migration v3{3, {}, {}};
  for (std::string_view table : {"evidence_local", "evidence"}) {
    for (auto [column, type] :
         {std::pair{"vantage", "Enum8('client' = 0, 'resolver' = 1)"}, std::pair{"qname_raw", "String"},
          std::pair{"rcode", "Int16"}, std::pair{"has_response", "UInt8"}, std::pair{"answer_bytes", "UInt32"},
          std::pair{"ns_targets", "Array(String)"}}) {
      v3.columns.push_back({std::string(table), column, type});
    }
  }
  return {std::move(v1), std::move(v2), std::move(v3)};
}

std::string VersionTableStatement(const SchemaNames& names) {
  return fmt::format("CREATE TABLE IF NOT EXISTS {}.schema_version (version UInt32, applied DateTime) ENGINE = TinyLog",
                     names.database);
}

std::vector<std::string> DropStatements(const SchemaNames& names) {
  std::vector<std::string> out;
  for (const TableDef& t : kTables) out.push_back(fmt::format("DROP TABLE IF EXISTS {}.{}", names.database, t.name));
  for (const TableDef& t : kTables) {
    out.push_back(fmt::format("DROP TABLE IF EXISTS {}.{}_local", names.database, t.name));
  }
  out.push_back(fmt::format("DROP TABLE IF EXISTS {}.schema_version", names.database));
  return out;
}

std::string SqlString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace nsradar::warehouse
