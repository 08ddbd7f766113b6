// The walk at the heart of a snapshot ingest: a zone's stored pairs and the
// snapshot's pairs side by side, both in (a, b) order, where (a, b) is
// (domain, host) for delegations and (host, address key) for glue. The
// cursors are header-only because the walk visits every edge of the zone.
#pragma once

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nsdb/edge_value.h"
#include "nsdb/internal/domain_record.h"
#include "nsdb/internal/store_impl.h"
#include "zone/snapshot.h"

namespace nsradar::nsdb {

// Walks `stored` and `snap` together. `visit(a, b, stored runs, in_snapshot)`
// sees every pair once; the stored runs are null for pairs only in the
// snapshot. The views are valid during the call only.
template <typename Stored, typename Snapshot, typename Visit>
Status MergeJoin(Stored& stored, Snapshot& snap, Visit&& visit) {
  for (;;) {
    const bool have_snap = snap.Valid(), have_db = stored.Valid();
    if (!have_snap && !have_db) break;
    int order;  // < 0: only stored, 0: both, > 0: only in the snapshot
    if (!have_db) {
      order = 1;
    } else if (!have_snap) {
      order = -1;
    } else {
      int c = snap.a().compare(stored.a());
      if (c == 0) c = snap.b().compare(stored.b());
      order = c < 0 ? 1 : (c > 0 ? -1 : 0);
    }
    NSRADAR_RETURN_IF_ERROR(visit(order >= 0 ? snap.a() : stored.a(), order >= 0 ? snap.b() : stored.b(),
                                  order <= 0 ? &stored.runs() : nullptr, order >= 0));
    if (order <= 0) NSRADAR_RETURN_IF_ERROR(stored.Next());
    if (order >= 0) snap.Next();
  }
  return stored.status();
}

// An iterator over one zone's keys of zone_domains or zone_glue, not
// filling the block cache (an ingest reads each block once). For
// zone_domains it may cover only the domains after `after` through
// `through` (a chunk's range). Not movable: the read options point at the
// bound.
class ZoneScan {
 public:
  ZoneScan(const Store::Impl& store, Cf family, uint32_t zone_id, const std::string* after = nullptr,
           const std::string* through = nullptr)
      : upper_(ZoneKeyPrefix(zone_id + 1)) {
    // The least key greater than k is k \0.
    if (through) {
      upper_.clear();
      AppendZoneDomainKey(&upper_, zone_id, *through);
      upper_.push_back('\0');
    }
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice_;
    ro.fill_cache = false;
    it_ = store.NewIterator(family, ro);
    std::string lower = ZoneKeyPrefix(zone_id);
    if (after) {
      lower.clear();
      AppendZoneDomainKey(&lower, zone_id, *after);
      lower.push_back('\0');
    }
    it_->Seek(lower);
  }
  ZoneScan(const ZoneScan&) = delete;
  ZoneScan& operator=(const ZoneScan&) = delete;
  rocksdb::Iterator* get() const { return it_.get(); }

 private:
  std::string upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// A zone's delegations as stored in zone_domains, one record per domain,
// walked as (domain, host, runs) triples.
class StoredDomainCursor {
 public:
  StoredDomainCursor(rocksdb::Iterator* it, std::string zone) : it_(it), zone_(std::move(zone)) { LoadRecord(); }
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
    uint32_t zone_id;
    if (!ParseZoneDomainKey(ToView(it_->key()), &zone_id, &domain_) || !record_.Open(ToView(it_->value())) ||
        !ReadHost()) {
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
  std::string zone_;
  std::string_view domain_, host_;
  DomainRecordReader record_;
  std::vector<SeenRun> runs_;
  bool valid_ = false;
  Status status_;
};

// A zone's glue as stored in zone_glue, walked as (host, address key, runs).
class StoredGlueCursor {
 public:
  explicit StoredGlueCursor(rocksdb::Iterator* it) : it_(it) { Load(); }
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
    uint32_t zone_id;
    if (!ParseZoneGlueKey(ToView(it_->key()), &zone_id, &host_, &addr_) ||
        !EdgeValue::Decode(ToView(it_->value()), &value_)) {
      status_ = Status::Corruption("zone_glue entry");
    }
  }
  rocksdb::Iterator* it_;
  std::string_view host_, addr_;
  EdgeValue value_;
  Status status_;
};

// The snapshot's delegations as (domain, host) pairs in key order.
class SnapshotEdgeCursor {
 public:
  explicit SnapshotEdgeCursor(const zone::ZoneSnapshot& s) : s_(s) { Settle(); }
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
class SnapshotGlueCursor {
 public:
  explicit SnapshotGlueCursor(const zone::ZoneSnapshot& s) : s_(s) { Load(); }
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

}  // namespace nsradar::nsdb
