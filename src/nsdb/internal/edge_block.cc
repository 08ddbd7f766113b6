#include "nsdb/internal/edge_block.h"

#include <algorithm>
#include <cstring>

#include "util/varint.h"

namespace nsradar::nsdb {
namespace {

size_t SharedPrefix(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Whether a domain sorts after the previous one, given what follows the
// prefix they share. A writer's `shared` is their whole common prefix, so
// the first bytes differ and decide; only a hand-made block gets further.
bool SortsAfter(std::string_view rest, std::string_view previous_rest) {
  if (rest.empty()) return false;
  if (previous_rest.empty()) return true;
  const auto a = static_cast<unsigned char>(rest[0]), b = static_cast<unsigned char>(previous_rest[0]);
  if (a != b) return a > b;
  return rest > previous_rest;
}

}  // namespace

void EdgeBlockBuilder::Clear() {
  count_ = 0;
  first_.clear();
  previous_.clear();
  previous_value_.clear();
  entries_.clear();
}

const std::string& EdgeBlockBuilder::block() {
  block_.clear();
  PutVarint64(&block_, count_);
  block_.append(entries_);
  return block_;
}

void EdgeBlockBuilder::Add(std::string_view domain, std::string_view value) {
  if (count_ == 0) {
    first_.assign(domain);
    previous_.assign(domain);
  }
  const size_t shared = SharedPrefix(previous_, domain);
  const bool same = count_ > 0 && value == previous_value_;
  PutVarint64(&entries_, shared);
  PutVarint64(&entries_, (domain.size() - shared) << 1 | static_cast<uint64_t>(same));
  entries_.append(domain.substr(shared));
  if (!same) {
    entries_.append(value);
    previous_value_.assign(value);
  }
  previous_.assign(domain);
  ++count_;
}

bool SkipEdgeValue(std::string_view* in) {
  uint64_t v, runs;
  if (!GetVarint64(in, &v) || in->empty()) return false;  // zone id, then the kind byte
  in->remove_prefix(1);
  if (!GetVarint64(in, &runs) || runs > in->size()) return false;
  for (uint64_t i = 0; i < 2 * runs; ++i) {
    if (!GetVarint64(in, &v)) return false;
  }
  return true;
}

void EdgeBlockReader::Clear() {
  names_used_ = 0;
  entries_.clear();
}

char* EdgeBlockReader::AppendName(size_t size) {
  // names_ only grows, so that decoding a block zero-fills nothing once the
  // buffer has reached its working size.
  if (names_.size() - names_used_ < size) names_.resize(std::max(2 * names_.size(), names_used_ + size));
  names_used_ += size;
  return names_.data() + names_used_ - size;
}

bool EdgeBlockReader::Decode(std::string_view first_domain, std::string_view block) {
  Clear();
  uint64_t count;
  // Each entry takes at least two bytes.
  if (!GetVarint64(&block, &count) || count == 0 || count > block.size() / 2) return false;
  entries_.reserve(count);
  // Domains are rebuilt one after the other in names_; each is the previous
  // one's first `shared` bytes and its own.
  std::string_view previous_value;
  size_t previous = 0, previous_size = first_domain.size();
  for (uint64_t e = 0; e < count; ++e) {
    uint64_t shared, header;
    if (!GetVarint64(&block, &shared) || !GetVarint64(&block, &header)) return false;
    const uint64_t unshared = header >> 1;
    const bool same = header & 1;
    if (shared > previous_size || unshared > block.size()) return false;
    const size_t start = names_used_;
    if (e == 0) {
      if (shared != first_domain.size() || unshared != 0 || same) return false;
      std::memcpy(AppendName(shared), first_domain.data(), shared);
    } else {
      char* name = AppendName(shared + unshared);
      const char* prev = names_.data() + previous;
      std::memcpy(name, prev, shared);
      std::memcpy(name + shared, block.data(), unshared);
      if (!SortsAfter(std::string_view(name + shared, unshared),
                      std::string_view(prev + shared, previous_size - shared))) {
        return false;
      }
    }
    block.remove_prefix(unshared);
    if (names_used_ > UINT32_MAX) return false;
    std::string_view value = previous_value;
    if (!same) {
      std::string_view rest = block;
      if (!SkipEdgeValue(&rest)) return false;
      value = block.substr(0, block.size() - rest.size());
      block = rest;
    }
    entries_.push_back(Entry{static_cast<uint32_t>(start), static_cast<uint32_t>(names_used_ - start), value});
    previous = start;
    previous_size = names_used_ - start;
    previous_value = value;
  }
  return block.empty();
}

size_t EdgeBlockReader::LowerBound(std::string_view domain, bool exclusive) const {
  size_t lo = 0, hi = entries_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    const int cmp = this->domain(mid).compare(domain);
    if (cmp < 0 || (exclusive && cmp == 0)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace nsradar::nsdb
