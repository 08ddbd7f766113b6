#include "nsdb/internal/snapshot_ingest.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "nsdb/internal/merge_join.h"
#include "nsdb/internal/ns_block_writer.h"
#include "nsdb/internal/sorted_run.h"
#include "util/varint.h"

namespace nsradar::nsdb {

namespace fs = std::filesystem;

SnapshotIngest::SnapshotIngest(Writer& writer, const zone::ZoneSnapshot& snap, int64_t t, const std::string& source,
                               IngestResult* result)
    : writer_(writer),
      snap_(&snap),
      totals_{snap.apex(),         snap.serial(),     snap.has_serial(),
              snap.domain_count(), snap.edge_count(), snap.glue().size()},
      t_(t),
      source_(source),
      r_(result),
      bulk_(snap.edge_count() > writer.store().options().batch_limit),
      tmp_dir_(writer.store().dir() + "/ingest-tmp"),
      write_(writer, bulk_, tmp_dir_),
      host_delta_(snap.host_count()) {
  edge_changes_.emplace(snap);
}

SnapshotIngest::SnapshotIngest(Writer& writer, const zone::SpilledZone& zone, size_t memory_budget, int64_t t,
                               const std::string& source, IngestResult* result)
    : writer_(writer),
      snap_(&zone.glue()),
      spilled_(&zone),
      memory_budget_(memory_budget),
      totals_{zone.apex(),         zone.serial(),     zone.has_serial(),
              zone.domain_count(), zone.edge_count(), zone.glue().glue().size()},
      t_(t),
      source_(source),
      r_(result),
      bulk_(zone.edge_count() > writer.store().options().batch_limit),
      tmp_dir_(writer.store().dir() + "/ingest-tmp"),
      write_(writer, bulk_, tmp_dir_) {}

Status SnapshotIngest::Run() {
  if (spilled_) return RunChunked();
  NSRADAR_RETURN_IF_ERROR(Begin());
  NSRADAR_RETURN_IF_ERROR(JoinDelegations());
  NSRADAR_RETURN_IF_ERROR(WriteDelegations());
  NSRADAR_RETURN_IF_ERROR(WriteNsCounts());
  NSRADAR_RETURN_IF_ERROR(JoinAndWriteGlue());
  NSRADAR_RETURN_IF_ERROR(WriteZoneTable());
  return Commit();
}

Status SnapshotIngest::Begin() {
  if (t_ < 0) return Status::InvalidArgument("observation time must not be before 1970");
  *r_ = IngestResult();
  r_->zone = totals_.apex;
  r_->observed_at = t_;
  r_->domains = totals_.domains;
  r_->edges = totals_.edges;
  r_->glue = totals_.glue;
  r_->bulk = bulk_;
  // T itself is no neighbour, so re-ingesting T recomputes it.
  zone_ = writer_.ZoneOrNew(totals_.apex);
  for (const auto& s : zone_.snapshots) {
    if (s.observed_at < t_) prev_ = s.observed_at;
    if (s.observed_at > t_ && !next_) next_ = s.observed_at;
    if (s.observed_at == t_) r_->replaced_existing = true;
  }
  if (bulk_ || spilled_) {
    std::error_code ec;
    fs::remove_all(tmp_dir_, ec);
    fs::create_directories(tmp_dir_, ec);
    if (ec) return Status::IOError("cannot create " + tmp_dir_ + ": " + ec.message());
  }
  return Status::OK();
}

// Every edge of the zone, in (domain, host) order: changes per edge for
// ns_edges, and per domain for zone_domains, whose record is rewritten whole
// when any of its edges changed.
Status SnapshotIngest::JoinDelegations(const std::string* after, const std::string* through) {
  SnapshotEdgeCursor cur(*snap_);
  ZoneScan scan(writer_.store(), kZoneDomains, zone_.id, after, through);
  StoredDomainCursor stored(scan.get(), zone_.name);
  NSRADAR_RETURN_IF_ERROR(MergeJoin(
      stored, cur,
      [&](std::string_view domain, std::string_view host, const std::vector<SeenRun>* stored_runs, bool present) {
        if (present) {
          VisitDelegation(domain, host, stored_runs, true, cur.host_rank(), cur.domain_index(),
                          snap_->domain_kind(cur.domain_index()));
        } else {
          VisitDelegation(domain, host, stored_runs, false, kStoreOnly, kStoreOnly, stored.kind());
        }
        return Status::OK();
      }));
  FinishDomain();
  domain_.started = false;  // a chunked ingest's next chunk starts afresh
  return Status::OK();
}

void SnapshotIngest::VisitDelegation(std::string_view domain, std::string_view host,
                                     const std::vector<SeenRun>* stored_runs, bool present, uint32_t host_rank,
                                     uint32_t domain_index, zone::DomainKind kind) {
  if (!domain_.started || domain != domain_.name) {
    FinishDomain();
    domain_.started = true;
    domain_.name.assign(domain);
    domain_.had = domain_.changed = false;
    domain_.record.Clear();
    domain_.snap_index = kStoreOnly;
  }
  if (present) domain_.snap_index = domain_index;
  domain_.kind = kind;
  const bool existed = stored_runs != nullptr;
  edge_.zone_id = zone_.id;
  edge_.kind = kind;
  if (existed) {
    edge_.runs = *stored_runs;
  } else {
    edge_.runs.clear();
  }
  const bool was_active = existed && edge_.active();
  const bool changed = ApplyObservation(&edge_.runs, t_, present, prev_, next_) || !existed;
  domain_.had |= existed;
  if (!edge_.runs.empty()) domain_.record.Add(host, edge_.runs);
  if (changed) {
    domain_.changed = true;
    NoteEdgeChange(domain, host, existed, was_active, present, host_rank, domain_index);
  }
}

void SnapshotIngest::NoteEdgeChange(std::string_view domain, std::string_view host, bool existed, bool was_active,
                                    bool present, uint32_t host_rank, uint32_t domain_index) {
  const bool deleted = edge_.runs.empty();
  CountDelta d;
  d.total = existed ? (deleted ? -1 : 0) : 1;
  d.active = static_cast<int64_t>(edge_.active()) - static_cast<int64_t>(was_active);
  counter_delta_[kEdgeCount] += d.total;
  counter_delta_[kActiveEdgeCount] += d.active;
  ++r_->edges_changed;
  if (!existed) ++r_->edges_added;
  if (existed && !present) ++r_->edges_removed;
  CountDelta* host_counts;
  if (present) {
    edge_changes_->AddSnapshotEdge(host_rank, domain_index, edge_);
    host_counts = &host_delta_[host_rank];
  } else {
    std::optional<std::string> value;
    if (!deleted) {
      value.emplace();
      edge_.EncodeTo(&*value);
    }
    edge_changes_->AddStoreOnlyEdge(host, domain, std::move(value));
    host_counts = &extra_delta_[std::string(host)];
  }
  host_counts->total += d.total;
  host_counts->active += d.active;
}

void SnapshotIngest::FinishDomain() {
  if (!domain_.started) return;
  const bool has = domain_.record.size() > 0;
  if (!domain_.had && has) ++counter_delta_[kDomainCount];
  if (domain_.had && !has) --counter_delta_[kDomainCount];
  if (domain_.changed) domain_changes_.Add(domain_.snap_index, domain_.name, domain_.record, domain_.kind);
}

// Task 0 writes zone_domains, task p+1 the ns_edges part p; in bulk mode two
// workers take tasks as they finish, in batch mode one does them in order.
Status SnapshotIngest::WriteDelegations() {
  const int ns_parts = edge_changes_->Sort(bulk_);
  NSRADAR_RETURN_IF_ERROR(write_.Reserve(kZoneDomains, 1));
  NSRADAR_RETURN_IF_ERROR(write_.Reserve(kNsBlocks, ns_parts));
  const int tasks = 1 + ns_parts;
  std::atomic<int> next_task{0};
  std::vector<Status> results(tasks);
  auto work = [&] {
    for (int i; (i = next_task.fetch_add(1)) < tasks;) {
      results[i] = i == 0 ? domain_changes_.Write(*snap_, zone_.id, &write_) : WriteEdgePart(i - 1);
    }
  };
  if (bulk_) {
    std::thread helper(work);
    work();
    helper.join();
  } else {
    work();
  }
  for (const Status& st : results) NSRADAR_RETURN_IF_ERROR(st);
  edge_changes_->Clear();
  domain_changes_.Clear();
  return Status::OK();
}

Status SnapshotIngest::WriteEdgePart(int part) {
  NsBlockWriter blocks(writer_.store().NewIterator(kNsBlocks),
                       [this, part](std::string_view key, const std::string_view* value) {
                         return value ? write_.Put(kNsBlocks, key, *value, part) : write_.Delete(kNsBlocks, key, part);
                       });
  NSRADAR_RETURN_IF_ERROR(edge_changes_->WritePart(
      part, [&blocks](std::string_view key, const std::string_view* value) { return blocks.Change(key, value); }));
  return blocks.Finish();
}

Status SnapshotIngest::RunChunked() {
  NSRADAR_RETURN_IF_ERROR(Begin());
  const size_t max_edges = std::max<size_t>(memory_budget_ / 2 / kChunkBytesPerEdge, 1);
  std::string last;  // the last domain of the chunks so far
  bool any = false;
  auto join_and_write = [&](const zone::ZoneSnapshot& chunk, const std::string* through) -> Status {
    snap_ = &chunk;
    host_delta_.assign(chunk.host_count(), CountDelta());
    edge_changes_.emplace(chunk);
    NSRADAR_RETURN_IF_ERROR(JoinDelegations(any ? &last : nullptr, through));
    return WriteChunk();
  };
  const Status chunks = spilled_->ForEachChunk(max_edges, [&](const zone::ZoneSnapshot& chunk) -> Status {
    std::string through(chunk.domain(chunk.domain_count() - 1));
    NSRADAR_RETURN_IF_ERROR(join_and_write(chunk, &through));
    last = std::move(through);
    any = true;
    return Status::OK();
  });
  NSRADAR_RETURN_IF_ERROR(chunks);
  // The stored domains after the snapshot's last one.
  const zone::ZoneSnapshot none;
  NSRADAR_RETURN_IF_ERROR(join_and_write(none, nullptr));
  edge_changes_.reset();
  NSRADAR_RETURN_IF_ERROR(MergeChunkRuns());
  snap_ = &spilled_->glue();
  host_delta_.clear();
  NSRADAR_RETURN_IF_ERROR(JoinAndWriteGlue());
  NSRADAR_RETURN_IF_ERROR(WriteZoneTable());
  return Commit();
}

// Each SST part of a chunked ingest holds up to this many keys: few enough
// that its writer's index and filter (about 16 bytes a key until the file
// is finished) fit in a sixteenth of the budget, many enough that a large
// zone makes few files (overlapping files land in level 0, where many stall
// writes).
uint64_t PartEntries(size_t memory_budget) {
  return std::clamp<uint64_t>(memory_budget / 16 / 16, uint64_t{16} << 10, uint64_t{8} << 20);
}

Status SnapshotIngest::WriteChunk() {
  // The chunks come in key order, so their zone_domains records go on in
  // the same part until it is full.
  if (zone_domain_entries_ >= PartEntries(memory_budget_)) {
    NSRADAR_RETURN_IF_ERROR(write_.FinishPart(kZoneDomains, zone_domain_part_++));
    zone_domain_entries_ = 0;
  }
  zone_domain_entries_ += domain_changes_.size();
  NSRADAR_RETURN_IF_ERROR(domain_changes_.Write(*snap_, zone_.id, &write_, zone_domain_part_));
  domain_changes_.Clear();
  const size_t chunk = edge_runs_.size() + count_runs_.size();
  // Even in a batch, since a host's blocks must be rewritten once, from all
  // the chunks' changes of the host.
  edge_changes_->Sort(false);
  {
    SortedRunWriter run;
    edge_runs_.push_back(tmp_dir_ + "/ns_edges-run-" + std::to_string(chunk));
    NSRADAR_RETURN_IF_ERROR(run.Open(edge_runs_.back()));
    NSRADAR_RETURN_IF_ERROR(edge_changes_->WritePart(
        0, [&run](std::string_view key, const std::string_view* value) { return run.Add(key, value); }));
    NSRADAR_RETURN_IF_ERROR(run.Finish());
  }
  edge_changes_->Clear();
  const auto deltas = HostCountDeltas();
  host_delta_.clear();
  extra_delta_.clear();
  if (deltas.empty()) return Status::OK();
  SortedRunWriter run;
  count_runs_.push_back(tmp_dir_ + "/ns_counts-run-" + std::to_string(chunk));
  NSRADAR_RETURN_IF_ERROR(run.Open(count_runs_.back()));
  std::string encoded;
  for (const auto& [key, d] : deltas) {
    // Two's complement: a negative delta costs ten bytes, and they are few.
    encoded.clear();
    PutVarint64(&encoded, static_cast<uint64_t>(d.total));
    PutVarint64(&encoded, static_cast<uint64_t>(d.active));
    const std::string_view value = encoded;
    NSRADAR_RETURN_IF_ERROR(run.Add(key, &value));
  }
  return run.Finish();
}

Status SnapshotIngest::MergeChunkRuns() {
  // Each run is read through its own buffer, a share of a quarter of the
  // budget.
  const size_t runs = std::max<size_t>(edge_runs_.size() + count_runs_.size(), 1);
  const size_t buffer = std::clamp<size_t>(memory_budget_ / 4 / runs, 16 << 10, 4 << 20);
  int part = 0;
  uint64_t in_part = 0;
  NsBlockWriter blocks(writer_.store().NewIterator(kNsBlocks),
                       [&](std::string_view key, const std::string_view* value) -> Status {
                         if (in_part == PartEntries(memory_budget_)) {
                           NSRADAR_RETURN_IF_ERROR(write_.FinishPart(kNsBlocks, part++));
                           in_part = 0;
                         }
                         ++in_part;
                         return value ? write_.Put(kNsBlocks, key, *value, part) : write_.Delete(kNsBlocks, key, part);
                       });
  const Status edges = MergeSortedRuns(
      edge_runs_, buffer,
      [&](std::string_view key, const std::string_view* value) -> Status { return blocks.Change(key, value); });
  NSRADAR_RETURN_IF_ERROR(edges);
  NSRADAR_RETURN_IF_ERROR(blocks.Finish());
  NSRADAR_RETURN_IF_ERROR(write_.FinishPart(kNsBlocks, part));
  // A host's deltas from several chunks arrive together; they are summed,
  // then read and written in batches.
  std::vector<std::pair<std::string, CountDelta>> batch;
  const Status counts =
      MergeSortedRuns(count_runs_, buffer, [&](std::string_view key, const std::string_view* value) -> Status {
        std::string_view in = value ? *value : std::string_view();
        uint64_t total, active;
        if (!GetVarint64(&in, &total) || !GetVarint64(&in, &active)) {
          return Status::Corruption("count run of " + std::string(key) + " in " + tmp_dir_);
        }
        if (batch.empty() || batch.back().first != key) {
          if (batch.size() >= 65536) {
            NSRADAR_RETURN_IF_ERROR(ApplyCountDeltas(batch));
            batch.clear();
          }
          batch.emplace_back(std::string(key), CountDelta());
        }
        batch.back().second.total += static_cast<int64_t>(total);
        batch.back().second.active += static_cast<int64_t>(active);
        return Status::OK();
      });
  NSRADAR_RETURN_IF_ERROR(counts);
  return ApplyCountDeltas(batch);
}

std::vector<std::pair<std::string, SnapshotIngest::CountDelta>> SnapshotIngest::HostCountDeltas() const {
  std::vector<std::pair<std::string, CountDelta>> deltas;
  for (uint32_t h = 0; h < host_delta_.size(); ++h) {
    if (host_delta_[h].total || host_delta_[h].active) deltas.emplace_back(NsCountsKey(snap_->host(h)), host_delta_[h]);
  }
  for (const auto& [host, d] : extra_delta_) {
    if (d.total || d.active) deltas.emplace_back(NsCountsKey(host), d);
  }
  std::sort(deltas.begin(), deltas.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // A host can appear twice (in the snapshot and store-only); merge them.
  std::vector<std::pair<std::string, CountDelta>> merged;
  for (auto& p : deltas) {
    if (!merged.empty() && merged.back().first == p.first) {
      merged.back().second.total += p.second.total;
      merged.back().second.active += p.second.active;
    } else {
      merged.push_back(std::move(p));
    }
  }
  return merged;
}

Status SnapshotIngest::WriteNsCounts() { return ApplyCountDeltas(HostCountDeltas()); }

Status SnapshotIngest::ApplyCountDeltas(const std::vector<std::pair<std::string, CountDelta>>& deltas) {
  std::vector<rocksdb::Slice> keys;
  keys.reserve(deltas.size());
  for (const auto& p : deltas) keys.emplace_back(p.first);
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  writer_.store().MultiGet(kNsCounts, keys, &values, &statuses);
  std::string encoded;
  for (size_t i = 0; i < deltas.size(); ++i) {
    const auto& [key, delta] = deltas[i];
    NsCounts c;
    if (statuses[i].ok()) {
      if (!DecodeNsCounts(ToView(values[i]), &c)) return Status::Corruption("counts of " + key);
    } else if (!statuses[i].IsNotFound()) {
      return FromRocks(statuses[i], "reading counts");
    }
    const uint64_t before = c.total;
    c.total = static_cast<uint64_t>(static_cast<int64_t>(c.total) + delta.total);
    c.active = static_cast<uint64_t>(static_cast<int64_t>(c.active) + delta.active);
    if (before == 0 && c.total > 0) ++counter_delta_[kNameServerCount];
    if (before > 0 && c.total == 0) --counter_delta_[kNameServerCount];
    if (c.total == 0) {
      NSRADAR_RETURN_IF_ERROR(write_.Delete(kNsCounts, key));
    } else {
      encoded.clear();
      EncodeNsCounts(c, &encoded);
      NSRADAR_RETURN_IF_ERROR(write_.Put(kNsCounts, key, encoded));
    }
  }
  return Status::OK();
}

bool SnapshotIngest::UpdateGlue(const std::vector<SeenRun>* stored_runs, bool present,
                                std::optional<std::string>* value) {
  const bool existed = stored_runs != nullptr;
  edge_.zone_id = zone_.id;
  edge_.kind = zone::DomainKind::kRegistered;  // unused for glue
  if (existed) {
    edge_.runs = *stored_runs;
  } else {
    edge_.runs.clear();
  }
  if (!ApplyObservation(&edge_.runs, t_, present, prev_, next_) && existed) return false;
  const bool deleted = edge_.runs.empty();
  if (!existed) ++counter_delta_[kGlueCount];
  if (deleted) --counter_delta_[kGlueCount];
  if (!deleted) {
    value->emplace();
    edge_.EncodeTo(&**value);
  }
  return true;
}

// Glue follows the same snapshot semantics as edges, per zone: zone_glue is
// joined and written in its order, glue and glue_by_addr sorted after.
Status SnapshotIngest::JoinAndWriteGlue() {
  std::vector<std::pair<std::string, std::optional<std::string>>> by_host, by_address;
  SnapshotGlueCursor cur(*snap_);
  ZoneScan scan(writer_.store(), kZoneGlue, zone_.id);
  StoredGlueCursor stored(scan.get());
  std::string key;
  const Status joined =
      MergeJoin(stored, cur,
                [&](std::string_view host, std::string_view address, const std::vector<SeenRun>* stored_runs,
                    bool present) -> Status {
                  std::optional<std::string> value;
                  if (!UpdateGlue(stored_runs, present, &value)) return Status::OK();
                  key.clear();
                  AppendZoneGlueKey(&key, zone_.id, host, address);
                  NSRADAR_RETURN_IF_ERROR(write_.Set(kZoneGlue, key, value));
                  const GlueKey glue{host, address, zone_.id};
                  AppendGlueKey(&by_host.emplace_back(std::string(), value).first, glue);
                  AppendGlueByAddressKey(&by_address.emplace_back(std::string(), std::move(value)).first, glue);
                  return Status::OK();
                });
  NSRADAR_RETURN_IF_ERROR(joined);
  for (auto* ops : {&by_host, &by_address}) {
    std::sort(ops->begin(), ops->end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  for (const auto& [k, value] : by_host) NSRADAR_RETURN_IF_ERROR(write_.Set(kGlue, k, value));
  for (const auto& [k, value] : by_address) NSRADAR_RETURN_IF_ERROR(write_.Set(kGlueByAddr, k, value));
  return Status::OK();
}

// The zone table and the counters, in the default family's key order.
Status SnapshotIngest::WriteZoneTable() {
  SnapshotInfo info;
  info.observed_at = t_;
  info.serial = totals_.serial;
  info.has_serial = totals_.has_serial;
  info.domains = totals_.domains;
  info.edges = totals_.edges;
  info.source = source_;
  auto pos = std::lower_bound(zone_.snapshots.begin(), zone_.snapshots.end(), t_,
                              [](const SnapshotInfo& s, int64_t x) { return s.observed_at < x; });
  if (pos != zone_.snapshots.end() && pos->observed_at == t_) {
    *pos = info;
  } else {
    zone_.snapshots.insert(pos, info);
  }
  uint64_t counters[kCounterCount];
  NSRADAR_RETURN_IF_ERROR(writer_.store().ReadCounters(counters));
  std::vector<std::pair<std::string, std::string>> meta;
  for (int i = 0; i < kCounterCount; ++i) {
    std::string& value = meta.emplace_back(CounterKey(static_cast<Counter>(i)), std::string()).second;
    EncodeCounter(static_cast<uint64_t>(static_cast<int64_t>(counters[i]) + counter_delta_[i]), &value);
  }
  EncodeZoneInfo(zone_, &meta.emplace_back(ZoneTableKey(zone_.name), std::string()).second);
  std::sort(meta.begin(), meta.end());
  for (const auto& [k, value] : meta) NSRADAR_RETURN_IF_ERROR(write_.Put(kMeta, k, value));
  return Status::OK();
}

Status SnapshotIngest::Commit() {
  NSRADAR_RETURN_IF_ERROR(write_.Commit());
  if (bulk_ || spilled_) {
    std::error_code ec;
    fs::remove_all(tmp_dir_, ec);
  }
  writer_.PutZone(std::move(zone_));
  return Status::OK();
}

}  // namespace nsradar::nsdb
