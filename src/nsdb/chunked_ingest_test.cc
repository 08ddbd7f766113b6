// A zone applied in chunks (SpilledZone, Store::IngestSnapshot with a
// memory budget) gives the store exactly what the in-memory ingest gives,
// for random histories in random orders, through both write paths.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "nsdb/store.h"
#include "nsdb/store_test_util.h"
#include "util/sanitizers.h"
#include "zone/spilled_zone.h"

namespace nsradar::nsdb {
namespace {

using testing::Dump;
using testing::OpenStore;
using testing::SnapshotFromText;
using testing::TempDir;

// `text` read within `budget` bytes, its runs in `tmp`.
std::unique_ptr<zone::SpilledZone> Spill(const std::string& text, size_t budget, const std::string& tmp) {
  std::filesystem::create_directories(tmp);
  zone::SnapshotOptions so;
  zone::SpillOptions spill;
  spill.memory_budget = budget;
  spill.tmp_dir = tmp;
  auto reader = zone::ZoneReader::FromMemory(text, so.reader);
  std::unique_ptr<zone::SpilledZone> z;
  const Status s = zone::SpilledZone::Load(reader.get(), so, spill, &z);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return z;
}

void IngestChunked(Store* store, const std::string& text, size_t budget, int64_t t, const std::string& tmp) {
  auto z = Spill(text, budget, tmp);
  ASSERT_TRUE(z);
  IngestResult r;
  const Status s = store->IngestSnapshot(*z, budget, t, "test", &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::filesystem::remove_all(tmp);
}

void IngestInMemory(Store* store, const std::string& text, int64_t t) {
  IngestResult r;
  const Status s = store->IngestSnapshot(SnapshotFromText(text), t, "test", &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

// A zone of random delegations in file order that is not name order, with
// owners repeated apart, duplicate records, glue, and records outside the
// zone.
std::string RandomZone(std::mt19937_64& rng, int domains, int hosts) {
  std::string text = "z.\t60\tIN\tSOA\tns.z. h.z. 1 1 1 1 1\nz.\t60\tIN\tNS\tns0.p.net.\n";
  std::vector<std::string> lines;
  for (int d = 0; d < domains; ++d) {
    if (rng() % 4 == 0) continue;
    const std::string dom = "d" + std::to_string(d) + (rng() % 5 == 0 ? ".sub.z" : ".z");
    for (int h = 0; h < hosts; ++h) {
      if (rng() % 4) continue;
      const std::string host = h % 3 == 0 ? "ns" + std::to_string(h) + "." + dom : "ns" + std::to_string(h) + ".p.net";
      lines.push_back(dom + ".\t60\tIN\tNS\t" + host + ".\n");
      if (rng() % 7 == 0) lines.push_back(lines.back());
      if (h % 3 == 0) lines.push_back(host + ".\t60\tIN\tA\t192.0.2." + std::to_string(rng() % 4 + 1) + "\n");
    }
  }
  lines.push_back("elsewhere.org.\t60\tIN\tNS\tns1.p.net.\n");
  std::shuffle(lines.begin(), lines.end(), rng);
  for (const auto& l : lines) text += l;
  return text;
}

TEST(ChunkedIngest, RandomHistoriesMatchTheInMemoryIngest) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 4; ++trial) {
    const int kSnaps = 6;
    std::vector<std::string> texts;
    for (int s = 0; s < kSnaps; ++s) texts.push_back(RandomZone(rng, 150, 9));
    std::vector<int> order = {0, 1, 2, 3, 4, 5, 2, 5};  // repeats, then shuffled
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t batch_limit : {size_t{0}, size_t{1} << 30}) {
      TempDir ref_dir, dir;
      auto ref = OpenStore(ref_dir.path(), batch_limit);
      auto store = OpenStore(dir.path(), batch_limit);
      // Budgets from a few pairs per run and a few edges per chunk to all
      // in one buffer.
      const size_t budgets[] = {1024, 8 * 1024, 64 * 1024, size_t{1} << 30};
      for (size_t i = 0; i < order.size(); ++i) {
        const int64_t t = 1000 + 100 * order[i];
        IngestInMemory(ref.get(), texts[order[i]], t);
        IngestChunked(store.get(), texts[order[i]], budgets[i % 4], t, dir.file("spill"));
        ASSERT_EQ(Dump(*store), Dump(*ref)) << "trial " << trial << " step " << i << " batch_limit " << batch_limit;
      }
    }
  }
}

TEST(ChunkedIngest, CountsAndGlueOfTheZone) {
  TempDir dir;
  const std::string text =
      "example.\t60\tIN\tSOA\tns.example. h.example. 7 1 1 1 1\n"
      "b.example.\t60\tIN\tNS\tns1.host.net.\n"
      "a.example.\t60\tIN\tNS\tns2.host.net.\n"
      "example.\t60\tIN\tNS\tns1.host.net.\n"
      "c.example.\t60\tIN\tNS\tns1.c.example.\n"
      "a.example.\t60\tIN\tNS\tns1.host.net.\n"
      "b.example.\t60\tIN\tNS\tns1.host.net.\n"
      "other.org.\t60\tIN\tNS\tns1.host.net.\n"
      "ns1.c.example.\t60\tIN\tA\t192.0.2.1\n"
      "www.example.\t60\tIN\tA\t192.0.2.9\n";
  for (size_t budget : {size_t{64}, size_t{1} << 20}) {
    auto z = Spill(text, budget, dir.file("spill"));
    ASSERT_TRUE(z);
    const zone::ZoneSnapshot whole = SnapshotFromText(text);
    EXPECT_EQ(z->apex(), "example");
    EXPECT_EQ(z->serial(), 7u);
    EXPECT_EQ(z->domain_count(), whole.domain_count());
    EXPECT_EQ(z->edge_count(), whole.edge_count());
    EXPECT_EQ(z->edge_count(), 4u);
    EXPECT_EQ(z->dropped_records(), 1u);
    EXPECT_EQ(z->runs() > 0, budget == 64) << budget;
    ASSERT_EQ(z->glue().glue().size(), 1u);  // www is no name server
    EXPECT_EQ(z->glue().host(z->glue().glue()[0].host), "ns1.c.example");
    std::vector<std::string> seen;
    ASSERT_TRUE(z->ForEachChunk(1, [&](const zone::ZoneSnapshot& chunk) {
                   for (size_t d = 0; d < chunk.domain_count(); ++d) {
                     for (auto* h = chunk.hosts_begin(d); h != chunk.hosts_end(d); ++h) {
                       seen.push_back(std::string(chunk.domain(d)) + " " + std::string(chunk.host(*h)));
                     }
                   }
                   seen.push_back("|");
                   return Status::OK();
                 }).ok());
    EXPECT_EQ(seen, (std::vector<std::string>{"a.example ns1.host.net", "a.example ns2.host.net", "|",
                                              "b.example ns1.host.net", "|", "c.example ns1.c.example", "|"}));
    std::filesystem::remove_all(dir.file("spill"));
  }
}

// Queries during a chunked ingest see the store before it or after it.
TEST(ChunkedIngest, ReadersDuringAChunkedIngestSeeWholeSnapshots) {
  auto zone_text = [](int domains) {
    std::string text = "com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. 1 1 1 1 1\n";
    for (int d = 0; d < domains; ++d) {
      const std::string dom = "dom" + std::to_string(d) + ".com.";
      text += dom + "\t172800\tin\tns\tns" + std::to_string(d % 10) + ".big.net.\n";
      text += dom + "\t172800\tin\tns\tshared.big.net.\n";
    }
    return text;
  };
  for (size_t batch_limit : {size_t{0}, size_t{1} << 30}) {
    TempDir dir;
    auto store = OpenStore(dir.path(), batch_limit);
    IngestChunked(store.get(), zone_text(20000), 1 << 20, 100, dir.file("spill"));
    std::atomic<bool> done{false};
    std::thread writer([&] {
      IngestChunked(store.get(), zone_text(40000), 256 << 10, 200, dir.file("spill"));  // many chunks
      done = true;
    });
    int after = 0;
    for (bool finished = false; !finished;) {
      finished = done;
      // Read in this order, a later read may only be as new or newer: the
      // snapshot may land between two reads.
      NsCounts shared, one;
      ASSERT_TRUE(store->Counts("ns3.big.net", &one).ok());
      DomainQuery q;
      q.ns = "ns3.big.net";
      q.want_total = true;
      q.limit = 1;
      DomainPage page;
      ASSERT_TRUE(store->DomainsOnNs(q, &page).ok());
      ASSERT_TRUE(store->Counts("shared.big.net", &shared).ok());
      // An exact count scans ns_edges: a part of the snapshot's SST files
      // alone would give a total between the two.
      EXPECT_TRUE(page.total == 2000 || page.total == 4000) << page.total;
      EXPECT_TRUE(one.total == 2000 || one.total == 4000) << one.total;
      if (shared.total == 20000) {
        EXPECT_EQ(one.total, 2000u);
        EXPECT_EQ(page.total, 2000u);
      } else {
        ++after;
        EXPECT_EQ(shared.total, 40000u);
      }
      if (finished) {
        EXPECT_EQ(page.total, 4000u);
        EXPECT_EQ(one.total, 4000u);
      }
    }
    writer.join();
    EXPECT_GT(after, 0);
  }
}

// A CZDS-style .com of `domains` domains with 3 name servers each from
// domains/40 providers, written to `path` as it is made.
void WriteBigZone(const std::string& path, int domains, int day) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. %d 1 1 1 1\n", 1000 + day);
  const int providers = std::max(domains / 40, 1);
  for (int d = 0; d < domains; ++d) {
    if ((d + day) % 97 == 0) continue;  // differs between days
    for (int k = 1; k <= 3; ++k) {
      std::fprintf(f, "name%08d.com.\t172800\tin\tns\tns%d.provider%d.net.\n", d, k, (d * 7 + day) % providers);
    }
  }
  ASSERT_EQ(std::fclose(f), 0);
}

struct Child {
  int status = 0;
  std::string out;  // standard output
  double seconds = 0;
};

// Runs the nsradar program; kills it with SIGKILL after `kill_after` when
// given. `on_kill` runs just before the kill.
Child RunNsradar(const std::vector<std::string>& args, std::optional<std::chrono::milliseconds> kill_after = {},
                 const std::function<void()>& on_kill = {}) {
  const auto start = std::chrono::steady_clock::now();
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(fds[1], 1);
    dup2(null, 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv{const_cast<char*>(NSRADAR_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(NSRADAR_BINARY, argv.data());
    _exit(127);
  }
  close(fds[1]);
  // The output is small: a line per file. It is read after the end.
  Child c;
  bool ended = false;
  if (kill_after) {
    while (std::chrono::steady_clock::now() - start < *kill_after) {
      if (waitpid(pid, &c.status, WNOHANG) == pid) {
        ended = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!ended) {
      if (on_kill) on_kill();
      kill(pid, SIGKILL);
    }
  }
  if (!ended) waitpid(pid, &c.status, 0);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) c.out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  return c;
}

// Every edge of the store, as one string (an export scan).
std::string AllEdges(const Store& store) {
  std::string out;
  EdgeScan scan;
  scan.limit = 100000;
  for (;;) {
    std::vector<EdgeRow> rows;
    EXPECT_TRUE(store.ScanEdges(scan, &rows).ok());
    if (rows.empty()) break;
    for (const auto& r : rows) {
      out += r.ns + " " + r.domain + " " + std::to_string(r.first_seen) + " " + std::to_string(r.last_seen) +
             (r.active ? " a\n" : "\n");
    }
    scan.after_ns = rows.back().ns;
    scan.after_domain = rows.back().domain;
  }
  return out;
}

// The peak resident memory `zone ingest -v --json` reports (its VmHWM,
// which exec starts afresh: wait4's ru_maxrss would include this test
// process's memory, copied by fork).
uint64_t ReportedPeak(const Child& c) {
  const size_t at = c.out.find("\"peak_rss_bytes\":");
  EXPECT_NE(at, std::string::npos) << c.out;
  return at == std::string::npos ? 0 : std::strtoull(c.out.c_str() + at + 17, nullptr, 10);
}

// A zone whose unbounded ingest needs more than ten times the budget is
// ingested within it: the peak resident memory of the program, above what
// it needs for a tiny zone, stays within the budget plus a fixed allowance,
// and the store is the one the unbounded ingest makes.
TEST(ChunkedIngest, PeakMemoryStaysWithinTheBudget) {
  if (kSanitizedBuild) GTEST_SKIP() << "a sanitizer's shadow memory is in every peak: Release builds only";
  TempDir files;
  const std::string big = files.file("com.zone"), tiny = files.file("tiny.zone");
  WriteBigZone(big, 250000, 0);
  WriteBigZone(tiny, 100, 0);
  constexpr size_t kBudget = 8 << 20;
  const std::string budget_arg = std::to_string(kBudget);
  TempDir base_dir, bounded_dir, free_dir;
  auto ingest = [](const std::string& dir, const std::string& budget, const std::string& file) {
    return RunNsradar({"--json", "--store", dir, "zone", "ingest", "--memory-budget", budget, "-v", file});
  };
  const Child base = ingest(base_dir.path(), budget_arg, tiny);
  ASSERT_EQ(base.status, 0);
  const Child bounded = ingest(bounded_dir.path(), budget_arg, big);
  ASSERT_EQ(bounded.status, 0);
  const Child unbounded = ingest(free_dir.path(), "4G", big);
  ASSERT_EQ(unbounded.status, 0);
  ASSERT_GT(ReportedPeak(base), 0u);
  const uint64_t bounded_peak = ReportedPeak(bounded) - ReportedPeak(base);
  const uint64_t free_peak = ReportedPeak(unbounded) - ReportedPeak(base);
  std::fprintf(stderr, "peak above a tiny zone's: %.1f MB within an %.0f MB budget, %.1f MB unbounded (%.1fs, %.1fs)\n",
               bounded_peak / 1e6, kBudget / 1e6, free_peak / 1e6, bounded.seconds, unbounded.seconds);
  EXPECT_GE(free_peak, 10 * kBudget) << "the zone is too small to test the budget";
  // Beyond the budget: RocksDB's SST writers, compression contexts and the
  // commit, about 10 MB whatever the zone (measured: 16 MB above a tiny
  // zone's batch write with an 8 MB budget, 22 MB with 32 MB).
  constexpr size_t kFixed = 16 << 20;
  EXPECT_LE(bounded_peak, kBudget + kFixed);
  std::unique_ptr<Store> a, b;
  ASSERT_TRUE(Store::Open(bounded_dir.path(), StoreOptions(), &a).ok());
  ASSERT_TRUE(Store::Open(free_dir.path(), StoreOptions(), &b).ok());
  StoreStats sa, sb;
  ASSERT_TRUE(a->Stats(&sa).ok());
  ASSERT_TRUE(b->Stats(&sb).ok());
  EXPECT_EQ(sa.edges, 3u * (250000 - 250000 / 97 - 1));
  EXPECT_EQ(AllEdges(*a), AllEdges(*b));
}

// kill -9 at moments spread over a chunked ingest of the next day's zone
// (while reading, between chunk parts, merging, after it ended): the store
// is the day before or the day after, and running the ingest again gives
// the day after.
TEST(ChunkedIngest, KillDuringAChunkedIngestLeavesTheStoreBeforeOrAfter) {
  TempDir files;
  const std::string day0 = files.file("day0.zone"), day1 = files.file("day1.zone");
  WriteBigZone(day0, 70000, 0);  // 207,000 edges: SST files, not a batch
  WriteBigZone(day1, 70000, 1);
  const std::vector<std::string> ingest_day1 = {"zone", "ingest", "--memory-budget", "2M", "--observed-at",
                                                "200",  day1};
  auto with_store = [&](const std::string& dir, std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir});
    return args;
  };
  std::string before, after;
  double full_seconds;
  {
    TempDir ref;
    ASSERT_EQ(RunNsradar(with_store(ref.path(), {"zone", "ingest", "--observed-at", "100", day0})).status, 0);
    std::unique_ptr<Store> s;
    ASSERT_TRUE(Store::Open(ref.path(), StoreOptions(), &s).ok());
    before = AllEdges(*s);
    s.reset();
    const Child full = RunNsradar(with_store(ref.path(), ingest_day1));
    ASSERT_EQ(full.status, 0);
    full_seconds = full.seconds;
    ASSERT_TRUE(Store::Open(ref.path(), StoreOptions(), &s).ok());
    after = AllEdges(*s);
  }
  ASSERT_NE(before, after);
  int saw_before = 0, saw_after = 0, saw_parts = 0;
  for (double at : {0.1, 0.4, 0.7, 0.9, 0.97, 3.0}) {
    TempDir dir;
    ASSERT_EQ(RunNsradar(with_store(dir.path(), {"zone", "ingest", "--observed-at", "100", day0})).status, 0);
    RunNsradar(with_store(dir.path(), ingest_day1),
               std::chrono::milliseconds(static_cast<int>(at * full_seconds * 1000)), [&] {
                 std::error_code ec;
                 int parts = 0;
                 for (const auto& e : std::filesystem::directory_iterator(dir.file("ingest-tmp"), ec)) {
                   parts += e.path().extension() == ".sst";
                 }
                 saw_parts += parts > 0;
               });
    std::unique_ptr<Store> s;
    ASSERT_TRUE(Store::Open(dir.path(), StoreOptions(), &s).ok());
    const std::string got = AllEdges(*s);
    EXPECT_TRUE(got == before || got == after) << "killed at " << at;
    saw_before += got == before;
    saw_after += got == after;
    s.reset();
    ASSERT_EQ(RunNsradar(with_store(dir.path(), ingest_day1)).status, 0);
    ASSERT_TRUE(Store::Open(dir.path(), StoreOptions(), &s).ok());
    EXPECT_EQ(AllEdges(*s), after) << "rerun after a kill at " << at;
  }
  EXPECT_GT(saw_before, 0);
  EXPECT_GT(saw_after, 0);
  EXPECT_GT(saw_parts, 0);  // some kills landed between SST parts
}

}  // namespace
}  // namespace nsradar::nsdb
