// NsBlockWriter: the only writer of ns_blocks. Takes a snapshot's edge
// changes in (host, domain) order, merge-joins them with the blocks the
// store holds for those hosts, and writes the blocks that changed, whole,
// in key order (so into one SST part, or a WriteBatch): a block that lost
// all its entries is deleted, one whose first domain changed is written
// under its new key and its old key deleted, one that grew past twice
// kEdgeBlockTarget entries is split into blocks of kEdgeBlockTarget (the
// last one holding up to twice that). Blocks no change touches are neither
// read nor written.
//
// Memory: one old block and at most 2 * kEdgeBlockTarget + 1 entries,
// whatever the size of a host or of the changes.
#pragma once

#include <rocksdb/iterator.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nsdb/internal/edge_block.h"
#include "util/status.h"

namespace nsradar::nsdb {

// Where blocks go: a key and its value, or null to delete the key.
using BlockSink = std::function<Status(std::string_view key, const std::string_view* value)>;

class NsBlockWriter {
 public:
  // `blocks` iterates the stored ns_blocks (nothing else writes them while
  // this writer runs), or is null for a family known to be empty (the
  // migration's, whose memtable fills as it writes: an iterator's seeks
  // would walk every entry newer than itself); `out` receives block writes
  // in key order.
  NsBlockWriter(std::unique_ptr<rocksdb::Iterator> blocks, BlockSink out);

  // The new value of the edge whose ns_edges-style key (keys.h,
  // AppendNsEdgeKey) is `edge_key`, or null to delete it. Keys strictly
  // increasing.
  Status Change(std::string_view edge_key, const std::string_view* value);
  // Writes what is pending; call once after the last change.
  Status Finish();
  uint64_t blocks_written() const { return blocks_written_; }

 private:
  // Positions on the stored block that holds `domain` of `host` (or the
  // host's first block when `domain` sorts before it) and the next one.
  Status StartGroup(std::string_view host, std::string_view domain);
  // The old block's entries before `domain` (all, when null) go to the
  // new blocks.
  Status CopyOldBefore(const std::string_view* domain);
  Status FinishGroup();
  Status Emit(std::string_view domain, std::string_view value);
  // Writes the first `n` pending entries as one block.
  Status Flush(size_t n);
  Status Put(const std::string& key, std::string_view value);

  std::unique_ptr<rocksdb::Iterator> it_;
  BlockSink out_;
  bool in_group_ = false;
  std::string host_;
  std::string old_key_, old_value_;  // the stored block being rewritten; empty key: none
  EdgeBlockReader old_;
  size_t old_next_ = 0;  // the old block's first entry not yet copied or replaced
  bool has_upper_ = false;
  std::string upper_;  // the first domain of the host's next stored block
  bool delete_old_ = false;
  // Entries not yet in a block, as offsets into pending_bytes_ (domain,
  // then value): no allocation per entry.
  struct Pending {
    size_t domain, domain_size, value_size;
  };
  std::vector<Pending> pending_;
  std::string pending_bytes_;
  EdgeBlockBuilder builder_;
  std::string key_;
  uint64_t blocks_written_ = 0;
};

}  // namespace nsradar::nsdb
