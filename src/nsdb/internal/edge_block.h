// EdgeBlock: the value of an ns_blocks key (keys.h): a run of one name
// server's domains, sorted, each with its EdgeValue bytes, so that a page
// of a name server's domains is one or two reads and a decode instead of
// one RocksDB key per (host, domain) pair.
//
// Layout: varint entry count, then per entry: varint shared (bytes in common with the previous
// domain; for the first entry the previous domain is the key's first
// domain, which the block does not repeat), varint (unshared length << 1 |
// same), the unshared bytes, then the EdgeValue bytes unless `same` says
// the entry's value is byte for byte the previous entry's (most edges of a
// bulk ingest share one value). Domains strictly increase; the first entry
// is the key's domain itself (shared = its length, unshared empty).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nsradar::nsdb {

// Blocks are written with this many entries, split when a rewrite makes
// them larger than twice that, and never merged (a block shrunk by
// deletions stays until it is empty, then its key is deleted).
inline constexpr size_t kEdgeBlockTarget = 128;

// Builds one block: Add in strictly increasing domain order, the first
// domain being the block key's.
class EdgeBlockBuilder {
 public:
  void Clear();
  // `value` must be a whole encoded EdgeValue.
  void Add(std::string_view domain, std::string_view value);
  size_t size() const { return count_; }
  const std::string& first_domain() const { return first_; }
  // The block's bytes, built on each call.
  const std::string& block();

 private:
  size_t count_ = 0;
  std::string first_, previous_, previous_value_, entries_, block_;
};

// A decoded block: views into the block's bytes (values) and into the
// decoder's own buffer (domains), valid until the next Decode.
class EdgeBlockReader {
 public:
  // False when `block` is not what EdgeBlockBuilder writes for a block
  // keyed by `first_domain`: truncated, not the count of entries it says,
  // domains out of order, a value that is not an EdgeValue's shape. Reads
  // nothing past `block`.
  bool Decode(std::string_view first_domain, std::string_view block);
  // Empty, keeping the buffers for the next Decode.
  void Clear();
  size_t size() const { return entries_.size(); }
  std::string_view domain(size_t i) const {
    return std::string_view(names_.data() + entries_[i].name, entries_[i].name_size);
  }
  std::string_view value(size_t i) const { return entries_[i].value; }
  // The first entry whose domain is at or after `domain` (after it, with
  // `exclusive`); size() if none.
  size_t LowerBound(std::string_view domain, bool exclusive) const;

 private:
  struct Entry {
    uint32_t name, name_size;
    std::string_view value;
  };
  // Room for `size` more bytes of names at the end of the used part.
  char* AppendName(size_t size);

  std::string names_;  // the first names_used_ bytes are the domains
  size_t names_used_ = 0;
  std::vector<Entry> entries_;
};

// Consumes one encoded EdgeValue from the front of *in, checking only its
// shape (EdgeValue::Decode checks the rest); false if malformed.
bool SkipEdgeValue(std::string_view* in);

}  // namespace nsradar::nsdb
