// Store::Impl: what the parts of the store share (store.cc: opening and
// store-wide answers; queries.cc; observations.cc; alerts_intel.cc;
// internal/snapshot_ingest.*): the RocksDB database with its column
// families, the zone table, and the one writer lock.
//
// The database itself stays private. Parts read through Impl's read methods
// and change the store only through a Writer, which exists only while
// Impl::AsWriter holds the writer lock: so every write path holds it, as
// store.h promises.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nsdb/internal/keys.h"
#include "nsdb/store.h"
#include "util/status.h"

namespace nsradar::nsdb {

// RocksDB's status as nsradar's; `what` says where.
Status FromRocks(const rocksdb::Status& s, const std::string& what);
inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
inline std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

class Writer;

// How the store opens RocksDB and each family (by name: the migration opens
// format 1's too).
rocksdb::DBOptions StoreDbOptions(bool read_only);
rocksdb::ColumnFamilyOptions FamilyOptions(std::string_view name, const std::shared_ptr<rocksdb::Cache>& cache);

class Store::Impl {
 public:
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  Status Open(const std::string& dir, const StoreOptions& options);
  // Runs `write` as the store's one writer: under the writer lock, after
  // RocksDB has resumed from an earlier failed write. InvalidArgument on a
  // read-only store.
  Status AsWriter(const std::function<Status(Writer&)>& write);
  // For a read-only store, takes in what writers committed since; a no-op
  // for the writer.
  Status CatchUp();

  const StoreOptions& options() const { return options_; }
  const std::string& dir() const { return dir_; }

  // Reads, from any thread. A late family (keys.h) may be missing on a
  // reader of an older store: has() tells, and NewIterator gives null.
  bool has(Cf c) const { return handles_[c] != nullptr; }
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf c, const rocksdb::ReadOptions& ro = {}) const;
  rocksdb::Status Get(Cf c, std::string_view key, std::string* value) const;
  // statuses[i] and values[i] answer keys[i].
  void MultiGet(Cf c, const std::vector<rocksdb::Slice>& keys, std::vector<rocksdb::PinnableSlice>* values,
                std::vector<rocksdb::Status>* statuses) const;
  Status ReadCounters(uint64_t out[kCounterCount]) const;
  uint64_t SstBytes(Cf c) const;
  // Whether the store holds any observation at all; when not, queries skip
  // the observed families (an iterator costs microseconds per request).
  bool any_observed() const { return any_observed_; }

  // The zone table, loaded at open and kept current by the writer.
  int64_t ZoneLatest(uint32_t id) const;
  std::string ZoneName(uint32_t id) const;
  std::optional<ZoneInfo> FindZone(std::string_view name) const;
  std::vector<ZoneInfo> ZoneList() const;

 private:
  friend class Writer;

  // Refuses a store of another format (naming `nsradar store migrate` for
  // format 1), or one with data but no format entry.
  Status ProbeFormat(const std::vector<std::string>& existing);
  Status OpenDatabase(const std::vector<std::string>& existing);
  Status CheckFormat();
  Status DropLegacy();
  Status LoadZoneTable();
  void RefreshAnyObserved();

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_ = std::vector<rocksdb::ColumnFamilyHandle*>(kCfCount);
  rocksdb::ColumnFamilyHandle* legacy_ = nullptr;  // format 1's ns_edges, left by a crashed migration
  std::string dir_;
  std::string secondary_dir_;  // a reader's own directory, removed on close
  StoreOptions options_;
  std::shared_ptr<rocksdb::Cache> cache_;

  // Readers look zones up while the writer replaces entries: zones_mu_
  // guards both maps (the writer, the only one that changes them, reads them
  // without it). zone_by_id_ points into zones_, whose nodes never move.
  std::map<std::string, ZoneInfo, std::less<>> zones_;
  std::unordered_map<uint32_t, const ZoneInfo*> zone_by_id_;
  uint32_t next_zone_id_ = 1;
  mutable std::shared_mutex zones_mu_;

  std::atomic<bool> any_observed_{false};

  std::mutex write_mu_;
  // A failed write (a full disk) leaves RocksDB refusing every write until
  // its error is cleared; the next writer first asks it to resume, which
  // works once the cause is gone. Guarded by write_mu_.
  bool write_failed_ = false;
};

// The store's writer while Impl::AsWriter runs; the only way to change the
// store. Not copyable; valid only inside the AsWriter call that made it.
class Writer {
 public:
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  const Store::Impl& store() const { return impl_; }
  // The family's handle, for a batch or an SST file, and the options its
  // SST files are written with.
  rocksdb::ColumnFamilyHandle* handle(Cf c) const { return impl_.handles_[c]; }
  rocksdb::Options SstOptions(Cf c) const;

  // Commits `batch` atomically (synced with `sync`).
  Status Commit(rocksdb::WriteBatch* batch, bool sync, const std::string& what);
  // Adds SST files to their families as one atomic step.
  Status IngestFiles(const std::vector<rocksdb::IngestExternalFileArg>& files);
  Status CompactAll();

  // The zone's entry as the writer knows it; a new zone has none yet and
  // gets the next id.
  ZoneInfo ZoneOrNew(const std::string& name) const;
  // Replaces the zone's entry in memory, after its write is committed.
  void PutZone(ZoneInfo zone);
  // After observations are committed.
  void NoteObserved() { impl_.any_observed_ = true; }

 private:
  friend class Store::Impl;
  explicit Writer(Store::Impl& impl) : impl_(impl) {}
  // A failed write makes the next writer resume RocksDB first.
  Status Written(const Status& s);

  Store::Impl& impl_;
};

}  // namespace nsradar::nsdb
