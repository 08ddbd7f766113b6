#include "nsdb/czds_ingest.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "nsdb/shrink_guard.h"
#include "zone/spilled_zone.h"

namespace nsradar::nsdb {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool Stopped(const CzdsIngestOptions& o) { return o.stop && o.stop->load(std::memory_order_relaxed); }

// One zone read into memory and sorted runs, waiting to be written.
struct ReadZone {
  size_t index = 0;  // in the listing
  Status status;
  std::unique_ptr<zone::SpilledZone> zone;
  std::vector<zone::Diagnostic> diagnostics;  // the first few bad records
  std::string spill_dir;
  double seconds = 0;
};

// The run's counters, reported through options.progress one call at a time.
class ProgressTracker {
 public:
  ProgressTracker(const CzdsIngestOptions& o, size_t zones, uint64_t bytes) : o_(o) {
    p_.zones_total = zones;
    p_.bytes_total = bytes;
  }
  // The zone being read (one at a time) is at `offset` of its file.
  void Reading(uint64_t offset) {
    Report([&] { reading_ = offset; });
  }
  void Read(uint64_t bytes) {
    Report([&] {
      reading_ = 0;
      read_ += bytes;
    });
  }
  void Done(uint64_t bytes, uint64_t edges) {
    Report([&] {
      ++p_.zones_done;
      p_.bytes_done += bytes;
      p_.edges_written += edges;
    });
  }

 private:
  template <typename F>
  void Report(F change) {
    std::lock_guard<std::mutex> l(mu_);
    change();
    if (!o_.progress) return;
    p_.bytes_read = read_ + reading_;
    p_.seconds = SecondsSince(start_);
    o_.progress(p_);
  }

  const CzdsIngestOptions& o_;
  std::mutex mu_;
  CzdsProgress p_;
  uint64_t read_ = 0, reading_ = 0;
  Clock::time_point start_ = Clock::now();
};

// Reads one zone file within `budget` into a ReadZone.
ReadZone ReadOne(const zone::CzdsZoneFile& file, size_t index, size_t budget, const std::string& spill_dir,
                 const CzdsIngestOptions& o, ProgressTracker* progress) {
  ReadZone r;
  r.index = index;
  r.spill_dir = spill_dir;
  const auto started = Clock::now();
  std::error_code ec;
  std::filesystem::remove_all(spill_dir, ec);
  std::filesystem::create_directories(spill_dir, ec);
  if (ec) {
    r.status = Status::IOError("cannot create " + spill_dir + ": " + ec.message());
    return r;
  }
  // The zone is read without --zone: its apex is then the SOA owner, which
  // IngestCzds checks against the file name.
  zone::SnapshotOptions so;
  so.reader.on_error = [&](const zone::Diagnostic& d) {
    if (r.diagnostics.size() < o.diagnostics_kept) r.diagnostics.push_back(d);
  };
  so.progress = [&](uint64_t offset, uint64_t) { progress->Reading(offset); };
  zone::SpillOptions spill;
  spill.memory_budget = budget;
  spill.tmp_dir = spill_dir;
  r.status = zone::SpilledZone::Load(file.path, so, spill, &r.zone);
  progress->Read(file.bytes);
  r.seconds = SecondsSince(started);
  return r;
}

// Why a zone read without a fatal error must still not be written.
std::string Refusal(const Store& store, const zone::CzdsZoneFile& file, const ReadZone& r, bool allow_shrink) {
  const zone::SpilledZone& z = *r.zone;
  const uint64_t bad = z.reader_stats().errors;
  if (bad > 0) {
    std::string why = r.diagnostics.empty() ? "bad record" : r.diagnostics.front().ToString();
    if (bad > 1) why += fmt::format(" (and {} more bad records)", bad - 1);
    return why;
  }
  if (file.bytes == 0) return file.path + ": the file is empty (a failed download?)";
  // The reader sets the serial with the SOA record: no serial, no SOA.
  if (!z.has_serial()) return file.path + ": no SOA record: not a whole zone file (a truncated download?)";
  if (z.apex() != file.zone) {
    return fmt::format("{}: the SOA owner is {}, not {} as the file name says", file.path,
                       z.apex().empty() ? "." : z.apex() + ".", file.zone + ".");
  }
  if (std::string why = ShrinkRefusal(store, z, allow_shrink); !why.empty()) return file.path + ": " + why;
  return "";
}

// Hands read zones from the reader thread to the writer, one at a time:
// Put returns once the writer took the zone, which it does when done with
// the one before, so the reader never starts a zone while two are in
// memory (the one being written and the one read).
class Handoff {
 public:
  void Put(ReadZone r) {
    std::unique_lock<std::mutex> l(mu_);
    slot_ = std::move(r);
    cv_.notify_all();
    cv_.wait(l, [this] { return !slot_ || closed_; });
    slot_.reset();  // closed: the zone is dropped
  }
  // False once the reader finished and everything was taken.
  bool Take(ReadZone* out) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return slot_ || finished_; });
    if (!slot_) return false;
    *out = std::move(*slot_);
    slot_.reset();
    cv_.notify_all();
    return true;
  }
  void Finish() {
    std::lock_guard<std::mutex> l(mu_);
    finished_ = true;
    cv_.notify_all();
  }
  // The writer wants no more zones: a waiting Put drops its zone.
  void Close() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<ReadZone> slot_;
  bool finished_ = false, closed_ = false;
};

}  // namespace

Status IngestCzds(Store* store, const zone::CzdsListing& listing, const CzdsIngestOptions& o,
                  std::vector<CzdsZoneResult>* results) {
  std::error_code ec;
  std::filesystem::create_directories(o.spill_dir, ec);
  if (ec) return Status::IOError("cannot create " + o.spill_dir + ": " + ec.message());
  // Removes every zone's runs however the run ends.
  struct SpillCleanup {
    const std::string& dir;
    ~SpillCleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{o.spill_dir};

  results->assign(listing.zones.size(), CzdsZoneResult());
  std::vector<size_t> order;  // zones to read, largest first
  for (size_t i = 0; i < listing.zones.size(); ++i) {
    const zone::CzdsZoneFile& f = listing.zones[i];
    CzdsZoneResult& r = (*results)[i];
    r.zone = f.zone;
    r.path = f.path;
    if (!f.error.empty()) {
      r.state = CzdsZoneState::kFailed;
      r.error = f.error;
      continue;
    }
    r.error = "not run: interrupted";
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return listing.zones[a].bytes > listing.zones[b].bytes; });
  ProgressTracker progress(o, listing.zones.size(), listing.total_bytes);
  for (const auto& r : *results) {
    if (r.state == CzdsZoneState::kFailed) progress.Done(0, 0);
  }

  // Overlapped, the budget is split as the header says.
  const size_t read_budget = o.overlap ? o.memory_budget / 2 : o.memory_budget;
  const size_t write_budget = o.overlap ? o.memory_budget / 8 * 3 : o.memory_budget;
  auto spill_dir_for = [&](size_t n) { return o.spill_dir + "/" + std::to_string(n % 2); };

  auto write = [&](ReadZone& read) {
    const zone::CzdsZoneFile& file = listing.zones[read.index];
    CzdsZoneResult& r = (*results)[read.index];
    r.read_seconds = read.seconds;
    r.state = CzdsZoneState::kFailed;
    if (read.zone) {
      r.records = read.zone->reader_stats().records;
      r.bad_records = read.zone->reader_stats().errors;
      r.sorted_runs = read.zone->runs();
    }
    if (!read.status.ok()) {
      r.error = read.status.message();
    } else if (std::string why = Refusal(*store, file, read, o.allow_shrink); !why.empty()) {
      r.error = why;
    } else {
      const auto started = Clock::now();
      Status s = store->IngestSnapshot(*read.zone, write_budget, o.observed_at, file.path, &r.ingest);
      r.write_seconds = SecondsSince(started);
      if (s.ok()) {
        r.state = CzdsZoneState::kCommitted;
        r.error.clear();
      } else {
        r.error = file.path + ": " + s.ToString();
      }
    }
    read.zone.reset();
    std::filesystem::remove_all(read.spill_dir, ec);
    progress.Done(file.bytes, r.state == CzdsZoneState::kCommitted ? r.ingest.edges : 0);
  };

  if (!o.overlap) {
    for (size_t n = 0; n < order.size() && !Stopped(o); ++n) {
      ReadZone read = ReadOne(listing.zones[order[n]], order[n], read_budget, spill_dir_for(n), o, &progress);
      if (Stopped(o)) break;
      write(read);
    }
    return Status::OK();
  }

  Handoff handoff;
  std::thread reader([&] {
    for (size_t n = 0; n < order.size() && !Stopped(o); ++n) {
      handoff.Put(ReadOne(listing.zones[order[n]], order[n], read_budget, spill_dir_for(n), o, &progress));
    }
    handoff.Finish();
  });
  ReadZone read;
  while (!Stopped(o) && handoff.Take(&read) && !Stopped(o)) write(read);
  handoff.Close();
  reader.join();
  return Status::OK();
}

}  // namespace nsradar::nsdb
