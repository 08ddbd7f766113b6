// Spool: the sensor's batches on disk, from the moment they are closed
// until the warehouse has acknowledged them. One file per batch,
// DIR/<seq>.batch (seq zero-padded to 20 digits, so names sort as numbers),
// written to DIR/<seq>.tmp, flushed, renamed and the folder flushed: after
// a crash a batch file is whole or absent. Batches the warehouse refused
// (a bad row, schema drift) move to DIR/rejected/, kept for an operator.
//
// The spool is bounded in bytes (batches plus rejected ones): Put refuses a
// batch that does not fit, and the caller counts and reports it (the
// newest is dropped, so what is spooled stays a gapless, ordered run).
//
// Batch file (little-endian): "NSRSPOOL", u32 format 1, u64 seq, u32 rows,
// u32 min_ts, u32 max_ts, u32 CRC-32 (of every other byte of the file),
// u64 payload bytes,
// u16 + table name, u16 + sensor name, the payload (RowBinary rows of the
// table, warehouse/rows.h). A file that is truncated, garbled or does not
// decode into its rows is reported with its path and the offset, renamed
// NAME.corrupt and skipped.
//
// Thread-safe: the writer's spooling thread puts, its sending thread reads
// and removes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nsradar::warehouse {

struct Batch {
  std::string table;  // a TableSpec's name
  std::string sensor;
  uint64_t seq = 0;
  uint32_t rows = 0;
  uint32_t min_ts = 0, max_ts = 0;  // of its rows' ts
  std::string payload;              // RowBinary
};

// The file's bytes; and back, checking everything (the rows decode by the
// table's columns). Errors name the offset.
std::string EncodeBatchFile(const Batch& batch);
Status DecodeBatchFile(std::string_view data, Batch* out);

class Spool {
 public:
  // Creates DIR (and DIR/rejected) if missing and checks every batch file;
  // each corrupt one is renamed and passed to `report` as
  // "PATH: offset N: what".
  static Status Open(const std::string& dir, uint64_t max_bytes, const std::function<void(const std::string&)>& report,
                     std::unique_ptr<Spool>* out);

  // Busy (nothing written) when the batch would take the spool over its
  // bound; IOError when the disk fails.
  Status Put(const Batch& batch);
  std::optional<uint64_t> Oldest() const;
  // Reads and checks the batch; a corrupt file is renamed and Corruption
  // returned, naming it (it is no longer in the spool).
  Status Read(uint64_t seq, Batch* out);
  Status Remove(uint64_t seq);
  Status Reject(uint64_t seq);  // moves it to rejected/

  const std::string& dir() const { return dir_; }
  size_t batches() const;
  uint64_t bytes() const;  // including rejected batches
  // The highest sequence number of any batch file (spooled or rejected);
  // 0 when there is none.
  uint64_t max_seq() const;

 private:
  Spool(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  std::string PathOf(uint64_t seq) const;
  void SetAside(const std::string& path);

  const std::string dir_;
  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::map<uint64_t, uint64_t> files_;  // seq -> bytes
  uint64_t bytes_ = 0;                  // files_ and rejected
  uint64_t max_seq_ = 0;
};

}  // namespace nsradar::warehouse
