#include "nsdb/migrate.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "nsdb/internal/keys.h"
#include "nsdb/internal/ns_block_writer.h"
#include "nsdb/internal/store_impl.h"

namespace nsradar::nsdb {
namespace {

namespace fs = std::filesystem;

// The store opened with whatever families it has, by name.
class RawStore {
 public:
  ~RawStore() {
    for (auto& [name, h] : handles_) db_->DestroyColumnFamilyHandle(h);
  }
  Status Open(const std::string& dir) {
    dir_ = dir;
    if (!fs::exists(fs::path(dir) / "CURRENT")) return Status::NotFound("no nsradar store at " + dir);
    const rocksdb::DBOptions o = StoreDbOptions(false);
    std::vector<std::string> names;
    NSRADAR_RETURN_IF_ERROR(
        FromRocks(rocksdb::DB::ListColumnFamilies(o, dir, &names), "listing column families of " + dir));
    cache_ = rocksdb::NewLRUCache(64 << 20);
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, FamilyOptions(n, cache_));
    std::vector<rocksdb::ColumnFamilyHandle*> opened;
    rocksdb::DB* raw = nullptr;
    NSRADAR_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(o, dir, cfs, &opened, &raw), "opening store " + dir));
    db_.reset(raw);
    for (size_t i = 0; i < opened.size(); ++i) handles_.emplace_back(names[i], opened[i]);
    return Status::OK();
  }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* Find(std::string_view name) const {
    for (const auto& [n, h] : handles_) {
      if (n == name) return h;
    }
    return nullptr;
  }
  Status Drop(std::string_view name) {
    auto it = std::find_if(handles_.begin(), handles_.end(), [&](const auto& p) { return p.first == name; });
    if (it == handles_.end()) return Status::OK();
    NSRADAR_RETURN_IF_ERROR(
        FromRocks(db_->DropColumnFamily(it->second), "dropping " + std::string(name) + " of " + dir_));
    db_->DestroyColumnFamilyHandle(it->second);
    handles_.erase(it);
    return Status::OK();
  }
  Status Create(const std::string& name) {
    rocksdb::ColumnFamilyHandle* h = nullptr;
    NSRADAR_RETURN_IF_ERROR(
        FromRocks(db_->CreateColumnFamily(FamilyOptions(name, cache_), name, &h), "creating " + name + " in " + dir_));
    handles_.emplace_back(name, h);
    return Status::OK();
  }
  uint64_t SstBytes(std::string_view name = {}) const {
    uint64_t total = 0;
    for (const auto& [n, h] : handles_) {
      uint64_t b = 0;
      if (!name.empty() && n != name) continue;
      db_->GetIntProperty(h, "rocksdb.total-sst-files-size", &b);
      total += b;
    }
    return total;
  }
  Status FlushAll() {
    std::vector<rocksdb::ColumnFamilyHandle*> all;
    for (const auto& [n, h] : handles_) all.push_back(h);
    return FromRocks(db_->Flush(rocksdb::FlushOptions(), all), "flushing " + dir_);
  }

 private:
  std::string dir_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::pair<std::string, rocksdb::ColumnFamilyHandle*>> handles_;
};

}  // namespace

Status MigrateStore(const std::string& dir, MigrateResult* result,
                    const std::function<void(std::string_view step)>& at_step) {
  const auto started = std::chrono::steady_clock::now();
  auto step = [&](std::string_view s) {
    if (at_step) at_step(s);
  };
  *result = MigrateResult();
  step("open");
  RawStore store;
  NSRADAR_RETURN_IF_ERROR(store.Open(dir));
  rocksdb::ColumnFamilyHandle* meta = store.Find(kCfNames[kMeta]);
  std::string v;
  const rocksdb::Status g = store.db()->Get(rocksdb::ReadOptions(), meta, ToSlice(kFormatKey), &v);
  if (g.IsNotFound()) return Status::Corruption("store " + dir + " has no format entry: not an nsradar store");
  NSRADAR_RETURN_IF_ERROR(FromRocks(g, "reading the format of " + dir));
  if (!DecodeFormatVersion(v, &result->from_format)) {
    return Status::Corruption("store " + dir + ": format entry '" + v + "' is not a number");
  }
  if (result->from_format == kFormatVersion) {
    // A crash after the stamp may have left the old family.
    NSRADAR_RETURN_IF_ERROR(store.Drop(kLegacyNsEdges));
    result->store_bytes_before = result->store_bytes_after = store.SstBytes();
    result->edge_bytes_before = result->edge_bytes_after = store.SstBytes(kCfNames[kNsBlocks]);
    return Status::OK();
  }
  if (result->from_format != 1) {
    return Status::InvalidArgument("store " + dir + " is format " + v + "; migrate converts format 1 to " +
                                   EncodeFormatVersion(kFormatVersion));
  }
  rocksdb::ColumnFamilyHandle* edges = store.Find(kLegacyNsEdges);
  if (!edges) return Status::Corruption("store " + dir + " is format 1 but has no ns_edges family");
  NSRADAR_RETURN_IF_ERROR(store.FlushAll());
  result->store_bytes_before = store.SstBytes();
  result->edge_bytes_before = store.SstBytes(kLegacyNsEdges);
  // An interrupted migrate's blocks are incomplete: start again.
  NSRADAR_RETURN_IF_ERROR(store.Drop(kCfNames[kNsBlocks]));
  NSRADAR_RETURN_IF_ERROR(store.Create(kCfNames[kNsBlocks]));
  // Families of format 2 that a format-1 store may lack (the late ones) are
  // created by the first writable open.
  rocksdb::ColumnFamilyHandle* blocks = store.Find(kCfNames[kNsBlocks]);
  rocksdb::DB* db = store.db();

  // Blocks go in batches without the WAL: until the stamp, a crash only
  // loses blocks that the next migrate rebuilds anyway.
  rocksdb::WriteBatch batch;
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  bool first_batch = true;
  auto commit = [&]() -> Status {
    NSRADAR_RETURN_IF_ERROR(FromRocks(db->Write(wo, &batch), "writing ns_blocks of " + dir));
    batch.Clear();
    if (first_batch) step("blocks");
    first_batch = false;
    return Status::OK();
  };
  NsBlockWriter writer(nullptr,  // ns_blocks was just created empty
                       [&](std::string_view key, const std::string_view* value) -> Status {
                         const rocksdb::Status s = value ? batch.Put(blocks, ToSlice(key), ToSlice(*value))
                                                         : batch.Delete(blocks, ToSlice(key));
                         NSRADAR_RETURN_IF_ERROR(FromRocks(s, "batch"));
                         return batch.GetDataSize() >= (4 << 20) ? commit() : Status::OK();
                       });
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, edges));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view value = ToView(it->value());
    NSRADAR_RETURN_IF_ERROR(writer.Change(ToView(it->key()), &value));
    ++result->edges;
  }
  NSRADAR_RETURN_IF_ERROR(FromRocks(it->status(), "reading ns_edges of " + dir));
  it.reset();
  NSRADAR_RETURN_IF_ERROR(writer.Finish());
  if (batch.Count() > 0) NSRADAR_RETURN_IF_ERROR(commit());
  result->blocks = writer.blocks_written();

  // Durable in SST files before the stamp says they are there.
  step("compact");
  NSRADAR_RETURN_IF_ERROR(FromRocks(db->Flush(rocksdb::FlushOptions(), blocks), "flushing ns_blocks of " + dir));
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  NSRADAR_RETURN_IF_ERROR(FromRocks(db->CompactRange(co, blocks, nullptr, nullptr), "compacting ns_blocks of " + dir));

  step("stamp");
  rocksdb::WriteBatch stamp;
  NSRADAR_RETURN_IF_ERROR(
      FromRocks(stamp.Put(meta, ToSlice(kFormatKey), EncodeFormatVersion(kFormatVersion)), "batch"));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  NSRADAR_RETURN_IF_ERROR(FromRocks(db->Write(sync, &stamp), "writing the format of " + dir));

  step("drop");
  NSRADAR_RETURN_IF_ERROR(store.Drop(kLegacyNsEdges));
  result->converted = true;
  result->edge_bytes_after = store.SstBytes(kCfNames[kNsBlocks]);
  result->store_bytes_after = store.SstBytes();
  result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  step("done");
  return Status::OK();
}

}  // namespace nsradar::nsdb
