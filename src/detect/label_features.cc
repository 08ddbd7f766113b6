#include "detect/label_features.h"

#include <array>
#include <cmath>

namespace nsradar::detect {

LabelFeatures ComputeLabelFeatures(std::string_view s) {
  LabelFeatures f;
  std::array<uint32_t, 256> counts{};
  uint32_t digits = 0, letters = 0, upper = 0, vowels = 0, label = 0, run = 0;
  bool hex = true, b32 = true, special = false, mixed_case_label = false;
  bool label_upper = false, label_lower = false;
  f.labels = s.empty() ? 0 : 1;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      ++f.labels;
      label = 0;
      run = 0;
      label_upper = label_lower = false;
      continue;
    }
    if (c == '\\') {  // an escaped byte: \X or \DDD
      f.non_ldh = true;
      hex = b32 = false;
      if (i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i += 3;
      } else {
        i += 1;
      }
      c = 0xff;  // counted as one opaque byte
    }
    ++f.length;
    ++counts[c];
    if (++label > f.longest_label) f.longest_label = label;
    const bool is_digit = c >= '0' && c <= '9';
    const bool is_upper = c >= 'A' && c <= 'Z';
    const bool is_lower = c >= 'a' && c <= 'z';
    const unsigned char lower = is_upper ? static_cast<unsigned char>(c + 32) : c;
    if (is_digit) ++digits;
    label_upper |= is_upper;
    label_lower |= is_lower;
    mixed_case_label |= label_upper && label_lower;
    if (is_upper || is_lower) {
      ++letters;
      if (is_upper) ++upper;
      const bool vowel = lower == 'a' || lower == 'e' || lower == 'i' || lower == 'o' || lower == 'u' || lower == 'y';
      if (vowel) {
        ++vowels;
        run = 0;
      } else if (++run > f.longest_consonant_run) {
        f.longest_consonant_run = run;
      }
    } else {
      run = 0;
    }
    if (!(is_digit || (lower >= 'a' && lower <= 'f'))) hex = false;
    if (!((lower >= 'a' && lower <= 'z') || (c >= '2' && c <= '7'))) b32 = false;
    if (c == '+' || c == '/' || c == '=') special = true;
    if (!(is_digit || is_upper || is_lower || c == '-' || c == '_')) f.non_ldh = true;
  }
  if (f.length == 0) return f;
  const double n = f.length;
  for (uint32_t k : counts) {
    if (k) f.entropy -= (k / n) * std::log2(k / n);
  }
  f.digit_ratio = digits / n;
  f.upper_ratio = letters ? static_cast<double>(upper) / letters : 0;
  f.vowel_ratio = letters ? static_cast<double>(vowels) / letters : 0;
  f.hex_only = hex && f.length >= 16;
  f.base32_only = b32 && f.length >= 16;
  // Host names are written in one case per label ("DESKTOP-7F3K2Q9.corp"
  // is two); base64 mixes both inside a label, with digits.
  f.base64_chars = special || (mixed_case_label && digits > 0);
  return f;
}

}  // namespace nsradar::detect
