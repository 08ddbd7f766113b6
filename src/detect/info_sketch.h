// InfoSketch: an estimate of the information sent to a domain, in fixed
// memory. The quantity is the total length of the distinct strings seen
// (subdomain labels sent to a registered domain): repeating a query adds
// nothing, and the sketch never grows, whatever the stream holds.
//
// Method: an exponential min-sketch (weighted distinct counting). Each
// string hashes to one of kRegisters registers and to a uniform u in (0,1);
// with weight w it draws E = -ln(u) / w, and its register keeps the minimum
// E. The same string always draws the same E, so duplicates change nothing.
// For register j the minimum is exponential with rate W_j (the total weight
// of the distinct strings in it), so W = sum W_j is estimated by
// m (m - 1) / sum_j E_j (stochastic averaging). Relative standard error is
// about 1 / sqrt(m - 2): 13% with 64 registers, in 256 bytes. Until more
// than kExact distinct items arrive the sum is kept exactly: most domains
// see few distinct names, and their figures should not carry sketch noise.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace nsradar::detect {

class InfoSketch {
 public:
  static constexpr int kRegisters = 64;
  static constexpr int kExact = 16;

  // Adds `item` with weight `weight` (> 0), e.g. its length in bytes.
  void Add(std::string_view item, double weight);
  // Adds an item by its HashBytes (callers that already hashed it).
  void AddHash(uint64_t hash, double weight);
  // The estimated total weight of the distinct items added.
  double Estimate() const;
  // Merges another sketch (union of the two streams).
  void Merge(const InfoSketch& other);
  bool empty() const { return filled_ == 0; }

 private:
  std::array<float, kRegisters> min_{};  // 0: the register is empty
  int filled_ = 0;
  // The first distinct items exactly, while exact_count_ <= kExact.
  std::array<uint64_t, kExact> exact_hash_{};
  std::array<float, kExact> exact_weight_{};
  int exact_count_ = 0;  // kExact + 1: overflowed, the sketch answers
};

}  // namespace nsradar::detect
