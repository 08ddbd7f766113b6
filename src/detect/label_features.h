// LabelFeatures: character-level statistics of the part of a query name
// left of its registered domain ("aGVsbG8.x1" of "aGVsbG8.x1.exfil.test"),
// the evidence that a name carries encoded data rather than a host name.
// Computed in one pass over the bytes, without allocation: it runs for
// every long query name.
#pragma once

#include <cstdint>
#include <string_view>

namespace nsradar::detect {

struct LabelFeatures {
  uint32_t length = 0;  // bytes, dots excluded
  uint32_t labels = 0;
  uint32_t longest_label = 0;
  double digit_ratio = 0;     // digits / length
  bool hex_only = false;      // [0-9a-f] throughout (case folded), at least 16 bytes
  bool base32_only = false;   // [a-z2-7] throughout (case folded), at least 16 bytes
  bool base64_chars = false;  // '+', '/', '=', or both cases inside a label with digits: outside host names
  bool non_ldh = false;       // a byte outside letters, digits, '-' and '_'
};

// `subdomain` is the raw (case-kept) presentation text; \DDD escapes count
// as one non-LDH byte each.
LabelFeatures ComputeLabelFeatures(std::string_view subdomain);

// Shannon entropy of the bytes of `subdomain`, dots excluded and escapes
// counted as one byte, in bits per byte. Separate from the features
// because it costs more and is needed only for long labels.
double ByteEntropy(std::string_view subdomain);

}  // namespace nsradar::detect
