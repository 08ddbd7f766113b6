#include "nsdb/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "dns/name_testing.h"
#include "nsdb/store_test_util.h"

namespace nsradar::nsdb {
namespace {

using testing::Dump;
using testing::OpenStore;
using testing::SnapshotFromText;
using testing::TempDir;

void Ingest(Store* store, const std::string& text, int64_t t, IngestResult* r = nullptr) {
  IngestResult local;
  Status s = store->IngestSnapshot(SnapshotFromText(text), t, "test", r ? r : &local);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

const char* kDay1 =
    "example.\t60\tIN\tSOA\tns.example. h.example. 1 1 1 1 1\n"
    "a.example.\t60\tIN\tNS\tns1.host.net.\n"
    "a.example.\t60\tIN\tNS\tns2.host.net.\n"
    "b.example.\t60\tIN\tNS\tns1.host.net.\n"
    "c.example.\t60\tIN\tNS\tns1.c.example.\n"
    "ns1.c.example.\t60\tIN\tA\t192.0.2.1\n";
const char* kDay2 =  // b dropped, a moved from ns2 to ns3, d created
    "example.\t60\tIN\tSOA\tns.example. h.example. 2 1 1 1 1\n"
    "a.example.\t60\tIN\tNS\tns1.host.net.\n"
    "a.example.\t60\tIN\tNS\tns3.host.net.\n"
    "c.example.\t60\tIN\tNS\tns1.c.example.\n"
    "d.example.\t60\tIN\tNS\tns1.host.net.\n"
    "ns1.c.example.\t60\tIN\tA\t192.0.2.2\n";
const char* kDay3 =  // b back
    "example.\t60\tIN\tSOA\tns.example. h.example. 3 1 1 1 1\n"
    "a.example.\t60\tIN\tNS\tns1.host.net.\n"
    "a.example.\t60\tIN\tNS\tns3.host.net.\n"
    "b.example.\t60\tIN\tNS\tns1.host.net.\n"
    "c.example.\t60\tIN\tNS\tns1.c.example.\n"
    "d.example.\t60\tIN\tNS\tns1.host.net.\n";

TEST(StoreTest, SnapshotsInOrder) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Ingest(store.get(), kDay1, 100);
  Ingest(store.get(), kDay2, 200);
  Ingest(store.get(), kDay3, 300);

  DomainQuery q;
  q.ns = "ns1.host.net";
  DomainPage page;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(page.rows[0].name, "a.example");
  EXPECT_EQ(page.rows[0].first_seen, 100);
  EXPECT_EQ(page.rows[0].last_seen, 300);
  EXPECT_EQ(page.rows[1].name, "b.example");
  EXPECT_EQ(page.rows[1].first_seen, 100);
  EXPECT_EQ(page.rows[1].last_seen, 300);
  EXPECT_EQ(page.rows[2].name, "d.example");
  EXPECT_EQ(page.rows[2].first_seen, 200);
  // "example" is no listed TLD, but the PSL's implicit "*" rule makes every
  // TLD a public suffix, so d.example is a registrable domain.
  EXPECT_EQ(page.rows[2].kind, zone::DomainKind::kRegistered);

  q.ns = "ns2.host.net";
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].last_seen, 100);
  EXPECT_FALSE(page.rows[0].active);
  NsCounts c;
  ASSERT_TRUE(store->Counts("ns2.host.net", &c).ok());
  EXPECT_EQ(c.total, 1u);
  EXPECT_EQ(c.active, 0u);
  ASSERT_TRUE(store->Counts("ns1.host.net", &c).ok());
  EXPECT_EQ(c.total, 3u);
  EXPECT_EQ(c.active, 3u);

  DomainInfo info;
  ASSERT_TRUE(store->Domain("b.example", &info).ok());
  ASSERT_EQ(info.history.size(), 3u);
  EXPECT_EQ(info.history[0].type, DomainEvent::Type::kCreated);
  EXPECT_EQ(info.history[0].time, 100);
  EXPECT_EQ(info.history[1].type, DomainEvent::Type::kDropped);
  EXPECT_EQ(info.history[1].time, 200);
  EXPECT_EQ(info.history[2].type, DomainEvent::Type::kCreated);
  EXPECT_EQ(info.history[2].time, 300);

  ASSERT_TRUE(store->Domain("a.example", &info).ok());
  EXPECT_EQ(info.current(), (std::vector<std::string>{"ns1.host.net", "ns3.host.net"}));
  ASSERT_EQ(info.history.size(), 3u);
  EXPECT_EQ(info.history[1].type, DomainEvent::Type::kNsAdded);
  EXPECT_EQ(info.history[1].name_servers, std::vector<std::string>{"ns3.host.net"});
  EXPECT_EQ(info.history[2].type, DomainEvent::Type::kNsRemoved);
  EXPECT_EQ(info.history[2].name_servers, std::vector<std::string>{"ns2.host.net"});

  std::vector<GlueRow> glue;
  ASSERT_TRUE(store->HostAddresses("ns1.c.example", &glue).ok());
  ASSERT_EQ(glue.size(), 2u);
  EXPECT_EQ(glue[0].address.ToString(), "192.0.2.1");
  EXPECT_EQ(glue[0].first_seen, 100);
  EXPECT_EQ(glue[0].last_seen, 100);
  EXPECT_EQ(glue[1].address.ToString(), "192.0.2.2");
  ASSERT_TRUE(store->AddressHosts(*dns::Address::Parse("192.0.2.2"), &glue).ok());
  ASSERT_EQ(glue.size(), 1u);
  EXPECT_EQ(glue[0].host, "ns1.c.example");

  EXPECT_TRUE(store->Domain("zzz.example", &info).IsNotFound());
}

TEST(StoreTest, OutOfOrderAndRepeatedSnapshotsGiveTheSameStore) {
  const std::vector<std::pair<const char*, int64_t>> snaps = {{kDay1, 100}, {kDay2, 200}, {kDay3, 300}};
  TempDir ref_dir;
  std::string expected;
  {
    auto store = OpenStore(ref_dir.path());
    for (const auto& [text, t] : snaps) Ingest(store.get(), text, t);
    expected = Dump(*store);
  }
  std::vector<int> order = {0, 1, 2};
  do {
    TempDir dir;
    auto store = OpenStore(dir.path());
    for (int i : order) Ingest(store.get(), snaps[i].first, snaps[i].second);
    EXPECT_EQ(Dump(*store), expected) << order[0] << order[1] << order[2];
    // Ingesting any snapshot again changes nothing at all.
    IngestResult r;
    Ingest(store.get(), snaps[order[1]].first, snaps[order[1]].second, &r);
    EXPECT_EQ(r.edges_changed, 0u);
    EXPECT_TRUE(r.replaced_existing);
    EXPECT_EQ(Dump(*store), expected);
  } while (std::next_permutation(order.begin(), order.end()));
}

// Random zones over many snapshots, ingested in random orders through both
// write paths, against a reference computed here from the raw sets.
TEST(StoreTest, RandomHistoriesMatchReference) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 6; ++trial) {
    const int kSnaps = 8, kDomains = 60, kHosts = 12;
    std::vector<std::string> texts(kSnaps);
    std::map<std::pair<std::string, std::string>, std::set<int64_t>> present;  // (ns, domain) -> times
    std::vector<int64_t> times;
    for (int s = 0; s < kSnaps; ++s) {
      int64_t t = 1000 + 100 * s;
      times.push_back(t);
      std::string& text = texts[s];
      text = "z.\t60\tIN\tSOA\tns.z. h.z. 1 1 1 1 1\n";
      for (int d = 0; d < kDomains; ++d) {
        if (rng() % 4 == 0) continue;  // absent from this snapshot
        std::string dom = "d" + std::to_string(d) + ".z";
        for (int h = 0; h < kHosts; ++h) {
          if (rng() % 5) continue;
          std::string host = "ns" + std::to_string(h) + ".p.net";
          text += dom + ".\t60\tIN\tNS\t" + host + ".\n";
          present[{host, dom}].insert(t);
        }
      }
    }
    for (size_t batch_limit : {size_t{0}, size_t{1000000}}) {
      std::vector<int> order(kSnaps);
      for (int i = 0; i < kSnaps; ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      TempDir dir;
      auto store = OpenStore(dir.path(), batch_limit);
      for (int i : order) Ingest(store.get(), texts[i], times[i]);
      for (int h = 0; h < kHosts; ++h) {
        std::string host = "ns" + std::to_string(h) + ".p.net";
        std::vector<std::string> got, want;
        uint64_t want_active = 0;
        DomainQuery q;
        q.ns = host;
        q.limit = kMaxPage;
        DomainPage page;
        ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
        for (const auto& r : page.rows) {
          got.push_back(r.name + " " + std::to_string(r.first_seen) + " " + std::to_string(r.last_seen) +
                        (r.active ? " a" : ""));
        }
        for (const auto& [key, ts] : present) {
          if (key.first != host) continue;
          bool active = ts.count(times.back()) > 0;
          want_active += active;
          want.push_back(key.second + " " + std::to_string(*ts.begin()) + " " + std::to_string(*ts.rbegin()) +
                         (active ? " a" : ""));
        }
        std::sort(want.begin(), want.end());
        EXPECT_EQ(got, want) << "trial " << trial << " host " << host << " batch_limit " << batch_limit;
        NsCounts c;
        ASSERT_TRUE(store->Counts(host, &c).ok());
        EXPECT_EQ(c.total, want.size());
        EXPECT_EQ(c.active, want_active);
      }
    }
  }
}

TEST(StoreTest, ReplacingASnapshotWithOtherContent) {
  TempDir a, b;
  auto s1 = OpenStore(a.path());
  Ingest(s1.get(), kDay1, 100);
  Ingest(s1.get(), kDay2, 200);
  Ingest(s1.get(), kDay3, 200);  // a corrected file for the same moment
  auto s2 = OpenStore(b.path());
  Ingest(s2.get(), kDay1, 100);
  Ingest(s2.get(), kDay3, 200);
  EXPECT_EQ(Dump(*s1), Dump(*s2));
}

std::string BigZone(int domains, int hosts) {
  std::string text = "com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. 1 1 1 1 1\n";
  for (int d = 0; d < domains; ++d) {
    std::string dom = "dom" + std::to_string(d) + ".com.";
    text += dom + "\t172800\tin\tns\tns" + std::to_string(d % hosts) + ".big.net.\n";
    text += dom + "\t172800\tin\tns\tshared.big.net.\n";
  }
  return text;
}

TEST(StoreTest, KeysetPaginationVisitsEachDomainOnceInOrder) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Ingest(store.get(), BigZone(2500, 7), 1000);
  std::vector<std::string> seen;
  DomainQuery q;
  q.ns = "shared.big.net";
  q.limit = 300;
  for (;;) {
    DomainPage page;
    ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
    EXPECT_EQ(page.total, 2500u);
    for (const auto& r : page.rows) seen.push_back(r.name);
    if (!page.more) break;
    q.after = page.rows.back().name;
  }
  ASSERT_EQ(seen.size(), 2500u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 2500u);
  EXPECT_EQ(seen.front(), "dom0.com");
  EXPECT_EQ(seen.front() < seen.back(), true);
  EXPECT_EQ(seen[0 + 0].substr(0, 3), "dom");

  // A cursor that is not a listed name still pages from the right place.
  q.after = "dom1000.com~";
  DomainPage page;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_FALSE(page.rows.empty());
  EXPECT_GT(page.rows[0].name, "dom1000.com~");
  q.limit = kMaxPage + 1;
  EXPECT_FALSE(store->DomainsOnNs(q, &page).ok());
}

TEST(StoreTest, TimeFencesAndKindFilterCountExactly) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Ingest(store.get(), kDay1, 100);
  Ingest(store.get(), kDay2, 200);
  DomainQuery q;
  q.ns = "ns1.host.net";
  q.first_seen_after = 150;  // only d.example
  DomainPage page;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].name, "d.example");
  EXPECT_EQ(page.total, 1u);
  q = DomainQuery();
  q.ns = "ns1.host.net";
  q.last_seen_before = 150;  // b.example, gone after day 1
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].name, "b.example");
  q = DomainQuery();
  q.ns = "ns1.host.net";
  q.active_only = true;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  EXPECT_EQ(page.total, 2u);
  EXPECT_EQ(page.rows.size(), 2u);
  q = DomainQuery();
  q.ns = "ns1.host.net";
  q.kind = zone::DomainKind::kSubdomain;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  EXPECT_EQ(page.total, 0u);
  q.kind = zone::DomainKind::kRegistered;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  EXPECT_EQ(page.total, 3u);
}

TEST(StoreTest, DomainKindsFollowThePublicSuffixList) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Ingest(store.get(),
         "uk.\t60\tIN\tSOA\tns.uk. h.uk. 1 1 1 1 1\n"
         "co.uk.\t60\tIN\tNS\tns.nic.uk.\n"
         "example.uk.\t60\tIN\tNS\tns.nic.uk.\n"
         "deep.example.uk.\t60\tIN\tNS\tns.nic.uk.\n",
         10);
  DomainQuery q;
  q.ns = "ns.nic.uk";
  DomainPage page;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.rows[0].name, "co.uk");
  EXPECT_EQ(page.rows[0].kind, zone::DomainKind::kSuffix);
  EXPECT_EQ(page.rows[1].name, "deep.example.uk");
  EXPECT_EQ(page.rows[1].kind, zone::DomainKind::kSubdomain);
  EXPECT_EQ(page.rows[2].kind, zone::DomainKind::kRegistered);
}

TEST(StoreTest, NameServersBySuffix) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Ingest(store.get(),
         "com.\t60\tIN\tSOA\tns.com. h.com. 1 1 1 1 1\n"
         "a.com.\t60\tIN\tNS\tali.ns.cloudflare.com.\n"
         "b.com.\t60\tIN\tNS\tbob.ns.cloudflare.com.\n"
         "c.com.\t60\tIN\tNS\tbob.ns.cloudflare.com.\n"
         "d.com.\t60\tIN\tNS\tns.cloudflare.com.\n"
         "e.com.\t60\tIN\tNS\tx.ns.cloudflare.community.\n"
         "f.com.\t60\tIN\tNS\tns1.cloudflare2.com.\n",
         10);
  std::vector<NsRow> rows;
  ASSERT_TRUE(store->NameServersUnder("ns.cloudflare.com", "", 100, &rows).ok());
  std::vector<std::string> names;
  for (const auto& r : rows) names.push_back(r.name + "=" + std::to_string(r.counts.total));
  EXPECT_EQ(names,
            (std::vector<std::string>{"ns.cloudflare.com=1", "ali.ns.cloudflare.com=1", "bob.ns.cloudflare.com=2"}));
  ASSERT_TRUE(store->NameServersUnder("cloudflare.com", "", 100, &rows).ok());
  EXPECT_EQ(rows.size(), 3u);
  ASSERT_TRUE(store->NameServersUnder("cloudflare.com", "ali.ns.cloudflare.com", 100, &rows).ok());
  EXPECT_EQ(rows.size(), 1u);
}

TEST(StoreTest, BulkAndBatchPathsAgree) {
  TempDir a, b;
  auto bulk = OpenStore(a.path(), 0);
  auto batch = OpenStore(b.path(), 1 << 30);
  for (auto* s : {bulk.get(), batch.get()}) {
    Ingest(s, kDay1, 100);
    Ingest(s, kDay3, 300);
    Ingest(s, kDay2, 200);
  }
  EXPECT_EQ(Dump(*bulk), Dump(*batch));
}

TEST(StoreTest, ReaderInAnotherInstanceSeesWholeSnapshots) {
  TempDir dir;
  auto writer = OpenStore(dir.path(), 0);
  Ingest(writer.get(), kDay1, 100);
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> reader;
  ASSERT_TRUE(Store::Open(dir.path(), ro, &reader).ok());
  NsCounts c;
  ASSERT_TRUE(reader->Counts("ns1.host.net", &c).ok());
  EXPECT_EQ(c.total, 2u);
  std::unique_ptr<Store> missing;
  EXPECT_FALSE(Store::Open(dir.file("nothing-here"), ro, &missing).ok());
}

// Queries keep answering while a large snapshot is applied, and every answer
// is the store before it or after it, never a mix.
TEST(StoreTest, ReadersDuringIngestSeeWholeSnapshots) {
  for (size_t batch_limit : {size_t{0}, size_t{1} << 30}) {
    TempDir dir;
    auto store = OpenStore(dir.path(), batch_limit);
    Ingest(store.get(), BigZone(20000, 10), 100);  // shared.big.net serves 20,000 domains
    std::atomic<bool> done{false};
    std::thread writer([&] {
      Ingest(store.get(), BigZone(40000, 10), 200);  // ... then 40,000
      done = true;
    });
    int after = 0;  // reads of the new snapshot (reads of the old one may be none: a fast writer)
    for (bool finished = false; !finished;) {
      finished = done;  // the reads below, made after the writer finished, must see its snapshot
      // The page is read before the counts: the snapshot may land between
      // the two reads, and then only "old page, new counts" is consistent.
      DomainQuery q;
      q.ns = "shared.big.net";
      q.after = "dom39990.com";
      q.want_total = false;
      DomainPage page;
      ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
      NsCounts c;
      ASSERT_TRUE(store->Counts("shared.big.net", &c).ok());
      if (c.total == 20000) {
        EXPECT_TRUE(page.rows.empty() || page.rows[0].name > "dom39999.com") << "rows of the next snapshot early";
      } else {
        ++after;
        EXPECT_EQ(c.total, 40000u);
        // The page may still be the old snapshot's (then no new rows).
        ASSERT_FALSE(page.rows.empty());
        EXPECT_TRUE(page.rows[0].name == "dom39991.com" || page.rows[0].name > "dom39999.com") << page.rows[0].name;
      }
      if (finished) {
        EXPECT_EQ(c.total, 40000u);
        ASSERT_FALSE(page.rows.empty());
        EXPECT_EQ(page.rows[0].name, "dom39991.com");
      }
    }
    writer.join();
    EXPECT_GT(after, 0);
  }
}

// kill -9 while a large snapshot is being written by the real nsradar
// program: the store holds either nothing of it or all of it, earlier
// snapshots are intact, and running the ingest again completes it. (The
// writer is a fresh process, not a fork: RocksDB's background threads do not
// survive fork().) 60,000 domains go through one WriteBatch, 150,000 through
// SST files.
TEST(StoreTest, KillDuringIngestLosesNothingAndRerunCompletes) {
  const std::string small = BigZone(300, 7);
  int saw_before = 0, saw_after = 0;
  for (int domains : {60000, 150000}) {
    TempDir files;
    const std::string big_file = files.file("big.zone");
    { std::ofstream(big_file) << BigZone(domains, 50); }
    std::string expected;
    {
      TempDir ref;
      auto s = OpenStore(ref.path());
      Ingest(s.get(), small, 100);
      Ingest(s.get(), BigZone(domains, 50), 200);
      expected = Dump(*s);
    }
    for (int delay_ms : {30, 120, 250, 400, 700, 20000}) {
      TempDir dir;
      {
        auto s = OpenStore(dir.path());
        Ingest(s.get(), small, 100);
      }
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(NSRADAR_BINARY, NSRADAR_BINARY, "--store", dir.path().c_str(), "zone", "ingest", "--observed-at", "200",
              big_file.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      int status = 0;
      for (int waited = 0; waited < delay_ms; waited += 10) {
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      auto s = OpenStore(dir.path());
      StoreStats st;
      ASSERT_TRUE(s->Stats(&st).ok());
      if (st.snapshots == 1) {
        ++saw_before;
        NsCounts c;
        ASSERT_TRUE(s->Counts("shared.big.net", &c).ok());
        EXPECT_EQ(c.total, 300u);  // the earlier snapshot, untouched
      } else {
        ++saw_after;
        EXPECT_EQ(Dump(*s), expected) << domains << " domains, killed after " << delay_ms << " ms";
      }
      Ingest(s.get(), BigZone(domains, 50), 200);
      EXPECT_EQ(Dump(*s), expected) << domains << " domains, rerun after a kill at " << delay_ms << " ms";
    }
  }
  EXPECT_GT(saw_before, 0);  // kills landed inside ingests
  EXPECT_GT(saw_after, 0);   // and ingests that finished were whole
}

}  // namespace
}  // namespace nsradar::nsdb

namespace nsradar::nsdb {
namespace {

// Passive DNS beside zone files: merged pages with exact totals, domain and
// host views, the export scan, and readers in other instances.
TEST(StoreTest, ObservationsMergeWithZoneData) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Ingest(store.get(), kDay1, 100);  // ns1.host.net serves a.example and b.example
  ObserveResult r;
  ASSERT_TRUE(store
                  ->Observe({{"ns1.host.net", "a.example", 50},
                             {"ns1.host.net", "a.example", 300},
                             {"ns1.host.net", "x.example", 200},
                             {"ns1.host.net", "x.example", 250},
                             {"ns9.elsewhere.org", "a.example", 260}},
                            {{"ns1.host.net", *dns::Address::Parse("198.51.100.7"), 210}}, &r)
                  .ok());
  EXPECT_EQ(r.pairs_new, 3u);
  EXPECT_EQ(r.addresses_new, 1u);
  DomainQuery q;
  q.ns = "ns1.host.net";
  DomainPage page;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.total, 3u);  // exact: the union of both sources
  EXPECT_EQ(page.rows[0].name, "a.example");
  EXPECT_EQ(page.rows[0].first_seen, 50);  // traffic saw it before the zone file
  EXPECT_EQ(page.rows[0].last_seen, 300);  // and after
  EXPECT_TRUE(page.rows[0].observed);
  EXPECT_TRUE(page.rows[0].active);  // still in the zone's latest snapshot
  EXPECT_EQ(page.rows[1].name, "b.example");
  EXPECT_FALSE(page.rows[1].observed);
  EXPECT_EQ(page.rows[2].name, "x.example");
  EXPECT_EQ(page.rows[2].first_seen, 200);
  EXPECT_EQ(page.rows[2].last_seen, 250);
  EXPECT_FALSE(page.rows[2].active);
  EXPECT_EQ(page.rows[2].zone, "");
  // Paging across the merge: after a.example, from both sources.
  q.after = "a.example";
  q.limit = 1;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].name, "b.example");
  EXPECT_TRUE(page.more);
  // Observing again extends, never duplicates.
  ASSERT_TRUE(store->Observe({{"ns1.host.net", "x.example", 400}}, {}, &r).ok());
  EXPECT_EQ(r.pairs_again, 1u);
  q = DomainQuery();
  q.ns = "ns1.host.net";
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(page.rows[2].last_seen, 400);

  DomainInfo info;
  ASSERT_TRUE(store->Domain("a.example", &info).ok());
  ASSERT_EQ(info.edges.size(), 3u);  // ns1 and ns2 from the zone, ns9 from traffic
  EXPECT_EQ(info.edges.back().ns, "ns9.elsewhere.org");
  EXPECT_TRUE(info.edges.back().observed);
  EXPECT_EQ(info.current(), (std::vector<std::string>{"ns1.host.net", "ns2.host.net"}));
  ASSERT_TRUE(store->Domain("x.example", &info).ok());  // known only from traffic
  EXPECT_EQ(info.edges.size(), 1u);
  EXPECT_TRUE(info.history.empty());
  EXPECT_TRUE(store->Domain("never.example", &info).IsNotFound());

  std::vector<GlueRow> glue;
  ASSERT_TRUE(store->HostAddresses("ns1.host.net", &glue).ok());
  ASSERT_FALSE(glue.empty());
  EXPECT_EQ(glue.back().address.ToString(), "198.51.100.7");
  EXPECT_EQ(glue.back().first_seen, 210);

  EdgeScan scan;
  std::vector<EdgeRow> edges;
  ASSERT_TRUE(store->ScanEdges(scan, &edges).ok());
  size_t observed_only = 0;
  for (const auto& e : edges) observed_only += e.observed && !e.from_zone;
  EXPECT_EQ(observed_only, 2u);  // x.example on ns1, a.example on ns9

  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> reader;
  ASSERT_TRUE(Store::Open(dir.path(), ro, &reader).ok());
  q = DomainQuery();
  q.ns = "ns1.host.net";
  ASSERT_TRUE(reader->DomainsOnNs(q, &page).ok());
  EXPECT_EQ(page.total, 3u);
}

}  // namespace
}  // namespace nsradar::nsdb

namespace nsradar::nsdb {
namespace {

// The root can be a name server's name ("x. NS ."); its page must hold only
// its own domains, not every edge of the store (found by the fuzzer).
TEST(StoreTest, RootAsNameServerPagesOnlyItsDomains) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  Ingest(store.get(),
         "example.\t60\tIN\tSOA\tns.example. h.example. 1 1 1 1 1\n"
         "a.example.\t60\tIN\tNS\t.\n"
         "b.example.\t60\tIN\tNS\tns1.host.net.\n",
         100);
  DomainQuery q;
  q.ns = "";
  q.limit = kMaxPage;
  DomainPage page;
  ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].name, "a.example");
  EXPECT_EQ(page.total, 1u);
}

}  // namespace
}  // namespace nsradar::nsdb

namespace nsradar::nsdb {
namespace {

TEST(StoreTest, AlertsAreKeptByDomainAndTimeAndReadBackByReaders) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_TRUE(store->PutAlert({"exfil.test", 2'000'000, "tunneling", R"({"n":2})"}).ok());
    ASSERT_TRUE(store->PutAlert({"exfil.test", 1'000'000, "tunneling", R"({"n":1})"}).ok());
    ASSERT_TRUE(store->PutAlert({"exfil.testing", 5, "exfiltration", R"({"n":3})"}).ok());
    ASSERT_TRUE(store->PutAlert({"exfil.test", 1'000'000, "tunneling", R"({"n":1,"again":true})"}).ok());
    std::vector<StoredAlert> out;
    ASSERT_TRUE(store->Alerts("exfil.test", 10, &out).ok());
    ASSERT_EQ(out.size(), 2u);  // not exfil.testing, and the repeat replaced its twin
    EXPECT_EQ(out[0].alert_time_us, 1'000'000);
    EXPECT_EQ(out[0].json, R"({"n":1,"again":true})");
    EXPECT_EQ(out[1].alert_time_us, 2'000'000);
    EXPECT_EQ(out[1].category, "tunneling");
    ASSERT_TRUE(store->Alerts("", 2, &out).ok());
    EXPECT_EQ(out.size(), 2u);  // the limit holds
  }
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> reader;
  ASSERT_TRUE(Store::Open(dir.path(), ro, &reader).ok());
  std::vector<StoredAlert> out;
  ASSERT_TRUE(reader->Alerts("", 100, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].domain, "exfil.testing");
  EXPECT_FALSE(reader->PutAlert({"x.test", 1, "tunneling", "{}"}).ok());
}

// A name server's count over time sums its zones' snapshots; a domain that
// leaves and comes back is removed once and added twice; the order in which
// snapshots arrive changes nothing.
TEST(StoreTest, NsSnapshotCountsFollowThePresenceRunsOfEveryZone) {
  const char* other150 =
      "other.\t60\tIN\tSOA\tns.other. h.other. 1 1 1 1 1\n"
      "x.other.\t60\tIN\tNS\tns1.host.net.\n"
      "y.other.\t60\tIN\tNS\tns9.elsewhere.net.\n";
  const char* other250 =
      "other.\t60\tIN\tSOA\tns.other. h.other. 2 1 1 1 1\n"
      "y.other.\t60\tIN\tNS\tns9.elsewhere.net.\n";
  auto points = [](Store* store, std::string_view ns) {
    std::vector<NsSnapshotCount> out;
    EXPECT_TRUE(store->NsSnapshotCounts(ns, &out).ok());
    std::string text;
    for (const auto& p : out) text += fmt::format("{}:{}+{}-{} ", p.time, p.domains, p.added, p.removed);
    return text;
  };
  TempDir a, b;
  auto in_order = OpenStore(a.path());
  Ingest(in_order.get(), kDay1, 100);
  Ingest(in_order.get(), other150, 150);
  Ingest(in_order.get(), kDay2, 200);
  Ingest(in_order.get(), other250, 250);
  Ingest(in_order.get(), kDay3, 300);
  EXPECT_EQ(points(in_order.get(), "ns1.host.net"), "100:2+2-0 150:3+1-0 200:3+1-1 250:2+0-1 300:3+1-0 ");
  EXPECT_EQ(points(in_order.get(), "ns9.elsewhere.net"), "150:1+1-0 250:1+0-0 ");
  EXPECT_EQ(points(in_order.get(), "ns1.nowhere.net"), "");
  auto shuffled = OpenStore(b.path());
  Ingest(shuffled.get(), kDay3, 300);
  Ingest(shuffled.get(), other250, 250);
  Ingest(shuffled.get(), kDay1, 100);
  Ingest(shuffled.get(), other150, 150);
  Ingest(shuffled.get(), kDay2, 200);
  EXPECT_EQ(points(shuffled.get(), "ns1.host.net"), points(in_order.get(), "ns1.host.net"));
}

// The allowlist's trail: marks and unmarks are kept in order, a repeat
// writes nothing, times stay distinct and increasing per domain, free-text
// reasons come back byte for byte, and readers see the current entries.
TEST(StoreTest, AllowlistKeepsEveryMarkAndUnmarkAndListsTheCurrentEntries) {
  TempDir dir;
  constexpr char kReason[] = "seen\0in a\nticket \xff";  // a NUL inside: the length from the array
  const std::string reason(kReason, sizeof(kReason) - 1);
  {
    auto store = OpenStore(dir.path());
    std::vector<AllowlistEvent> out;
    ASSERT_TRUE(store->Allowlisted(&out).ok());
    EXPECT_TRUE(out.empty());
    bool changed = true;
    AllowlistEvent unmark{
        .domain = "cdn.test", .time_us = 5, .listed = false, .by = "key:00000001", .alert = "", .reason = ""};
    ASSERT_TRUE(store->PutAllowlistEvent(&unmark, &changed).ok());
    EXPECT_FALSE(changed);  // nothing to unmark
    AllowlistEvent mark{.domain = "cdn.test",
                        .time_us = 100,
                        .listed = true,
                        .by = "key:00000001",
                        .alert = "cdn.test@7",
                        .reason = reason};
    ASSERT_TRUE(store->PutAllowlistEvent(&mark, &changed).ok());
    EXPECT_TRUE(changed);
    AllowlistEvent again = mark;
    again.time_us = 200;
    again.by = "key:00000002";
    ASSERT_TRUE(store->PutAllowlistEvent(&again, &changed).ok());
    EXPECT_FALSE(changed);  // marking twice is one mark
    unmark.time_us = 50;    // a clock behind the trail
    ASSERT_TRUE(store->PutAllowlistEvent(&unmark, &changed).ok());
    EXPECT_TRUE(changed);
    EXPECT_EQ(unmark.time_us, 101);
    ASSERT_TRUE(store->Allowlisted(&out).ok());
    EXPECT_TRUE(out.empty());
    AllowlistEvent other{
        .domain = "cdn.testing", .time_us = 1, .listed = true, .by = "key:00000003", .alert = "", .reason = ""};
    ASSERT_TRUE(store->PutAllowlistEvent(&other, &changed).ok());
    mark.time_us = 300;
    ASSERT_TRUE(store->PutAllowlistEvent(&mark, &changed).ok());
    EXPECT_TRUE(changed);
    ASSERT_TRUE(store->AllowlistHistory("cdn.test", &out).ok());
    ASSERT_EQ(out.size(), 3u);  // not cdn.testing's
    EXPECT_TRUE(out[0].listed);
    EXPECT_EQ(out[0].time_us, 100);
    EXPECT_EQ(out[0].reason, reason);
    EXPECT_EQ(out[0].alert, "cdn.test@7");
    EXPECT_FALSE(out[1].listed);
    EXPECT_EQ(out[1].by, "key:00000001");
    EXPECT_EQ(out[2].time_us, 300);
  }
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> reader;
  ASSERT_TRUE(Store::Open(dir.path(), ro, &reader).ok());
  std::vector<AllowlistEvent> out;
  ASSERT_TRUE(reader->Allowlisted(&out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].domain, "cdn.test");
  EXPECT_EQ(out[0].time_us, 300);
  EXPECT_EQ(out[1].domain, "cdn.testing");
  ASSERT_TRUE(reader->AllowlistHistory("", &out).ok());
  EXPECT_EQ(out.size(), 4u);
  bool changed = false;
  AllowlistEvent e{.domain = "x.test", .time_us = 0, .listed = true, .by = "", .alert = "", .reason = ""};
  EXPECT_FALSE(reader->PutAllowlistEvent(&e, &changed).ok());
}

}  // namespace
}  // namespace nsradar::nsdb

namespace nsradar::nsdb {
namespace {

// Names holding every byte value: domains written with `\DDD`, name server
// hosts raw wherever zone syntax allows a raw byte. Each domain A has
// exactly 16 canonical bytes and a domain B that starts with them (the
// lengths at which the snapshot's sort keys once took the two for equal).
// The file lists the domains in canonical order except that each B comes
// before its A, which that sort left as it was and which the store's
// merge-join then read as out of order. Ingesting is idempotent and every
// edge reads back exactly, through both write paths.
TEST(StoreTest, NamesOfEveryByteValueIngestIdempotentlyAndReadBackExactly) {
  using dns::testing::CanonicalOf;
  using dns::testing::DecimalEscape;
  auto host_text = [](int b) {
    // Bytes that zone syntax gives a meaning (blanks, quotes, parentheses,
    // comments, escapes, dots, control characters) are escaped.
    const bool raw = b > 0x20 && std::string_view("\"();\\.").find(static_cast<char>(b)) == std::string_view::npos;
    return "n" + (raw ? std::string(1, static_cast<char>(b)) : DecimalEscape(b)) + ".h.";
  };
  struct Entry {
    std::string a, b;                                        // canonical
    std::vector<std::pair<std::string, std::string>> lines;  // owner text, host text
  };
  std::vector<Entry> entries;
  std::map<std::string, std::set<std::string>> hosts_of;  // canonical domain -> canonical hosts
  for (int b = 0; b < 256; ++b) {
    const std::string label = "p" + DecimalEscape(b);
    // Pad the label so that "label.z" is exactly 16 canonical bytes.
    const std::string a_text = label + std::string(14 - CanonicalOf(label + ".").size(), 'f') + ".z.";
    const std::string b_text = a_text.substr(0, a_text.size() - 1) + "q.z.";
    Entry e{CanonicalOf(a_text), CanonicalOf(b_text), {}};
    EXPECT_EQ(e.a.size(), 16u);
    EXPECT_EQ(e.b.substr(0, 16), e.a);
    e.lines = {{b_text, host_text(b)}, {b_text, host_text((b + 1) % 256)}, {a_text, host_text(b)}, {a_text, "s.h."}};
    for (const auto& [owner, host] : e.lines) hosts_of[CanonicalOf(owner)].insert(CanonicalOf(host));
    entries.push_back(std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) { return x.a < y.a; });
  std::string text = "z.\t60\tIN\tSOA\tns.z. h.z. 1 1 1 1 1\n";
  for (const Entry& e : entries) {
    for (const auto& [owner, host] : e.lines) text += owner + "\t60\tIN\tNS\t" + host + "\n";
  }
  std::map<std::string, std::set<std::string>> domains_on;  // canonical host -> canonical domains
  size_t edges = 0;
  for (const auto& [domain, hosts] : hosts_of) {
    for (const auto& h : hosts) domains_on[h].insert(domain);
    edges += hosts.size();
  }
  // 230 distinct domains per length: upper-case letters fold onto lower case.
  ASSERT_EQ(hosts_of.size(), 2u * 230);

  // Every edge, with the times of the snapshots that held it, and nothing else.
  auto expect_exactly = [&](const Store& store, int64_t first, int64_t last, const std::string& what) {
    for (const auto& [host, domains] : domains_on) {
      DomainQuery q;
      q.ns = host;
      q.limit = kMaxPage;
      DomainPage page;
      ASSERT_TRUE(store.DomainsOnNs(q, &page).ok());
      std::vector<std::string> got;
      for (const auto& r : page.rows) {
        got.push_back(r.name);
        EXPECT_EQ(r.first_seen, first) << what << " " << host << " " << r.name;
        EXPECT_EQ(r.last_seen, last) << what << " " << host << " " << r.name;
        EXPECT_TRUE(r.active) << what << " " << host << " " << r.name;
      }
      EXPECT_EQ(got, std::vector<std::string>(domains.begin(), domains.end())) << what << " " << host;
      EXPECT_EQ(page.total, domains.size()) << what << " " << host;
      NsCounts c;
      ASSERT_TRUE(store.Counts(host, &c).ok());
      EXPECT_EQ(c.total, domains.size()) << what << " " << host;
      EXPECT_EQ(c.active, domains.size()) << what << " " << host;
    }
    for (const auto& [domain, hosts] : hosts_of) {
      DomainInfo info;
      ASSERT_TRUE(store.Domain(domain, &info).ok()) << what << " " << domain;
      std::vector<std::string> got;
      for (const auto& e : info.edges) got.push_back(e.ns);
      EXPECT_EQ(got, std::vector<std::string>(hosts.begin(), hosts.end())) << what << " " << domain;
      EXPECT_EQ(info.current(), got) << what << " " << domain;
    }
    StoreStats st;
    ASSERT_TRUE(store.Stats(&st).ok());
    EXPECT_EQ(st.edges, edges) << what;
    EXPECT_EQ(st.active_edges, edges) << what;
    EXPECT_EQ(st.domains, hosts_of.size()) << what;
    EXPECT_EQ(st.name_servers, domains_on.size()) << what;
  };

  for (size_t batch_limit : {size_t{0}, size_t{1} << 30}) {
    const std::string path = batch_limit ? "batch" : "bulk";
    TempDir dir;
    auto store = OpenStore(dir.path(), batch_limit);
    IngestResult r;
    Ingest(store.get(), text, 100, &r);
    EXPECT_EQ(r.domains, hosts_of.size()) << path;
    EXPECT_EQ(r.edges_added, edges) << path;
    expect_exactly(*store, 100, 100, path + " first ingest");
    const std::string once = Dump(*store);
    Ingest(store.get(), text, 100, &r);
    EXPECT_TRUE(r.replaced_existing) << path;
    EXPECT_EQ(r.edges_changed, 0u) << path;
    EXPECT_EQ(Dump(*store), once) << path;
    // A later snapshot with the same content changes no edge (their runs
    // stay open to the latest snapshot) and every edge reads as seen in both.
    Ingest(store.get(), text, 200, &r);
    EXPECT_EQ(r.edges_changed, 0u) << path;
    expect_exactly(*store, 100, 200, path + " second snapshot");
    const std::string twice = Dump(*store);
    Ingest(store.get(), text, 200, &r);
    EXPECT_EQ(r.edges_changed, 0u) << path;
    EXPECT_EQ(Dump(*store), twice) << path;
  }
}

}  // namespace
}  // namespace nsradar::nsdb
