#include "warehouse/schema.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "warehouse/rows.h"

namespace nsradar::warehouse {
namespace {

TEST(Schema, NamesMustBePlainIdentifiers) {
  EXPECT_TRUE(CheckNames({"nsradar", "nsradar"}).ok());
  EXPECT_TRUE(CheckNames({"_x9", "Cluster_2"}).ok());
  const char* bad[] = {"", "9x", "a-b", "a.b", "a b", "a`b", "x; DROP TABLE y", "a'", "\xc3\xa9", "a\nb"};
  for (const char* name : bad) {
    Status s = CheckNames({name, "nsradar"});
    EXPECT_FALSE(s.ok()) << name;
    EXPECT_NE(s.message().find("--database"), std::string::npos);
    s = CheckNames({"nsradar", name});
    EXPECT_FALSE(s.ok()) << name;
    EXPECT_NE(s.message().find("--cluster"), std::string::npos);
  }
  EXPECT_TRUE(CheckNames({std::string(64, 'a'), "c"}).ok());
  EXPECT_FALSE(CheckNames({std::string(65, 'a'), "c"}).ok());
}

TEST(Schema, EveryTableIsLocalAndDistributedByRegisteredDomain) {
  SchemaNames names{"wh", "three"};
  std::vector<Migration> m = Migrations(names);
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m.back().version, kSchemaVersion);
  std::string all;
  for (const auto& migration : m) {
    for (const auto& sql : migration.statements) {
      all += sql + "\n";
      EXPECT_NE(sql.find("IF NOT EXISTS"), std::string::npos) << sql;  // re-runnable
      EXPECT_EQ(sql.find("TTL"), std::string::npos) << sql;            // not in 18.16
    }
  }
  for (const std::string& t : TableNames()) {
    EXPECT_NE(all.find("CREATE TABLE IF NOT EXISTS wh." + t + "_local ("), std::string::npos) << t;
    EXPECT_NE(all.find("CREATE TABLE IF NOT EXISTS wh." + t + " AS wh." + t +
                       "_local ENGINE = Distributed(three, wh, " + t + "_local, cityHash64(registered_domain))"),
              std::string::npos)
        << t;
  }
  EXPECT_NE(all.find("PARTITION BY toDate(ts) ORDER BY (registered_domain, ts)"), std::string::npos);
}

TEST(Schema, VersionTwoAddsTheBatchIdLocalTablesFirst) {
  std::vector<Migration> m = Migrations({"wh", "c"});
  ASSERT_GE(m.size(), 2u);
  EXPECT_TRUE(m[0].columns.empty());
  const auto& added = m[1].columns;
  ASSERT_EQ(added.size(), 4 * TableNames().size());
  for (const std::string& t : TableNames()) {
    auto at = [&](const std::string& table, const std::string& column) {
      return std::find_if(added.begin(), added.end(),
                          [&](const ColumnAddition& c) { return c.table == table && c.column == column; }) -
             added.begin();
    };
    EXPECT_LT(at(t + "_local", "batch_seq"), at(t, "batch_seq")) << t;
    EXPECT_LT(at(t + "_local", "batch_row"), at(t, "batch_row")) << t;
    EXPECT_LT(at(t, "batch_row"), std::ssize(added)) << t;
  }
  EXPECT_EQ(added.front().type, "UInt64");
}

TEST(Schema, VersionThreeAddsTheEvaluatorsColumnsToEvidenceLocalFirst) {
  std::vector<Migration> m = Migrations({"wh", "c"});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[2].version, 3);
  EXPECT_TRUE(m[2].statements.empty());
  const auto& added = m[2].columns;
  ASSERT_EQ(added.size(), 12u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(added[i].table, "evidence_local");
    EXPECT_EQ(added[i + 6].table, "evidence");
    EXPECT_EQ(added[i].column, added[i + 6].column);
  }
  // Every column the evidence rows carry exists after the migrations.
  std::string all;
  for (const auto& migration : m) {
    for (const auto& sql : migration.statements) all += sql;
    for (const auto& c : migration.columns) {
      if (c.table == "evidence") all += " " + c.column + " ";
    }
  }
  for (const Column& c : EvidenceTable().columns)
    EXPECT_NE(all.find(std::string(c.name) + " "), std::string::npos) << c.name;
}

TEST(Schema, DropRemovesDistributedBeforeLocal) {
  auto drops = DropStatements({"wh", "c"});
  ASSERT_EQ(drops.size(), 2 * TableNames().size() + 1);
  EXPECT_EQ(drops.front(), "DROP TABLE IF EXISTS wh." + TableNames().front());
  EXPECT_EQ(drops.back(), "DROP TABLE IF EXISTS wh.schema_version");
}

TEST(Schema, StringLiteralsEscapeQuotesAndBackslashes) {
  EXPECT_EQ(SqlString("a'b\\c"), "'a\\'b\\\\c'");
  EXPECT_EQ(SqlString(""), "''");
  EXPECT_EQ(SqlString("\\'); DROP"), "'\\\\\\'); DROP'");
}

}  // namespace
}  // namespace nsradar::warehouse
