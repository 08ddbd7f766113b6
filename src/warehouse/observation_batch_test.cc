// Passive-DNS observations aggregated per batch: one row per (rrname,
// rrtype, rdata) with first/last/count, checked against a plain count of
// the same records; the registered domain of each row; hostile sizes; and
// the rows' RowBinary decoded back and cut at every byte.
#include "warehouse/observation_batch.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "warehouse/rows.h"

namespace nsradar::warehouse {
namespace {

// The rows of an encoded batch, by column name.
std::vector<std::map<std::string, std::string>> Rows(const Batch& b) {
  std::vector<std::map<std::string, std::string>> out;
  size_t offset = 0;
  const auto columns = ObservationsTable().columns;
  for (uint32_t i = 0; i < b.rows; ++i) {
    std::vector<std::string> values;
    Status s = DecodeRow(b.payload, &offset, columns, &values);
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto& row = out.emplace_back();
    for (size_t c = 0; c < values.size(); ++c) row[std::string(columns[c].name)] = values[c];
  }
  EXPECT_EQ(offset, b.payload.size());
  return out;
}

Batch Named(uint64_t seq) {
  Batch b;
  b.table = "observations";
  b.sensor = "s1";
  b.seq = seq;
  return b;
}

TEST(ObservationBatch, RepeatsAreOneRowWithFirstLastAndCount) {
  ObservationBatch batch;
  batch.Add("example.co.uk", 2, "ns1.hoster.net", 1'700'000'005);
  batch.Add("example.co.uk", 2, "ns1.hoster.net", 1'700'000'003);
  batch.Add("example.co.uk", 2, "ns1.hoster.net", 1'700'000'009);
  batch.Add("example.co.uk", 2, "ns2.hoster.net", 1'700'000'004);
  // The same name and data under another type is another record.
  batch.Add("example.co.uk", 1, "ns1.hoster.net", 1'700'000'004);
  batch.Add("co.uk", 2, "ns1.nic.uk", 1'700'000'001);
  EXPECT_EQ(batch.rows(), 4u);
  Batch b = Named(77);
  batch.Encode(&b);
  EXPECT_EQ(batch.rows(), 0u);
  EXPECT_EQ(batch.bytes(), 0u);
  ASSERT_EQ(b.rows, 4u);
  EXPECT_EQ(b.min_ts, 1'700'000'001u);
  EXPECT_EQ(b.max_ts, 1'700'000'009u);
  std::map<std::tuple<std::string, std::string, std::string>, std::map<std::string, std::string>> by_record;
  std::set<std::string> batch_rows;
  for (auto& row : Rows(b)) {
    EXPECT_EQ(row["sensor"], "s1");
    EXPECT_EQ(row["batch_seq"], "77");
    batch_rows.insert(row["batch_row"]);
    by_record[{row["rrname"], row["rrtype"], row["rdata"]}] = row;
  }
  EXPECT_EQ(batch_rows, (std::set<std::string>{"0", "1", "2", "3"}));
  auto& ns1 = by_record[{"example.co.uk", "2", "ns1.hoster.net"}];
  EXPECT_EQ(ns1["first_seen"], "1700000003");
  EXPECT_EQ(ns1["last_seen"], "1700000009");
  EXPECT_EQ(ns1["count"], "3");
  EXPECT_EQ(ns1["registered_domain"], "example.co.uk");
  EXPECT_EQ((by_record[{"example.co.uk", "1", "ns1.hoster.net"}]["count"]), "1");
  EXPECT_EQ((by_record[{"example.co.uk", "2", "ns2.hoster.net"}]["count"]), "1");
  // A public suffix has no registered domain.
  EXPECT_EQ((by_record[{"co.uk", "2", "ns1.nic.uk"}]["registered_domain"]), "");
}

TEST(ObservationBatch, AgreesWithAPlainCountOfRandomRecords) {
  std::mt19937 rng(20261202);
  ObservationBatch batch;
  struct Want {
    int64_t first = INT64_MAX, last = 0;
    uint64_t count = 0;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Want> want;
  for (int i = 0; i < 20'000; ++i) {
    const std::string name = fmt::format("d{}.example", rng() % 300);
    const uint16_t type = rng() % 2 ? 2 : 28;
    const std::string data = type == 2 ? fmt::format("ns{}.h{}.net", rng() % 3, rng() % 5) : "2001:db8::53";
    const int64_t t = 1'700'000'000 + rng() % 1000;
    batch.Add(name, type, data, t);
    Want& w = want[{name, std::to_string(type), data}];
    w.first = std::min(w.first, t);
    w.last = std::max(w.last, t);
    ++w.count;
  }
  EXPECT_EQ(batch.rows(), want.size());
  Batch b = Named(1);
  batch.Encode(&b);
  const auto rows = Rows(b);
  ASSERT_EQ(rows.size(), want.size());
  uint64_t total = 0;
  for (auto row : rows) {
    auto it = want.find({row["rrname"], row["rrtype"], row["rdata"]});
    ASSERT_NE(it, want.end()) << row["rrname"];
    EXPECT_EQ(row["first_seen"], std::to_string(it->second.first));
    EXPECT_EQ(row["last_seen"], std::to_string(it->second.last));
    EXPECT_EQ(row["count"], std::to_string(it->second.count));
    EXPECT_EQ(row["registered_domain"], row["rrname"]);
    total += std::stoull(row["count"]);
  }
  EXPECT_EQ(total, 20'000u);
  // The same records encode to the same bytes whatever the hash order.
  ObservationBatch again;
  for (const auto& [key, w] : want) {
    for (uint64_t i = 0; i < w.count; ++i) {
      again.Add(std::get<0>(key), static_cast<uint16_t>(std::stoi(std::get<1>(key))), std::get<2>(key),
                i == 0 ? w.first : w.last);
    }
  }
  Batch b2 = Named(1);
  again.Encode(&b2);
  EXPECT_EQ(b2.payload, b.payload);
}

TEST(ObservationBatch, BytesGrowWithDistinctRecordsOnlyAndHostileSizesAreRefused) {
  ObservationBatch batch;
  batch.Add("a.example", 2, "ns.example", 1);
  const size_t one = batch.bytes();
  EXPECT_GT(one, std::string_view("a.example").size() + std::string_view("ns.example").size());
  for (int i = 0; i < 100; ++i) batch.Add("a.example", 2, "ns.example", i);
  EXPECT_EQ(batch.bytes(), one);
  batch.Add("b.example", 2, "ns.example", 1);
  EXPECT_GT(batch.bytes(), one);
  // Longer than any DNS name: a log's garbage, not a record.
  batch.Add(std::string(ObservationBatch::kMaxField + 1, 'a'), 2, "ns.example", 1);
  batch.Add("c.example", 2, std::string(ObservationBatch::kMaxField + 1, 'n'), 1);
  EXPECT_EQ(batch.rows(), 2u);
  // Times before 1970 or after 2106 are clamped to what a DateTime holds.
  ObservationBatch odd;
  odd.Add("d.example", 1, "192.0.2.1", -5);
  odd.Add("d.example", 1, "192.0.2.1", int64_t{1} << 40);
  Batch b = Named(2);
  odd.Encode(&b);
  auto rows = Rows(b);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["first_seen"], "0");
  EXPECT_EQ(rows[0]["last_seen"], std::to_string(UINT32_MAX));
  EXPECT_EQ(rows[0]["count"], "2");
}

TEST(ObservationBatch, TruncatedRowsAreErrorsNamingColumnAndOffset) {
  ObservationBatch batch;
  batch.Add("example.com", 2, "ns1.example.net", 1'700'000'000);
  Batch b = Named(3);
  batch.Encode(&b);
  std::vector<size_t> starts;
  ASSERT_TRUE(SplitRows(b.payload, 1, ObservationsTable().columns, &starts).ok());
  for (size_t cut = 0; cut < b.payload.size(); ++cut) {
    Status s = SplitRows(std::string_view(b.payload).substr(0, cut), 1, ObservationsTable().columns, &starts);
    ASSERT_FALSE(s.ok()) << cut;
    EXPECT_NE(s.message().find("offset"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("column"), std::string::npos) << s.message();
  }
  EXPECT_EQ(ColumnList(ObservationsTable()),
            "(sensor, registered_domain, rrname, rrtype, rdata, first_seen, last_seen, count, batch_seq, batch_row)");
}

}  // namespace
}  // namespace nsradar::warehouse
