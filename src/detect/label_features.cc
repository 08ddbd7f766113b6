#include "detect/label_features.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace nsradar::detect {
namespace {

// One table lookup classifies a byte, so the loop does arithmetic on flags
// instead of branching per class.
enum : uint8_t {
  kDigit = 1,
  kUpper = 2,
  kLower = 4,
  kHex = 8,       // 0-9, a-f, A-F
  kBase32 = 16,   // letters, 2-7
  kSpecial = 32,  // + / =: base64, never in host names
  kLdh = 64,      // letters, digits, '-', '_'
  kAlnum = 128,   // letters, digits
};
struct ByteClasses {
  std::array<uint8_t, 256> v{};
  ByteClasses() {
    for (int c = 0; c < 256; ++c) {
      uint8_t f = 0;
      const bool digit = c >= '0' && c <= '9', up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
      const int lower = up ? c + 32 : c;
      if (digit) f |= kDigit | kHex | kLdh | kAlnum;
      if (up) f |= kUpper | kLdh | kBase32 | kAlnum;
      if (low) f |= kLower | kLdh | kBase32 | kAlnum;
      if (lower >= 'a' && lower <= 'f') f |= kHex;
      if (c >= '2' && c <= '7') f |= kBase32;
      if (c == '+' || c == '/' || c == '=') f |= kSpecial;
      if (c == '-' || c == '_') f |= kLdh;
      v[c] = f;
    }
  }
};
const ByteClasses kClasses;

// k * log2(k) for every count a name can reach, so entropy costs one log2
// instead of one per distinct byte: H = log2(n) - (1/n) * sum_k k log2 k.
struct KLogK {
  std::array<double, 256> v{};
  KLogK() {
    for (int k = 1; k < 256; ++k) v[k] = k * std::log2(k);
  }
};
const KLogK kKLogK;

// Length of an escape at s[i] == '\\': \DDD or \X.
size_t EscapeLength(std::string_view s, size_t i) {
  return (i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') ? 4 : 2;
}

}  // namespace

LabelFeatures ComputeLabelFeatures(std::string_view s) {
  LabelFeatures f;
  uint32_t digits = 0, label = 0;
  uint8_t all = 0xff, any = 0, label_case = 0, last_case = 0;
  uint32_t label_switches = 0;
  bool mixed_case_label = false, after_digit = false;
  f.labels = s.empty() ? 0 : 1;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      ++f.labels;
      label = 0;
      label_case = last_case = 0;
      label_switches = 0;
      after_digit = false;
      continue;
    }
    uint8_t k = kClasses.v[c];
    if (c == '\\') {  // an escaped byte: one opaque, non-LDH byte
      i += EscapeLength(s, i) - 1;
      k = 0;
    }
    ++f.length;
    f.hyphen |= c == '-';
    f.longest_label = std::max(f.longest_label, ++label);
    all &= k;
    any |= k;
    digits += k & kDigit;
    f.digit_runs += (k & kDigit) && !after_digit;
    after_digit = k & kDigit;
    const uint8_t letter_case = k & (kUpper | kLower);
    label_case |= letter_case;
    mixed_case_label |= label_case == (kUpper | kLower);
    if (letter_case != 0) {
      label_switches += last_case != 0 && letter_case != last_case;
      f.case_switches = std::max(f.case_switches, label_switches);
      last_case = letter_case;
    }
  }
  if (f.length == 0) return f;
  f.non_ldh = !(all & kLdh);
  f.digit_ratio = digits / static_cast<double>(f.length);
  f.alphanumeric = all & kAlnum;
  f.hex_alphabet = all & kHex;
  f.base32_alphabet = all & kBase32;
  f.hex_only = f.hex_alphabet && f.length >= 16;
  f.base32_only = f.base32_alphabet && f.length >= 16;
  // Host names are written in one case per label ("DESKTOP-7F3K2Q9.corp"
  // is two); base64 mixes both inside a label, with digits.
  f.base64_chars = (any & kSpecial) || (mixed_case_label && digits > 0);
  return f;
}

double ByteEntropy(std::string_view s) {
  // Names are at most 255 bytes, so a byte's count fits in a byte.
  std::array<uint8_t, 256> counts{};
  std::array<uint8_t, 256> distinct;  // the bytes seen, in order of first sight
  uint32_t distinct_count = 0, n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '.') continue;
    if (c == '\\') {
      i += EscapeLength(s, i) - 1;
      c = 0xff;
    }
    ++n;
    if (counts[c]++ == 0) distinct[distinct_count++] = c;
  }
  if (n == 0) return 0;
  double sum = 0;
  for (uint32_t d = 0; d < distinct_count; ++d) sum += kKLogK.v[counts[distinct[d]]];
  return std::max(0.0, std::log2(n) - sum / n);
}

}  // namespace nsradar::detect
