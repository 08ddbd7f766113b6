#include "nsdb/suffix_filter.h"

#include <fmt/format.h>

#include "dns/name.h"

namespace nsradar::nsdb {

std::string ParseSuffixFilter(std::string_view text, std::string* out) {
  out->clear();
  if (text.empty()) return "empty name (leave the filter out to keep every domain)";
  // Every byte of a name escaped (\DDD) is four characters.
  if (text.size() > 4 * dns::kMaxNameWireLength) {
    return fmt::format("name of {} characters is longer than {}", text.size(), 4 * dns::kMaxNameWireLength);
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x21 || c > 0x7e) {
      return fmt::format("byte 0x{:02x} at position {} is not allowed in a name (escape it as \\DDD)", c, i);
    }
  }
  if (const char* err = dns::ParseName(text, "", out)) {
    out->clear();
    return fmt::format("'{}' is not a valid name: {}", text, err);
  }
  if (out->empty()) return "the root holds every domain (leave the filter out)";
  return "";
}

}  // namespace nsradar::nsdb
