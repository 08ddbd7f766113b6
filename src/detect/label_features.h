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
  // The alphabets of hex and base32 throughout, whatever the length: short
  // names need other evidence beside them (detect/query_evidence.h).
  bool hex_alphabet = false;
  bool base32_alphabet = false;
  // The most changes between upper and lower case from one letter to the
  // next inside one label: host names have at most a couple ("MyHost"),
  // base64 of random bytes about one every other letter.
  uint32_t case_switches = 0;
  // Maximal runs of digits: host names number themselves once or twice
  // ("web01-prod02"); random data in a letters-and-digits alphabet
  // (iodine's and Sliver's base32) scatters digits among letters.
  uint32_t digit_runs = 0;
  bool alphanumeric = false;  // letters and digits only, throughout
  bool hyphen = false;        // a '-': host names join words with it
};

// `subdomain` is the raw (case-kept) presentation text; \DDD escapes count
// as one non-LDH byte each.
LabelFeatures ComputeLabelFeatures(std::string_view subdomain);

// Shannon entropy of the bytes of `subdomain`, dots excluded and escapes
// counted as one byte, in bits per byte. Separate from the features
// because it costs more and is needed only for long labels.
double ByteEntropy(std::string_view subdomain);

}  // namespace nsradar::detect
