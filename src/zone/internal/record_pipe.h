// RecordPipe: the zone reader on a thread of its own, for the snapshot
// builders (snapshot.cc, spilled_zone.cc).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dns/address.h"
#include "dns/rr_type.h"
#include "zone/snapshot.h"
#include "zone/zone_reader.h"

namespace nsradar::zone {

// Runs the reader on a thread of its own and hands over, in batches, the
// records a snapshot needs, so that parsing and building use both cores.
// The reader must not be touched by the caller until the pipe is destroyed.
class RecordPipe {
 public:
  struct Rec {
    uint16_t type;
    uint32_t serial;
    uint64_t owner_offset;
    uint32_t owner_length;
    uint32_t target_length;  // NS target follows the owner in `bytes`
    dns::Address address;
  };
  struct Batch {
    std::string bytes;
    std::vector<Rec> recs;
    std::string_view owner(const Rec& r) const { return {bytes.data() + r.owner_offset, r.owner_length}; }
    std::string_view target(const Rec& r) const {
      return {bytes.data() + r.owner_offset + r.owner_length, r.target_length};
    }
  };

  // At most kMaxQueued + 2 batches of `batch_records` records exist at once
  // (about 100 bytes per record).
  static constexpr size_t kBatchRecords = 16384;
  static constexpr size_t kMaxQueued = 4;
  RecordPipe(ZoneReader* reader, const SnapshotOptions& options, size_t batch_records = kBatchRecords)
      : reader_(reader), options_(options), batch_records_(batch_records) {
    thread_ = std::thread([this] { Produce(); });
  }
  ~RecordPipe() {
    {
      std::lock_guard<std::mutex> l(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The next batch, or false once the reader is done.
  bool Next(Batch* out) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return !full_.empty() || done_; });
    if (full_.empty()) return false;
    if (!out->recs.empty() || !out->bytes.empty()) {
      out->bytes.clear();
      out->recs.clear();
      free_.push_back(std::move(*out));
    }
    *out = std::move(full_.front());
    full_.pop_front();
    cv_.notify_all();
    return true;
  }

 private:
  void Produce() {
    Batch batch;
    Record rec;
    uint64_t n = 0;
    while (reader_->Next(&rec)) {
      if (options_.progress && (++n & 0xffff) == 0) options_.progress(reader_->raw_offset(), reader_->raw_size());
      if (rec.type != dns::rr::kNS && rec.type != dns::rr::kA && rec.type != dns::rr::kAAAA &&
          rec.type != dns::rr::kSOA) {
        continue;
      }
      Rec r{rec.type,
            rec.soa_serial,
            batch.bytes.size(),
            static_cast<uint32_t>(rec.owner.size()),
            static_cast<uint32_t>(rec.ns_target.size()),
            rec.address};
      batch.bytes.append(rec.owner);
      batch.bytes.append(rec.ns_target);
      batch.recs.push_back(r);
      if (batch.recs.size() == batch_records_ && !Hand(&batch)) return;
    }
    if (!batch.recs.empty()) Hand(&batch);
    std::lock_guard<std::mutex> l(mu_);
    done_ = true;
    cv_.notify_all();
  }

  // Queues a full batch and gives back an empty one; false when cancelled.
  bool Hand(Batch* batch) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return full_.size() < kMaxQueued || cancelled_; });
    if (cancelled_) return false;
    full_.push_back(std::move(*batch));
    *batch = Batch();
    if (!free_.empty()) {
      *batch = std::move(free_.back());
      free_.pop_back();
    }
    cv_.notify_all();
    return true;
  }

  ZoneReader* reader_;
  const SnapshotOptions& options_;
  const size_t batch_records_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> full_;
  std::vector<Batch> free_;
  bool done_ = false;
  bool cancelled_ = false;
};

}  // namespace nsradar::zone
