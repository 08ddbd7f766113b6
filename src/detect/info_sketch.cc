#include "detect/info_sketch.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/hash.h"

namespace nsradar::detect {
void InfoSketch::Add(std::string_view item, double weight) { AddHash(HashBytes(item), weight); }

void InfoSketch::AddHash(uint64_t hash, double weight) {
  if (!(weight > 0)) return;
  if (exact_count_ <= kExact) {
    bool seen = false;
    for (int i = 0; i < exact_count_ && !seen; ++i) seen = exact_hash_[i] == hash;
    if (!seen) {
      if (exact_count_ < kExact) {
        exact_hash_[exact_count_] = hash;
        exact_weight_[exact_count_] = static_cast<float>(weight);
      }
      ++exact_count_;
    }
  }
  const int reg = static_cast<int>(hash & (kRegisters - 1));
  // The remaining 58 bits give u in (0, 1), never 0.
  const double u = (static_cast<double>(hash >> 6) + 0.5) / static_cast<double>(uint64_t{1} << 58);
  const float e = static_cast<float>(-std::log(u) / weight);
  float& slot = min_[reg];
  if (slot == 0) {
    slot = e > 0 ? e : 1e-30f;
    ++filled_;
  } else if (e < slot) {
    slot = e > 0 ? e : 1e-30f;
  }
}

double InfoSketch::Estimate() const {
  if (exact_count_ <= kExact) {
    double sum = 0;
    for (int i = 0; i < exact_count_; ++i) sum += exact_weight_[i];
    return sum;
  }
  if (filled_ < kRegisters) {
    // Registers left empty carry no rate: estimate from the filled ones.
    double sum = 0;
    for (float e : min_) sum += e;
    return static_cast<double>(filled_) * (filled_ - 1) / sum;
  }
  double sum = 0;
  for (float e : min_) sum += e;
  return static_cast<double>(kRegisters) * (kRegisters - 1) / sum;
}

void InfoSketch::Merge(const InfoSketch& other) {
  // The exact part survives only if the union still fits.
  if (exact_count_ <= kExact && other.exact_count_ <= kExact) {
    for (int i = 0; i < other.exact_count_ && exact_count_ <= kExact; ++i) {
      bool seen = false;
      for (int k = 0; k < std::min(exact_count_, kExact) && !seen; ++k) seen = exact_hash_[k] == other.exact_hash_[i];
      if (seen) continue;
      if (exact_count_ < kExact) {
        exact_hash_[exact_count_] = other.exact_hash_[i];
        exact_weight_[exact_count_] = other.exact_weight_[i];
      }
      ++exact_count_;
    }
  } else {
    exact_count_ = kExact + 1;
  }
  for (int j = 0; j < kRegisters; ++j) {
    float o = other.min_[j];
    if (o == 0) continue;
    if (min_[j] == 0) {
      min_[j] = o;
      ++filled_;
    } else if (o < min_[j]) {
      min_[j] = o;
    }
  }
}

}  // namespace nsradar::detect
