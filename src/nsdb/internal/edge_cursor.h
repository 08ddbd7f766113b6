// The (name server, domain) pairs of the index in (host, domain) order, from
// zone files (ns_blocks) and passive DNS (observed_edges) merged: a pair
// known to both is one row spanning both.
#pragma once

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <string_view>

#include "nsdb/internal/edge_block.h"
#include "nsdb/internal/store_impl.h"
#include "nsdb/store.h"

namespace nsradar::nsdb {

// Rows of one scan nearly always share a zone: remembering the last one
// spares a lock and a hash lookup per row.
class ZoneMemo {
 public:
  explicit ZoneMemo(const Store::Impl& store) : store_(store) {}
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
    latest_ = store_.ZoneLatest(id);
    name_ = store_.ZoneName(id);
  }
  const Store::Impl& store_;
  uint32_t id_ = 0;  // zone ids start at 1
  int64_t latest_ = 0;
  std::string name_;
};

// An iterator over one family, bounded to the keys below `limit` unless
// that is empty. Not movable: the read options point at the bound.
class BoundedIterator {
 public:
  BoundedIterator(const Store::Impl& store, Cf family, std::string limit);
  BoundedIterator(const BoundedIterator&) = delete;
  BoundedIterator& operator=(const BoundedIterator&) = delete;
  rocksdb::Iterator* operator->() const { return it_.get(); }
  // False when the family does not exist (a reader of an older store) or
  // is not read.
  bool exists() const { return it_ != nullptr; }

 private:
  std::string limit_;
  rocksdb::Slice limit_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// The entries of ns_blocks (keys.h, internal/edge_block.h) one by one, in
// (host, domain) order: a seek is one RocksDB seek and a block decode,
// a step within a block no RocksDB call at all. The one reader of
// ns_blocks but NsBlockWriter.
class NsBlockCursor {
 public:
  // The entries of `host`, or of every host with `all_hosts`.
  NsBlockCursor(const Store::Impl& store, std::string_view host, bool all_hosts);
  // Positions at the first entry at or after (host, domain); after it,
  // when `exclusive`.
  void Seek(std::string_view host, std::string_view domain, bool exclusive);
  // False at the end, or on an error (status() says which).
  bool Valid() const { return index_ < block_.size(); }
  std::string_view host() const { return host_; }
  std::string_view domain() const { return block_.domain(index_); }
  // The entry's EdgeValue bytes.
  std::string_view value() const { return block_.value(index_); }
  void Next();
  // Corruption naming the block of a malformed key or block.
  const Status& status() const { return status_; }

 private:
  // Decodes the block the iterator is on, if it is one to read; false (and
  // nothing decoded) at the end or on an error.
  bool LoadBlock();
  void NextBlock();

  BoundedIterator it_;
  std::string host_;  // of the decoded block
  EdgeBlockReader block_;
  size_t index_ = 0;
  Status status_;
};

class MergedEdgeCursor {
 public:
  // The edges of `host`, or of every host with `all_hosts` (the root, "",
  // can be a name server's name too).
  MergedEdgeCursor(const Store::Impl& store, std::string_view host, bool all_hosts = false);

  // Positions at the first pair at or after (host, domain); after it, when
  // `exclusive`. Pairs compare as pairs, not as keys, so that neither family
  // depends on the other's layout.
  void Seek(std::string_view host, std::string_view domain, bool exclusive);

  // The next row and its host, or false at the end (then status() tells
  // whether it was an error). The views stay valid until the next call.
  bool Next(std::string_view* host, DomainRowView* row);
  const Status& status() const { return status_; }

 private:
  // Splits the current key of observed_edges; false (and status_ set) when
  // malformed.
  bool ReadObservedKey(std::string_view* host, std::string_view* domain);
  bool ReadZoneRow(std::string_view domain, DomainRowView* row);
  bool ReadObservedRow(std::string_view domain, bool merge, DomainRowView* row);

  NsBlockCursor blocks_;
  BoundedIterator seen_it_;
  ZoneMemo memo_;
  EdgeSpan span_;  // decoded from span_bytes_, the last zone value read
  std::string span_bytes_;
  bool pending_zone_ = false, pending_seen_ = false;
  Status status_;
};

}  // namespace nsradar::nsdb
