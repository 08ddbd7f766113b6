#include "nsdb/store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "dns/name.h"
#include "nsdb/domain_record.h"
#include "nsdb/rocks_logger.h"
#include "util/varint.h"

namespace nsradar::nsdb {
namespace {

namespace fs = std::filesystem;

constexpr int kFormatVersion = 1;
constexpr const char* kCfNames[] = {"default",      "ns_edges",  "zone_domains",   "ns_counts",        "glue",
                                    "glue_by_addr", "zone_glue", "observed_edges", "observed_domains", "observed_glue",
                                    "alerts",       "intel"};
// The observed_* families hold what passive DNS saw (Store::Observe); they
// came after format 1's first stores, so a reader of an older store opens
// without them until a writer creates them.
enum Cf {
  kMeta = 0,
  kNsEdges,
  kZoneDomains,
  kNsCounts,
  kGlue,
  kGlueByAddr,
  kZoneGlue,
  kObservedEdges,
  kObservedDomains,
  kObservedGlue,
  kAlerts,  // detection alerts: domain \0 alert time (8 bytes BE) -> category \0 JSON
  kIntel,   // threat intelligence: kind byte, indicator -> category \0 source \0 time added (varint)
  kCfCount
};

const std::string kZonePrefix = "zone/";
const std::string kNextZoneId = "next_zone_id";
const std::string kFormatKey = "format";
const char* const kCounterNames[] = {"counter/edges", "counter/active_edges", "counter/domains", "counter/name_servers",
                                     "counter/glue"};
enum Counter { kEdges = 0, kActiveEdges, kDomains, kNameServers, kGlueCount, kCounterCount };

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::Busy(what + ": " + s.ToString());
  }
  return Status::IOError(what + ": " + s.ToString());
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

std::string ZonePrefix(uint32_t zone_id) {
  std::string k;
  PutFixed32BE(&k, zone_id);
  return k;
}

void AppendPair(std::string* k, std::string_view a, std::string_view b) {
  k->append(a);
  k->push_back('\0');
  k->append(b);
}

void EncodeCounts(const NsCounts& c, std::string* out) {
  PutVarint64(out, c.total);
  PutVarint64(out, c.active);
}
bool DecodeCounts(std::string_view in, NsCounts* c) {
  return GetVarint64(&in, &c->total) && GetVarint64(&in, &c->active) && in.empty();
}

void EncodeZone(const ZoneInfo& z, std::string* out) {
  PutVarint64(out, z.id);
  PutVarint64(out, z.snapshots.size());
  for (const auto& s : z.snapshots) {
    PutVarint64(out, static_cast<uint64_t>(s.observed_at));
    PutVarint64(out, s.serial);
    out->push_back(s.has_serial ? 1 : 0);
    PutVarint64(out, s.domains);
    PutVarint64(out, s.edges);
    PutVarint64(out, s.source.size());
    out->append(s.source);
  }
}
bool DecodeZone(std::string_view in, ZoneInfo* z) {
  uint64_t id, n;
  if (!GetVarint64(&in, &id) || !GetVarint64(&in, &n)) return false;
  z->id = static_cast<uint32_t>(id);
  z->snapshots.clear();
  for (uint64_t i = 0; i < n; ++i) {
    SnapshotInfo s;
    uint64_t t, serial, len;
    if (!GetVarint64(&in, &t) || !GetVarint64(&in, &serial) || in.empty()) return false;
    s.observed_at = static_cast<int64_t>(t);
    s.serial = static_cast<uint32_t>(serial);
    s.has_serial = in[0] != 0;
    in.remove_prefix(1);
    if (!GetVarint64(&in, &s.domains) || !GetVarint64(&in, &s.edges) || !GetVarint64(&in, &len) || len > in.size()) {
      return false;
    }
    s.source.assign(in.substr(0, len));
    in.remove_prefix(len);
    z->snapshots.push_back(std::move(s));
  }
  return in.empty();
}

rocksdb::ColumnFamilyOptions CfOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.format_version = 5;
  // Edge lists are read by range scans; larger blocks compress better and
  // cost little there. Point lookups (counts, zones) get bloom filters.
  if (cf == kNsEdges || cf == kZoneDomains || cf == kGlue || cf == kGlueByAddr || cf == kZoneGlue) {
    t.block_size = 64 * 1024;
    t.index_block_restart_interval = 16;
    t.block_restart_interval = 32;
  } else {
    t.block_size = 8 * 1024;
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rocksdb::kZSTD;
  o.bottommost_compression_opts.level = 6;
  o.bottommost_compression_opts.enabled = true;
  o.level_compaction_dynamic_level_bytes = true;
  o.write_buffer_size = 64 << 20;
  o.target_file_size_base = 64 << 20;
  return o;
}

}  // namespace

bool ParseKindFilter(std::string_view text, KindFilter* out) {
  if (text == "all") {
    *out = KindFilter::kAll;
  } else if (text == "registered") {
    *out = KindFilter::kRegistered;
  } else if (text == "subdomain") {
    *out = KindFilter::kSubdomain;
  } else if (text == "suffix") {
    *out = KindFilter::kSuffix;
  } else {
    return false;
  }
  return true;
}

const char* DomainEventName(DomainEvent::Type t) {
  switch (t) {
    case DomainEvent::Type::kCreated:
      return "created";
    case DomainEvent::Type::kNsAdded:
      return "ns_added";
    case DomainEvent::Type::kNsRemoved:
      return "ns_removed";
    case DomainEvent::Type::kDropped:
      return "dropped";
  }
  return "?";
}

std::vector<std::string> DomainInfo::current() const {
  std::vector<std::string> out;
  for (const auto& e : edges) {
    if (e.value.active()) out.push_back(e.ns);
  }
  return out;
}

class Store::Impl {
 public:
  ~Impl() {
    // Flushing now spares the next open (often a reader) a log replay.
    std::vector<rocksdb::ColumnFamilyHandle*> open;
    for (auto* h : handles_) {
      if (h) open.push_back(h);
    }
    if (db_ && !options_.read_only) db_->Flush(rocksdb::FlushOptions(), open);
    for (auto* h : open) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_.reset();
    if (!secondary_dir_.empty()) {
      std::error_code ec;
      fs::remove_all(secondary_dir_, ec);
    }
  }

  Status Open(const std::string& dir, const StoreOptions& options);
  Status Ingest(const zone::ZoneSnapshot& snap, int64_t t, const std::string& source, IngestResult* r);

  // Zone table, loaded at open and kept current by the writer.
  std::map<std::string, ZoneInfo, std::less<>> zones_;
  // Readers look zones up while the writer replaces entries: zones_mu_
  // guards both maps (the writer, the only one that changes them, reads them
  // without it). zone_by_id_ points into zones_, whose nodes never move.
  mutable std::shared_mutex zones_mu_;
  std::unordered_map<uint32_t, const ZoneInfo*> zone_by_id_;
  uint32_t next_zone_id_ = 1;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::string dir_;
  std::string secondary_dir_;
  StoreOptions options_;
  std::shared_ptr<rocksdb::Cache> cache_;
  mutable std::mutex write_mu_;
  // A failed write (a full disk) leaves RocksDB refusing every write until
  // its error is cleared; the next write first asks it to resume, which
  // works once the cause is gone. Guarded by write_mu_.
  bool write_failed_ = false;

  Status ResumeAfterFailure() {
    if (!write_failed_) return Status::OK();
    NSRADAR_RETURN_IF_ERROR(FromRocks(db_->Resume(), "resuming writes after a failed write"));
    write_failed_ = false;
    return Status::OK();
  }
  Status Written(const Status& s) {
    if (!s.ok()) write_failed_ = true;
    return s;
  }

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return handles_[c]; }
  int64_t ZoneLatest(uint32_t id) const {
    std::shared_lock lock(zones_mu_);
    auto it = zone_by_id_.find(id);
    return it == zone_by_id_.end() ? 0 : it->second->latest();
  }
  std::string ZoneName(uint32_t id) const {
    std::shared_lock lock(zones_mu_);
    auto it = zone_by_id_.find(id);
    return it == zone_by_id_.end() ? "?" : it->second->name;
  }
  std::optional<ZoneInfo> FindZone(std::string_view name) const {
    std::shared_lock lock(zones_mu_);
    auto it = zones_.find(name);
    if (it == zones_.end()) return std::nullopt;
    return it->second;
  }
  void PutZone(ZoneInfo zone) {
    std::unique_lock lock(zones_mu_);
    next_zone_id_ = std::max(next_zone_id_, zone.id + 1);
    ZoneInfo& slot = zones_[zone.name];
    slot = std::move(zone);
    zone_by_id_[slot.id] = &slot;
  }
  Status LoadMeta();
  Status ReadCounters(uint64_t out[kCounterCount]) const;
  // Whether passive DNS saw any domain on `ns`.
  bool HasObserved(std::string_view ns) const;
  // Whether the store holds any observation at all; when not, queries skip
  // the observed families (an iterator costs microseconds per request).
  std::atomic<bool> any_observed_{false};
  void RefreshAnyObserved() {
    if (!cf(kObservedEdges)) return;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kObservedEdges)));
    it->SeekToFirst();
    any_observed_ = it->Valid();
  }
};

Status Store::Impl::Open(const std::string& dir, const StoreOptions& options) {
  dir_ = dir;
  options_ = options;
  cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = !options.read_only;
  db_opts.create_missing_column_families = !options.read_only;
  db_opts.max_background_jobs = 2;
  db_opts.max_open_files = options.read_only ? -1 : 1000;
  db_opts.info_log = std::make_shared<RocksLogger>();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  std::vector<int> cf_ids;  // the Cf of each descriptor
  std::vector<std::string> existing;
  if (options.read_only) {
    if (!fs::exists(fs::path(dir) / "CURRENT")) return Status::NotFound("no nsradar store at " + dir);
    NSRADAR_RETURN_IF_ERROR(
        FromRocks(rocksdb::DB::ListColumnFamilies(db_opts, dir, &existing), "listing column families of " + dir));
  }
  for (int c = 0; c < kCfCount; ++c) {
    if (options.read_only && std::find(existing.begin(), existing.end(), kCfNames[c]) == existing.end()) {
      if (c < kObservedEdges) return Status::Corruption(dir + ": column family " + kCfNames[c] + " is missing");
      continue;
    }
    cfs.emplace_back(kCfNames[c], CfOptions(static_cast<Cf>(c), cache_));
    cf_ids.push_back(c);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  if (options.read_only) {
    char tmpl[] = "/tmp/nsradar-reader-XXXXXX";
    if (!mkdtemp(tmpl)) return Status::IOError("cannot create a directory for the read-only store");
    secondary_dir_ = tmpl;
    s = rocksdb::DB::OpenAsSecondary(db_opts, dir, secondary_dir_, cfs, &opened, &raw);
  } else {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError("cannot create store directory " + dir + ": " + ec.message());
    fs::remove_all(fs::path(dir) / "ingest-tmp", ec);  // SST files of an interrupted ingest
    s = rocksdb::DB::Open(db_opts, dir, cfs, &opened, &raw);
  }
  if (!s.ok()) return FromRocks(s, "opening store " + dir);
  db_.reset(raw);
  handles_.assign(kCfCount, nullptr);
  for (size_t i = 0; i < opened.size(); ++i) handles_[cf_ids[i]] = opened[i];
  RefreshAnyObserved();
  if (!options.read_only) {
    std::string v;
    rocksdb::Status g = db_->Get(rocksdb::ReadOptions(), cf(kMeta), kFormatKey, &v);
    if (g.IsNotFound()) {
      NSRADAR_RETURN_IF_ERROR(
          FromRocks(db_->Put(rocksdb::WriteOptions(), cf(kMeta), kFormatKey, std::to_string(kFormatVersion)),
                    "writing store format"));
    } else if (!g.ok() || v != std::to_string(kFormatVersion)) {
      return Status::Corruption(dir + ": store format " + v + " is not " + std::to_string(kFormatVersion));
    }
  }
  return LoadMeta();
}

Status Store::Impl::LoadMeta() {
  // Built aside and swapped in, so readers wait only for the swap. Swapping
  // std::maps moves no nodes: the pointers in zone_by_id stay valid.
  std::map<std::string, ZoneInfo, std::less<>> zones;
  std::unordered_map<uint32_t, const ZoneInfo*> zone_by_id;
  uint32_t next_id = 1;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kMeta)));
  for (it->Seek(kZonePrefix); it->Valid() && it->key().starts_with(kZonePrefix); it->Next()) {
    ZoneInfo z;
    z.name.assign(it->key().data() + kZonePrefix.size(), it->key().size() - kZonePrefix.size());
    if (!DecodeZone(ToView(it->value()), &z)) return Status::Corruption("zone table entry for " + z.name);
    next_id = std::max(next_id, z.id + 1);
    ZoneInfo& slot = zones[z.name];
    slot = std::move(z);
    zone_by_id[slot.id] = &slot;
  }
  NSRADAR_RETURN_IF_ERROR(FromRocks(it->status(), "reading zone table"));
  std::unique_lock lock(zones_mu_);
  zones_.swap(zones);
  zone_by_id_.swap(zone_by_id);
  next_zone_id_ = std::max(next_zone_id_, next_id);
  return Status::OK();
}

Status Store::Impl::ReadCounters(uint64_t out[kCounterCount]) const {
  for (int i = 0; i < kCounterCount; ++i) {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kMeta), kCounterNames[i], &v);
    out[i] = 0;
    if (s.IsNotFound()) continue;
    NSRADAR_RETURN_IF_ERROR(FromRocks(s, "reading counters"));
    std::string_view in(v);
    if (!GetVarint64(&in, &out[i])) return Status::Corruption(std::string("counter ") + kCounterNames[i]);
  }
  return Status::OK();
}

namespace {

// Where one atomic snapshot write goes: a WriteBatch, or one SST file per
// column family ingested together. Keys must arrive in order per column
// family for the SST form. In that form different column families may be
// written from different threads; the WriteBatch form is single-threaded.
class AtomicWrite {
 public:
  AtomicWrite(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles, bool bulk, std::string tmp_dir)
      : db_(db), handles_(handles), bulk_(bulk), tmp_dir_(std::move(tmp_dir)) {}

  // In the SST form a column family may be written as several files, part 0
  // holding the lowest keys. Reserve creates them up front so that threads
  // can then fill different parts at once.
  Status Reserve(Cf c, int parts) {
    for (int p = 0; p < parts && bulk_; ++p) NSRADAR_RETURN_IF_ERROR(Writer(c, p));
    return Status::OK();
  }
  Status Put(Cf c, std::string_view k, std::string_view v, int part = 0) {
    if (!bulk_) return FromRocks(batch_.Put(handles_[c], ToSlice(k), ToSlice(v)), "batch");
    NSRADAR_RETURN_IF_ERROR(Writer(c, part));
    ++parts_[c][part].entries;
    return FromRocks(parts_[c][part].writer->Put(ToSlice(k), ToSlice(v)),
                     std::string("writing SST for ") + kCfNames[c]);
  }
  Status Delete(Cf c, std::string_view k, int part = 0) {
    if (!bulk_) return FromRocks(batch_.Delete(handles_[c], ToSlice(k)), "batch");
    NSRADAR_RETURN_IF_ERROR(Writer(c, part));
    ++parts_[c][part].entries;
    return FromRocks(parts_[c][part].writer->Delete(ToSlice(k)), std::string("writing SST for ") + kCfNames[c]);
  }

  Status Commit() {
    if (!bulk_) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      return FromRocks(db_->Write(wo, &batch_), "writing snapshot");
    }
    std::vector<rocksdb::IngestExternalFileArg> args;
    for (int c = 0; c < kCfCount; ++c) {
      rocksdb::IngestExternalFileArg a;
      for (auto& part : parts_[c]) {
        if (!part.writer || part.entries == 0) continue;
        rocksdb::ExternalSstFileInfo info;
        NSRADAR_RETURN_IF_ERROR(FromRocks(part.writer->Finish(&info), "finishing SST"));
        a.external_files.push_back(info.file_path);
      }
      if (a.external_files.empty()) continue;
      a.column_family = handles_[c];
      a.options.move_files = true;
      a.options.allow_blocking_flush = true;
      args.push_back(std::move(a));
    }
    if (args.empty()) return Status::OK();
    return FromRocks(db_->IngestExternalFiles(args), "ingesting snapshot SST files");
  }

 private:
  struct Part {
    std::unique_ptr<rocksdb::SstFileWriter> writer;
    uint64_t entries = 0;
  };

  Status Writer(Cf c, int part) {
    auto& parts = parts_[c];
    if (parts.size() <= static_cast<size_t>(part)) parts.resize(static_cast<size_t>(part) + 1);
    if (parts[part].writer) return Status::OK();
    rocksdb::Options o(rocksdb::DBOptions(), db_->GetOptions(handles_[c]));
    // The file lands in the bottom level when nothing overlaps: compress it
    // as the bottom level would.
    o.compression = rocksdb::kZSTD;
    o.compression_opts.level = 3;
    parts[part].writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), o, handles_[c]);
    std::string path = tmp_dir_ + "/" + kCfNames[c] + "-" + std::to_string(part) + ".sst";
    return FromRocks(parts[part].writer->Open(path), "creating " + path);
  }

  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles_;
  bool bulk_;
  std::string tmp_dir_;
  rocksdb::WriteBatch batch_;
  std::vector<Part> parts_[kCfCount];
};

struct CountDelta {
  int64_t total = 0;
  int64_t active = 0;
};

// Walks a zone's stored pairs and a snapshot's pairs together, both in
// (a, b) order. `visit(a, b, stored runs, in_snapshot)` sees every pair once;
// the stored runs are null for pairs only in the snapshot. The views are
// valid during the call only.
template <typename Stored, typename Snapshot, typename Visit>
Status MergeJoin(Stored& stored, Snapshot& cur, Visit&& visit) {
  for (;;) {
    const bool have_snap = cur.Valid(), have_db = stored.Valid();
    if (!have_snap && !have_db) break;
    int order;  // < 0: only stored, 0: both, > 0: only in the snapshot
    if (!have_db) {
      order = 1;
    } else if (!have_snap) {
      order = -1;
    } else {
      int c = cur.a().compare(stored.a());
      if (c == 0) c = cur.b().compare(stored.b());
      order = c < 0 ? 1 : (c > 0 ? -1 : 0);
    }
    NSRADAR_RETURN_IF_ERROR(visit(order >= 0 ? cur.a() : stored.a(), order >= 0 ? cur.b() : stored.b(),
                                  order <= 0 ? &stored.runs() : nullptr, order >= 0));
    if (order <= 0) NSRADAR_RETURN_IF_ERROR(stored.Next());
    if (order >= 0) cur.Next();
  }
  return stored.status();
}

// A zone's delegations as stored in zone_domains, one record per domain,
// walked as (domain, host, runs) triples.
class StoredDomainCursor {
 public:
  StoredDomainCursor(rocksdb::Iterator* it, size_t prefix_length, std::string zone)
      : it_(it), prefix_length_(prefix_length), zone_(std::move(zone)) {
    LoadRecord();
  }
  bool Valid() const { return valid_ && status_.ok(); }
  std::string_view a() const { return domain_; }
  std::string_view b() const { return host_; }
  const std::vector<SeenRun>& runs() const { return runs_; }
  zone::DomainKind kind() const { return record_.kind(); }
  const Status& status() const { return status_; }
  Status Next() {
    if (!ReadHost()) {
      it_->Next();
      LoadRecord();
    }
    return status_;
  }

 private:
  void LoadRecord() {
    valid_ = false;
    if (!it_->Valid()) {
      status_ = FromRocks(it_->status(), "scanning zone " + zone_);
      return;
    }
    domain_ = ToView(it_->key()).substr(prefix_length_);
    if (!record_.Open(ToView(it_->value())) || !ReadHost()) {
      status_ = Status::Corruption("zone_domains record of " + std::string(domain_) + " in zone " + zone_);
    }
  }
  // False at the end of the record (or on corruption, which sets status_).
  bool ReadHost() {
    valid_ = record_.Next(&host_, &runs_);
    if (!valid_ && record_.corrupt()) {
      status_ = Status::Corruption("zone_domains record of " + std::string(domain_) + " in zone " + zone_);
    }
    return valid_;
  }

  rocksdb::Iterator* it_;
  size_t prefix_length_;
  std::string zone_;
  std::string_view domain_, host_;
  DomainRecordReader record_;
  std::vector<SeenRun> runs_;
  bool valid_ = false;
  Status status_;
};

// A zone's glue as stored in zone_glue: key prefix host \0 address, value an
// EdgeValue.
class StoredGlueCursor {
 public:
  StoredGlueCursor(rocksdb::Iterator* it, size_t prefix_length) : it_(it), prefix_length_(prefix_length) { Load(); }
  bool Valid() const { return it_->Valid() && status_.ok(); }
  std::string_view a() const { return host_; }
  std::string_view b() const { return addr_; }
  const std::vector<SeenRun>& runs() const { return value_.runs; }
  const Status& status() const { return status_; }
  Status Next() {
    it_->Next();
    Load();
    return status_;
  }

 private:
  void Load() {
    if (!it_->Valid()) {
      status_ = FromRocks(it_->status(), "scanning glue");
      return;
    }
    std::string_view k = ToView(it_->key()).substr(prefix_length_);
    size_t z = k.find('\0');
    if (z == std::string_view::npos || !EdgeValue::Decode(ToView(it_->value()), &value_)) {
      status_ = Status::Corruption("zone_glue entry");
      return;
    }
    host_ = k.substr(0, z);
    addr_ = k.substr(z + 1);
  }
  rocksdb::Iterator* it_;
  size_t prefix_length_;
  std::string_view host_, addr_;
  EdgeValue value_;
  Status status_;
};

// The snapshot's delegations as (domain, host) pairs in key order.
class EdgeCursor {
 public:
  explicit EdgeCursor(const zone::ZoneSnapshot& s) : s_(s) { Settle(); }
  bool Valid() const { return domain_ < s_.domain_count(); }
  std::string_view a() const { return s_.domain(domain_); }
  std::string_view b() const { return s_.host(*host_); }
  uint32_t domain_index() const { return static_cast<uint32_t>(domain_); }
  uint32_t host_rank() const { return *host_; }
  void Next() {
    if (++host_ == s_.hosts_end(domain_)) {
      ++domain_;
      Settle();
    }
  }

 private:
  void Settle() {
    while (domain_ < s_.domain_count() && s_.hosts_begin(domain_) == s_.hosts_end(domain_)) ++domain_;
    if (domain_ < s_.domain_count()) host_ = s_.hosts_begin(domain_);
  }
  const zone::ZoneSnapshot& s_;
  size_t domain_ = 0;
  const uint32_t* host_ = nullptr;
};

// The snapshot's glue as (host, address key) pairs in key order.
class GlueCursor {
 public:
  explicit GlueCursor(const zone::ZoneSnapshot& s) : s_(s) { Load(); }
  bool Valid() const { return i_ < s_.glue().size(); }
  std::string_view a() const { return s_.host(s_.glue()[i_].host); }
  std::string_view b() const { return addr_; }
  void Next() {
    ++i_;
    Load();
  }

 private:
  void Load() {
    if (Valid()) addr_ = s_.glue()[i_].address.ToKey();
  }
  const zone::ZoneSnapshot& s_;
  size_t i_ = 0;
  std::string addr_;
};

std::unique_ptr<rocksdb::Iterator> ZoneScan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint32_t zone_id,
                                            std::string* upper, rocksdb::Slice* upper_slice) {
  *upper = ZonePrefix(zone_id + 1);
  *upper_slice = rocksdb::Slice(*upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = upper_slice;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  it->Seek(ZonePrefix(zone_id));
  return it;
}

}  // namespace

Status Store::Impl::Ingest(const zone::ZoneSnapshot& snap, int64_t t, const std::string& source, IngestResult* r) {
  if (t < 0) return Status::InvalidArgument("observation time must not be before 1970");
  std::lock_guard<std::mutex> lock(write_mu_);
  NSRADAR_RETURN_IF_ERROR(ResumeAfterFailure());
  *r = IngestResult();
  r->zone = snap.apex();
  r->observed_at = t;
  r->domains = snap.domain_count();
  r->edges = snap.edge_count();
  r->glue = snap.glue().size();

  ZoneInfo zone;
  auto zit = zones_.find(snap.apex());
  if (zit != zones_.end()) {
    zone = zit->second;
  } else {
    zone.id = next_zone_id_;
    zone.name = snap.apex();
  }
  std::optional<int64_t> prev, next;
  for (const auto& s : zone.snapshots) {
    if (s.observed_at < t) prev = s.observed_at;
    if (s.observed_at > t && !next) next = s.observed_at;
    if (s.observed_at == t) r->replaced_existing = true;
  }

  const bool bulk = snap.edge_count() > options_.batch_limit;
  r->bulk = bulk;
  std::string tmp = dir_ + "/ingest-tmp";
  if (bulk) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) return Status::IOError("cannot create " + tmp + ": " + ec.message());
  }
  AtomicWrite w(db_.get(), handles_, bulk, tmp);
  int64_t counter_delta[kCounterCount] = {};
  const std::string prefix = ZonePrefix(zone.id);
  std::string upper, key;
  rocksdb::Slice upper_slice;
  EdgeValue v;

  // Delegations. The merge-join visits every edge of the zone in (domain,
  // host) order and records what changed: per edge for ns_edges (by host rank
  // and domain index when the edge is in this snapshot, with its names when
  // it is only in the store), and per domain for zone_domains, whose record
  // is rewritten whole when any of its edges changed. Writing follows, on
  // both cores when it goes to SST files.
  constexpr uint32_t kStoreOnly = UINT32_MAX;
  struct EdgeChange {
    uint32_t host;    // rank in the snapshot
    uint32_t domain;  // index in the snapshot
    uint64_t value;   // offset << 24 | length, into `values`
  };
  struct StoreOnlyChange {
    std::string domain, host;
    std::optional<std::string> value;  // none: delete
  };
  struct DomainChange {
    uint32_t domain;  // index in the snapshot, or kStoreOnly
    uint32_t name;    // index into store_only_domains when kStoreOnly
    uint64_t value;   // offset << 24 | length, into `records`; length 0: delete
  };
  std::vector<EdgeChange> changes;  // of edges in this snapshot, in zone order
  std::vector<StoreOnlyChange> store_only;
  std::unordered_map<std::string, uint64_t> value_refs;
  std::string encoded;
  std::vector<DomainChange> domain_changes;
  std::vector<std::string> store_only_domains;
  std::string values, records;
  std::vector<CountDelta> host_delta(snap.host_count());
  std::map<std::string, CountDelta> extra_delta;

  // The domain being visited: its new record and what happened to it.
  std::string cur_domain;
  DomainRecordWriter record;
  uint32_t cur_snap_index = kStoreOnly;
  zone::DomainKind cur_kind = zone::DomainKind::kRegistered;
  bool domain_had = false, domain_changed = false, domain_started = false;
  auto finish_domain = [&]() {
    if (!domain_started) return;
    const bool has = record.size() > 0;
    if (!domain_had && has) ++counter_delta[kDomains];
    if (domain_had && !has) --counter_delta[kDomains];
    if (!domain_changed) return;
    DomainChange dc{cur_snap_index, 0, 0};
    if (cur_snap_index == kStoreOnly) {
      dc.name = static_cast<uint32_t>(store_only_domains.size());
      store_only_domains.push_back(cur_domain);
    }
    if (has) {
      size_t offset = records.size();
      record.AppendTo(cur_kind, &records);
      dc.value = offset << 24 | (records.size() - offset);
    }
    domain_changes.push_back(dc);
  };
  {
    EdgeCursor cur(snap);
    auto it = ZoneScan(db_.get(), cf(kZoneDomains), zone.id, &upper, &upper_slice);
    StoredDomainCursor stored(it.get(), prefix.size(), zone.name);
    Status joined = MergeJoin(stored, cur,
                              [&](std::string_view domain, std::string_view host,
                                  const std::vector<SeenRun>* stored_runs, bool present) -> Status {
                                if (!domain_started || domain != cur_domain) {
                                  finish_domain();
                                  cur_domain.assign(domain);
                                  domain_started = true;
                                  domain_had = domain_changed = false;
                                  record.Clear();
                                  cur_snap_index = kStoreOnly;
                                }
                                const bool existed = stored_runs != nullptr;
                                v.zone_id = zone.id;
                                if (present) {
                                  cur_snap_index = cur.domain_index();
                                  cur_kind = v.kind = snap.domain_kind(cur.domain_index());
                                } else {
                                  cur_kind = v.kind = stored.kind();
                                }
                                if (existed) {
                                  v.runs = *stored_runs;
                                } else {
                                  v.runs.clear();
                                }
                                const bool was_active = existed && v.active();
                                const bool changed = ApplyObservation(&v.runs, t, present, prev, next) || !existed;
                                domain_had |= existed;
                                if (!v.runs.empty()) {
                                  record.Add(host, v.runs);
                                }
                                if (!changed) return Status::OK();
                                domain_changed = true;
                                const bool deleted = v.runs.empty();
                                CountDelta d;
                                d.total = existed ? (deleted ? -1 : 0) : 1;
                                d.active = static_cast<int64_t>(v.active()) - static_cast<int64_t>(was_active);
                                counter_delta[kEdges] += d.total;
                                counter_delta[kActiveEdges] += d.active;
                                ++r->edges_changed;
                                if (!existed) ++r->edges_added;
                                if (existed && !present) ++r->edges_removed;
                                if (present) {
                                  // Most edges of a snapshot share one of a few values; keep each once.
                                  encoded.clear();
                                  v.EncodeTo(&encoded);
                                  auto known = value_refs.find(encoded);
                                  uint64_t ref;
                                  if (known != value_refs.end()) {
                                    ref = known->second;
                                  } else {
                                    ref = values.size() << 24 | encoded.size();
                                    values.append(encoded);
                                    if (value_refs.size() < 65536) value_refs.emplace(encoded, ref);
                                  }
                                  changes.push_back(EdgeChange{cur.host_rank(), cur.domain_index(), ref});
                                  host_delta[cur.host_rank()].total += d.total;
                                  host_delta[cur.host_rank()].active += d.active;
                                } else {
                                  StoreOnlyChange c{std::string(domain), std::string(host), std::nullopt};
                                  if (!deleted) {
                                    c.value.emplace();
                                    v.EncodeTo(&*c.value);
                                  }
                                  store_only.push_back(std::move(c));
                                  auto& ed = extra_delta[std::string(host)];
                                  ed.total += d.total;
                                  ed.active += d.active;
                                }
                                return Status::OK();
                              });
    NSRADAR_RETURN_IF_ERROR(joined);
    finish_domain();
  }
  auto value_of = [&](const EdgeChange& c) {
    return std::string_view(values).substr(c.value >> 24, c.value & 0xffffff);
  };
  auto write_zone_domains = [&]() -> Status {
    std::string k;
    for (const DomainChange& c : domain_changes) {
      k.assign(prefix);
      k.append(c.domain == kStoreOnly ? std::string_view(store_only_domains[c.name]) : snap.domain(c.domain));
      if ((c.value & 0xffffff) == 0) {
        NSRADAR_RETURN_IF_ERROR(w.Delete(kZoneDomains, k));
      } else {
        NSRADAR_RETURN_IF_ERROR(
            w.Put(kZoneDomains, k, std::string_view(records).substr(c.value >> 24, c.value & 0xffffff)));
      }
    }
    return Status::OK();
  };
  // ns_edges order is (host, domain): a stable counting sort by host rank
  // keeps the domain order within each host. The sorted run is cut into
  // parts, each its own SST file in bulk mode, so both cores can write.
  std::vector<EdgeChange> by_host(changes.size());
  {
    std::vector<uint64_t> start(snap.host_count() + 1, 0);
    for (const EdgeChange& c : changes) ++start[c.host + 1];
    for (size_t h = 1; h < start.size(); ++h) start[h] += start[h - 1];
    for (const EdgeChange& c : changes) by_host[start[c.host]++] = c;
    changes = {};  // the zone_domains writer works from domain_changes
  }
  std::vector<std::pair<std::string, const StoreOnlyChange*>> extra;
  for (const auto& so : store_only) {
    std::string k;
    AppendPair(&k, so.host, so.domain);
    extra.emplace_back(std::move(k), &so);
  }
  std::sort(extra.begin(), extra.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const int ns_parts = bulk && by_host.size() > 100000 ? 8 : 1;
  auto ns_key = [&](const EdgeChange& c, std::string* k) {
    k->clear();
    AppendPair(k, snap.host(c.host), snap.domain(c.domain));
  };
  auto write_ns_part = [&](int part) -> Status {
    size_t begin = by_host.size() * static_cast<size_t>(part) / ns_parts;
    size_t end = by_host.size() * static_cast<size_t>(part + 1) / ns_parts;
    // Store-only changes belong to the part whose key range holds them.
    std::string k, bound;
    auto lower = extra.begin();
    if (part > 0) {
      ns_key(by_host[begin], &bound);
      lower = std::lower_bound(extra.begin(), extra.end(), bound,
                               [](const auto& e, const std::string& b) { return e.first < b; });
    }
    auto last = extra.end();
    if (part + 1 < ns_parts) {
      ns_key(by_host[end], &bound);
      last = std::lower_bound(extra.begin(), extra.end(), bound,
                              [](const auto& e, const std::string& b) { return e.first < b; });
    }
    auto emit_extra = [&](const std::pair<std::string, const StoreOnlyChange*>& e) {
      return e.second->value ? w.Put(kNsEdges, e.first, *e.second->value, part) : w.Delete(kNsEdges, e.first, part);
    };
    for (size_t i = begin; i < end; ++i) {
      ns_key(by_host[i], &k);
      for (; lower != last && lower->first < k; ++lower) NSRADAR_RETURN_IF_ERROR(emit_extra(*lower));
      NSRADAR_RETURN_IF_ERROR(w.Put(kNsEdges, k, value_of(by_host[i]), part));
    }
    for (; lower != last; ++lower) NSRADAR_RETURN_IF_ERROR(emit_extra(*lower));
    return Status::OK();
  };
  // Task 0 writes zone_domains, task p+1 the ns_edges part p; in bulk mode two
  // workers take tasks as they finish, in batch mode one does them in order.
  {
    NSRADAR_RETURN_IF_ERROR(w.Reserve(kZoneDomains, 1));
    NSRADAR_RETURN_IF_ERROR(w.Reserve(kNsEdges, ns_parts));
    const int tasks = 1 + ns_parts;
    std::atomic<int> next_task{0};
    std::vector<Status> results(tasks);
    auto work = [&] {
      for (int i; (i = next_task.fetch_add(1)) < tasks;)
        results[i] = i == 0 ? write_zone_domains() : write_ns_part(i - 1);
    };
    if (bulk) {
      std::thread helper(work);
      work();
      helper.join();
    } else {
      work();
    }
    for (const Status& st : results) NSRADAR_RETURN_IF_ERROR(st);
  }
  by_host = {};
  store_only = {};
  domain_changes = {};
  records = {};
  values = {};

  // Per-host counts, keyed by reversed name; written as absolute values.
  {
    std::vector<std::pair<std::string, CountDelta>> deltas;
    for (uint32_t h = 0; h < host_delta.size(); ++h) {
      if (host_delta[h].total || host_delta[h].active) {
        deltas.emplace_back(dns::ReverseLabels(snap.host(h)), host_delta[h]);
      }
    }
    for (auto& [host, d] : extra_delta) {
      if (d.total || d.active) deltas.emplace_back(dns::ReverseLabels(host), d);
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
    std::vector<rocksdb::Slice> keys;
    keys.reserve(merged.size());
    for (const auto& p : merged) keys.emplace_back(p.first);
    std::vector<rocksdb::PinnableSlice> vals(keys.size());
    std::vector<rocksdb::Status> sts(keys.size());
    if (!keys.empty()) {
      db_->MultiGet(rocksdb::ReadOptions(), cf(kNsCounts), keys.size(), keys.data(), vals.data(), sts.data());
    }
    std::string cv;
    for (size_t i = 0; i < merged.size(); ++i) {
      NsCounts c;
      if (sts[i].ok()) {
        if (!DecodeCounts(ToView(vals[i]), &c)) return Status::Corruption("counts of " + merged[i].first);
      } else if (!sts[i].IsNotFound()) {
        return FromRocks(sts[i], "reading counts");
      }
      uint64_t before = c.total;
      c.total = static_cast<uint64_t>(static_cast<int64_t>(c.total) + merged[i].second.total);
      c.active = static_cast<uint64_t>(static_cast<int64_t>(c.active) + merged[i].second.active);
      if (before == 0 && c.total > 0) ++counter_delta[kNameServers];
      if (before > 0 && c.total == 0) --counter_delta[kNameServers];
      if (c.total == 0) {
        NSRADAR_RETURN_IF_ERROR(w.Delete(kNsCounts, merged[i].first));
      } else {
        cv.clear();
        EncodeCounts(c, &cv);
        NSRADAR_RETURN_IF_ERROR(w.Put(kNsCounts, merged[i].first, cv));
      }
    }
  }

  // Glue follows the same snapshot semantics as edges, per zone.
  {
    std::vector<std::pair<std::string, std::optional<std::string>>> glue_by_host, by_addr;
    GlueCursor cur(snap);
    auto it = ZoneScan(db_.get(), cf(kZoneGlue), zone.id, &upper, &upper_slice);
    StoredGlueCursor stored(it.get(), prefix.size());
    Status joined =
        MergeJoin(stored, cur,
                  [&](std::string_view host, std::string_view addr, const std::vector<SeenRun>* stored_runs,
                      bool present) -> Status {
                    const bool existed = stored_runs != nullptr;
                    v.zone_id = zone.id;
                    v.kind = zone::DomainKind::kRegistered;  // unused for glue
                    if (existed) {
                      v.runs = *stored_runs;
                    } else {
                      v.runs.clear();
                    }
                    if (!ApplyObservation(&v.runs, t, present, prev, next) && existed) return Status::OK();
                    const bool deleted = v.runs.empty();
                    if (!existed) ++counter_delta[kGlueCount];
                    if (deleted) --counter_delta[kGlueCount];
                    std::optional<std::string> val;
                    if (!deleted) {
                      val.emplace();
                      v.EncodeTo(&*val);
                    }
                    key.assign(prefix);
                    AppendPair(&key, host, addr);
                    NSRADAR_RETURN_IF_ERROR(deleted ? w.Delete(kZoneGlue, key) : w.Put(kZoneGlue, key, *val));
                    std::string hk;
                    AppendPair(&hk, host, addr);
                    PutFixed32BE(&hk, zone.id);
                    glue_by_host.emplace_back(std::move(hk), val);
                    std::string ak(addr);
                    AppendPair(&ak, host, "");
                    PutFixed32BE(&ak, zone.id);
                    by_addr.emplace_back(std::move(ak), std::move(val));
                    return Status::OK();
                  });
    NSRADAR_RETURN_IF_ERROR(joined);
    for (auto* ops : {&glue_by_host, &by_addr}) {
      std::sort(ops->begin(), ops->end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    for (const auto& [k, val] : glue_by_host) NSRADAR_RETURN_IF_ERROR(val ? w.Put(kGlue, k, *val) : w.Delete(kGlue, k));
    for (const auto& [k, val] : by_addr) {
      NSRADAR_RETURN_IF_ERROR(val ? w.Put(kGlueByAddr, k, *val) : w.Delete(kGlueByAddr, k));
    }
  }

  // Zone table and counters: the default column family, in key order.
  {
    SnapshotInfo info;
    info.observed_at = t;
    info.serial = snap.serial();
    info.has_serial = snap.has_serial();
    info.domains = snap.domain_count();
    info.edges = snap.edge_count();
    info.source = source;
    auto pos = std::lower_bound(zone.snapshots.begin(), zone.snapshots.end(), t,
                                [](const SnapshotInfo& s, int64_t x) { return s.observed_at < x; });
    if (pos != zone.snapshots.end() && pos->observed_at == t) {
      *pos = info;
    } else {
      zone.snapshots.insert(pos, info);
    }
    uint64_t counters[kCounterCount];
    NSRADAR_RETURN_IF_ERROR(ReadCounters(counters));
    std::vector<std::pair<std::string, std::string>> meta;
    for (int i = 0; i < kCounterCount; ++i) {
      std::string cvv;
      PutVarint64(&cvv, static_cast<uint64_t>(static_cast<int64_t>(counters[i]) + counter_delta[i]));
      meta.emplace_back(kCounterNames[i], std::move(cvv));
    }
    std::string zv;
    EncodeZone(zone, &zv);
    meta.emplace_back(kZonePrefix + zone.name, std::move(zv));
    std::sort(meta.begin(), meta.end());
    for (const auto& [k, val] : meta) NSRADAR_RETURN_IF_ERROR(w.Put(kMeta, k, val));
  }

  NSRADAR_RETURN_IF_ERROR(Written(w.Commit()));
  if (bulk) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }
  PutZone(std::move(zone));
  return Status::OK();
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Status Store::Open(const std::string& dir, const StoreOptions& options, std::unique_ptr<Store>* out) {
  auto impl = std::make_unique<Impl>();
  NSRADAR_RETURN_IF_ERROR(impl->Open(dir, options));
  out->reset(new Store(std::move(impl)));
  return Status::OK();
}

Status Store::IngestSnapshot(const zone::ZoneSnapshot& snap, int64_t observed_at, const std::string& source,
                             IngestResult* result) {
  if (impl_->options_.read_only) return Status::InvalidArgument("store is open read-only");
  return impl_->Ingest(snap, observed_at, source, result);
}

namespace {

bool KindMatches(KindFilter f, zone::DomainKind k) {
  switch (f) {
    case KindFilter::kAll:
      return true;
    case KindFilter::kRegistered:
      return k == zone::DomainKind::kRegistered;
    case KindFilter::kSubdomain:
      return k == zone::DomainKind::kSubdomain;
    case KindFilter::kSuffix:
      return k == zone::DomainKind::kSuffix;
  }
  return true;
}

bool RowMatches(const DomainQuery& q, const DomainRowView& row) {
  if (q.active_only && !row.active) return false;
  if (!KindMatches(q.kind, row.kind)) return false;
  if (q.first_seen_after && !(row.first_seen > *q.first_seen_after)) return false;
  if (q.first_seen_before && !(row.first_seen < *q.first_seen_before)) return false;
  if (q.last_seen_after && !(row.last_seen > *q.last_seen_after)) return false;
  if (q.last_seen_before && !(row.last_seen < *q.last_seen_before)) return false;
  return true;
}

// Rows of one scan nearly always share a zone: remembering the last one
// spares a lock and a hash lookup per row.
class ZoneMemo {
 public:
  explicit ZoneMemo(const Store::Impl& impl) : impl_(impl) {}
  int64_t Latest(uint32_t id) {
    Load(id);
    return latest_;
  }
  const std::string& Name(uint32_t id) {
    Load(id);
    return name_;
  }

 private:
  void Load(uint32_t id) {
    if (id == id_) return;
    id_ = id;
    latest_ = impl_.ZoneLatest(id);
    name_ = impl_.ZoneName(id);
  }
  const Store::Impl& impl_;
  uint32_t id_ = 0;  // zone ids start at 1
  int64_t latest_ = 0;
  std::string name_;
};

// An iterator over the edges of one name server (keys "ns \0 domain"), or
// of every name server with `all_hosts` (the root, "", can be a name
// server's name too). Not movable: the read options point at upper_slice_.
class NsEdgeIterator {
 public:
  NsEdgeIterator(const Store::Impl& d, std::string_view ns, Cf family = kNsEdges, bool all_hosts = false) {
    if (!all_hosts) {
      upper_.assign(ns);
      upper_.push_back('\1');
      upper_slice_ = upper_;
      ro_.iterate_upper_bound = &upper_slice_;
    }
    if (family < kCfCount && d.cf(family)) it_.reset(d.db_->NewIterator(ro_, d.cf(family)));
  }
  NsEdgeIterator(const NsEdgeIterator&) = delete;
  NsEdgeIterator& operator=(const NsEdgeIterator&) = delete;
  rocksdb::Iterator* operator->() { return it_.get(); }
  // False when the family does not exist (a reader of an older store).
  bool exists() const { return it_ != nullptr; }

 private:
  std::string upper_;
  rocksdb::Slice upper_slice_;
  rocksdb::ReadOptions ro_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// What passive DNS saw of a pair (or a host's address): first and last
// observation and how many times. Varints: first, last - first, count.
struct ObservedValue {
  int64_t first = 0, last = 0;
  uint64_t count = 0;
};

std::string EncodeObserved(const ObservedValue& v) {
  std::string out;
  PutVarint64(&out, static_cast<uint64_t>(v.first));
  PutVarint64(&out, static_cast<uint64_t>(v.last - v.first));
  PutVarint64(&out, v.count);
  return out;
}

bool DecodeObserved(std::string_view in, ObservedValue* v) {
  uint64_t first, span, count;
  if (!GetVarint64(&in, &first) || !GetVarint64(&in, &span) || !GetVarint64(&in, &count) || !in.empty()) return false;
  v->first = static_cast<int64_t>(first);
  v->last = v->first + static_cast<int64_t>(span);
  v->count = count;
  return true;
}

// The domains of one name server from zone files and from passive DNS,
// merged in key order: a pair known to both is one row spanning both.
class MergedEdgeCursor {
 public:
  MergedEdgeCursor(const Store::Impl& d, const std::string& ns, bool all_hosts = false)
      : zone_it_(d, ns, kNsEdges, all_hosts),
        seen_it_(d, ns, d.any_observed_ ? kObservedEdges : kCfCount, all_hosts),
        memo_(d) {}

  // Positions at the first key >= start (> start when `exclusive`).
  void Seek(const std::string& start, bool exclusive) {
    zone_it_->Seek(start);
    if (exclusive && zone_it_->Valid() && ToView(zone_it_->key()) == start) zone_it_->Next();
    if (seen_it_.exists()) {
      seen_it_->Seek(start);
      if (exclusive && seen_it_->Valid() && ToView(seen_it_->key()) == start) seen_it_->Next();
    }
  }

  // The next row, or false at the end (then status() tells whether it was
  // an error). `prefix_size` bytes of the key are the name server.
  bool Next(size_t prefix_size, DomainRowView* row) {
    if (!status_.ok()) return false;
    if (pending_zone_) zone_it_->Next();
    if (pending_seen_) seen_it_->Next();
    pending_zone_ = pending_seen_ = false;
    bool zv = zone_it_->Valid();
    bool sv = seen_it_.exists() && seen_it_->Valid();
    if (!zv && !sv) {
      status_ = FromRocks(zone_it_->status(), "scanning edges");
      if (status_.ok() && seen_it_.exists()) status_ = FromRocks(seen_it_->status(), "scanning observed edges");
      return false;
    }
    int cmp = zv && sv ? ToView(zone_it_->key()).compare(ToView(seen_it_->key())) : (zv ? -1 : 1);
    if (cmp <= 0) {
      EdgeValue v;
      if (!EdgeValue::Decode(ToView(zone_it_->value()), &v)) {
        status_ = Status::Corruption("edge value");
        return false;
      }
      row->name = ToView(zone_it_->key()).substr(prefix_size);
      row->first_seen = v.first_seen();
      row->last_seen = v.last_seen(memo_.Latest(v.zone_id));
      row->active = v.active();
      row->kind = v.kind;
      row->zone = memo_.Name(v.zone_id);
      row->from_zone = true;
      row->observed = false;
      pending_zone_ = true;
    }
    if (cmp >= 0) {
      ObservedValue o;
      if (!DecodeObserved(ToView(seen_it_->value()), &o)) {
        status_ = Status::Corruption("observed edge value");
        return false;
      }
      if (cmp > 0) {
        row->name = ToView(seen_it_->key()).substr(prefix_size);
        row->first_seen = o.first;
        row->last_seen = o.last;
        row->active = false;  // "present in the latest zone snapshot" is a zone-file notion
        row->kind = zone::ClassifyDomain(row->name);
        row->zone = {};
        row->from_zone = false;
      } else {
        row->first_seen = std::min(row->first_seen, o.first);
        row->last_seen = std::max(row->last_seen, o.last);
      }
      row->observed = true;
      pending_seen_ = true;
    }
    return true;
  }
  const Status& status() const { return status_; }

 private:
  NsEdgeIterator zone_it_;
  NsEdgeIterator seen_it_;
  ZoneMemo memo_;
  bool pending_zone_ = false, pending_seen_ = false;
  Status status_;
};

bool Unfiltered(const DomainQuery& q) {
  return q.kind == KindFilter::kAll && !q.first_seen_after && !q.first_seen_before && !q.last_seen_after &&
         !q.last_seen_before;
}

}  // namespace

Status Store::VisitDomainsOnNs(const DomainQuery& q, const std::function<void(const DomainRowView&)>& visit,
                               bool* more) const {
  *more = false;
  if (q.limit > kMaxPage) return Status::InvalidArgument("limit must be at most " + std::to_string(kMaxPage));
  std::string start = q.ns;
  start.push_back('\0');
  const size_t prefix_size = start.size();
  start += q.after;
  MergedEdgeCursor cursor(*impl_, q.ns);
  cursor.Seek(start, !q.after.empty());
  DomainRowView row;
  const bool filtered = !Unfiltered(q) || q.active_only;
  size_t rows = 0;
  while (cursor.Next(prefix_size, &row)) {
    if (filtered && !RowMatches(q, row)) continue;
    if (rows == q.limit) {
      *more = true;
      break;
    }
    visit(row);
    ++rows;
  }
  return cursor.status();
}

Status Store::DomainsOnNs(const DomainQuery& q, DomainPage* page) const {
  page->rows.clear();
  page->total = 0;
  page->rows.reserve(std::min<size_t>(q.limit, 1024));
  NSRADAR_RETURN_IF_ERROR(VisitDomainsOnNs(
      q,
      [page](const DomainRowView& r) {
        page->rows.push_back(DomainRow{std::string(r.name), r.first_seen, r.last_seen, r.active, r.kind,
                                       std::string(r.zone), r.observed});
      },
      &page->more));
  if (!q.want_total) return Status::OK();
  if (Unfiltered(q) && !impl_->HasObserved(q.ns)) {
    NsCounts c;
    NSRADAR_RETURN_IF_ERROR(Counts(q.ns, &c));
    page->total = q.active_only ? c.active : c.total;
    return Status::OK();
  }
  // Time or kind fences, or pairs seen in traffic: the exact total needs a
  // scan of the host's edges.
  std::string prefix = q.ns;
  prefix.push_back('\0');
  MergedEdgeCursor cursor(*impl_, q.ns);
  cursor.Seek(prefix, false);
  DomainRowView row;
  while (cursor.Next(prefix.size(), &row)) {
    if (RowMatches(q, row)) ++page->total;
  }
  return cursor.status();
}

Status Store::Counts(std::string_view ns, NsCounts* out) const {
  *out = NsCounts();
  std::string v;
  rocksdb::Status s = impl_->db_->Get(rocksdb::ReadOptions(), impl_->cf(kNsCounts), dns::ReverseLabels(ns), &v);
  if (s.IsNotFound()) return Status::OK();
  NSRADAR_RETURN_IF_ERROR(FromRocks(s, "reading counts"));
  if (!DecodeCounts(v, out)) return Status::Corruption("counts of " + std::string(ns));
  return Status::OK();
}

Status Store::NameServersUnder(std::string_view suffix, std::string_view after, size_t limit, std::vector<NsRow>* out,
                               bool* more) const {
  out->clear();
  if (more) *more = false;
  if (limit > kMaxPage) return Status::InvalidArgument("limit must be at most " + std::to_string(kMaxPage));
  std::string rev = dns::ReverseLabels(suffix);
  std::string below = suffix.empty() ? "" : rev + ".";
  std::unique_ptr<rocksdb::Iterator> it(impl_->db_->NewIterator(rocksdb::ReadOptions(), impl_->cf(kNsCounts)));
  std::string start = after.empty() ? rev : dns::ReverseLabels(after);
  it->Seek(start);
  if (!after.empty() && it->Valid() && ToView(it->key()) == start) it->Next();
  for (; it->Valid(); it->Next()) {
    std::string_view k = ToView(it->key());
    if (k != rev && !k.starts_with(below)) {
      if (k > rev && !k.starts_with(rev)) break;
      continue;  // e.g. "com.example2" between "com.example" and "com.example."
    }
    if (out->size() == limit) {
      if (more) *more = true;
      break;
    }
    NsRow row;
    row.name = dns::ReverseLabels(k);
    if (!DecodeCounts(ToView(it->value()), &row.counts)) return Status::Corruption("counts of " + row.name);
    out->push_back(std::move(row));
  }
  return FromRocks(it->status(), "scanning name servers under " + std::string(suffix));
}

Status Store::Domain(std::string_view domain, DomainInfo* out) const {
  const Impl& d = *impl_;
  *out = DomainInfo();
  out->name.assign(domain);
  // The delegation lives in the closest enclosing zone the store knows.
  std::optional<ZoneInfo> zone;
  for (std::string_view z = dns::Parent(domain);; z = dns::Parent(z)) {
    auto it = d.FindZone(z);
    if (it) {
      std::string key = ZonePrefix(it->id) + std::string(domain);
      std::string value;
      rocksdb::Status st = d.db_->Get(rocksdb::ReadOptions(), d.cf(kZoneDomains), key, &value);
      if (st.ok()) {
        DomainRecordReader reader;
        std::string_view host;
        DomainEdge e;
        if (!reader.Open(value)) return Status::Corruption("zone_domains record of " + out->name);
        while (reader.Next(&host, &e.value.runs)) {
          e.ns.assign(host);
          e.value.zone_id = it->id;
          e.value.kind = reader.kind();
          e.first_seen = e.value.first_seen();
          e.last_seen = e.value.last_seen(it->latest());
          out->edges.push_back(e);
        }
        if (reader.corrupt()) return Status::Corruption("zone_domains record of " + out->name);
        zone = std::move(it);
        break;
      }
      if (!st.IsNotFound()) return FromRocks(st, "reading " + out->name);
    }
    if (z.empty()) break;
  }
  // Name servers passive DNS saw for the domain.
  if (d.cf(kObservedDomains)) {
    std::string prefix(domain);
    prefix.push_back('\0');
    std::unique_ptr<rocksdb::Iterator> it(d.db_->NewIterator(rocksdb::ReadOptions(), d.cf(kObservedDomains)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      ObservedValue o;
      if (!DecodeObserved(ToView(it->value()), &o)) return Status::Corruption("observed value of " + out->name);
      std::string ns(ToView(it->key()).substr(prefix.size()));
      auto e = std::find_if(out->edges.begin(), out->edges.end(), [&](const DomainEdge& x) { return x.ns == ns; });
      if (e == out->edges.end()) {
        DomainEdge fresh;
        fresh.ns = ns;
        fresh.first_seen = o.first;
        fresh.last_seen = o.last;
        fresh.observed = true;
        out->edges.push_back(std::move(fresh));
      } else {
        e->first_seen = std::min(e->first_seen, o.first);
        e->last_seen = std::max(e->last_seen, o.last);
        e->observed = true;
      }
    }
    NSRADAR_RETURN_IF_ERROR(FromRocks(it->status(), "reading observed name servers of " + out->name));
    std::sort(out->edges.begin(), out->edges.end(),
              [](const DomainEdge& a, const DomainEdge& b) { return a.ns < b.ns; });
  }
  if (!zone) {
    if (out->edges.empty())
      return Status::NotFound(dns::ToDisplay(domain) + " is in no ingested zone and was never observed");
    out->kind = zone::ClassifyDomain(out->name);
    return Status::OK();  // only traffic knows it: no zone history
  }
  out->zone = zone->name;
  out->kind = out->edges.front().value.kind;

  // History from the runs. A run ending at a closed bound ends at the zone's
  // next snapshot, the first one without the edge.
  std::vector<int64_t> times;
  for (const auto& s : zone->snapshots) times.push_back(s.observed_at);
  auto after = [&](int64_t x) -> std::optional<int64_t> {
    auto p = std::upper_bound(times.begin(), times.end(), x);
    if (p == times.end()) return std::nullopt;
    return *p;
  };
  // (time, +1 add / -1 remove, ns)
  std::map<int64_t, std::pair<std::vector<std::string>, std::vector<std::string>>> changes;
  for (const auto& e : out->edges) {
    for (const SeenRun& run : e.value.runs) {
      changes[run.first].first.push_back(e.ns);
      if (!run.open()) {
        if (auto gone = after(run.last)) changes[*gone].second.push_back(e.ns);
      }
    }
  }
  size_t present = 0;
  for (auto& [time, ch] : changes) {
    size_t before = present;
    present += ch.first.size();
    present -= ch.second.size();
    if (before == 0 && !ch.first.empty()) {
      out->history.push_back({time, DomainEvent::Type::kCreated, ch.first});
      if (!ch.second.empty()) out->history.push_back({time, DomainEvent::Type::kNsRemoved, ch.second});
      continue;
    }
    if (present == 0) {
      if (!ch.first.empty()) out->history.push_back({time, DomainEvent::Type::kNsAdded, ch.first});
      out->history.push_back({time, DomainEvent::Type::kDropped, ch.second});
      continue;
    }
    if (!ch.first.empty()) out->history.push_back({time, DomainEvent::Type::kNsAdded, ch.first});
    if (!ch.second.empty()) out->history.push_back({time, DomainEvent::Type::kNsRemoved, ch.second});
  }
  return Status::OK();
}

namespace {

// Glue rows under `prefix`, one per (host, address) whatever the zones that
// carried it: first_seen is the earliest and last_seen the latest of them.
Status ScanGlue(const Store::Impl& d, rocksdb::ColumnFamilyHandle* cf, const std::string& prefix, bool by_host,
                std::vector<GlueRow>* out) {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it(d.db_->NewIterator(rocksdb::ReadOptions(), cf));
  EdgeValue v;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view rest = ToView(it->key()).substr(prefix.size());
    if (rest.size() < 4) return Status::Corruption("short glue key");
    rest.remove_suffix(4);  // the zone id; the value carries it too
    GlueRow row;
    if (by_host) {  // prefix: host \0; rest: address
      auto a = dns::Address::FromKey(rest);
      if (!a) return Status::Corruption("glue address key");
      row.host = prefix.substr(0, prefix.size() - 1);
      row.address = *a;
    } else {  // prefix: address; rest: host \0
      auto a = dns::Address::FromKey(prefix);
      if (!a || rest.empty()) return Status::Corruption("glue address key");
      row.address = *a;
      row.host.assign(rest.substr(0, rest.size() - 1));
    }
    if (!EdgeValue::Decode(ToView(it->value()), &v)) return Status::Corruption("glue value");
    row.first_seen = v.first_seen();
    row.last_seen = v.last_seen(d.ZoneLatest(v.zone_id));
    if (!out->empty() && out->back().host == row.host && out->back().address == row.address) {
      out->back().first_seen = std::min(out->back().first_seen, row.first_seen);
      out->back().last_seen = std::max(out->back().last_seen, row.last_seen);
    } else {
      out->push_back(std::move(row));
    }
  }
  return FromRocks(it->status(), "scanning glue");
}

}  // namespace

Status Store::HostAddresses(std::string_view host, std::vector<GlueRow>* out) const {
  std::string prefix(host);
  prefix.push_back('\0');
  NSRADAR_RETURN_IF_ERROR(ScanGlue(*impl_, impl_->cf(kGlue), prefix, true, out));
  if (!impl_->cf(kObservedGlue)) return Status::OK();
  // Addresses passive DNS saw for the host.
  std::unique_ptr<rocksdb::Iterator> it(impl_->db_->NewIterator(rocksdb::ReadOptions(), impl_->cf(kObservedGlue)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto a = dns::Address::FromKey(ToView(it->key()).substr(prefix.size()));
    ObservedValue o;
    if (!a || !DecodeObserved(ToView(it->value()), &o)) return Status::Corruption("observed address of " + prefix);
    auto row = std::find_if(out->begin(), out->end(), [&](const GlueRow& g) { return g.address == *a; });
    if (row == out->end()) {
      out->push_back(GlueRow{std::string(host), *a, o.first, o.last});
    } else {
      row->first_seen = std::min(row->first_seen, o.first);
      row->last_seen = std::max(row->last_seen, o.last);
    }
  }
  return FromRocks(it->status(), "reading observed addresses");
}

Status Store::AddressHosts(const dns::Address& addr, std::vector<GlueRow>* out) const {
  return ScanGlue(*impl_, impl_->cf(kGlueByAddr), addr.ToKey(), false, out);
}

Status Store::Zones(std::vector<ZoneInfo>* out) const {
  out->clear();
  std::shared_lock lock(impl_->zones_mu_);
  for (const auto& [name, z] : impl_->zones_) out->push_back(z);
  return Status::OK();
}

Status Store::Stats(StoreStats* out) const {
  *out = StoreStats();
  uint64_t c[kCounterCount];
  NSRADAR_RETURN_IF_ERROR(impl_->ReadCounters(c));
  out->edges = c[kEdges];
  out->active_edges = c[kActiveEdges];
  out->domains = c[kDomains];
  out->name_servers = c[kNameServers];
  out->glue = c[kGlueCount];
  NSRADAR_RETURN_IF_ERROR(Zones(&out->zone_list));
  out->zones = out->zone_list.size();
  for (const auto& z : out->zone_list) out->snapshots += z.snapshots.size();
  for (int f = 0; f < kCfCount; ++f) {
    uint64_t bytes = 0;
    if (!impl_->cf(static_cast<Cf>(f))) continue;
    impl_->db_->GetIntProperty(impl_->cf(static_cast<Cf>(f)), "rocksdb.total-sst-files-size", &bytes);
    out->family_sst_bytes.emplace_back(kCfNames[f], bytes);
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(impl_->dir_, ec)) {
    if (entry.is_regular_file(ec)) out->disk_bytes += entry.file_size(ec);
  }
  return Status::OK();
}

Status Store::CatchUp() {
  if (!impl_->options_.read_only) return Status::OK();
  NSRADAR_RETURN_IF_ERROR(FromRocks(impl_->db_->TryCatchUpWithPrimary(), "catching up with the writer"));
  impl_->RefreshAnyObserved();
  return impl_->LoadMeta();
}

Status Store::ScanEdges(const EdgeScan& scan, std::vector<EdgeRow>* out) const {
  out->clear();
  MergedEdgeCursor cursor(*impl_, scan.ns, scan.ns.empty());
  std::string start;
  if (!scan.after_ns.empty()) {
    start = scan.after_ns;
    start.push_back('\0');
    start += scan.after_domain;
  } else if (!scan.ns.empty()) {
    start = scan.ns;
    start.push_back('\0');
  }
  cursor.Seek(start, !scan.after_ns.empty());
  DomainRowView row;
  while (out->size() < scan.limit && cursor.Next(0, &row)) {
    size_t nul = row.name.find('\0');  // with no prefix skipped, the name is the whole key
    if (nul == std::string_view::npos) return Status::Corruption("edge key without separator");
    EdgeRow& e = out->emplace_back();
    e.ns.assign(row.name.substr(0, nul));
    e.domain.assign(row.name.substr(nul + 1));
    e.first_seen = row.first_seen;
    e.last_seen = row.last_seen;
    e.active = row.active;
    e.from_zone = row.from_zone;
    e.observed = row.observed;
  }
  return cursor.status();
}

bool Store::Impl::HasObserved(std::string_view ns) const {
  if (!any_observed_ || !cf(kObservedEdges)) return false;
  std::string prefix(ns);
  prefix.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kObservedEdges)));
  it->Seek(prefix);
  return it->Valid() && it->key().starts_with(prefix);
}

Status Store::Observe(const std::vector<NsObservation>& pairs, const std::vector<AddressObservation>& addresses,
                      ObserveResult* result) {
  *result = ObserveResult();
  Impl& d = *impl_;
  if (d.options_.read_only) return Status::InvalidArgument("the store is open read-only");
  std::lock_guard lock(d.write_mu_);
  NSRADAR_RETURN_IF_ERROR(d.ResumeAfterFailure());
  // Aggregate the batch first: traffic repeats the same records endlessly.
  std::map<std::string, ObservedValue> edges, glue;
  auto note = [](ObservedValue& v, int64_t t) {
    if (v.count == 0 || t < v.first) v.first = t;
    if (v.count == 0 || t > v.last) v.last = t;
    ++v.count;
  };
  for (const auto& p : pairs) note(edges[p.ns + std::string(1, '\0') + p.domain], p.time);
  for (const auto& a : addresses) note(glue[a.host + std::string(1, '\0') + a.address.ToKey()], a.time);
  rocksdb::WriteBatch batch;
  auto merge = [&](Cf family, const std::string& key, ObservedValue v, uint64_t* fresh, uint64_t* again) -> Status {
    std::string old;
    rocksdb::Status st = d.db_->Get(rocksdb::ReadOptions(), d.cf(family), key, &old);
    if (st.ok()) {
      ObservedValue o;
      if (!DecodeObserved(old, &o)) return Status::Corruption("observed value");
      v.first = std::min(v.first, o.first);
      v.last = std::max(v.last, o.last);
      v.count += o.count;
      ++*again;
    } else if (st.IsNotFound()) {
      ++*fresh;
    } else {
      return FromRocks(st, "reading observed data");
    }
    return FromRocks(batch.Put(d.cf(family), key, EncodeObserved(v)), "batch");
  };
  for (const auto& [key, v] : edges) {
    NSRADAR_RETURN_IF_ERROR(merge(kObservedEdges, key, v, &result->pairs_new, &result->pairs_again));
    size_t nul = key.find('\0');
    std::string by_domain = key.substr(nul + 1) + std::string(1, '\0') + key.substr(0, nul);
    uint64_t ignored = 0;
    NSRADAR_RETURN_IF_ERROR(merge(kObservedDomains, by_domain, v, &ignored, &ignored));
  }
  for (const auto& [key, v] : glue) {
    NSRADAR_RETURN_IF_ERROR(merge(kObservedGlue, key, v, &result->addresses_new, &result->addresses_again));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  NSRADAR_RETURN_IF_ERROR(d.Written(FromRocks(d.db_->Write(wo, &batch), "writing observations")));
  if (!edges.empty()) d.any_observed_ = true;
  return Status::OK();
}

Status Store::PutAlert(const StoredAlert& alert) {
  Impl& d = *impl_;
  if (d.options_.read_only) return Status::InvalidArgument("the store is open read-only");
  std::string key = alert.domain;
  key.push_back('\0');
  PutFixed64BE(&key, static_cast<uint64_t>(alert.alert_time_us));
  std::string value = alert.category;
  value.push_back('\0');
  value += alert.json;
  std::lock_guard lock(d.write_mu_);
  NSRADAR_RETURN_IF_ERROR(d.ResumeAfterFailure());
  return d.Written(FromRocks(d.db_->Put(rocksdb::WriteOptions(), d.cf(kAlerts), key, value), "writing an alert"));
}

Status Store::Alerts(std::string_view domain, size_t limit, std::vector<StoredAlert>* out) const {
  out->clear();
  const Impl& d = *impl_;
  if (!d.cf(kAlerts)) return Status::OK();  // a store from before alerts were kept
  std::unique_ptr<rocksdb::Iterator> it(d.db_->NewIterator(rocksdb::ReadOptions(), d.cf(kAlerts)));
  std::string prefix;
  if (!domain.empty()) {
    prefix.assign(domain);
    prefix.push_back('\0');
  }
  for (it->Seek(prefix); it->Valid() && out->size() < limit; it->Next()) {
    std::string_view k(it->key().data(), it->key().size()), v(it->value().data(), it->value().size());
    if (!k.starts_with(prefix)) break;
    const size_t nul = k.find('\0'), vnul = v.find('\0');
    if (nul == std::string_view::npos || k.size() != nul + 9 || vnul == std::string_view::npos) {
      return Status::Corruption("alert record with a malformed key or value");
    }
    StoredAlert a;
    a.domain.assign(k.substr(0, nul));
    a.alert_time_us = static_cast<int64_t>(DecodeFixed64BE(k.data() + nul + 1));
    a.category.assign(v.substr(0, vnul));
    a.json.assign(v.substr(vnul + 1));
    out->push_back(std::move(a));
  }
  return FromRocks(it->status(), "reading alerts");
}

namespace {

std::string IndicatorKey(IndicatorKind kind, std::string_view value) {
  std::string key(1, static_cast<char>(kind));
  key += value;
  return key;
}

bool DecodeIndicator(std::string_view key, std::string_view value, Indicator* out) {
  if (key.empty()) return false;
  const char kind = key[0];
  if (kind != 'd' && kind != 'n' && kind != 'a') return false;
  out->kind = static_cast<IndicatorKind>(kind);
  out->value.assign(key.substr(1));
  const size_t a = value.find('\0');
  if (a == std::string_view::npos) return false;
  const size_t b = value.find('\0', a + 1);
  if (b == std::string_view::npos) return false;
  out->category.assign(value.substr(0, a));
  out->source.assign(value.substr(a + 1, b - a - 1));
  std::string_view rest = value.substr(b + 1);
  uint64_t added = 0;
  if (!GetVarint64(&rest, &added)) return false;
  out->added = static_cast<int64_t>(added);
  return true;
}

}  // namespace

Status Store::PutIndicators(const std::vector<Indicator>& indicators, std::string_view replace_source,
                            uint64_t* replaced) {
  Impl& d = *impl_;
  if (replaced) *replaced = 0;
  if (d.options_.read_only) return Status::InvalidArgument("the store is open read-only");
  std::lock_guard lock(d.write_mu_);
  NSRADAR_RETURN_IF_ERROR(d.ResumeAfterFailure());
  rocksdb::WriteBatch batch;
  if (!replace_source.empty()) {
    // Deletes first: a put of the same key later in the batch wins.
    Status deleted;
    NSRADAR_RETURN_IF_ERROR(ScanIndicators([&](const Indicator& i) {
      if (i.source != replace_source || !deleted.ok()) return;
      deleted = FromRocks(batch.Delete(d.cf(kIntel), IndicatorKey(i.kind, i.value)), "batch");
      if (replaced) ++*replaced;
    }));
    NSRADAR_RETURN_IF_ERROR(deleted);
  }
  for (const auto& i : indicators) {
    std::string value = i.category;
    value.push_back('\0');
    value += i.source;
    value.push_back('\0');
    PutVarint64(&value, static_cast<uint64_t>(i.added));
    NSRADAR_RETURN_IF_ERROR(FromRocks(batch.Put(d.cf(kIntel), IndicatorKey(i.kind, i.value), value), "batch"));
  }
  return d.Written(FromRocks(d.db_->Write(rocksdb::WriteOptions(), &batch), "writing indicators"));
}

Status Store::FindIndicator(IndicatorKind kind, std::string_view value, Indicator* out) const {
  const Impl& d = *impl_;
  if (!d.cf(kIntel)) return Status::NotFound("no threat intelligence in this store");
  std::string v;
  const std::string key = IndicatorKey(kind, value);
  rocksdb::Status s = d.db_->Get(rocksdb::ReadOptions(), d.cf(kIntel), key, &v);
  if (s.IsNotFound()) return Status::NotFound(std::string(value) + " is not an indicator");
  NSRADAR_RETURN_IF_ERROR(FromRocks(s, "reading an indicator"));
  if (!DecodeIndicator(key, v, out)) return Status::Corruption("indicator record for " + std::string(value));
  return Status::OK();
}

Status Store::ScanIndicators(const std::function<void(const Indicator&)>& visit) const {
  const Impl& d = *impl_;
  if (!d.cf(kIntel)) return Status::OK();
  std::unique_ptr<rocksdb::Iterator> it(d.db_->NewIterator(rocksdb::ReadOptions(), d.cf(kIntel)));
  Indicator i;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!DecodeIndicator(std::string_view(it->key().data(), it->key().size()),
                         std::string_view(it->value().data(), it->value().size()), &i)) {
      return Status::Corruption("indicator record with a malformed key or value");
    }
    visit(i);
  }
  return FromRocks(it->status(), "reading indicators");
}

Status Store::CompactAll() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : impl_->handles_) {
    if (!h) continue;
    NSRADAR_RETURN_IF_ERROR(FromRocks(impl_->db_->CompactRange(o, h, nullptr, nullptr), "compacting"));
  }
  return Status::OK();
}

}  // namespace nsradar::nsdb
