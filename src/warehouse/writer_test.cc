// The writer against a fake warehouse: batching by rows and age, spooling
// while the warehouse is down and replay in order, a restart after a crash
// between the warehouse's acknowledgement and the spool's delete, a
// partial insert, refused batches, a full spool, AddEvent never waiting
// for the network, and passive-DNS observations aggregated per batch.
#include "warehouse/writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include "warehouse/test_batches.h"

namespace nsradar::warehouse {
namespace {

using testing::ScratchDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What the fake warehouse holds and how it behaves; shared by the test and
// the sink the writer owns.
struct FakeWarehouse {
  std::mutex mu;
  bool up = true, schema = true;
  std::map<std::tuple<std::string, uint64_t, uint32_t>, int> stored;  // (table, seq, row) -> copies
  std::vector<uint64_t> insert_order;                                 // seq of every insert
  std::vector<std::vector<std::string>> observations;                 // every observation row inserted
  std::set<uint64_t> refuse;                                          // seqs refused as data
  uint32_t store_then_fail = 0;  // the next insert stores this many rows, then fails
  bool hold = false;             // inserts wait while set
  std::condition_variable released;

  size_t Rows() {
    std::lock_guard lock(mu);
    return stored.size();
  }
  int MaxCopies() {
    std::lock_guard lock(mu);
    int most = 0;
    for (const auto& [key, n] : stored) most = std::max(most, n);
    return most;
  }
};

class FakeSink : public Sink {
 public:
  explicit FakeSink(FakeWarehouse* w) : w_(w) {}
  Status Probe() override {
    std::lock_guard lock(w_->mu);
    if (!w_->up) return Status::IOError("http://127.0.0.1:1: Connection refused");
    return w_->schema ? Status::OK() : Status::InvalidArgument("lacks columns");
  }
  Status Insert(const Batch& batch, std::string_view rows) override {
    std::unique_lock lock(w_->mu);
    w_->released.wait(lock, [&] { return !w_->hold; });
    if (!w_->up) return Status::IOError("http://127.0.0.1:1: Connection refused");
    if (!w_->schema) return Status::InvalidArgument("HTTP 500: Code: 16, No such column batch_seq");
    if (w_->refuse.contains(batch.seq)) return Status::InvalidArgument("HTTP 500: Code: 33, Cannot read all data");
    w_->insert_order.push_back(batch.seq);
    const TableSpec* table = FindTable(batch.table);
    size_t offset = 0;
    for (uint32_t n = 0; offset < rows.size(); ++n) {
      if (w_->store_then_fail > 0 && n == w_->store_then_fail) {
        w_->store_then_fail = 0;
        return Status::IOError("HTTP 500: Code: 279, All connection tries failed");
      }
      std::vector<std::string> values;
      EXPECT_TRUE(DecodeRow(rows, &offset, table->columns, &values).ok());
      ++w_->stored[{batch.table, batch.seq, std::stoul(values.back())}];
      if (batch.table == "observations") w_->observations.push_back(std::move(values));
    }
    return Status::OK();
  }
  Status StoredRows(const Batch& batch, std::vector<uint32_t>* rows) override {
    std::lock_guard lock(w_->mu);
    if (!w_->up) return Status::IOError("http://127.0.0.1:1: Connection refused");
    rows->clear();
    for (const auto& [key, n] : w_->stored) {
      if (std::get<0>(key) == batch.table && std::get<1>(key) == batch.seq) rows->push_back(std::get<2>(key));
    }
    return Status::OK();
  }

 private:
  FakeWarehouse* w_;
};

std::unique_ptr<Writer> OpenWriter(FakeWarehouse* w, const std::string& spool, size_t batch_rows = 10,
                                   uint64_t spool_bytes = 1 << 20) {
  WriterOptions o;
  o.sensor = "s1";
  o.batch_rows = batch_rows;
  o.batch_age = 50ms;
  o.observation_age = 100ms;
  o.spool_dir = spool;
  o.spool_max_bytes = spool_bytes;
  o.backoff_min = 10ms;
  o.backoff_max = 50ms;
  std::unique_ptr<Writer> writer;
  Status s = Writer::Open(o, std::make_unique<FakeSink>(w), &writer);
  EXPECT_TRUE(s.ok()) << s.ToString();
  writer->Start();
  return writer;
}

void AddEvents(Writer* writer, int n) {
  for (int i = 0; i < n; ++i) {
    ingest::DnsEvent ev;
    ev.ts_us = int64_t{1'700'000'000 + i} * 1'000'000;
    ev.qname = "q" + std::to_string(i) + ".example.com";
    writer->AddEvent(ev);
  }
}

template <typename F>
bool WaitFor(F&& done) {
  for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST(Writer, BatchesCloseByRowsAndByAge) {
  ScratchDir dir;
  FakeWarehouse w;
  auto writer = OpenWriter(&w, dir.path());
  AddEvents(writer.get(), 25);
  detect::Alert alert;
  alert.registered_domain = "t.example";
  writer->AddAlert(alert, "{}");
  ASSERT_TRUE(WaitFor([&] { return w.Rows() == 26; }));
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
  WriterCounters c = writer->counters();
  EXPECT_EQ(c.event_rows_sent, 25u);
  EXPECT_EQ(c.alert_rows_sent, 1u);
  EXPECT_EQ(c.batches_sent, 4u);  // 10 + 10 + 5 (by age) + the alert
  EXPECT_TRUE(c.up);
  EXPECT_EQ(w.MaxCopies(), 1);
  EXPECT_NE(writer->MetricsText().find("nsradar_warehouse_rows_sent_total{table=\"dns_events\"} 25\n"),
            std::string::npos);
}

TEST(Writer, EvidenceTierEventsAlsoGoToEvidenceInTheirOwnBatches) {
  ScratchDir dir;
  FakeWarehouse w;
  auto writer = OpenWriter(&w, dir.path());
  AddEvents(writer.get(), 5);  // plain names: dns_events only
  for (int i = 0; i < 3; ++i) {
    ingest::DnsEvent ev;
    ev.has_query = true;
    ev.ts_us = int64_t{1'700'000'100 + i} * 1'000'000;
    ev.qname = ev.qname_raw = fmt::format("laaeloswdhm4f1bizgxzh1jidyvnc{}ea.t.example", i);
    ev.registered_offset = ev.qname.size() - std::string_view("example").size();
    writer->AddEvent(ev);
  }
  ASSERT_TRUE(WaitFor([&] { return w.Rows() == 11; }));
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
  WriterCounters c = writer->counters();
  EXPECT_EQ(c.event_rows_sent, 8u);
  EXPECT_EQ(c.evidence_rows_sent, 3u);
  EXPECT_EQ(c.rows_added, 11u);
  std::lock_guard lock(w.mu);
  size_t evidence = 0;
  for (const auto& [key, n] : w.stored) evidence += std::get<0>(key) == "evidence";
  EXPECT_EQ(evidence, 3u);
  EXPECT_NE(writer->MetricsText().find("nsradar_warehouse_rows_sent_total{table=\"evidence\"} 3\n"), std::string::npos);
}

TEST(Writer, ADownWarehouseIsSpooledAndReplayedInOrder) {
  ScratchDir dir;
  FakeWarehouse w;
  w.up = false;
  auto writer = OpenWriter(&w, dir.path());
  AddEvents(writer.get(), 30);
  ASSERT_TRUE(WaitFor([&] { return writer->counters().rows_spooled == 30; }));
  EXPECT_EQ(writer->counters().spool_batches, 3u);
  EXPECT_FALSE(writer->counters().up);
  EXPECT_NE(writer->MetricsText().find("nsradar_warehouse_up 0\n"), std::string::npos);
  {
    std::lock_guard lock(w.mu);
    w.up = true;
  }
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
  EXPECT_EQ(w.Rows(), 30u);
  EXPECT_EQ(w.MaxCopies(), 1);
  EXPECT_TRUE(std::is_sorted(w.insert_order.begin(), w.insert_order.end()));
  EXPECT_EQ(w.insert_order.size(), 3u);
}

TEST(Writer, ACrashBetweenAcknowledgementAndDeleteDuplicatesNothing) {
  ScratchDir dir, saved;
  FakeWarehouse w;
  w.up = false;
  {
    auto writer = OpenWriter(&w, dir.path());
    AddEvents(writer.get(), 30);
    writer->Stop();  // everything in the spool
  }
  fs::copy(dir.path(), saved.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  w.up = true;
  uint64_t first_seq = 0;
  {
    auto writer = OpenWriter(&w, dir.path());
    ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
    EXPECT_EQ(writer->counters().event_rows_sent, 30u);
    first_seq = w.insert_order.front();
  }
  // As if kill -9 had come after each acknowledgement and before each delete.
  fs::copy(saved.path(), dir.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  auto writer = OpenWriter(&w, dir.path());
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
  EXPECT_EQ(writer->counters().rows_already_stored, 30u);
  EXPECT_EQ(writer->counters().event_rows_sent, 0u);
  EXPECT_EQ(w.Rows(), 30u);
  EXPECT_EQ(w.MaxCopies(), 1);
  // New batches of the restarted writer never reuse a sequence number.
  AddEvents(writer.get(), 10);
  ASSERT_TRUE(WaitFor([&] { return w.Rows() == 40u; }));
  EXPECT_GT(w.insert_order.back(), first_seq + 2);
}

TEST(Writer, APartialInsertIsCompletedWithTheMissingRowsOnly) {
  ScratchDir dir;
  FakeWarehouse w;
  w.store_then_fail = 4;  // e.g. one shard took its rows, another was down
  auto writer = OpenWriter(&w, dir.path());
  AddEvents(writer.get(), 10);
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0 && w.Rows() == 10; }));
  WriterCounters c = writer->counters();
  EXPECT_EQ(c.send_failures, 1u);
  EXPECT_EQ(c.rows_already_stored, 4u);
  EXPECT_EQ(c.event_rows_sent, 6u);
  EXPECT_EQ(w.MaxCopies(), 1);
}

TEST(Writer, ARefusedBatchIsKeptAsideAndTheRestFlows) {
  ScratchDir dir;
  FakeWarehouse w;
  w.hold = true;
  auto writer = OpenWriter(&w, dir.path());
  AddEvents(writer.get(), 30);
  ASSERT_TRUE(WaitFor([&] { return writer->counters().rows_spooled == 30; }));
  uint64_t first = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().extension() == ".batch") {
      uint64_t seq = std::stoull(e.path().stem().string());
      first = first == 0 ? seq : std::min(first, seq);
    }
  }
  {
    std::lock_guard lock(w.mu);
    w.refuse.insert(first);
    w.hold = false;
  }
  w.released.notify_all();
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
  EXPECT_EQ(w.Rows(), 20u);
  EXPECT_EQ(writer->counters().rejected_batches, 1u);
  EXPECT_TRUE(fs::exists(fmt::format("{}/rejected/{:020}.batch", dir.path(), first)));
}

TEST(Writer, SchemaDriftKeepsTheBatchInTheQueue) {
  ScratchDir dir;
  FakeWarehouse w;
  auto writer = OpenWriter(&w, dir.path());
  ASSERT_TRUE(WaitFor([&] { return writer->counters().up; }));
  {
    std::lock_guard lock(w.mu);
    w.schema = false;  // e.g. a column dropped under the running sensor
  }
  AddEvents(writer.get(), 10);
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 1; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(writer->counters().rejected_batches, 0u);
  EXPECT_EQ(writer->counters().spool_batches, 1u);
  EXPECT_FALSE(writer->counters().up);
  {
    std::lock_guard lock(w.mu);
    w.schema = true;
  }
  ASSERT_TRUE(WaitFor([&] { return w.Rows() == 10; }));
}

TEST(Writer, AFullSpoolDropsTheNewestAndSaysSo) {
  ScratchDir dir;
  FakeWarehouse w;
  w.up = false;
  const uint64_t one = EncodeBatchFile(testing::EventBatch(1, 10)).size();
  auto writer = OpenWriter(&w, dir.path(), 10, 2 * one + one / 2);
  AddEvents(writer.get(), 50);
  ASSERT_TRUE(WaitFor([&] { return writer->counters().dropped_batches == 3; }));
  WriterCounters c = writer->counters();
  EXPECT_EQ(c.dropped_rows, 30u);
  EXPECT_EQ(c.rows_spooled, 20u);
  EXPECT_NE(writer->MetricsText().find("nsradar_warehouse_dropped_batches_total 3\n"), std::string::npos);
  {
    std::lock_guard lock(w.mu);
    w.up = true;
  }
  ASSERT_TRUE(WaitFor([&] { return w.Rows() == 20; }));
  // The oldest two were kept (sequence numbers are given in order).
  std::lock_guard lock(w.mu);
  ASSERT_EQ(w.insert_order.size(), 2u);
  EXPECT_EQ(w.insert_order[1], w.insert_order[0] + 1);
}

TEST(Writer, AddingNeverWaitsForTheWarehouse) {
  ScratchDir dir;
  FakeWarehouse w;
  w.hold = true;  // every insert hangs
  auto writer = OpenWriter(&w, dir.path(), 1000);
  const auto start = std::chrono::steady_clock::now();
  AddEvents(writer.get(), 20000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  // A disk slower than the adds may drop batches (counted), never wait.
  ASSERT_TRUE(WaitFor([&] { return writer->counters().rows_spooled + writer->counters().dropped_rows == 20000; }));
  {
    std::lock_guard lock(w.mu);
    w.hold = false;
  }
  w.released.notify_all();
  ASSERT_TRUE(WaitFor([&] { return w.Rows() == writer->counters().rows_spooled; }));
  EXPECT_GT(w.Rows(), 0u);
}

TEST(Writer, RefusesAnUnnamedSensor) {
  ScratchDir dir;
  FakeWarehouse w;
  WriterOptions o;
  o.spool_dir = dir.path();
  std::unique_ptr<Writer> writer;
  Status s = Writer::Open(o, std::make_unique<FakeSink>(&w), &writer);
  EXPECT_NE(s.message().find("sensor = NAME"), std::string::npos);
}

// 25 domains' NS records, each seen 3 times, and 2 addresses: 27 records,
// 77 sightings. Each record's sightings come in one call, so batches close
// between records (a batch closes after the call that reaches its bound).
void AddObservations(Writer* writer) {
  for (int i = 0; i < 25; ++i) {
    std::vector<ingest::PassiveNsRecord> sightings;
    for (int k = 0; k < 3; ++k) {
      sightings.push_back({"ns.hoster.net", fmt::format("d{}.example", i), 1'700'000'000 + 10 * i + k});
    }
    writer->AddObservations(sightings, {});
  }
  writer->AddObservations({}, {{"ns.hoster.net", *dns::Address::Parse("192.0.2.53"), 1'700'000'500},
                               {"ns.hoster.net", *dns::Address::Parse("2001:db8::53"), 1'700'000'501}});
}

TEST(Writer, ObservationsAreOneRowPerRecordAndBatchAndGoOnceThroughACrash) {
  ScratchDir dir, saved;
  FakeWarehouse w;
  w.up = false;
  {
    auto writer = OpenWriter(&w, dir.path());
    AddObservations(writer.get());
    // 10 distinct records close a batch; the last 7 close by age.
    ASSERT_TRUE(WaitFor([&] { return writer->counters().rows_spooled == 27; }));
    EXPECT_EQ(writer->counters().spool_batches, 3u);
    EXPECT_EQ(writer->counters().rows_added, 27u);
  }
  fs::copy(dir.path(), saved.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  w.up = true;
  {
    auto writer = OpenWriter(&w, dir.path());
    ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
    EXPECT_EQ(writer->counters().observation_rows_sent, 27u);
    EXPECT_NE(writer->MetricsText().find("nsradar_warehouse_rows_sent_total{table=\"observations\"} 27\n"),
              std::string::npos);
  }
  // Every record once, with its three sightings.
  const auto& columns = ObservationsTable().columns;
  auto column = [&](std::string_view name) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].name == name) return i;
    }
    return columns.size();
  };
  std::map<std::string, std::vector<std::string>> by_record;
  for (const auto& row : w.observations) {
    by_record[row[column("rrname")] + " " + row[column("rrtype")] + " " + row[column("rdata")]] = row;
  }
  ASSERT_EQ(by_record.size(), 27u);
  const auto& d7 = by_record["d7.example 2 ns.hoster.net"];
  EXPECT_EQ(d7[column("count")], "3");
  EXPECT_EQ(d7[column("first_seen")], "1700000070");
  EXPECT_EQ(d7[column("last_seen")], "1700000072");
  EXPECT_EQ(d7[column("registered_domain")], "d7.example");
  EXPECT_EQ(by_record["ns.hoster.net 28 2001:db8::53"][column("count")], "1");
  EXPECT_EQ(by_record["ns.hoster.net 1 192.0.2.53"][column("registered_domain")], "hoster.net");
  // As if kill -9 had come after each acknowledgement and before each
  // delete: the replay finds every row and sends none again.
  fs::copy(saved.path(), dir.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  auto writer = OpenWriter(&w, dir.path());
  ASSERT_TRUE(WaitFor([&] { return writer->counters().spool_batches == 0; }));
  EXPECT_EQ(writer->counters().rows_already_stored, 27u);
  EXPECT_EQ(writer->counters().observation_rows_sent, 0u);
  EXPECT_EQ(w.observations.size(), 27u);
  EXPECT_EQ(w.MaxCopies(), 1);
}

TEST(Writer, TheObservationBatchClosesAtItsByteBound) {
  ScratchDir dir;
  FakeWarehouse w;
  WriterOptions o;
  o.sensor = "s1";
  o.batch_rows = 1000;
  o.observation_age = 1h;  // neither rows nor age: only the bytes close it
  o.observation_bytes = 2000;
  o.spool_dir = dir.path();
  std::unique_ptr<Writer> writer;
  ASSERT_TRUE(Writer::Open(o, std::make_unique<FakeSink>(&w), &writer).ok());
  writer->Start();
  for (int i = 0; i < 100; ++i) writer->AddObservations({{"ns.hoster.net", fmt::format("d{}.example", i), 1}}, {});
  // Each batch closes once its records' bytes reach 2000 (about 17 records
  // here): most of the 100 are sent in several batches, the rest stay open.
  ASSERT_TRUE(WaitFor([&] {
    const WriterCounters c = writer->counters();
    return c.rows_added >= 50 && c.observation_rows_sent == c.rows_added;
  }));
  std::lock_guard lock(w.mu);
  EXPECT_GT(w.insert_order.size(), 1u);
  EXPECT_LT(w.observations.size(), 100u);
}

}  // namespace
}  // namespace nsradar::warehouse
