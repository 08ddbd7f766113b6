// RocksDB merge operators of the store's column families.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/merge_operator.h>

namespace nsradar::nsdb {

// Value: varint first_seen, varint last_seen. Merging keeps the earliest
// first and the latest last, so sightings can be written blind, in any
// order, any number of times.
std::shared_ptr<rocksdb::MergeOperator> NewSeenRangeMergeOperator();

void EncodeSeenRange(int64_t first, int64_t last, std::string* out);
bool DecodeSeenRange(std::string_view in, int64_t* first, int64_t* last);

}  // namespace nsradar::nsdb
