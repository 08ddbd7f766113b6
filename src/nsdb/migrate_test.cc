// The format-1 store in testdata/store-format1 was written by nsradar at
// 33aeb14 (the last format-1 release; make.sh there rebuilds it), so these
// tests migrate what a real older nsradar wrote, without needing that
// binary at run time. The reference for each migration is the same history
// (ingest.sh) ingested by this nsradar into a new store.
#include "nsdb/migrate.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "nsdb/store.h"
#include "nsdb/store_test_util.h"

namespace nsradar::nsdb {
namespace {

using testing::Dump;
using testing::TempDir;

const std::string kFixture = std::string(NSRADAR_TESTDATA) + "/store-format1";

// The fixture's store, unpacked into `dir`/store.
std::string Unpack(const TempDir& dir) {
  const std::string cmd = "tar -C '" + dir.path() + "' -xzf '" + kFixture + "/store-format1.tar.gz'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return dir.file("store");
}

// Dump of the fixture's history ingested by this nsradar (computed once).
const std::string& ReferenceDump() {
  static const std::string dump = [] {
    TempDir dir;
    const std::string cmd = "sh '" + kFixture + "/ingest.sh' '" + NSRADAR_BINARY + "' '" + dir.file("ref") + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::unique_ptr<Store> ref = testing::OpenStore(dir.file("ref"));
    return ref ? Dump(*ref) : std::string();
  }();
  return dump;
}

std::vector<std::string> Families(const std::string& store) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), store, &names).ok());
  std::sort(names.begin(), names.end());
  return names;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(MigrateTest, FormatOneStoreIsRefusedUntouchedWithTheCommandToRun) {
  TempDir dir;
  const std::string store = Unpack(dir);
  const auto before = Families(store);
  ASSERT_TRUE(Has(before, "ns_edges"));
  for (bool read_only : {false, true}) {
    StoreOptions o;
    o.read_only = read_only;
    std::unique_ptr<Store> s;
    const Status st = Store::Open(store, o, &s);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.message(), "store " + store +
                                " is format 1; this nsradar reads format 2: run `nsradar store migrate --store " +
                                store + "`");
  }
  EXPECT_EQ(Families(store), before);  // no family added by the refused open
}

TEST(MigrateTest, MigratedStoreAnswersExactlyAsTheSameHistoryIngestedFresh) {
  TempDir dir;
  const std::string store = Unpack(dir);
  MigrateResult r;
  ASSERT_TRUE(MigrateStore(store, &r).ok());
  EXPECT_EQ(r.from_format, 1);
  EXPECT_TRUE(r.converted);
  EXPECT_GT(r.edges, 5000u);
  EXPECT_GT(r.blocks, 0u);
  EXPECT_LT(r.blocks, r.edges);  // most root-zone hosts have one or two domains, and a block each
  EXPECT_GT(r.edge_bytes_before, 0u);
  EXPECT_GT(r.edge_bytes_after, 0u);
  EXPECT_FALSE(Has(Families(store), "ns_edges"));
  std::unique_ptr<Store> s = testing::OpenStore(store);
  ASSERT_TRUE(s);
  StoreStats stats;
  ASSERT_TRUE(s->Stats(&stats).ok());
  EXPECT_EQ(stats.edges, r.edges);
  EXPECT_EQ(Dump(*s), ReferenceDump());
  s.reset();
  // Again: nothing to do.
  MigrateResult again;
  ASSERT_TRUE(MigrateStore(store, &again).ok());
  EXPECT_FALSE(again.converted);
  EXPECT_EQ(again.from_format, 2);
  s = testing::OpenStore(store);
  ASSERT_TRUE(s);
  EXPECT_EQ(Dump(*s), ReferenceDump());
}

// Run alone, in a fresh process (a fork of the test process would inherit
// RocksDB's thread pools without their threads and wait forever on a
// flush): migrates $NSRADAR_MIGRATE_STORE and kills itself (SIGKILL) as the
// step $NSRADAR_MIGRATE_KILL_AT begins.
TEST(MigrateTest, ChildMigratesAndIsKilled) {
  const char* store = getenv("NSRADAR_MIGRATE_STORE");
  const char* step = getenv("NSRADAR_MIGRATE_KILL_AT");
  if (!store || !step) GTEST_SKIP() << "run by KilledAtAnyStepLeavesAStoreThatMigratesOrIsComplete";
  MigrateResult r;
  const Status st = MigrateStore(store, &r, [&](std::string_view s) {
    if (s == step) raise(SIGKILL);
  });
  FAIL() << "not killed at " << step << ": " << st.ToString();
}

// A child process migrates and is killed as `step` begins; the store must
// then be format 1, refused and migrated again, or format 2 and complete.
TEST(MigrateTest, KilledAtAnyStepLeavesAStoreThatMigratesOrIsComplete) {
  if (getenv("NSRADAR_MIGRATE_STORE")) GTEST_SKIP();
  for (const char* step : {"open", "blocks", "compact", "stamp", "drop", "done"}) {
    TempDir dir;
    const std::string store = Unpack(dir);
    const std::string cmd = "NSRADAR_MIGRATE_STORE='" + store + "' NSRADAR_MIGRATE_KILL_AT=" + step + " /proc/" +
                            std::to_string(getpid()) +
                            "/exe --gtest_filter=MigrateTest.ChildMigratesAndIsKilled >/dev/null 2>&1";
    const int status = std::system(cmd.c_str());
    // The shell reports a child killed by signal N as exit status 128 + N.
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGKILL) << step << " status " << status;
    std::unique_ptr<Store> s;
    Status st = Store::Open(store, StoreOptions(), &s);
    const bool before_stamp = std::string_view(step) != "drop" && std::string_view(step) != "done";
    if (before_stamp) {
      ASSERT_FALSE(st.ok()) << step;
      EXPECT_NE(st.message().find("is format 1"), std::string::npos) << st.ToString();
      MigrateResult r;
      ASSERT_TRUE(MigrateStore(store, &r).ok()) << step;
      EXPECT_TRUE(r.converted);
      st = Store::Open(store, StoreOptions(), &s);
    }
    ASSERT_TRUE(st.ok()) << step << ": " << st.ToString();
    EXPECT_EQ(Dump(*s), ReferenceDump()) << step;
    s.reset();
    EXPECT_FALSE(Has(Families(store), "ns_edges")) << step;  // a writable open dropped what the stamp left
  }
}

TEST(MigrateTest, StoreWithDataButNoFormatEntryIsNotStamped) {
  TempDir dir;
  const std::string store = Unpack(dir);
  {
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : Families(store)) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), store, cfs, &handles, &raw).ok());
    for (size_t i = 0; i < cfs.size(); ++i) {
      if (cfs[i].name == "default") {
        ASSERT_TRUE(raw->Delete(rocksdb::WriteOptions(), handles[i], "format").ok());
      }
    }
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  std::unique_ptr<Store> s;
  const Status st = Store::Open(store, StoreOptions(), &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("holds data but no format entry"), std::string::npos) << st.ToString();
  MigrateResult r;
  EXPECT_FALSE(MigrateStore(store, &r).ok());
  // A new, empty directory is still a new store, stamped format 2.
  TempDir fresh;
  EXPECT_TRUE(testing::OpenStore(fresh.path()));
}

TEST(MigrateTest, MissingStoreIsNotFound) {
  TempDir dir;
  MigrateResult r;
  const Status st = MigrateStore(dir.file("nothing"), &r);
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
}

}  // namespace
}  // namespace nsradar::nsdb
