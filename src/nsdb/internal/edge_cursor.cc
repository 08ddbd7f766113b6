#include "nsdb/internal/edge_cursor.h"

#include <algorithm>

namespace nsradar::nsdb {

BoundedIterator::BoundedIterator(const Store::Impl& store, Cf family, std::string limit)
    : limit_(std::move(limit)), limit_slice_(limit_) {
  rocksdb::ReadOptions ro;
  if (!limit_.empty()) ro.iterate_upper_bound = &limit_slice_;
  if (family < kCfCount) it_ = store.NewIterator(family, ro);
}

NsBlockCursor::NsBlockCursor(const Store::Impl& store, std::string_view host, bool all_hosts)
    : it_(store, kNsBlocks, all_hosts ? std::string() : NsEdgeHostLimit(host)) {}

void NsBlockCursor::Seek(std::string_view host, std::string_view domain, bool exclusive) {
  std::string target;
  AppendNsEdgeKey(&target, host, domain);
  // The block holding (host, domain) starts at or before it; with none,
  // the first block after it.
  it_->SeekForPrev(target);
  if (!it_->Valid() && it_->status().ok()) it_->Seek(target);
  if (!LoadBlock()) return;
  const int cmp = host_.compare(host);
  if (cmp == 0) index_ = block_.LowerBound(domain, exclusive);
  if (cmp < 0) index_ = block_.size();  // another host's last block
  if (!Valid()) NextBlock();
}

bool NsBlockCursor::LoadBlock() {
  index_ = 0;
  block_.Clear();
  if (!it_->Valid()) {
    status_ = FromRocks(it_->status(), "scanning ns_blocks");
    return false;
  }
  std::string_view host, first;
  const std::string_view key = ToView(it_->key());
  if (!ParseNsEdgeKey(key, &host, &first)) {
    status_ = Status::Corruption("ns_blocks key without separator: " + std::string(key));
    return false;
  }
  host_.assign(host);
  if (!block_.Decode(first, ToView(it_->value()))) {
    status_ = Status::Corruption("ns_blocks block " + host_ + " " + std::string(first) + ": malformed");
    block_.Clear();
    return false;
  }
  return true;
}

void NsBlockCursor::NextBlock() {
  it_->Next();
  LoadBlock();
}

void NsBlockCursor::Next() {
  if (++index_ >= block_.size()) NextBlock();
}

MergedEdgeCursor::MergedEdgeCursor(const Store::Impl& store, std::string_view host, bool all_hosts)
    : blocks_(store, host, all_hosts),
      seen_it_(store, store.any_observed() ? kObservedEdges : kCfCount,
               all_hosts ? std::string() : ObservedNameLimit(host)),
      memo_(store) {}

void MergedEdgeCursor::Seek(std::string_view host, std::string_view domain, bool exclusive) {
  blocks_.Seek(host, domain, exclusive);
  if (!seen_it_.exists()) return;
  std::string_view h, d;
  seen_it_->Seek(ObservedKey(host, domain));
  if (exclusive && seen_it_->Valid() && ReadObservedKey(&h, &d) && h == host && d == domain) seen_it_->Next();
}

bool MergedEdgeCursor::ReadObservedKey(std::string_view* host, std::string_view* domain) {
  if (ParseObservedKey(ToView(seen_it_->key()), host, domain)) return true;
  status_ = Status::Corruption("observed edge key without separator");
  return false;
}

bool MergedEdgeCursor::ReadZoneRow(std::string_view domain, DomainRowView* row) {
  // Most entries of a block repeat their neighbour's value (a bulk ingest
  // gives a zone's edges one history): decode each distinct value once.
  const std::string_view value = blocks_.value();
  if (value != span_bytes_) {
    if (!EdgeSpan::Decode(value, &span_)) {
      span_bytes_.clear();
      status_ = Status::Corruption("ns_blocks value of " + std::string(blocks_.host()) + " " + std::string(domain));
      return false;
    }
    span_bytes_.assign(value);
  }
  row->name = domain;
  row->first_seen = span_.first_seen;
  row->last_seen = span_.last_seen(memo_.Latest(span_.zone_id));
  row->active = span_.active();
  row->kind = span_.kind;
  row->zone = memo_.Name(span_.zone_id);
  row->from_zone = true;
  row->observed = false;
  return true;
}

// With `merge`, the row already holds the zone files' view of the pair.
bool MergedEdgeCursor::ReadObservedRow(std::string_view domain, bool merge, DomainRowView* row) {
  ObservedValue o;
  if (!DecodeObservedValue(ToView(seen_it_->value()), &o)) {
    status_ = Status::Corruption("observed edge value");
    return false;
  }
  if (merge) {
    row->first_seen = std::min(row->first_seen, o.first);
    row->last_seen = std::max(row->last_seen, o.last);
  } else {
    row->name = domain;
    row->first_seen = o.first;
    row->last_seen = o.last;
    row->active = false;  // "present in the latest zone snapshot" is a zone-file notion
    row->kind = zone::ClassifyDomain(row->name);
    row->zone = {};
    row->from_zone = false;
  }
  row->observed = true;
  return true;
}

bool MergedEdgeCursor::Next(std::string_view* host, DomainRowView* row) {
  if (!status_.ok()) return false;
  if (pending_zone_) blocks_.Next();
  if (pending_seen_) seen_it_->Next();
  pending_zone_ = pending_seen_ = false;
  if (!blocks_.status().ok()) {
    status_ = blocks_.status();
    return false;
  }
  const bool zv = blocks_.Valid();
  const bool sv = seen_it_.exists() && seen_it_->Valid();
  if (!zv && !sv) {
    if (seen_it_.exists()) status_ = FromRocks(seen_it_->status(), "scanning observed edges");
    return false;
  }
  std::string_view zone_host, zone_domain, seen_host, seen_domain;
  if (zv) {
    zone_host = blocks_.host();
    zone_domain = blocks_.domain();
  }
  if (sv && !ReadObservedKey(&seen_host, &seen_domain)) return false;
  int cmp = zv ? -1 : 1;  // < 0: the zone files' pair comes first, 0: both hold it
  if (zv && sv) {
    cmp = zone_host.compare(seen_host);
    if (cmp == 0) cmp = zone_domain.compare(seen_domain);
  }
  if (cmp <= 0) {
    if (!ReadZoneRow(zone_domain, row)) return false;
    *host = zone_host;
    pending_zone_ = true;
  }
  if (cmp >= 0) {
    if (!ReadObservedRow(seen_domain, cmp == 0, row)) return false;
    *host = seen_host;
    pending_seen_ = true;
  }
  return true;
}

}  // namespace nsradar::nsdb
