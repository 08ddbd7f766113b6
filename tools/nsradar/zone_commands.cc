// nsradar zone ingest: zone files into the reverse-NS index.
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "commands.h"
#include "nsdb/czds_ingest.h"
#include "nsdb/shrink_guard.h"
#include "nsdb/store.h"
#include "util/json_writer.h"
#include "util/time.h"
#include "zone/czds_directory.h"
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
  std::string czds_dir;  // --czds: a CZDS download instead of files
  bool overlap = false;
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

// Set by SIGINT/SIGTERM during a --czds run: the zone being written
// commits, nothing else starts. The handler is reset by its first call, so
// a second signal ends the process at once (each zone is one atomic write,
// so the store holds every zone committed before it and nothing else).
std::atomic<bool> czds_stop{false};
volatile sig_atomic_t czds_signal = 0;

void OnCzdsSignal(int sig) {
  czds_signal = sig;
  czds_stop.store(true);
  const char msg[] =
      "\nstopping: the zone being written will commit, no other zone starts (signal again to stop at once)\n";
  [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
}

// The run's progress line: redrawn in place on a terminal (at most 5 times
// a second), one line every 10 s otherwise (with -v only).
class CzdsProgressLine {
 public:
  CzdsProgressLine(bool tty, bool verbose) : tty_(tty), enabled_(tty || verbose) {}
  void Update(const nsdb::CzdsProgress& p) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000))) return;
    last_ = now;
    drawn_ = true;
    // Each zone is read, then written: the work done is the bytes read plus
    // the bytes of the zones finished, out of twice the total.
    const double work = static_cast<double>(p.bytes_read + p.bytes_done);
    const double total = 2.0 * static_cast<double>(p.bytes_total);
    std::string eta = "?";
    if (work > 0 && total > work) eta = fmt::format("{:.0f}s", p.seconds * (total - work) / work);
    const std::string line = fmt::format(
        "zones {}/{}, {} of {} read, {} edges/s, ETA {}", p.zones_done, p.zones_total,
        HumanBytes(static_cast<double>(p.bytes_read)), HumanBytes(static_cast<double>(p.bytes_total)),
        WithCommas(p.seconds > 0 ? static_cast<uint64_t>(static_cast<double>(p.edges_written) / p.seconds) : 0), eta);
    if (tty_) {
      fmt::print(stderr, "\r{}\033[K", line);
    } else {
      fmt::print(stderr, "{}\n", line);
    }
  }
  void Finish() {
    if (tty_ && drawn_) fmt::print(stderr, "\r\033[K");
  }

 private:
  bool tty_, enabled_, drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

std::string_view CzdsStateName(nsdb::CzdsZoneState s) {
  switch (s) {
    case nsdb::CzdsZoneState::kCommitted:
      return "committed";
    case nsdb::CzdsZoneState::kFailed:
      return "failed";
    case nsdb::CzdsZoneState::kNotRun:
      return "not run";
  }
  return "";
}

int RunCzds(const GlobalOptions& g, const IngestOptions& o) {
  zone::CzdsListing listing;
  Status s = zone::ListCzdsDirectory(o.czds_dir, &listing);
  if (!s.ok()) {
    PrintError(s.message());
    return 1;
  }
  for (const std::string& why : listing.ignored) fmt::print(stderr, "note: {}/{}\n", o.czds_dir, why);
  if (listing.zones.empty()) {
    PrintError(o.czds_dir + ": no zone files (<tld>.zone.gz, <tld>.txt.gz or <tld>.zone)");
    return 1;
  }
  std::unique_ptr<nsdb::Store> store;
  s = nsdb::Store::Open(g.store, nsdb::StoreOptions(), &store);
  if (!s.ok()) {
    PrintError(s.ToString());
    return 1;
  }
  nsdb::CzdsIngestOptions co;
  co.memory_budget = o.memory_budget.empty() ? DefaultMemoryBudget() : MemoryBudgetArgument(o.memory_budget);
  co.spill_dir = g.store + "/zone-spill";
  co.observed_at =
      o.observed_at.empty()
          ? std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count()
          : TimeArgument(o.observed_at, "--observed-at");
  co.allow_shrink = o.allow_shrink;
  co.overlap = o.overlap;
  CzdsProgressLine line(isatty(STDERR_FILENO) && !g.json, o.verbose);
  co.progress = [&line](const nsdb::CzdsProgress& p) { line.Update(p); };
  co.stop = &czds_stop;
  czds_stop = false;
  czds_signal = 0;
  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = OnCzdsSignal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  const auto started = std::chrono::steady_clock::now();
  std::vector<nsdb::CzdsZoneResult> results;
  s = nsdb::IngestCzds(store.get(), listing, co, &results);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  line.Finish();
  if (!s.ok()) {
    PrintError(s.message());
    return 1;
  }
  size_t committed = 0, failed = 0, not_run = 0;
  uint64_t edges = 0;
  for (const auto& r : results) {
    committed += r.state == nsdb::CzdsZoneState::kCommitted;
    failed += r.state == nsdb::CzdsZoneState::kFailed;
    not_run += r.state == nsdb::CzdsZoneState::kNotRun;
    if (r.state == nsdb::CzdsZoneState::kCommitted) edges += r.ingest.edges;
  }
  const double rate = secs > 0 ? static_cast<double>(edges) / secs : 0;
  if (g.json) {
    std::string out;
    JsonWriter j(&out);
    j.BeginObject()
        .Field("directory", o.czds_dir)
        .Field("observed_at", co.observed_at)
        .Field("zones", static_cast<uint64_t>(results.size()))
        .Field("committed", static_cast<uint64_t>(committed))
        .Field("failed", static_cast<uint64_t>(failed))
        .Field("not_run", static_cast<uint64_t>(not_run))
        .Field("edges", edges)
        .Field("seconds", secs)
        .Field("edges_per_second", rate)
        .Field("overlapped", co.overlap);
    if (o.verbose) {
      j.Field("memory_budget_bytes", static_cast<uint64_t>(co.memory_budget)).Field("peak_rss_bytes", PeakRssBytes());
    }
    j.Key("ignored").BeginArray();
    for (const std::string& why : listing.ignored) j.String(why);
    j.EndArray().Key("results").BeginArray();
    for (const auto& r : results) {
      j.BeginObject().Field("zone", r.zone).Field("file", r.path).Field("status", CzdsStateName(r.state));
      if (r.state == nsdb::CzdsZoneState::kCommitted) {
        j.Field("replaced_existing", r.ingest.replaced_existing)
            .Field("domains", r.ingest.domains)
            .Field("edges", r.ingest.edges)
            .Field("glue", r.ingest.glue)
            .Field("edges_added", r.ingest.edges_added)
            .Field("edges_changed", r.ingest.edges_changed)
            .Field("edges_removed", r.ingest.edges_removed);
      } else {
        j.Field("error", r.error);
      }
      j.Field("records", r.records)
          .Field("bad_records", r.bad_records)
          .Field("read_seconds", r.read_seconds)
          .Field("write_seconds", r.write_seconds);
      if (o.verbose) j.Field("sorted_runs", static_cast<uint64_t>(r.sorted_runs));
      j.EndObject();
    }
    j.EndArray().EndObject();
    fmt::print("{}\n", out);
  } else {
    Table t({"ZONE", "DOMAINS", "EDGES", "ADDED", "CHANGED", "REMOVED", "SECONDS", "STATUS"});
    for (const auto& r : results) {
      const bool ok = r.state == nsdb::CzdsZoneState::kCommitted;
      auto n = [ok](uint64_t v) { return ok ? WithCommas(v) : std::string("-"); };
      t.Add({r.zone, n(r.ingest.domains), n(r.ingest.edges), n(r.ingest.edges_added), n(r.ingest.edges_changed),
             n(r.ingest.edges_removed), fmt::format("{:.2f}", r.read_seconds + r.write_seconds),
             std::string(CzdsStateName(r.state))});
    }
    t.Print(stdout);
    fmt::print("{} zones at {}: {} committed, {} failed, {} not run; {} edges in {:.1f}s ({} edges/s)\n",
               results.size(), FormatTime(co.observed_at), committed, failed, not_run, WithCommas(edges), secs,
               WithCommas(static_cast<uint64_t>(rate)));
    if (o.verbose) {
      fmt::print("memory: peak {} resident (budget {}), zones {}\n", HumanBytes(static_cast<double>(PeakRssBytes())),
                 HumanBytes(static_cast<double>(co.memory_budget)), co.overlap ? "overlapped" : "one at a time");
    }
  }
  std::fflush(stdout);
  std::vector<std::string> failed_zones;
  for (const auto& r : results) {
    if (r.state != nsdb::CzdsZoneState::kFailed) continue;
    PrintError("zone " + r.zone + ": " + r.error);
    failed_zones.push_back(r.zone);
  }
  if (!failed_zones.empty()) {
    std::string names;
    for (const std::string& z : failed_zones) names += (names.empty() ? "" : ", ") + z;
    PrintError(fmt::format("{} of {} zones failed: {}", failed_zones.size(), results.size(), names));
  }
  if (czds_signal) {
    PrintError(fmt::format("interrupted: {} zones not run", not_run));
    return 128 + czds_signal;
  }
  return failed_zones.empty() ? 0 : 1;
}

int RunIngest(const GlobalOptions& g, IngestOptions& o) {
  if (!o.czds_dir.empty()) return RunCzds(g, o);
  if (o.files.empty()) throw CLI::ValidationError("files", "give zone files, or --czds DIR");
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
    if (std::string why = nsdb::ShrinkRefusal(*store, snap, o.allow_shrink); !why.empty()) {
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
  auto* files = ingest->add_option("files", o->files, "Zone files (plain, gzip or zstd; - for standard input)");
  ingest->add_option("--observed-at", o->observed_at,
                     "Time of the snapshot (default: SOA serial date if YYYYMMDDnn, else file mtime)");
  auto* times = ingest
                    ->add_option("--times", o->times_file,
                                 "File of '<file name> <time>' lines giving each snapshot's time (e.g. snapshots.tsv)")
                    ->check(CLI::ExistingFile);
  auto* zone_apex =
      ingest->add_option("--zone", o->zone, "Zone apex (default: the SOA owner, else inferred from the NS owners)");
  ingest->add_flag("--allow-shrink", o->allow_shrink,
                   "Ingest a snapshot even when it is empty or has less than half the edges of the latest one");
  ingest->add_option("--max-errors-shown", o->max_errors_shown, "Bad records printed per file")->capture_default_str();
  ingest->add_option("--memory-budget", o->memory_budget,
                     "Memory for reading and applying a zone, e.g. 512M or 6G (default: a quarter of RAM, at most "
                     "6G); larger zones are sorted on disk beside the store and applied in chunks");
  ingest->add_flag("-v,--verbose", o->verbose,
                   "Also report the peak resident memory and the sorted runs spilled (with --czds: and the "
                   "progress when standard error is not a terminal)");
  auto* czds =
      ingest
          ->add_option("--czds", o->czds_dir,
                       "Ingest a CZDS download: every <tld>.zone.gz, <tld>.txt.gz or <tld>.zone in DIR, each checked "
                       "against its SOA owner and ingested alone, at --observed-at (default: now); prints a summary "
                       "per zone, exits non-zero naming the zones that failed")
          ->check(CLI::ExistingDirectory)
          ->excludes(files)
          ->excludes(times)
          ->excludes(zone_apex);
  ingest
      ->add_flag("--overlap", o->overlap,
                 "With --czds, read the next zone while the current one is written, the budget split between "
                 "them (measured slower on a loaded 2-core machine: docs/benchmarks.md)")
      ->needs(czds);
  ingest->callback([&global, o]() {
    int rc = RunIngest(global, *o);
    if (rc) throw CLI::RuntimeError(rc);
  });
}

}  // namespace nsradar::cli
