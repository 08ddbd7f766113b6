// nsradar zone ingest: zone files into the reverse-NS index.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "commands.h"
#include "nsdb/store.h"
#include "util/json_writer.h"
#include "util/time.h"
#include "zone/snapshot.h"
#include "zone/spilled_zone.h"

namespace nsradar::cli {
namespace {

struct IngestOptions {
  std::vector<std::string> files;
  std::string observed_at;
  std::string times_file;
  std::map<std::string, int64_t> times;  // file name (no directory) -> time
  std::string zone;
  size_t max_errors_shown = 20;
  bool allow_shrink = false;
  std::string memory_budget;  // empty: DefaultMemoryBudget()
  bool verbose = false;
};

// A quarter of the machine's memory, at most 6 GB.
size_t DefaultMemoryBudget() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const uint64_t ram = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
  return static_cast<size_t>(std::clamp<uint64_t>(ram / 4, uint64_t{64} << 20, uint64_t{6} << 30));
}

// "512M", "6G", "1048576": bytes, with an optional K, M or G (powers of 1024).
size_t MemoryBudgetArgument(const std::string& text) {
  size_t used = 0;
  uint64_t n = 0;
  try {
    n = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  int shift = -1;
  const std::string unit = used ? text.substr(used) : "";
  if (unit.empty() || unit == "B") shift = 0;
  if (unit == "K" || unit == "KB" || unit == "k") shift = 10;
  if (unit == "M" || unit == "MB") shift = 20;
  if (unit == "G" || unit == "GB") shift = 30;
  if (!used || shift < 0 || n == 0 || n > (uint64_t{1} << (60 - shift))) {
    throw CLI::ValidationError("--memory-budget", "'" + text + "' is not a size such as 512M or 6G");
  }
  return static_cast<size_t>(n << shift);
}

// The process's peak resident memory so far (VmHWM), 0 when unknown.
uint64_t PeakRssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

// The time a file describes: --observed-at, else its line in --times, else
// the SOA serial's date when it follows YYYYMMDDnn, else the file's
// modification time.
int64_t SnapshotTime(const IngestOptions& o, const zone::SpilledZone& snap, const std::string& path,
                     std::string* basis) {
  if (!o.observed_at.empty()) {
    *basis = "option";
    return TimeArgument(o.observed_at, "--observed-at");
  }
  auto listed = o.times.find(std::filesystem::path(path).filename().string());
  if (listed != o.times.end()) {
    *basis = "times file";
    return listed->second;
  }
  if (snap.has_serial()) {
    if (auto t = TimeFromDateSerial(snap.serial())) {
      *basis = "serial";
      return *t;
    }
  }
  struct stat st {};
  *basis = "mtime";
  if (path != "-" && stat(path.c_str(), &st) == 0) return st.st_mtime;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A times file has lines "<file name><whitespace><time>", as snapshot
// archives record when each file was fetched.
void ReadTimesFile(IngestOptions* o) {
  std::ifstream in(o->times_file);
  if (!in) throw CLI::ValidationError("--times", "cannot read " + o->times_file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::istringstream fields(line);
    std::string name, when;
    if (!(fields >> name) || name[0] == '#') continue;
    fields >> when;
    auto t = ParseTime(when);
    if (!t) throw CLI::ValidationError("--times", fmt::format("{}:{}: '{}' is not a time", o->times_file, n, when));
    o->times[name] = *t;
  }
}

// A snapshot replaces its zone's state, so an empty or much shrunken file
// (a failed download, a truncated transfer, a mirror glitch) would mark
// every missing delegation as removed. Such files are refused unless the
// user says the shrink is real.
std::string Implausible(const nsdb::Store& store, const zone::SpilledZone& snap, const IngestOptions& o) {
  if (snap.edge_count() == 0 && !o.allow_shrink) {
    return "it holds no delegation (no NS record below the zone apex); pass --allow-shrink if the zone is "
           "really empty";
  }
  std::vector<nsdb::ZoneInfo> zones;
  if (o.allow_shrink || !store.Zones(&zones).ok()) return "";
  for (const auto& z : zones) {
    if (z.name != snap.apex() || z.snapshots.empty()) continue;
    uint64_t before = z.snapshots.back().edges;
    if (snap.edge_count() * 2 < before) {
      return fmt::format(
          "it has {} delegation edges where the latest snapshot of zone {} has {}; a truncated "
          "or partial file? pass --allow-shrink if the shrink is real",
          snap.edge_count(), z.name.empty() ? "." : z.name, before);
    }
  }
  return "";
}

int RunIngest(const GlobalOptions& g, IngestOptions& o) {
  if (!o.times_file.empty()) ReadTimesFile(&o);
  std::unique_ptr<nsdb::Store> store;
  Status s = nsdb::Store::Open(g.store, nsdb::StoreOptions(), &store);
  if (!s.ok()) {
    PrintError(s.ToString());
    return 1;
  }
  const size_t budget = o.memory_budget.empty() ? DefaultMemoryBudget() : MemoryBudgetArgument(o.memory_budget);
  // A zone's sorted runs go beside the store's data: the same disk, sized
  // for it. Nothing in it outlives the ingest.
  const std::string spill_dir = g.store + "/zone-spill";
  int failures = 0;
  for (const std::string& path : o.files) {
    auto started = std::chrono::steady_clock::now();
    size_t shown = 0;
    zone::SnapshotOptions so;
    if (!o.zone.empty()) {
      so.zone = NameArgument(o.zone, "--zone");
      so.has_zone = true;
    }
    so.reader.on_error = [&](const zone::Diagnostic& d) {
      if (shown++ < o.max_errors_shown) fmt::print(stderr, "{}\n", d.ToString());
    };
    Progress progress(path, !g.json);
    so.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    std::error_code ec;
    std::filesystem::remove_all(spill_dir, ec);
    std::filesystem::create_directories(spill_dir, ec);
    zone::SpillOptions spill;
    spill.memory_budget = budget;
    spill.tmp_dir = spill_dir;
    std::unique_ptr<zone::SpilledZone> loaded;
    s = ec ? Status::IOError("cannot create " + spill_dir + ": " + ec.message())
           : zone::SpilledZone::Load(path, so, spill, &loaded);
    progress.Finish();
    // Removes the runs however this file ends.
    struct SpillCleanup {
      const std::string& dir;
      ~SpillCleanup() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
      }
    } cleanup{spill_dir};
    if (!s.ok()) {
      PrintError(s.message());
      ++failures;
      continue;
    }
    const zone::SpilledZone& snap = *loaded;
    if (snap.reader_stats().errors > shown) {
      fmt::print(stderr, "{}: {} more bad records not shown\n", path, snap.reader_stats().errors - shown);
    }
    std::string basis;
    int64_t t = SnapshotTime(o, snap, path, &basis);
    if (std::string why = Implausible(*store, snap, o); !why.empty()) {
      PrintError(path + ": not ingested: " + why);
      ++failures;
      continue;
    }
    nsdb::IngestResult r;
    s = store->IngestSnapshot(snap, budget, t, path, &r);
    if (!s.ok()) {
      PrintError(path + ": " + s.ToString());
      ++failures;
      continue;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (r.replaced_existing && r.edges_changed > 0) {
      fmt::print(stderr, "{}: warning: zone {} already had a snapshot at {}; this file replaced it\n", path,
                 r.zone.empty() ? "." : r.zone, FormatTime(t));
    }
    if (g.json) {
      std::string out;
      JsonWriter j(&out);
      j.BeginObject()
          .Field("file", path)
          .Field("zone", r.zone.empty() ? "." : r.zone)
          .Field("observed_at", r.observed_at)
          .Field("time_basis", basis)
          .Field("replaced_existing", r.replaced_existing)
          .Field("domains", r.domains)
          .Field("edges", r.edges)
          .Field("glue", r.glue)
          .Field("edges_added", r.edges_added)
          .Field("edges_changed", r.edges_changed)
          .Field("edges_removed", r.edges_removed)
          .Field("records", snap.reader_stats().records)
          .Field("bad_records", snap.reader_stats().errors)
          .Field("dropped_out_of_zone", snap.dropped_records())
          .Field("seconds", secs);
      if (o.verbose) {
        j.Field("memory_budget_bytes", static_cast<uint64_t>(budget))
            .Field("sorted_runs", static_cast<uint64_t>(snap.runs()))
            .Field("peak_rss_bytes", PeakRssBytes());
      }
      j.EndObject();
      fmt::print("{}\n", out);
    } else {
      fmt::print(
          "{}: zone {} at {} ({}): {} domains, {} edges ({} new, {} changed, {} removed), {} glue, {} bad "
          "records, {:.2f}s\n",
          path, r.zone.empty() ? "." : r.zone, FormatTime(r.observed_at), basis, WithCommas(r.domains),
          WithCommas(r.edges), WithCommas(r.edges_added), WithCommas(r.edges_changed), WithCommas(r.edges_removed),
          WithCommas(r.glue), WithCommas(snap.reader_stats().errors), secs);
      if (o.verbose) {
        fmt::print("{}: memory: peak {} resident (budget {}), {} sorted runs spilled\n", path,
                   HumanBytes(static_cast<double>(PeakRssBytes())), HumanBytes(static_cast<double>(budget)),
                   snap.runs());
      }
    }
  }
  return failures ? 1 : 0;
}

}  // namespace

void AddZoneCommands(CLI::App& app, const GlobalOptions& global) {
  auto* zone = app.add_subcommand("zone", "Zone files")->require_subcommand(1);
  auto* ingest = zone->add_subcommand("ingest", "Ingest zone files, each as the state of its zone at one time");
  auto o = std::make_shared<IngestOptions>();
  ingest->add_option("files", o->files, "Zone files (plain, gzip or zstd; - for standard input)")->required();
  ingest->add_option("--observed-at", o->observed_at,
                     "Time of the snapshot (default: SOA serial date if YYYYMMDDnn, else file mtime)");
  ingest
      ->add_option("--times", o->times_file,
                   "File of '<file name> <time>' lines giving each snapshot's time (e.g. snapshots.tsv)")
      ->check(CLI::ExistingFile);
  ingest->add_option("--zone", o->zone, "Zone apex (default: the SOA owner, else inferred from the NS owners)");
  ingest->add_flag("--allow-shrink", o->allow_shrink,
                   "Ingest a snapshot even when it is empty or has less than half the edges of the latest one");
  ingest->add_option("--max-errors-shown", o->max_errors_shown, "Bad records printed per file")->capture_default_str();
  ingest->add_option("--memory-budget", o->memory_budget,
                     "Memory for reading and applying a zone, e.g. 512M or 6G (default: a quarter of RAM, at most "
                     "6G); larger zones are sorted on disk beside the store and applied in chunks");
  ingest->add_flag("-v,--verbose", o->verbose, "Also report the peak resident memory and the sorted runs spilled");
  ingest->callback([&global, o]() {
    int rc = RunIngest(global, *o);
    if (rc) throw CLI::RuntimeError(rc);
  });
}

}  // namespace nsradar::cli
