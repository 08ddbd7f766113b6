#include "nsdb/czds_ingest.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "nsdb/store_test_util.h"
#include "zone/snapshot.h"

namespace nsradar::nsdb {
namespace {

using testing::Dump;
using testing::TempDir;

constexpr int64_t kDay1 = 1764547200;  // 2025-12-01
constexpr int64_t kDay2 = kDay1 + 86400;

// A TLD zone shaped like a CZDS file: SOA first, then `domains` delegations
// of 1-3 hosts each from shared providers, some in-bailiwick with glue,
// some DS records. `day` > 0 drops every 7th domain and moves every 5th.
std::string ZoneText(const std::string& tld, int domains, int day = 0) {
  std::string z = tld + ".\t86400\tin\tsoa\ta.nic." + tld + ". hostmaster.nic." + tld + ". " +
                  std::to_string(1000 + day) + " 1800 900 604800 86400\n";
  z += tld + ".\t172800\tin\tns\ta.nic." + tld + ".\n";
  for (int i = 0; i < domains; ++i) {
    if (day > 0 && i % 7 == 3) continue;
    const std::string d = "d" + std::to_string(i) + "." + tld + ".";
    const int provider = (i * 31 + (day > 0 && i % 5 == 0 ? 11 : 0)) % 23;
    for (int h = 0; h <= i % 3; ++h) {
      z += d + "\t172800\tin\tns\tns" + std::to_string(h) + ".provider" + std::to_string(provider) + ".net.\n";
    }
    if (i % 10 == 0) {
      z += d + "\t172800\tin\tns\tns1." + d + "\n";
      z += "ns1." + d + "\t172800\tin\ta\t192.0.2." + std::to_string(i % 250 + 1) + "\n";
    }
    if (i % 4 == 0) z += d + "\t86400\tin\tds\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE\n";
  }
  return z;
}

void WriteGzip(const std::string& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

// A CZDS-style download of 20 zones: 16 good ones of 20..4,000 domains
// (gzip, and one of each other accepted name), a gzip corrupted in its
// compressed data, a zone with a syntax error on line 6, a file named for
// one TLD holding another, and an empty file; plus files to ignore.
struct Download {
  std::map<std::string, std::string> good;  // zone -> path
  int biggest = 4000;
};

Download WriteDownload(const std::string& dir, int day) {
  Download d;
  for (int i = 0; i < 16; ++i) {
    const std::string tld = "t" + std::to_string(i);
    const int domains = i == 0 ? d.biggest : 20 + i * 37;
    const std::string text = ZoneText(tld, domains, day);
    std::string path = dir + "/" + tld + ".zone.gz";
    if (i == 1) path = dir + "/" + tld + ".txt.gz";
    if (i == 2) {
      path = dir + "/" + tld + ".zone";
      std::ofstream(path) << text;
    } else {
      WriteGzip(path, text);
    }
    d.good[tld] = path;
  }
  WriteGzip(dir + "/corrupt.zone.gz", ZoneText("corrupt", 2000, day));
  {
    std::fstream f(dir + "/corrupt.zone.gz", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(400);
    f.write("\xff\x00\xff\x00\xff\x00\xff\x00", 8);
  }
  std::string syntax = ZoneText("syntax", 50, day);
  size_t line5 = 0;
  for (int n = 0; n < 5; ++n) line5 = syntax.find('\n', line5) + 1;
  syntax.insert(line5, "broken.syntax.\t172800\tin\tns\n");  // line 6: NS without its host
  WriteGzip(dir + "/syntax.zone.gz", syntax);
  WriteGzip(dir + "/mismatch.zone.gz", ZoneText("other", 30, day));
  std::ofstream(dir + "/empty.zone.gz").flush();
  std::ofstream(dir + "/t3.zone.gz.md5") << "0123\n";
  return d;
}

// What single-file ingest makes of the good zones, each on its own.
std::string SingleFileDump(const TempDir& tmp, const std::string& name, const std::vector<Download>& days) {
  std::unique_ptr<Store> ref;
  EXPECT_TRUE(Store::Open(tmp.file(name), StoreOptions(), &ref).ok());
  int64_t t = kDay1;
  for (const Download& d : days) {
    for (const auto& [tld, path] : d.good) {
      zone::ZoneSnapshot snap;
      EXPECT_TRUE(zone::ZoneSnapshot::Load(path, zone::SnapshotOptions(), &snap).ok()) << path;
      IngestResult r;
      EXPECT_TRUE(ref->IngestSnapshot(snap, t, path, &r).ok()) << path;
    }
    t += 86400;
  }
  return Dump(*ref);
}

// Where two dumps part, for a readable failure (a full diff of thousands
// of lines takes gtest minutes).
std::string FirstDifference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  const size_t from = got.rfind('\n', at) == std::string::npos ? 0 : got.rfind('\n', at) + 1;
  return "got \"" + got.substr(from, 200) + "\"\nwant \"" + want.substr(from, 200) + "\"";
}

std::map<std::string, CzdsZoneResult> ByZone(const std::vector<CzdsZoneResult>& results) {
  std::map<std::string, CzdsZoneResult> m;
  for (const auto& r : results) m[r.zone] = r;
  return m;
}

std::vector<CzdsZoneResult> RunCzds(Store* store, const std::string& dir, int64_t t, size_t budget, bool overlap,
                                    bool allow_shrink = false, const std::atomic<bool>* stop = nullptr,
                                    std::function<void(const CzdsProgress&)> progress = nullptr) {
  zone::CzdsListing listing;
  EXPECT_TRUE(zone::ListCzdsDirectory(dir, &listing).ok());
  CzdsIngestOptions o;
  o.memory_budget = budget;
  o.spill_dir = dir + "-spill";
  o.observed_at = t;
  o.overlap = overlap;
  o.allow_shrink = allow_shrink;
  o.stop = stop;
  o.progress = std::move(progress);
  std::vector<CzdsZoneResult> results;
  EXPECT_TRUE(IngestCzds(store, listing, o, &results).ok());
  EXPECT_FALSE(std::filesystem::exists(o.spill_dir)) << "the sorted runs outlived the run";
  return results;
}

void ExpectBadZonesFailed(const std::map<std::string, CzdsZoneResult>& r, const std::string& dir) {
  ASSERT_EQ(r.size(), 20u);
  for (int i = 0; i < 16; ++i) {
    const CzdsZoneResult& z = r.at("t" + std::to_string(i));
    EXPECT_EQ(z.state, CzdsZoneState::kCommitted) << z.zone << ": " << z.error;
  }
  for (const char* bad : {"corrupt", "syntax", "mismatch", "empty"}) {
    EXPECT_EQ(r.at(bad).state, CzdsZoneState::kFailed) << bad;
  }
  EXPECT_NE(r.at("corrupt").error.find(dir + "/corrupt.zone.gz"), std::string::npos) << r.at("corrupt").error;
  EXPECT_NE(r.at("syntax").error.find(dir + "/syntax.zone.gz:6: "), std::string::npos) << r.at("syntax").error;
  EXPECT_NE(r.at("mismatch").error.find("the SOA owner is other., not mismatch."), std::string::npos)
      << r.at("mismatch").error;
  EXPECT_NE(r.at("empty").error.find("empty.zone.gz: the file is empty"), std::string::npos) << r.at("empty").error;
}

TEST(CzdsIngest, GoodZonesAreCommittedExactlyAsSingleFileIngestAndBadOnesNamed) {
  TempDir tmp;
  const std::string dir = tmp.file("czds");
  std::filesystem::create_directories(dir);
  const Download day1 = WriteDownload(dir, 0);
  const std::string want = SingleFileDump(tmp, "ref", {day1});

  // 64 KB: a quarter of it holds far less than the biggest zone's pairs
  // (4,000 domains, ~10,000 edges), which spill to sorted runs.
  for (bool overlap : {true, false}) {
    SCOPED_TRACE(overlap ? "overlapped" : "sequential");
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(tmp.file(overlap ? "overlapped" : "sequential"), StoreOptions(), &store).ok());
    auto first = ByZone(RunCzds(store.get(), dir, kDay1, 64 << 10, overlap));
    ExpectBadZonesFailed(first, dir);
    EXPECT_GT(first.at("t0").sorted_runs, 1u);
    EXPECT_EQ(first.at("t0").ingest.domains, 4000u);
    EXPECT_EQ(FirstDifference(Dump(*store), want), "");

    // The same directory again: every zone's snapshot is replaced by itself.
    auto again = ByZone(RunCzds(store.get(), dir, kDay1, 64 << 10, overlap));
    ExpectBadZonesFailed(again, dir);
    for (const auto& [zone, r] : again) {
      if (r.state != CzdsZoneState::kCommitted) continue;
      EXPECT_TRUE(r.ingest.replaced_existing) << zone;
      EXPECT_EQ(r.ingest.edges_added + r.ingest.edges_changed + r.ingest.edges_removed, 0u) << zone;
    }
    EXPECT_EQ(FirstDifference(Dump(*store), want), "");
  }
}

TEST(CzdsIngest, NextDayAppliesAndTheShrinkGuardHoldsPerZone) {
  TempDir tmp;
  const std::string dir1 = tmp.file("day1"), dir2 = tmp.file("day2");
  std::filesystem::create_directories(dir1);
  std::filesystem::create_directories(dir2);
  const Download day1 = WriteDownload(dir1, 0);
  const Download day2 = WriteDownload(dir2, 1);
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(tmp.file("store"), StoreOptions(), &store).ok());
  RunCzds(store.get(), dir1, kDay1, 1 << 20, true);
  // t5 lost most of its delegations overnight (205 domains to 40): a
  // truncated file?
  WriteGzip(day2.good.at("t5"), ZoneText("t5", 40, 1));
  auto r = ByZone(RunCzds(store.get(), dir2, kDay2, 1 << 20, true));
  EXPECT_EQ(r.at("t5").state, CzdsZoneState::kFailed);
  EXPECT_NE(r.at("t5").error.find("a truncated or partial file? pass --allow-shrink"), std::string::npos)
      << r.at("t5").error;
  size_t committed = 0;
  for (const auto& [zone, z] : r) committed += z.state == CzdsZoneState::kCommitted;
  EXPECT_EQ(committed, 15u);
  EXPECT_GT(r.at("t0").ingest.edges_removed, 0u);
  EXPECT_GT(r.at("t0").ingest.edges_added, 0u);

  // With --allow-shrink it goes in, and the store is what single-file
  // ingest of both days makes.
  r = ByZone(RunCzds(store.get(), dir2, kDay2, 1 << 20, true, /*allow_shrink=*/true));
  EXPECT_EQ(r.at("t5").state, CzdsZoneState::kCommitted) << r.at("t5").error;
  EXPECT_EQ(FirstDifference(Dump(*store), SingleFileDump(tmp, "ref", {day1, day2})), "");
}

TEST(CzdsIngest, AStopCommitsTheZoneBeingWrittenAndStartsNoOther) {
  TempDir tmp;
  const std::string dir = tmp.file("czds");
  std::filesystem::create_directories(dir);
  WriteDownload(dir, 0);
  for (bool overlap : {true, false}) {
    SCOPED_TRACE(overlap ? "overlapped" : "sequential");
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(tmp.file(overlap ? "a" : "b"), StoreOptions(), &store).ok());
    std::atomic<bool> stop{false};
    size_t last_done = 0;
    // Stops as the third zone (largest first) is done, as a signal during
    // the fourth one's write or read would: no further zone is written.
    auto results = RunCzds(store.get(), dir, kDay1, 1 << 20, overlap, false, &stop, [&](const CzdsProgress& p) {
      EXPECT_GE(p.zones_done, last_done);
      EXPECT_LE(p.bytes_read, p.bytes_total);
      last_done = p.zones_done;
      if (p.zones_done >= 3) stop = true;
    });
    size_t committed = 0, not_run = 0;
    for (const auto& r : results) {
      committed += r.state == CzdsZoneState::kCommitted;
      not_run += r.state == CzdsZoneState::kNotRun;
      if (r.state == CzdsZoneState::kNotRun) {
        EXPECT_EQ(r.error, "not run: interrupted");
      }
    }
    EXPECT_EQ(not_run, 17u);
    EXPECT_GE(committed, 2u);  // the corrupt gzip is among the largest files
    std::vector<ZoneInfo> zones;
    ASSERT_TRUE(store->Zones(&zones).ok());
    EXPECT_EQ(zones.size(), committed);
  }
}

}  // namespace
}  // namespace nsradar::nsdb
