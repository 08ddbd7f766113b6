// The spool: ordered batches that survive a restart, a byte bound, and
// hostile files (truncated, garbled) reported with their path and offset.
#include "warehouse/spool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "warehouse/test_batches.h"

namespace nsradar::warehouse {
namespace {

using testing::EventBatch;
using testing::ScratchDir;
namespace fs = std::filesystem;

std::unique_ptr<Spool> OpenSpool(const std::string& dir, std::vector<std::string>* reports = nullptr,
                                 uint64_t max_bytes = 1 << 20) {
  std::unique_ptr<Spool> spool;
  Status s = Spool::Open(
      dir, max_bytes,
      [&](const std::string& r) {
        if (reports) reports->push_back(r);
      },
      &spool);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return spool;
}

TEST(Spool, BatchFilesRoundTrip) {
  Batch in = EventBatch(123, 3);
  Batch out;
  ASSERT_TRUE(DecodeBatchFile(EncodeBatchFile(in), &out).ok());
  EXPECT_EQ(out.table, in.table);
  EXPECT_EQ(out.sensor, in.sensor);
  EXPECT_EQ(out.seq, 123u);
  EXPECT_EQ(out.rows, 3u);
  EXPECT_EQ(out.min_ts, in.min_ts);
  EXPECT_EQ(out.max_ts, in.max_ts);
  EXPECT_EQ(out.payload, in.payload);
}

TEST(Spool, KeepsOrderAcrossARestart) {
  ScratchDir dir;
  {
    auto spool = OpenSpool(dir.path());
    for (uint64_t seq : {30, 10, 20}) ASSERT_TRUE(spool->Put(EventBatch(seq, 2)).ok());
    EXPECT_EQ(spool->Oldest(), 10u);
    ASSERT_TRUE(spool->Remove(10).ok());
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(spool->batches(), 2u);
  EXPECT_EQ(spool->max_seq(), 30u);
  EXPECT_EQ(spool->Oldest(), 20u);
  Batch b;
  ASSERT_TRUE(spool->Read(20, &b).ok());
  EXPECT_EQ(b.payload, EventBatch(20, 2).payload);
  ASSERT_TRUE(spool->Remove(20).ok());
  EXPECT_EQ(spool->Oldest(), 30u);
  ASSERT_TRUE(spool->Remove(30).ok());
  EXPECT_FALSE(spool->Oldest());
  EXPECT_EQ(spool->bytes(), 0u);
}

TEST(Spool, TheBoundRefusesTheNewestAndCountsRejectedBatches) {
  ScratchDir dir;
  const size_t one = EncodeBatchFile(EventBatch(1, 5)).size();
  std::vector<std::string> reports;
  auto spool = OpenSpool(dir.path(), &reports, 2 * one + one / 2);
  ASSERT_TRUE(spool->Put(EventBatch(1, 5)).ok());
  ASSERT_TRUE(spool->Put(EventBatch(2, 5)).ok());
  Status full = spool->Put(EventBatch(3, 5));
  EXPECT_EQ(full.code(), Status::Code::kBusy);
  EXPECT_NE(full.message().find(dir.path()), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path() + "/00000000000000000003.batch"));
  // A rejected batch leaves the queue but keeps its place in the bound.
  ASSERT_TRUE(spool->Reject(1).ok());
  EXPECT_EQ(spool->Oldest(), 2u);
  EXPECT_TRUE(fs::exists(dir.path() + "/rejected/00000000000000000001.batch"));
  EXPECT_EQ(spool->Put(EventBatch(3, 5)).code(), Status::Code::kBusy);
  ASSERT_TRUE(spool->Remove(2).ok());
  EXPECT_TRUE(spool->Put(EventBatch(3, 5)).ok());
  // After a restart too, and the rejected batch's sequence is remembered.
  spool.reset();
  spool = OpenSpool(dir.path(), &reports, 2 * one + one / 2);
  EXPECT_EQ(spool->bytes(), 2 * one);
  EXPECT_EQ(spool->batches(), 1u);
  EXPECT_TRUE(reports.empty());
}

void WriteFile(const std::string& path, std::string_view data) { std::ofstream(path, std::ios::binary) << data; }

TEST(Spool, CorruptFilesAreReportedWithOffsetAndSetAside) {
  ScratchDir dir;
  const std::string good = EncodeBatchFile(EventBatch(5, 4));
  WriteFile(dir.path() + "/00000000000000000005.batch", good);
  WriteFile(dir.path() + "/00000000000000000006.batch", good.substr(0, good.size() - 7));  // truncated
  std::string garbled = good;
  garbled[good.size() - 20] ^= 0x55;
  WriteFile(dir.path() + "/00000000000000000007.batch", garbled);
  WriteFile(dir.path() + "/00000000000000000008.batch", good);  // names seq 5 inside
  WriteFile(dir.path() + "/00000000000000000009.batch", "");
  WriteFile(dir.path() + "/00000000000000000010.tmp", good);  // an interrupted write
  WriteFile(dir.path() + "/notes.txt", "an operator's file");
  std::vector<std::string> reports;
  auto spool = OpenSpool(dir.path(), &reports);
  EXPECT_EQ(spool->batches(), 1u);
  EXPECT_EQ(spool->Oldest(), 5u);
  ASSERT_EQ(reports.size(), 4u);
  std::sort(reports.begin(), reports.end());
  EXPECT_NE(reports[0].find("06.batch: offset 60: the header says"), std::string::npos) << reports[0];
  EXPECT_NE(reports[1].find("07.batch: offset 32: the checksum differs"), std::string::npos) << reports[1];
  EXPECT_NE(reports[2].find("08.batch: offset 12: sequence 5"), std::string::npos) << reports[2];
  EXPECT_NE(reports[3].find("09.batch: offset 0: a truncated header"), std::string::npos) << reports[3];
  EXPECT_TRUE(fs::exists(dir.path() + "/00000000000000000006.batch.corrupt"));
  EXPECT_FALSE(fs::exists(dir.path() + "/00000000000000000010.tmp"));
  EXPECT_TRUE(fs::exists(dir.path() + "/notes.txt"));
  // A file damaged after the start is found when read, and leaves the queue.
  WriteFile(dir.path() + "/00000000000000000005.batch", "NSRSPOOL");
  Batch b;
  Status s = spool->Read(5, &b);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("05.batch: offset 8"), std::string::npos) << s.message();
  EXPECT_FALSE(spool->Oldest());
}

TEST(Spool, RandomDamageNeverPassesUnnoticed) {
  const std::string good = EncodeBatchFile(EventBatch(5, 3));
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = good;
    const size_t at = rng() % bad.size();
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    Batch b;
    Status s = DecodeBatchFile(bad, &b);
    ASSERT_FALSE(s.ok()) << at;
    EXPECT_NE(s.message().find("offset "), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace nsradar::warehouse
