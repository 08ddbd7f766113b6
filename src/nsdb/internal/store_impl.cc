#include "nsdb/internal/store_impl.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "nsdb/internal/rocks_logger.h"

namespace nsradar::nsdb {
namespace {

namespace fs = std::filesystem;

}  // namespace

rocksdb::ColumnFamilyOptions FamilyOptions(std::string_view name, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.format_version = 5;
  // Edge lists are read by range scans; larger blocks compress better and
  // cost little there. Point lookups (counts, zones) get bloom filters.
  auto is = [&](Cf c) { return name == kCfNames[c]; };
  if (is(kNsBlocks) || name == kLegacyNsEdges || is(kZoneDomains) || is(kGlue) || is(kGlueByAddr) || is(kZoneGlue)) {
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

rocksdb::DBOptions StoreDbOptions(bool read_only) {
  rocksdb::DBOptions o;
  o.create_if_missing = !read_only;
  o.create_missing_column_families = !read_only;
  o.max_background_jobs = 2;
  o.max_open_files = read_only ? -1 : 1000;
  o.info_log = std::make_shared<RocksLogger>();
  return o;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::Busy(what + ": " + s.ToString());
  }
  return Status::IOError(what + ": " + s.ToString());
}

Store::Impl::~Impl() {
  // Flushing now spares the next open (often a reader) a log replay.
  std::vector<rocksdb::ColumnFamilyHandle*> open;
  for (auto* h : handles_) {
    if (h) open.push_back(h);
  }
  if (db_ && !options_.read_only) db_->Flush(rocksdb::FlushOptions(), open);
  if (legacy_) open.push_back(legacy_);
  for (auto* h : open) db_->DestroyColumnFamilyHandle(h);
  db_.reset();
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(secondary_dir_, ec);
  }
}

Status Store::Impl::Open(const std::string& dir, const StoreOptions& options) {
  dir_ = dir;
  options_ = options;
  cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<std::string> existing;  // the families of an existing store
  const bool exists = fs::exists(fs::path(dir) / "CURRENT");
  if (options.read_only && !exists) return Status::NotFound("no nsradar store at " + dir);
  if (exists) {
    NSRADAR_RETURN_IF_ERROR(
        FromRocks(rocksdb::DB::ListColumnFamilies(StoreDbOptions(options.read_only), dir, &existing),
                  "listing column families of " + dir));
    NSRADAR_RETURN_IF_ERROR(ProbeFormat(existing));
  }
  NSRADAR_RETURN_IF_ERROR(OpenDatabase(existing));
  RefreshAnyObserved();
  if (!options.read_only) {
    NSRADAR_RETURN_IF_ERROR(CheckFormat());
    NSRADAR_RETURN_IF_ERROR(DropLegacy());
  }
  return LoadZoneTable();
}

// The format is read before the store is opened for real, so that an old
// store is refused untouched (a writable open would add the families it
// lacks).
Status Store::Impl::ProbeFormat(const std::vector<std::string>& existing) {
  rocksdb::DBOptions o = StoreDbOptions(true);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs{{kCfNames[kMeta], rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::DB* raw = nullptr;
  NSRADAR_RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::OpenForReadOnly(o, dir_, cfs, &opened, &raw), "reading the format of store " + dir_));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string v;
  const rocksdb::Status g = db->Get(rocksdb::ReadOptions(), opened[0], ToSlice(kFormatKey), &v);
  bool any_key = false;
  if (g.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), opened[0]));
    it->SeekToFirst();
    any_key = it->Valid();
  }
  db->DestroyColumnFamilyHandle(opened[0]);
  if (g.IsNotFound()) {
    // A store is stamped when created: one with data and no stamp is not
    // what it seems, and stamping it would hide that.
    const bool legacy = std::find(existing.begin(), existing.end(), kLegacyNsEdges) != existing.end();
    if (any_key || legacy) {
      return Status::Corruption("store " + dir_ +
                                " holds data but no format entry: not written by nsradar, or damaged");
    }
    return Status::OK();
  }
  NSRADAR_RETURN_IF_ERROR(FromRocks(g, "reading the format of store " + dir_));
  int version = 0;
  if (!DecodeFormatVersion(v, &version)) return Status::Corruption("store " + dir_ + ": format entry '" + v + "'");
  if (version == 1) {
    return Status::InvalidArgument("store " + dir_ + " is format 1; this nsradar reads format " +
                                   EncodeFormatVersion(kFormatVersion) + ": run `nsradar store migrate --store " +
                                   dir_ + "`");
  }
  if (version != kFormatVersion) {
    return Status::InvalidArgument("store " + dir_ + " is format " + v + "; this nsradar reads format " +
                                   EncodeFormatVersion(kFormatVersion));
  }
  return Status::OK();
}

// A migration that crashed after its stamp left format 1's family.
Status Store::Impl::DropLegacy() {
  if (!legacy_) return Status::OK();
  NSRADAR_RETURN_IF_ERROR(FromRocks(db_->DropColumnFamily(legacy_), "dropping ns_edges of " + dir_));
  db_->DestroyColumnFamilyHandle(legacy_);
  legacy_ = nullptr;
  return Status::OK();
}

Status Store::Impl::OpenDatabase(const std::vector<std::string>& existing) {
  const rocksdb::DBOptions db_opts = StoreDbOptions(options_.read_only);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  std::vector<int> cf_ids;  // the Cf of each descriptor; kCfCount for the legacy family
  for (int c = 0; c < kCfCount; ++c) {
    if (options_.read_only && std::find(existing.begin(), existing.end(), kCfNames[c]) == existing.end()) {
      if (c < kFirstLateCf) return Status::Corruption(dir_ + ": column family " + kCfNames[c] + " is missing");
      continue;
    }
    cfs.emplace_back(kCfNames[c], FamilyOptions(kCfNames[c], cache_));
    cf_ids.push_back(c);
  }
  // A writer must open every family the store has.
  if (!options_.read_only && std::find(existing.begin(), existing.end(), kLegacyNsEdges) != existing.end()) {
    cfs.emplace_back(std::string(kLegacyNsEdges), FamilyOptions(kLegacyNsEdges, cache_));
    cf_ids.push_back(kCfCount);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  if (options_.read_only) {
    char tmpl[] = "/tmp/nsradar-reader-XXXXXX";
    if (!mkdtemp(tmpl)) return Status::IOError("cannot create a directory for the read-only store");
    secondary_dir_ = tmpl;
    s = rocksdb::DB::OpenAsSecondary(db_opts, dir_, secondary_dir_, cfs, &opened, &raw);
  } else {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return Status::IOError("cannot create store directory " + dir_ + ": " + ec.message());
    fs::remove_all(fs::path(dir_) / "ingest-tmp", ec);  // SST files of an interrupted ingest
    s = rocksdb::DB::Open(db_opts, dir_, cfs, &opened, &raw);
  }
  if (!s.ok()) return FromRocks(s, "opening store " + dir_);
  db_.reset(raw);
  for (size_t i = 0; i < opened.size(); ++i) {
    if (cf_ids[i] == kCfCount) {
      legacy_ = opened[i];
    } else {
      handles_[cf_ids[i]] = opened[i];
    }
  }
  return Status::OK();
}

// A new store gets the format written; an existing one must have it.
Status Store::Impl::CheckFormat() {
  std::string v;
  rocksdb::Status g = Get(kMeta, kFormatKey, &v);
  if (g.IsNotFound()) {
    return AsWriter([](Writer& w) {
      rocksdb::WriteBatch batch;
      NSRADAR_RETURN_IF_ERROR(
          FromRocks(batch.Put(w.handle(kMeta), ToSlice(kFormatKey), EncodeFormatVersion(kFormatVersion)), "batch"));
      return w.Commit(&batch, false, "writing store format");
    });
  }
  int version = 0;
  if (!g.ok() || !DecodeFormatVersion(v, &version) || version != kFormatVersion) {
    return Status::Corruption(dir_ + ": store format " + v + " is not " + EncodeFormatVersion(kFormatVersion));
  }
  return Status::OK();
}

Status Store::Impl::LoadZoneTable() {
  // Built aside and swapped in, so readers wait only for the swap. Swapping
  // std::maps moves no nodes: the pointers in zone_by_id stay valid.
  std::map<std::string, ZoneInfo, std::less<>> zones;
  std::unordered_map<uint32_t, const ZoneInfo*> zone_by_id;
  uint32_t next_id = 1;
  std::unique_ptr<rocksdb::Iterator> it = NewIterator(kMeta);
  std::string_view name;
  for (it->Seek(ToSlice(kZoneTablePrefix)); it->Valid() && ParseZoneTableKey(ToView(it->key()), &name); it->Next()) {
    ZoneInfo z;
    z.name.assign(name);
    if (!DecodeZoneInfo(ToView(it->value()), &z)) return Status::Corruption("zone table entry for " + z.name);
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

void Store::Impl::RefreshAnyObserved() {
  std::unique_ptr<rocksdb::Iterator> it = NewIterator(kObservedEdges);
  if (!it) return;
  it->SeekToFirst();
  any_observed_ = it->Valid();
}

Status Store::Impl::AsWriter(const std::function<Status(Writer&)>& write) {
  if (options_.read_only) return Status::InvalidArgument("the store is open read-only");
  std::lock_guard lock(write_mu_);
  if (write_failed_) {
    NSRADAR_RETURN_IF_ERROR(FromRocks(db_->Resume(), "resuming writes after a failed write"));
    write_failed_ = false;
  }
  Writer writer(*this);
  return write(writer);
}

Status Store::Impl::CatchUp() {
  if (!options_.read_only) return Status::OK();
  NSRADAR_RETURN_IF_ERROR(FromRocks(db_->TryCatchUpWithPrimary(), "catching up with the writer"));
  RefreshAnyObserved();
  return LoadZoneTable();
}

std::unique_ptr<rocksdb::Iterator> Store::Impl::NewIterator(Cf c, const rocksdb::ReadOptions& ro) const {
  if (!has(c)) return nullptr;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, handles_[c]));
}

rocksdb::Status Store::Impl::Get(Cf c, std::string_view key, std::string* value) const {
  return db_->Get(rocksdb::ReadOptions(), handles_[c], ToSlice(key), value);
}

void Store::Impl::MultiGet(Cf c, const std::vector<rocksdb::Slice>& keys, std::vector<rocksdb::PinnableSlice>* values,
                           std::vector<rocksdb::Status>* statuses) const {
  values->clear();
  values->resize(keys.size());
  statuses->assign(keys.size(), rocksdb::Status());
  if (keys.empty()) return;
  db_->MultiGet(rocksdb::ReadOptions(), handles_[c], keys.size(), keys.data(), values->data(), statuses->data());
}

Status Store::Impl::ReadCounters(uint64_t out[kCounterCount]) const {
  for (int i = 0; i < kCounterCount; ++i) {
    const auto counter = static_cast<Counter>(i);
    std::string v;
    rocksdb::Status s = Get(kMeta, CounterKey(counter), &v);
    out[i] = 0;
    if (s.IsNotFound()) continue;
    NSRADAR_RETURN_IF_ERROR(FromRocks(s, "reading counters"));
    if (!DecodeCounter(v, &out[i])) return Status::Corruption("counter " + std::string(CounterKey(counter)));
  }
  return Status::OK();
}

uint64_t Store::Impl::SstBytes(Cf c) const {
  uint64_t bytes = 0;
  if (has(c)) db_->GetIntProperty(handles_[c], "rocksdb.total-sst-files-size", &bytes);
  return bytes;
}

int64_t Store::Impl::ZoneLatest(uint32_t id) const {
  std::shared_lock lock(zones_mu_);
  auto it = zone_by_id_.find(id);
  return it == zone_by_id_.end() ? 0 : it->second->latest();
}

std::string Store::Impl::ZoneName(uint32_t id) const {
  std::shared_lock lock(zones_mu_);
  auto it = zone_by_id_.find(id);
  return it == zone_by_id_.end() ? "?" : it->second->name;
}

std::optional<ZoneInfo> Store::Impl::FindZone(std::string_view name) const {
  std::shared_lock lock(zones_mu_);
  auto it = zones_.find(name);
  if (it == zones_.end()) return std::nullopt;
  return it->second;
}

std::vector<ZoneInfo> Store::Impl::ZoneList() const {
  std::shared_lock lock(zones_mu_);
  std::vector<ZoneInfo> out;
  for (const auto& [name, z] : zones_) out.push_back(z);
  return out;
}

rocksdb::Options Writer::SstOptions(Cf c) const {
  return rocksdb::Options(rocksdb::DBOptions(), impl_.db_->GetOptions(impl_.handles_[c]));
}

Status Writer::Written(const Status& s) {
  if (!s.ok()) impl_.write_failed_ = true;
  return s;
}

Status Writer::Commit(rocksdb::WriteBatch* batch, bool sync, const std::string& what) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return Written(FromRocks(impl_.db_->Write(wo, batch), what));
}

Status Writer::IngestFiles(const std::vector<rocksdb::IngestExternalFileArg>& files) {
  if (files.empty()) return Status::OK();
  return Written(FromRocks(impl_.db_->IngestExternalFiles(files), "ingesting snapshot SST files"));
}

Status Writer::CompactAll() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : impl_.handles_) {
    if (!h) continue;
    NSRADAR_RETURN_IF_ERROR(FromRocks(impl_.db_->CompactRange(o, h, nullptr, nullptr), "compacting"));
  }
  return Status::OK();
}

ZoneInfo Writer::ZoneOrNew(const std::string& name) const {
  auto it = impl_.zones_.find(name);
  if (it != impl_.zones_.end()) return it->second;
  ZoneInfo zone;
  zone.id = impl_.next_zone_id_;
  zone.name = name;
  return zone;
}

void Writer::PutZone(ZoneInfo zone) {
  std::unique_lock lock(impl_.zones_mu_);
  impl_.next_zone_id_ = std::max(impl_.next_zone_id_, zone.id + 1);
  ZoneInfo& slot = impl_.zones_[zone.name];
  slot = std::move(zone);
  impl_.zone_by_id_[slot.id] = &slot;
}

}  // namespace nsradar::nsdb
