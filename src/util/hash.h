// HashBytes: a fast 64-bit hash of short byte strings (names, labels) for
// in-memory tables and sketches; 8 bytes at a time with multiply-xorshift
// mixing. Not stable across versions: never persist it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace nsradar {

inline uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
  }
  uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);  // an empty view's data may be null
  h = (h ^ tail) * 0x94d049bb133111ebULL;
  return h ^ (h >> 32);
}

}  // namespace nsradar
