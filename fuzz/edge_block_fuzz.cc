// ns_blocks values from a damaged store must decode or be refused, never
// crash or read out of bounds; a decoded block, written again by the
// builder, must decode to the same entries, and rewriting that gives the
// same bytes. The first byte is the length of the key's first domain, which
// follows; the rest is the block.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nsdb/internal/edge_block.h"

namespace {

using namespace nsradar::nsdb;

std::string Rebuild(const EdgeBlockReader& r) {
  EdgeBlockBuilder b;
  for (size_t i = 0; i < r.size(); ++i) b.Add(r.domain(i), r.value(i));
  return b.block();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t first_size = std::min<size_t>(static_cast<uint8_t>(in[0]), in.size() - 1);
  const std::string first(in.substr(1, first_size));
  const std::string block(in.substr(1 + first_size));
  EdgeBlockReader r;
  if (!r.Decode(first, block)) return 0;
  if (r.size() == 0 || r.domain(0) != first) __builtin_trap();
  const std::string once = Rebuild(r);
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t i = 0; i < r.size(); ++i) entries.emplace_back(r.domain(i), r.value(i));
  EdgeBlockReader again;
  if (!again.Decode(first, once) || again.size() != entries.size()) __builtin_trap();
  for (size_t i = 0; i < again.size(); ++i) {
    if (again.domain(i) != entries[i].first || again.value(i) != entries[i].second) __builtin_trap();
  }
  if (Rebuild(again) != once) __builtin_trap();
  return 0;
}
