#include "nsdb/merge_operators.h"

#include <algorithm>

#include "util/varint.h"

namespace nsradar::nsdb {
namespace {

class SeenRangeMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    int64_t f1, l1, f2, l2;
    if (!DecodeSeenRange(std::string_view(value.data(), value.size()), &f2, &l2)) return false;
    if (existing == nullptr) {
      new_value->assign(value.data(), value.size());
      return true;
    }
    if (!DecodeSeenRange(std::string_view(existing->data(), existing->size()), &f1, &l1)) return false;
    new_value->clear();
    EncodeSeenRange(std::min(f1, f2), std::max(l1, l2), new_value);
    return true;
  }
  const char* Name() const override { return "nsradar.SeenRange"; }
};

}  // namespace

void EncodeSeenRange(int64_t first, int64_t last, std::string* out) {
  PutVarint64(out, static_cast<uint64_t>(first));
  PutVarint64(out, static_cast<uint64_t>(last));
}

bool DecodeSeenRange(std::string_view in, int64_t* first, int64_t* last) {
  uint64_t f, l;
  if (!GetVarint64(&in, &f) || !GetVarint64(&in, &l) || !in.empty()) return false;
  *first = static_cast<int64_t>(f);
  *last = static_cast<int64_t>(l);
  return true;
}

std::shared_ptr<rocksdb::MergeOperator> NewSeenRangeMergeOperator() {
  return std::make_shared<SeenRangeMergeOperator>();
}

}  // namespace nsradar::nsdb
