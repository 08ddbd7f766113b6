#include "nsdb/internal/delegation_changes.h"

#include <algorithm>

namespace nsradar::nsdb {
namespace {

// Values live in one buffer, referred to as offset << 24 | length.
uint64_t Ref(size_t offset, size_t length) { return static_cast<uint64_t>(offset) << 24 | length; }
std::string_view Deref(const std::string& buffer, uint64_t ref) {
  return std::string_view(buffer).substr(ref >> 24, ref & 0xffffff);
}

// Gives a container's memory back. (`c = {}` would not: for strings and
// vectors it assigns an empty initializer list, which keeps the capacity.)
template <typename Container>
void Release(Container& c) {
  Container().swap(c);
}

}  // namespace

void ZoneDomainChanges::Add(uint32_t domain_index, std::string_view name, const DomainRecordWriter& record,
                            zone::DomainKind kind) {
  Change c{domain_index, 0, 0};
  if (domain_index == kStoreOnly) {
    c.name = static_cast<uint32_t>(store_only_names_.size());
    store_only_names_.emplace_back(name);
  }
  if (record.size() > 0) {
    const size_t offset = records_.size();
    record.AppendTo(kind, &records_);
    c.record = Ref(offset, records_.size() - offset);
  }
  changes_.push_back(c);
}

Status ZoneDomainChanges::Write(const zone::ZoneSnapshot& snap, uint32_t zone_id, AtomicWrite* w, int part) const {
  std::string key;
  for (const Change& c : changes_) {
    key.clear();
    AppendZoneDomainKey(&key, zone_id,
                        c.domain == kStoreOnly ? std::string_view(store_only_names_[c.name]) : snap.domain(c.domain));
    const std::string_view record = Deref(records_, c.record);
    NSRADAR_RETURN_IF_ERROR(record.empty() ? w->Delete(kZoneDomains, key, part)
                                           : w->Put(kZoneDomains, key, record, part));
  }
  return Status::OK();
}

void ZoneDomainChanges::Clear() {
  Release(changes_);
  Release(store_only_names_);
  Release(records_);
}

void NsEdgeChanges::AddSnapshotEdge(uint32_t host_rank, uint32_t domain_index, const EdgeValue& value) {
  encoded_.clear();
  value.EncodeTo(&encoded_);
  uint64_t ref;
  if (auto known = value_refs_.find(encoded_); known != value_refs_.end()) {
    ref = known->second;
  } else {
    ref = Ref(values_.size(), encoded_.size());
    values_.append(encoded_);
    if (value_refs_.size() < 65536) value_refs_.emplace(encoded_, ref);
  }
  changes_.push_back(EdgeChange{host_rank, domain_index, ref});
}

void NsEdgeChanges::AddStoreOnlyEdge(std::string_view host, std::string_view domain, std::optional<std::string> value) {
  store_only_.push_back(StoreOnlyChange{std::string(domain), std::string(host), std::move(value)});
}

int NsEdgeChanges::Sort(bool bulk) {
  // A stable counting sort by host rank keeps the domain order within each
  // host.
  std::vector<EdgeChange> by_host(changes_.size());
  {
    std::vector<uint64_t> start(snap_.host_count() + 1, 0);
    for (const EdgeChange& c : changes_) ++start[c.host + 1];
    for (size_t h = 1; h < start.size(); ++h) start[h] += start[h - 1];
    for (const EdgeChange& c : changes_) by_host[start[c.host]++] = c;
  }
  changes_ = std::move(by_host);
  for (const auto& so : store_only_) {
    std::string key;
    AppendNsEdgeKey(&key, so.host, so.domain);
    store_only_keys_.emplace_back(std::move(key), &so);
  }
  std::sort(store_only_keys_.begin(), store_only_keys_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  parts_ = bulk && changes_.size() > 100000 ? 8 : 1;
  return parts_;
}

void NsEdgeChanges::KeyOf(const EdgeChange& c, std::string* key) const {
  key->clear();
  AppendNsEdgeKey(key, snap_.host(c.host), snap_.domain(c.domain));
}

std::string_view NsEdgeChanges::ValueOf(const EdgeChange& c) const { return Deref(values_, c.value); }

// Parts split between hosts, never within one: a part's changes rewrite
// the blocks of its hosts (NsBlockWriter), which no other part may touch.
size_t NsEdgeChanges::PartBegin(int part) const {
  if (part == 0) return 0;
  if (part >= parts_) return changes_.size();
  size_t i = changes_.size() * static_cast<size_t>(part) / parts_;
  while (i > 0 && i < changes_.size() && changes_[i].host == changes_[i - 1].host) ++i;
  return i;
}

Status NsEdgeChanges::WritePart(int part, const EdgeSink& sink) const {
  const size_t begin = PartBegin(part);
  const size_t end = PartBegin(part + 1);
  // Store-only changes belong to the part whose hosts hold them: bounds are
  // a host's first possible key.
  auto first_at_or_after = [&](const std::string& bound) {
    return std::lower_bound(store_only_keys_.begin(), store_only_keys_.end(), bound,
                            [](const auto& e, const std::string& b) { return e.first < b; });
  };
  auto write_store_only = [&](const std::pair<std::string, const StoreOnlyChange*>& c) {
    const std::optional<std::string>& value = c.second->value;
    const std::string_view view = value ? std::string_view(*value) : std::string_view();
    return sink(c.first, value ? &view : nullptr);
  };
  std::string key, bound;
  auto host_bound = [&](size_t i) {
    bound.clear();
    AppendNsEdgeKey(&bound, snap_.host(changes_[i].host), "");
    return first_at_or_after(bound);
  };
  auto lower = part > 0 && begin < changes_.size() ? host_bound(begin) : store_only_keys_.begin();
  if (part > 0 && begin == changes_.size()) lower = store_only_keys_.end();
  auto last = end < changes_.size() ? host_bound(end) : store_only_keys_.end();
  for (size_t i = begin; i < end; ++i) {
    KeyOf(changes_[i], &key);
    for (; lower != last && lower->first < key; ++lower) NSRADAR_RETURN_IF_ERROR(write_store_only(*lower));
    const std::string_view value = ValueOf(changes_[i]);
    NSRADAR_RETURN_IF_ERROR(sink(key, &value));
  }
  for (; lower != last; ++lower) NSRADAR_RETURN_IF_ERROR(write_store_only(*lower));
  return Status::OK();
}

void NsEdgeChanges::Clear() {
  Release(changes_);
  Release(store_only_keys_);  // points into store_only_
  Release(store_only_);
  Release(value_refs_);
  Release(values_);
}

}  // namespace nsradar::nsdb
