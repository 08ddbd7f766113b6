// The store against real data: 167 snapshots of the IANA root zone
// (2018-2020). Expected answers are computed here from the raw files with a
// deliberately simple reader that shares no code with nsradar's.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "nsdb/store.h"
#include "nsdb/store_test_util.h"
#include "util/time.h"

namespace nsradar::nsdb {
namespace {

const std::string kDir = std::string(NSRADAR_TESTDATA) + "/rootzone";

std::set<std::pair<std::string, std::string>> RawEdges(const std::string& path);

struct Snapshot {
  std::string file;
  int64_t time;
};

std::vector<Snapshot> ReadIndex() {
  std::vector<Snapshot> out;
  std::ifstream in(kDir + "/snapshots.tsv");
  std::string name, when;
  while (in >> name >> when) {
    auto t = ParseTime(when);
    EXPECT_TRUE(t.has_value()) << when;
    out.push_back({kDir + "/history/" + name, *t});
  }
  return out;
}

// One mirrored snapshot (2019-11-12T07:02Z) is an empty file; nsradar's CLI
// refuses such files, so the test leaves it out too.
std::vector<Snapshot> NonEmpty(std::vector<Snapshot> all) {
  std::erase_if(all, [](const Snapshot& s) { return RawEdges(s.file).empty(); });
  return all;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// (ns, domain) pairs of one file, read with zlib and a string stream.
std::set<std::pair<std::string, std::string>> RawEdges(const std::string& path) {
  std::set<std::pair<std::string, std::string>> edges;
  gzFile f = gzopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr) << path;
  char buf[4096];
  while (gzgets(f, buf, sizeof(buf))) {
    std::istringstream line(buf);
    std::string owner, ttl, cls, type, rdata;
    if (!(line >> owner >> ttl >> cls >> type >> rdata)) continue;
    if (Lower(type) == "ns" && owner != ".") edges.insert({Lower(rdata), Lower(owner)});
  }
  gzclose(f);
  return edges;
}

class RootZoneHistoryTest : public ::testing::Test {
 protected:
  static void Ingest(Store* store, const Snapshot& s) {
    zone::ZoneSnapshot snap;
    zone::SnapshotOptions so;
    ASSERT_TRUE(zone::ZoneSnapshot::Load(s.file, so, &snap).ok()) << s.file;
    EXPECT_EQ(snap.reader_stats().errors, 0u) << s.file;
    EXPECT_EQ(snap.apex(), "");
    IngestResult r;
    ASSERT_TRUE(store->IngestSnapshot(snap, s.time, s.file, &r).ok());
  }
};

TEST_F(RootZoneHistoryTest, InOrderMatchesRawFilesAndShuffledMatchesInOrder) {
  auto all = ReadIndex();
  ASSERT_EQ(all.size(), 167u);
  auto index = NonEmpty(all);
  ASSERT_EQ(index.size(), 166u);
  std::sort(index.begin(), index.end(), [](const Snapshot& a, const Snapshot& b) { return a.time < b.time; });

  // Expected: for every (ns, domain) the times of the snapshots holding it.
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> seen;
  for (const auto& s : index) {
    for (const auto& e : RawEdges(s.file)) seen[e].insert(s.time);
  }
  const int64_t latest = index.back().time;

  testing::TempDir dir;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), StoreOptions(), &store).ok());
  for (const auto& s : index) Ingest(store.get(), s);

  std::map<std::string, std::vector<std::string>> want;  // ns -> "domain first last active"
  for (const auto& [edge, times] : seen) {
    want[edge.first].push_back(edge.second + " " + std::to_string(*times.begin()) + " " +
                               std::to_string(*times.rbegin()) + (times.count(latest) ? " active" : ""));
  }
  size_t hosts_checked = 0, edges_checked = 0;
  for (auto& [ns, rows] : want) {
    std::sort(rows.begin(), rows.end());
    DomainQuery q;
    q.ns = ns;
    q.limit = kMaxPage;
    DomainPage page;
    ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
    std::vector<std::string> got;
    for (const auto& r : page.rows) {
      got.push_back(r.name + " " + std::to_string(r.first_seen) + " " + std::to_string(r.last_seen) +
                    (r.active ? " active" : ""));
    }
    ASSERT_EQ(got, rows) << ns;
    EXPECT_EQ(page.total, rows.size());
    ++hosts_checked;
    edges_checked += rows.size();
  }
  EXPECT_GT(hosts_checked, 4000u);
  EXPECT_EQ(edges_checked, seen.size());

  // Spot checks a reader can verify by hand in the files.
  DomainInfo de;
  ASSERT_TRUE(store->Domain("de", &de).ok());
  EXPECT_EQ(de.history.front().type, DomainEvent::Type::kCreated);
  EXPECT_EQ(de.history.front().time, index.front().time);

  // Shuffled ingestion must give exactly the same store.
  std::string in_order = testing::Dump(*store);
  std::mt19937_64 rng(2018);
  auto shuffled = index;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  testing::TempDir dir2;
  std::unique_ptr<Store> store2;
  StoreOptions bulk;
  bulk.batch_limit = 0;  // and through the SST path this time
  ASSERT_TRUE(Store::Open(dir2.path(), bulk, &store2).ok());
  for (const auto& s : shuffled) Ingest(store2.get(), s);
  EXPECT_EQ(testing::Dump(*store2), in_order);
}

TEST_F(RootZoneHistoryTest, FullZonesWithDnssecParseCleanly) {
  for (const char* name : {"root-20180312T0000Z.zone.gz", "root-20200913T0000Z.zone.gz"}) {
    std::string path = kDir + "/full/" + name;
    zone::ZoneSnapshot snap;
    zone::SnapshotOptions so;
    ASSERT_TRUE(zone::ZoneSnapshot::Load(path, so, &snap).ok());
    EXPECT_EQ(snap.reader_stats().errors, 0u) << name;
    auto raw = RawEdges(path);
    EXPECT_EQ(snap.edge_count(), raw.size()) << name;
    std::set<std::string> domains;
    for (const auto& e : raw) domains.insert(e.second);
    EXPECT_EQ(snap.domain_count(), domains.size()) << name;
    EXPECT_GT(snap.glue().size(), 5000u) << name;
  }
}

}  // namespace
}  // namespace nsradar::nsdb
