// Reverse-NS store at scale: bulk ingest rate, bytes on disk per edge, peak
// memory, the next day's incremental ingest, and the latency of 300-row
// pages from the most popular name server (10% of all domains).
//
//   nsdb_bench --domains 1000000,10000000 --dir /tmp/nsdb-bench
//
// For each size it writes a synthetic CZDS-style zone with nsradar-zonegen,
// ingests it in a child process (so peak RSS is that ingest's own), ingests
// snapshot 1 of the same zone (0.2% dropped, 0.2% new, 0.5% changed), then
// measures pages in process. One markdown table row per size and memory
// budget: budget 0 is the in-memory ingest (ZoneSnapshot), any other the
// bounded one that `nsradar zone ingest` runs (SpilledZone, chunks):
//
//   nsdb_bench --domains 1000000 --memory-budgets 0,268435456
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "nsdb/store.h"
#include "zone/snapshot.h"
#include "zone/spilled_zone.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

struct IngestRun {
  double seconds = 0, load_seconds = 0;
  long peak_rss_kb = 0;
  uint64_t edges = 0;
};

// The child: ingests `zone` into `dir` (in memory with budget 0, else
// within it) and prints "total load edges".
int ChildIngest(const std::string& dir, const std::string& zone, int64_t t, uint64_t budget) {
  auto start = Clock::now();
  std::unique_ptr<nsradar::nsdb::Store> store;
  if (!nsradar::nsdb::Store::Open(dir, nsradar::nsdb::StoreOptions(), &store).ok()) return 2;
  nsradar::nsdb::IngestResult r;
  double load;
  uint64_t edges;
  if (budget == 0) {
    nsradar::zone::ZoneSnapshot snap;
    if (!nsradar::zone::ZoneSnapshot::Load(zone, nsradar::zone::SnapshotOptions(), &snap).ok()) return 3;
    load = Seconds(start);
    edges = snap.edge_count();
    if (!store->IngestSnapshot(snap, t, zone, &r).ok()) return 4;
  } else {
    nsradar::zone::SpillOptions spill;
    spill.memory_budget = budget;
    spill.tmp_dir = dir + "/zone-spill";
    fs::create_directories(spill.tmp_dir);
    std::unique_ptr<nsradar::zone::SpilledZone> z;
    if (!nsradar::zone::SpilledZone::Load(zone, nsradar::zone::SnapshotOptions(), spill, &z).ok()) return 3;
    load = Seconds(start);
    edges = z->edge_count();
    if (!store->IngestSnapshot(*z, budget, t, zone, &r).ok()) return 4;
    fs::remove_all(spill.tmp_dir);
  }
  store.reset();  // includes the final flush
  fmt::print("{} {} {}\n", Seconds(start), load, edges);
  return 0;
}

// Ingests `zone` into `dir` in a fresh process (this program, re-executed:
// RocksDB's threads do not survive fork()), so that its peak RSS, read from
// wait4(), is that ingest's own.
IngestRun IngestInChild(const std::string& dir, const std::string& zone, int64_t t, uint64_t budget) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  std::string when = std::to_string(t), budget_arg = std::to_string(budget);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl("/proc/self/exe", "nsdb_bench", "--child-ingest", dir.c_str(), zone.c_str(), when.c_str(), budget_arg.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  char buf[256] = {};
  size_t n = 0;
  for (ssize_t got; n < sizeof(buf) - 1 && (got = read(fds[0], buf + n, sizeof(buf) - 1 - n)) > 0;) n += got;
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n == 0) {
    fmt::print(stderr, "ingest of {} failed (status {})\n", zone, status);
    std::exit(1);
  }
  IngestRun run;
  sscanf(buf, "%lf %lf %lu", &run.seconds, &run.load_seconds, &run.edges);
  run.peak_rss_kb = ru.ru_maxrss;
  return run;
}

uint64_t SstBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sst") total += e.file_size();
  }
  return total;
}

void Generate(const std::string& zonegen, const std::string& names, uint64_t domains, int snapshot,
              const std::string& out) {
  std::string cmd =
      fmt::format("{} --names {} --domains {} --snapshot {} -o {}", zonegen, names, domains, snapshot, out);
  if (std::system(cmd.c_str()) != 0) {
    fmt::print(stderr, "failed: {}\n", cmd);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "--child-ingest") {
    return ChildIngest(argv[2], argv[3], std::atoll(argv[4]), std::strtoull(argv[5], nullptr, 10));
  }
  CLI::App app{"Reverse-NS store benchmark"};
  std::vector<uint64_t> sizes = {1000000};
  std::vector<uint64_t> budgets = {0};
  std::string dir = "/tmp/nsdb-bench";
  std::string zonegen = NSRADAR_ZONEGEN;
  int pages = 2000;
  bool keep = false;
  std::string names = "words";
  app.add_option("--domains", sizes, "Zone sizes")->delimiter(',');
  app.add_option("--memory-budgets", budgets, "Bytes for a bounded ingest; 0: in memory")->delimiter(',');
  app.add_option("--dir", dir, "Scratch directory (zone files and stores)");
  app.add_option("--pages", pages, "Page queries per size")->capture_default_str();
  app.add_flag("--keep", keep, "Keep the stores and zone files");
  app.add_option("--names", names, "Domain names: words (realistic) or random (incompressible)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  fs::create_directories(dir);

  fmt::print(
      "| names | domains | memory budget | edges | bulk ingest | edges/s | parse+build | peak RSS | SST bytes/edge | "
      "next day ingest | top NS domains | page p50 | page p99 |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (uint64_t n : sizes) {
    for (uint64_t budget : budgets) {
      std::string zone0 = fmt::format("{}/com-{}-0.zone", dir, n);
      std::string zone1 = fmt::format("{}/com-{}-1.zone", dir, n);
      std::string store_dir = fmt::format("{}/store-{}", dir, n);
      fs::remove_all(store_dir);
      Generate(zonegen, names, n, 0, zone0);
      IngestRun bulk = IngestInChild(store_dir, zone0, 1700000000, budget);
      if (!keep) fs::remove(zone0);
      Generate(zonegen, names, n, 1, zone1);
      IngestRun next = IngestInChild(store_dir, zone1, 1700086400, budget);
      if (!keep) fs::remove(zone1);

      std::unique_ptr<nsradar::nsdb::Store> store;
      if (!nsradar::nsdb::Store::Open(store_dir, nsradar::nsdb::StoreOptions(), &store).ok()) return 1;
      if (!store->CompactAll().ok()) return 1;
      nsradar::nsdb::StoreStats st;
      if (!store->Stats(&st).ok()) return 1;
      double bytes_per_edge = static_cast<double>(SstBytes(store_dir)) / static_cast<double>(st.edges);

      // The most popular host; cursors sampled from its own domains.
      std::vector<nsradar::nsdb::NsRow> hosts;
      if (!store->NameServersUnder("nethost0.net", "", 10, &hosts).ok()) return 1;
      std::string top = hosts.empty() ? "" : hosts.front().name;
      for (const auto& h : hosts) {
        if (h.counts.total > 0 && h.name.rfind("ns1.", 0) == 0) top = h.name;
      }
      nsradar::nsdb::NsCounts counts;
      if (!store->Counts(top, &counts).ok()) return 1;
      std::vector<std::string> cursors;
      {
        nsradar::nsdb::DomainQuery q;
        q.ns = top;
        q.limit = nsradar::nsdb::kMaxPage;
        q.want_total = false;
        std::mt19937_64 rng(1);
        for (;;) {
          nsradar::nsdb::DomainPage page;
          if (!store->DomainsOnNs(q, &page).ok()) return 1;
          for (const auto& r : page.rows) {
            if (rng() % 500 == 0) cursors.push_back(r.name);
          }
          if (!page.more) break;
          q.after = page.rows.back().name;
        }
        std::shuffle(cursors.begin(), cursors.end(), rng);
      }
      std::vector<double> lat;
      for (int i = 0; i < pages && !cursors.empty(); ++i) {
        nsradar::nsdb::DomainQuery q;
        q.ns = top;
        q.limit = 300;
        q.after = cursors[static_cast<size_t>(i) % cursors.size()];
        nsradar::nsdb::DomainPage page;
        auto start = Clock::now();
        const bool answered = store->DomainsOnNs(q, &page).ok();
        lat.push_back(Seconds(start) * 1e3);
        if (!answered || (page.rows.empty() && page.more)) return 1;
      }
      std::sort(lat.begin(), lat.end());
      auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[static_cast<size_t>(p * (lat.size() - 1))]; };
      fmt::print(
          "| {} | {} | {} | {} | {:.1f} s | {:.0f} | {:.1f} s | {:.2f} GB | {:.1f} | {:.1f} s | {} ({}) | {:.3f} ms | "
          "{:.3f} ms |\n",
          names, n, budget ? fmt::format("{:.2f} GB", static_cast<double>(budget) / 1e9) : "in memory", bulk.edges,
          bulk.seconds, static_cast<double>(bulk.edges) / bulk.seconds, bulk.load_seconds,
          static_cast<double>(std::max(bulk.peak_rss_kb, next.peak_rss_kb)) / 1e6, bytes_per_edge, next.seconds,
          counts.total, top, pct(0.5), pct(0.99));
      for (const auto& [family, bytes] : st.family_sst_bytes) {
        fmt::print(stderr, "  {}: {:.2f} bytes/edge\n", family,
                   static_cast<double>(bytes) / static_cast<double>(st.edges));
      }
      std::fflush(stdout);
      store.reset();
      if (!keep) fs::remove_all(store_dir);
    }
  }
  return 0;
}
