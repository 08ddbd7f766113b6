// Zone parsing throughput: nsradar's reader (parse plus NS/glue extraction)
// against kzonecheck (Knot DNS) on the same uncompressed file, in one run.
//
//   zone_parse_bench --origin com [--kernel all] [--reader-only] FILE...
//
// For each file: the median (and best) of --runs passes of the reader over
// the file (page cache warm), once per block-scanner kernel asked for, the
// passes of the kernels interleaved so that a shared machine's drift hits
// them alike; then the same for loading a whole ZoneSnapshot (interning,
// sorting, PSL classification) and kzonecheck's wall time when it is
// installed, unless --reader-only.
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>

#include "dns/rr_type.h"
#include "zone/snapshot.h"
#include "zone/zone_reader.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

// Runs `argv` with output discarded; returns wall seconds, or -1.
double TimeCommand(const std::vector<std::string>& argv) {
  fflush(stdout);  // or the child's freopen writes our buffered output again
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) return -1;
  return Seconds(start);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

struct ReaderRun {
  double seconds = 0;
  uint64_t ns = 0, glue = 0, records = 0, fast = 0, errors = 0;
};

// One pass of the reader over `path`; false if it cannot be opened.
bool RunReader(const std::string& path, const std::string& origin, nsradar::zone::ScanKernel kernel, ReaderRun* run) {
  auto start = Clock::now();
  std::unique_ptr<nsradar::zone::ZoneReader> reader;
  nsradar::zone::ReaderOptions ro;
  ro.origin = origin;
  ro.kernel = kernel;
  if (!nsradar::zone::ZoneReader::Open(path, ro, &reader).ok()) return false;
  nsradar::zone::Record rec;
  uint64_t checksum = 0;
  run->ns = run->glue = 0;
  while (reader->Next(&rec)) {
    if (rec.type == nsradar::dns::rr::kNS) {
      ++run->ns;
      checksum += rec.ns_target.size() + rec.owner.size();
    } else if (rec.type == nsradar::dns::rr::kA || rec.type == nsradar::dns::rr::kAAAA) {
      ++run->glue;
      checksum += rec.address.bytes[0];
    }
  }
  run->seconds = Seconds(start);
  run->records = reader->stats().records;
  run->fast = reader->stats().fast_path_records;
  run->errors = reader->stats().errors;
  if (checksum == 42) fmt::print("");  // keep the loop's work observable
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Zone parsing benchmark"};
  std::vector<std::string> files;
  std::string origin = "com";
  std::string kernel_name = "auto";
  int runs = 3;
  bool reader_only = false;
  app.add_option("files", files)->required();
  app.add_option("--origin", origin, "Zone apex, for kzonecheck")->capture_default_str();
  app.add_option("--runs", runs)->capture_default_str();
  app.add_option("--kernel", kernel_name, "Block scanner: auto, scalar, sse42, avx2, or all that this CPU runs")
      ->capture_default_str();
  app.add_flag("--reader-only", reader_only, "Only the reader: no snapshot, no kzonecheck");
  CLI11_PARSE(app, argc, argv);

  std::vector<nsradar::zone::ScanKernel> kernels;
  if (kernel_name == "all") {
    kernels = nsradar::zone::SupportedScanKernels();
  } else if (auto k = nsradar::zone::ScanKernelFromName(kernel_name); k && nsradar::zone::ScanKernelSupported(*k)) {
    kernels = {*k};
  } else {
    fmt::print(stderr, "unknown or unsupported kernel {}\n", kernel_name);
    return 1;
  }

  for (const auto& path : files) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      fmt::print(stderr, "cannot stat {}\n", path);
      return 1;
    }
    double mb = static_cast<double>(st.st_size) / 1e6;
    std::vector<std::vector<double>> reader_seconds(kernels.size());
    ReaderRun run;
    for (int r = 0; r < runs; ++r) {
      for (size_t k = 0; k < kernels.size(); ++k) {
        if (!RunReader(path, origin, kernels[k], &run)) return 1;
        reader_seconds[k].push_back(run.seconds);
      }
    }
    fmt::print("file {} ({:.1f} MB): {} records ({} fast path), {} NS, {} A/AAAA, {} errors\n", path, mb, run.records,
               run.fast, run.ns, run.glue, run.errors);
    for (size_t k = 0; k < kernels.size(); ++k) {
      const double median = Median(reader_seconds[k]);
      const double best = *std::min_element(reader_seconds[k].begin(), reader_seconds[k].end());
      std::string label = "nsradar reader";
      if (kernels[k] != nsradar::zone::ScanKernel::kAuto) label += fmt::format(" ({})", ScanKernelName(kernels[k]));
      fmt::print("  {:<26} median {:7.3f} s  {:7.1f} MB/s   best {:7.1f} MB/s  ({} runs)\n", label + ":", median,
                 mb / median, mb / best, runs);
    }
    if (reader_only) continue;
    std::vector<double> snapshot_seconds;
    for (int r = 0; r < runs; ++r) {
      auto start = Clock::now();
      nsradar::zone::SnapshotOptions so;
      so.reader.origin = origin;
      nsradar::zone::ZoneSnapshot snap;
      if (!nsradar::zone::ZoneSnapshot::Load(path, so, &snap).ok()) return 1;
      snapshot_seconds.push_back(Seconds(start));
    }
    const double snapshot = Median(snapshot_seconds);
    const double reader = Median(reader_seconds[0]);
    double knot = TimeCommand({"kzonecheck", "-o", origin + ".", path});
    fmt::print("  {:<26} median {:7.3f} s  {:7.1f} MB/s\n", "nsradar snapshot:", snapshot, mb / snapshot);
    if (knot > 0) {
      fmt::print("  {:<26}        {:7.3f} s  {:7.1f} MB/s   reader is {:.1f}x faster\n", "kzonecheck:", knot, mb / knot,
                 knot / reader);
    } else {
      fmt::print("  kzonecheck:                not installed\n");
    }
  }
  return 0;
}
