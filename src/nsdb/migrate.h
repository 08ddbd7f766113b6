// Moving a store of an older on-disk format (internal/keys.h,
// kFormatVersion) to the current one, in place: `nsradar store migrate`.
//
// Format 1 kept one ns_edges key per (name server, domain) pair; format 2
// keeps each name server's domains in blocks (ns_blocks). The conversion
// streams ns_edges in key order into new blocks (memory: a block and a
// write batch, whatever the store's size), flushes and compacts ns_blocks,
// then, in one synced write, sets the format to 2, and only then drops
// ns_edges. A crash (kill -9) at any moment leaves a store that still says
// format 1 (its ns_edges whole; a partial ns_blocks is dropped and rebuilt
// by the next migrate) or says format 2 with ns_blocks complete (a left
// ns_edges is dropped by the next migrate or writable open). Running it on
// a current store changes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nsradar::nsdb {

struct MigrateResult {
  int from_format = 0;
  bool converted = false;  // false: the store was already current
  uint64_t edges = 0, blocks = 0;
  // SST bytes of the whole store before and after, and of the edges'
  // family (ns_edges before, ns_blocks after).
  uint64_t store_bytes_before = 0, store_bytes_after = 0;
  uint64_t edge_bytes_before = 0, edge_bytes_after = 0;
  double seconds = 0;
};

// `at_step`, for crash tests, is called as each step begins: "open",
// "blocks" (after the first batch of blocks is written), "compact",
// "stamp", "drop", "done".
Status MigrateStore(const std::string& dir, MigrateResult* result,
                    const std::function<void(std::string_view step)>& at_step = {});

}  // namespace nsradar::nsdb
