// Zone parsing throughput: nsradar's reader (parse plus NS/glue extraction)
// against kzonecheck (Knot DNS) on the same uncompressed file, in one run.
//
//   zone_parse_bench --origin com FILE...
//
// For each file: the best of --runs passes of the reader over the file (page
// cache warm), the same for loading a whole ZoneSnapshot (interning, sorting,
// PSL classification), then kzonecheck's wall time when it is installed.
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Zone parsing benchmark"};
  std::vector<std::string> files;
  std::string origin = "com";
  int runs = 3;
  app.add_option("files", files)->required();
  app.add_option("--origin", origin, "Zone apex, for kzonecheck")->capture_default_str();
  app.add_option("--runs", runs)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  for (const auto& path : files) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      fmt::print(stderr, "cannot stat {}\n", path);
      return 1;
    }
    double mb = static_cast<double>(st.st_size) / 1e6;
    double best_reader = 1e9, best_snapshot = 1e9;
    uint64_t ns = 0, glue = 0, records = 0, fast = 0, errors = 0;
    for (int r = 0; r < runs; ++r) {
      auto start = Clock::now();
      std::unique_ptr<nsradar::zone::ZoneReader> reader;
      nsradar::zone::ReaderOptions ro;
      ro.origin = origin;
      if (!nsradar::zone::ZoneReader::Open(path, ro, &reader).ok()) return 1;
      nsradar::zone::Record rec;
      ns = glue = 0;
      uint64_t checksum = 0;
      while (reader->Next(&rec)) {
        if (rec.type == nsradar::dns::rr::kNS) {
          ++ns;
          checksum += rec.ns_target.size() + rec.owner.size();
        } else if (rec.type == nsradar::dns::rr::kA || rec.type == nsradar::dns::rr::kAAAA) {
          ++glue;
          checksum += rec.address.bytes[0];
        }
      }
      best_reader = std::min(best_reader, Seconds(start));
      records = reader->stats().records;
      fast = reader->stats().fast_path_records;
      errors = reader->stats().errors;
      if (checksum == 42) fmt::print("");  // keep the loop's work observable
    }
    for (int r = 0; r < runs; ++r) {
      auto start = Clock::now();
      nsradar::zone::SnapshotOptions so;
      so.reader.origin = origin;
      nsradar::zone::ZoneSnapshot snap;
      if (!nsradar::zone::ZoneSnapshot::Load(path, so, &snap).ok()) return 1;
      best_snapshot = std::min(best_snapshot, Seconds(start));
    }
    double knot = TimeCommand({"kzonecheck", "-o", origin + ".", path});
    fmt::print("file {} ({:.1f} MB): {} records ({} fast path), {} NS, {} A/AAAA, {} errors\n", path, mb, records, fast,
               ns, glue, errors);
    fmt::print("  nsradar reader:    {:7.3f} s  {:7.1f} MB/s\n", best_reader, mb / best_reader);
    fmt::print("  nsradar snapshot:  {:7.3f} s  {:7.1f} MB/s\n", best_snapshot, mb / best_snapshot);
    if (knot > 0) {
      fmt::print("  kzonecheck:        {:7.3f} s  {:7.1f} MB/s   reader is {:.1f}x faster\n", knot, mb / knot,
                 knot / best_reader);
    } else {
      fmt::print("  kzonecheck:        not installed\n");
    }
  }
  return 0;
}
