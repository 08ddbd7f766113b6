// The alert sink under failures: a full disk (for the alerts file made with
// RLIMIT_FSIZE, whose EFBIG fails a write as ENOSPC would; for the store a
// real full tmpfs) loses nothing, keeps order and never leaves half a line.
#include "pipeline/alert_sink.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <simdjson.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "nsdb/store_test_util.h"

namespace nsradar::pipeline {
namespace {

using nsdb::testing::FileText;
using nsdb::testing::TempDir;

// Mounts for the full-disk test go to a mount namespace of the whole
// process, made before any thread exists: unshare(CLONE_NEWNS) moves only
// the calling thread and the threads it starts later, and RocksDB's
// background threads live as long as the process.
bool g_private_mounts = false;
class PrivateMounts : public ::testing::Environment {
 public:
  void SetUp() override {
    g_private_mounts =
        geteuid() == 0 && unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
  }
};
[[maybe_unused]] const auto* const kPrivateMounts = ::testing::AddGlobalTestEnvironment(new PrivateMounts);

detect::Alert MakeAlert(const std::string& domain, int64_t t_us) {
  detect::Alert a;
  a.registered_domain = domain;
  a.category = detect::AlertCategory::kTunneling;
  a.severity = detect::Severity::kHigh;
  a.score = 0.9;
  a.first_seen_us = t_us - 1'000'000;
  a.last_seen_us = a.alert_time_us = t_us;
  return a;
}

std::vector<std::string> DomainsInFile(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream lines(FileText(path));
  simdjson::dom::parser parser;
  for (std::string line; std::getline(lines, line);) {
    simdjson::dom::element doc;
    EXPECT_FALSE(parser.parse(line).get(doc)) << "not a whole JSON line: " << line;
    std::string_view d;
    if (!doc["registered_domain"].get(d)) out.emplace_back(d);
  }
  return out;
}

// Lowers the file size limit for the scope (writes past it fail with
// EFBIG, SIGXFSZ ignored), as a full disk would.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = bytes;
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &low), 0);
  }
  ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

TEST(AlertSink, KeepsChecksWritesAndTellsTheCaller) {
  TempDir dir;
  std::unique_ptr<nsdb::Store> store;
  ASSERT_TRUE(nsdb::Store::Open(dir.file("store"), {}, &store).ok());
  AlertSinkOptions o;
  o.store = store.get();
  o.out_path = dir.file("alerts.jsonl");
  std::vector<std::string> told;
  o.on_alert = [&](const detect::Alert& a, const std::string& line) {
    told.push_back(a.registered_domain);
    EXPECT_NE(line.find("\"name_server_check\""), std::string::npos) << line;
  };
  int kept_told = 0;
  o.on_kept = [&](const detect::Alert&) { ++kept_told; };
  std::unique_ptr<AlertSink> sink;
  ASSERT_TRUE(AlertSink::Open(o, &sink).ok());
  detect::Alert a = MakeAlert("tunnel.example", 1'700'000'000'000'000);
  sink->Emit(a);
  EXPECT_FALSE(a.check_json.empty());
  EXPECT_EQ(told, std::vector<std::string>{"tunnel.example"});
  EXPECT_EQ(kept_told, 1);
  EXPECT_EQ(DomainsInFile(o.out_path), std::vector<std::string>{"tunnel.example"});
  std::vector<nsdb::StoredAlert> kept;
  ASSERT_TRUE(store->Alerts("tunnel.example", 10, &kept).ok());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_NE(kept[0].json.find("\"name_server_check\""), std::string::npos);
  EXPECT_EQ(sink->counters().emitted, 1u);
  EXPECT_EQ(sink->counters().pending, 0u);
}

TEST(AlertSink, AFullFileLosesNothingAndKeepsOrder) {
  TempDir dir;
  AlertSinkOptions o;
  o.out_path = dir.file("alerts.jsonl");
  o.retry_interval = std::chrono::milliseconds(0);
  std::unique_ptr<AlertSink> sink;
  ASSERT_TRUE(AlertSink::Open(o, &sink).ok());
  detect::Alert first = MakeAlert("a.example", 1'000'000);
  sink->Emit(first);
  const size_t size = FileText(o.out_path).size();
  {
    // Room for part of one more line: the part must not stay.
    FileSizeLimit full(size + 40);
    for (const char* d : {"b.example", "c.example", "d.example"}) {
      detect::Alert a = MakeAlert(d, 2'000'000);
      sink->Emit(a);
    }
    EXPECT_EQ(sink->counters().pending, 3u);
    EXPECT_GE(sink->counters().file_failures, 1u);
    EXPECT_EQ(FileText(o.out_path).size(), size);
  }
  sink->Retry();
  EXPECT_EQ(sink->counters().pending, 0u);
  EXPECT_EQ(DomainsInFile(o.out_path), (std::vector<std::string>{"a.example", "b.example", "c.example", "d.example"}));
}

TEST(AlertSink, TheQueueIsBoundedAndCountsWhatItDrops) {
  TempDir dir;
  AlertSinkOptions o;
  o.out_path = dir.file("alerts.jsonl");
  o.max_pending = 2;
  o.retry_interval = std::chrono::milliseconds(0);
  std::unique_ptr<AlertSink> sink;
  ASSERT_TRUE(AlertSink::Open(o, &sink).ok());
  {
    FileSizeLimit full(0);
    for (const char* d : {"a.example", "b.example", "c.example", "d.example"}) {
      detect::Alert a = MakeAlert(d, 1'000'000);
      sink->Emit(a);
    }
    EXPECT_EQ(sink->counters().pending, 2u);
    EXPECT_EQ(sink->counters().dropped, 2u);
  }
  sink->Retry();
  EXPECT_EQ(DomainsInFile(o.out_path), (std::vector<std::string>{"c.example", "d.example"}));
}

// A full disk under the store (a real ENOSPC, on a tmpfs in a mount
// namespace of this process): the store refuses writes until RocksDB
// resumes (on its own once 64 MiB are free, or when asked); the alerts wait
// and arrive then, and the file never gets ahead of the store. Needs root
// (mounts); skipped without.
TEST(AlertSink, AFullDiskUnderTheStoreWaitsAndResumes) {
  if (!g_private_mounts) GTEST_SKIP() << "needs root for a tmpfs in a private mount namespace";
  TempDir dir;
  const std::string small = dir.file("small");
  std::filesystem::create_directories(small);
  // RocksDB resumes once 64 MiB are free again (its reserve for a flush).
  ASSERT_EQ(mount("nsr-test", small.c_str(), "tmpfs", 0, "size=200m"), 0) << std::strerror(errno);
  {
    std::unique_ptr<nsdb::Store> store;
    ASSERT_TRUE(nsdb::Store::Open(small + "/store", {}, &store).ok());
    AlertSinkOptions o;
    o.store = store.get();
    o.retry_interval = std::chrono::milliseconds(0);
    // The pipeline rewrites its RPZ from the store when told, so an alert
    // that waited out the full disk must be told too.
    std::vector<std::string> kept_told;
    o.on_kept = [&](const detect::Alert& a) { kept_told.push_back(a.registered_domain); };
    std::unique_ptr<AlertSink> sink;
    ASSERT_TRUE(AlertSink::Open(o, &sink).ok());
    {
      std::ofstream filler(small + "/filler", std::ios::binary);
      std::string block(1 << 16, 'x');
      while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
      }
    }
    // Alerts of 256 KiB each until the store's write-ahead log, which
    // RocksDB preallocates, has no room left either.
    std::vector<std::string> sent;
    for (int n = 0; n < 400 && sink->counters().store_failures == 0; ++n) {
      detect::Alert a = MakeAlert("stuck" + std::to_string(n) + ".example", 1'000'000 + n);
      for (int i = 0; i < 64; ++i) a.samples.push_back(std::string(4096, static_cast<char>('a' + i % 26)));
      sink->Emit(a);
      sent.push_back(a.registered_domain);
    }
    ASSERT_GE(sink->counters().store_failures, 1u);
    const uint64_t waiting = sink->counters().pending;
    EXPECT_GE(waiting, 1u);
    sink->Retry();
    EXPECT_EQ(sink->counters().pending, waiting);
    EXPECT_EQ(kept_told.size(), sent.size() - waiting);
    std::filesystem::remove(small + "/filler");
    // RocksDB checks for free space every few seconds before it resumes.
    for (int i = 0; i < 300 && sink->counters().pending > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      sink->Retry();
    }
    EXPECT_EQ(sink->counters().pending, 0u);
    EXPECT_EQ(kept_told, sent);
    for (const std::string& d : sent) {
      std::vector<nsdb::StoredAlert> kept;
      ASSERT_TRUE(store->Alerts(d, 10, &kept).ok());
      EXPECT_EQ(kept.size(), 1u) << d;
    }
  }
  EXPECT_EQ(umount(small.c_str()), 0) << std::strerror(errno);
}

TEST(AlertSink, AnUnwritableFileIsAnErrorNamingIt) {
  AlertSinkOptions o;
  o.out_path = "/nonexistent-dir/alerts.jsonl";
  std::unique_ptr<AlertSink> sink;
  Status s = AlertSink::Open(o, &sink);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent-dir/alerts.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace nsradar::pipeline
