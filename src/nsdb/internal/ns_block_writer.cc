#include "nsdb/internal/ns_block_writer.h"

#include "nsdb/internal/keys.h"
#include "nsdb/internal/store_impl.h"

namespace nsradar::nsdb {
namespace {

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

Status BadKey(std::string_view key) {
  return Status::Corruption("ns_blocks key without separator: " + std::string(key));
}

}  // namespace

NsBlockWriter::NsBlockWriter(std::unique_ptr<rocksdb::Iterator> blocks, BlockSink out)
    : it_(std::move(blocks)), out_(std::move(out)) {}

Status NsBlockWriter::Change(std::string_view edge_key, const std::string_view* value) {
  std::string_view host, domain;
  if (!ParseNsEdgeKey(edge_key, &host, &domain)) return Status::Corruption("edge change without separator");
  if (in_group_ && (host != host_ || (has_upper_ && domain >= upper_))) NSRADAR_RETURN_IF_ERROR(FinishGroup());
  if (!in_group_) NSRADAR_RETURN_IF_ERROR(StartGroup(host, domain));
  NSRADAR_RETURN_IF_ERROR(CopyOldBefore(&domain));
  if (old_next_ < old_.size() && old_.domain(old_next_) == domain) ++old_next_;  // replaced or deleted
  return value ? Emit(domain, *value) : Status::OK();
}

Status NsBlockWriter::Finish() { return in_group_ ? FinishGroup() : Status::OK(); }

Status NsBlockWriter::StartGroup(std::string_view host, std::string_view domain) {
  in_group_ = true;
  host_.assign(host);
  old_key_.clear();
  old_next_ = 0;
  has_upper_ = false;
  delete_old_ = false;
  if (!it_) return Status::OK();
  std::string target;
  AppendNsEdgeKey(&target, host, domain);
  std::string_view h, d;
  it_->SeekForPrev(target);
  if (!it_->Valid() || !ParseNsEdgeKey(View(it_->key()), &h, &d) || h != host) {
    // No block of the host starts at or before `domain`: its first block,
    // if any, takes the change.
    target.clear();
    AppendNsEdgeKey(&target, host, "");
    it_->Seek(target);
  }
  if (it_->Valid()) {
    if (!ParseNsEdgeKey(View(it_->key()), &h, &d)) return BadKey(View(it_->key()));
    if (h == host) {
      old_key_.assign(View(it_->key()));
      old_value_.assign(View(it_->value()));
      if (!old_.Decode(d, old_value_))
        return Status::Corruption("ns_blocks block " + std::string(host) + " " + std::string(d));
      delete_old_ = true;
      it_->Next();
      if (it_->Valid()) {
        if (!ParseNsEdgeKey(View(it_->key()), &h, &d)) return BadKey(View(it_->key()));
        if (h == host) {
          has_upper_ = true;
          upper_.assign(d);
        }
      }
    }
  }
  if (old_key_.empty()) old_ = EdgeBlockReader();
  return FromRocks(it_->status(), "reading ns_blocks of " + host_);
}

Status NsBlockWriter::CopyOldBefore(const std::string_view* domain) {
  if (old_key_.empty()) return Status::OK();
  for (; old_next_ < old_.size() && (!domain || old_.domain(old_next_) < *domain); ++old_next_) {
    NSRADAR_RETURN_IF_ERROR(Emit(old_.domain(old_next_), old_.value(old_next_)));
  }
  return Status::OK();
}

Status NsBlockWriter::FinishGroup() {
  NSRADAR_RETURN_IF_ERROR(CopyOldBefore(nullptr));
  if (!pending_.empty()) NSRADAR_RETURN_IF_ERROR(Flush(pending_.size()));
  if (delete_old_) {
    delete_old_ = false;
    NSRADAR_RETURN_IF_ERROR(out_(old_key_, nullptr));
  }
  in_group_ = false;
  return Status::OK();
}

Status NsBlockWriter::Emit(std::string_view domain, std::string_view value) {
  pending_.push_back(Pending{pending_bytes_.size(), domain.size(), value.size()});
  pending_bytes_.append(domain);
  pending_bytes_.append(value);
  // Full blocks leave once more than twice a block is pending, so the
  // group's last block holds between one and two blocks' worth.
  if (pending_.size() > 2 * kEdgeBlockTarget) return Flush(kEdgeBlockTarget);
  return Status::OK();
}

Status NsBlockWriter::Flush(size_t n) {
  builder_.Clear();
  const std::string_view bytes = pending_bytes_;
  for (size_t i = 0; i < n; ++i) {
    const Pending& p = pending_[i];
    builder_.Add(bytes.substr(p.domain, p.domain_size), bytes.substr(p.domain + p.domain_size, p.value_size));
  }
  // The entries left move to the front (at most a block and one).
  const size_t cut = n < pending_.size() ? pending_[n].domain : pending_bytes_.size();
  pending_bytes_.erase(0, cut);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  for (Pending& p : pending_) p.domain -= cut;
  key_.clear();
  AppendNsEdgeKey(&key_, host_, builder_.first_domain());
  return Put(key_, builder_.block());
}

// The old block's key is deleted unless a new block takes the same key; its
// deletion goes out in key order among the new blocks.
Status NsBlockWriter::Put(const std::string& key, std::string_view value) {
  if (delete_old_ && key >= old_key_) {
    delete_old_ = false;
    if (key != old_key_) NSRADAR_RETURN_IF_ERROR(out_(old_key_, nullptr));
  }
  ++blocks_written_;
  return out_(key, &value);
}

}  // namespace nsradar::nsdb
