// AtomicWrite: where one atomic snapshot write goes: a WriteBatch, or (bulk)
// SST files, one or more per column family, ingested together, which RocksDB
// commits atomically across families.
//
// Keys must arrive in order per SST file. Different files may be filled
// from different threads; the WriteBatch form is single-threaded.
#pragma once

#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsdb/internal/store_impl.h"

namespace nsradar::nsdb {

class AtomicWrite {
 public:
  // `tmp_dir` holds the SST files in bulk mode; it must exist.
  AtomicWrite(Writer& writer, bool bulk, std::string tmp_dir);

  // In bulk mode a column family may be written as several files, part 0
  // holding the lowest keys. Reserve creates them up front so that threads
  // can then fill different parts at once.
  Status Reserve(Cf c, int parts);
  Status Put(Cf c, std::string_view key, std::string_view value, int part = 0);
  Status Delete(Cf c, std::string_view key, int part = 0);
  // Puts `value`, or deletes the key when there is none.
  Status Set(Cf c, std::string_view key, const std::optional<std::string>& value, int part = 0);
  // Bulk mode: closes the file of `part`, which takes no more keys, so that
  // its writer's memory is freed before the commit (a part with no keys is
  // dropped). A no-op for a batch.
  Status FinishPart(Cf c, int part);
  // Writes the batch (synced), or finishes the files and ingests them.
  Status Commit();

 private:
  struct Part {
    std::unique_ptr<rocksdb::SstFileWriter> writer;
    uint64_t entries = 0;
    std::string path, finished;  // `finished`: the path once FinishPart closed it with keys
  };
  // Puts *value, or deletes the key when `value` is null.
  Status Write(Cf c, std::string_view key, const std::string_view* value, int part);
  // The file of `part`, created on first use.
  Status File(Cf c, int part, Part** out);

  Writer& writer_;
  bool bulk_;
  std::string tmp_dir_;
  rocksdb::WriteBatch batch_;
  std::vector<Part> parts_[kCfCount];
};

}  // namespace nsradar::nsdb
