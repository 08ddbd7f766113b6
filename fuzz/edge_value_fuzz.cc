// Stored edge values from a damaged store must decode or be refused, and a
// decoded value must encode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nsdb/edge_value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  nsradar::nsdb::EdgeValue v;
  if (!nsradar::nsdb::EdgeValue::Decode(in, &v)) return 0;
  std::string out;
  v.EncodeTo(&out);
  nsradar::nsdb::EdgeValue w;
  if (!nsradar::nsdb::EdgeValue::Decode(out, &w) || !(v == w)) __builtin_trap();
  return 0;
}
