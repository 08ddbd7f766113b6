#include "detect/info_sketch.h"

#include "util/hash.h"

namespace nsradar::detect {

void InfoSketch::Add(std::string_view item, double weight) { AddHash(HashBytes(item), weight); }

void InfoSketch::AddHash(uint64_t hash, double weight) {
  if (!(weight > 0)) return;
  // Once the sample is full, most new items hash above it: one comparison.
  if (count_ == kSample && hash >= hash_[max_]) return;
  const uint64_t bit = uint64_t{1} << (hash >> 58);
  if (present_ & bit) {
    for (int i = 0; i < count_; ++i) {
      if (hash_[i] == hash) return;
    }
  }
  if (count_ < kSample) {
    hash_[count_] = hash;
    weight_[count_] = static_cast<float>(weight);
    sum_ += weight_[count_];
    if (count_ == 0 || hash > hash_[max_]) max_ = count_;
    ++count_;
    present_ |= bit;
    return;
  }
  hash_[max_] = hash;
  sum_ += static_cast<float>(weight) - weight_[max_];
  weight_[max_] = static_cast<float>(weight);
  present_ = 0;
  for (int i = 0; i < kSample; ++i) {
    if (hash_[i] > hash_[max_]) max_ = i;
    present_ |= uint64_t{1} << (hash_[i] >> 58);
  }
}

double InfoSketch::Distinct() const {
  if (count_ < kSample) return count_;
  const double h = (static_cast<double>(hash_[max_]) + 1) / 18446744073709551616.0;  // 2^64
  return (kSample - 1) / h;
}

double InfoSketch::Estimate() const {
  if (count_ < kSample) return sum_;
  return Distinct() * sum_ / kSample;
}

void InfoSketch::Merge(const InfoSketch& other) {
  for (int i = 0; i < other.count_; ++i) AddHash(other.hash_[i], other.weight_[i]);
}

}  // namespace nsradar::detect
