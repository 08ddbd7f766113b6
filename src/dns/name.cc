#include "dns/name.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nsradar::dns {
namespace {

// How each byte is written in canonical form.
enum : uint8_t { kPlain, kUpper, kEscapeChar, kEscapeDecimal };

constexpr std::array<uint8_t, 256> MakeByteClass() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c < 0x21 || c > 0x7e) {
      t[c] = kEscapeDecimal;
    } else if (c >= 'A' && c <= 'Z') {
      t[c] = kUpper;
    } else if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$') {
      t[c] = kEscapeChar;
    } else {
      t[c] = kPlain;
    }
  }
  return t;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClass();

inline void AppendCanonicalByte(uint8_t b, std::string* out) {
  switch (kByteClass[b]) {
    case kPlain:
      out->push_back(static_cast<char>(b));
      break;
    case kUpper:
      out->push_back(static_cast<char>(b + ('a' - 'A')));
      break;
    case kEscapeChar:
      out->push_back('\\');
      out->push_back(static_cast<char>(b));
      break;
    default: {
      char esc[4] = {'\\', static_cast<char>('0' + b / 100), static_cast<char>('0' + b / 10 % 10),
                     static_cast<char>('0' + b % 10)};
      out->append(esc, 4);
    }
  }
}

// Length in bytes of the canonical escape starting at s[i] (a backslash).
inline size_t EscapeLength(std::string_view s, size_t i) {
  return i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9' ? 4 : 2;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

const char* ParseName(std::string_view text, std::string_view origin, std::string* out) {
  if (text.empty()) return "empty name";
  if (text.size() == 1 && text[0] == '@') {
    out->append(origin);
    return nullptr;
  }
  if (text.size() == 1 && text[0] == '.') return nullptr;  // the root
  const size_t start = out->size();
  size_t wire = 1;  // the root label's length byte
  size_t label = 0;
  bool absolute = false;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '.') {
      if (label == 0) return "empty label";
      wire += label + 1;
      label = 0;
      if (++i == text.size()) {
        absolute = true;
        break;
      }
      out->push_back('.');
      continue;
    }
    uint8_t byte = c;
    if (c == '\\') {
      if (i + 1 >= text.size()) return "name ends in a lone backslash";
      if (IsDigit(text[i + 1])) {
        if (i + 3 >= text.size() || !IsDigit(text[i + 2]) || !IsDigit(text[i + 3])) {
          return "bad \\DDD escape (needs three digits)";
        }
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return "bad \\DDD escape (over 255)";
        byte = static_cast<uint8_t>(v);
        i += 4;
      } else {
        byte = static_cast<uint8_t>(text[i + 1]);
        i += 2;
      }
    } else {
      ++i;
    }
    if (++label > kMaxLabelLength) return "label longer than 63 bytes";
    AppendCanonicalByte(byte, out);
  }
  if (label > 0) wire += label + 1;
  if (!absolute && !origin.empty()) {
    out->push_back('.');
    out->append(origin);
    wire += WireLength(origin) - 1;
  }
  if (wire > kMaxNameWireLength) {
    out->resize(start);
    return "name longer than 255 bytes";
  }
  return nullptr;
}

const char* ParseWireName(const uint8_t* data, size_t size, size_t* consumed, std::string* out) {
  size_t pos = 0;
  bool first = true;
  for (;;) {
    if (pos >= size) return "wire name runs past its data";
    uint8_t len = data[pos++];
    if (len == 0) break;
    if (len > kMaxLabelLength) return "wire label longer than 63 bytes (compression is not allowed here)";
    if (pos + len > size) return "wire label runs past its data";
    if (pos + len + 1 > kMaxNameWireLength) return "wire name longer than 255 bytes";
    if (!first) out->push_back('.');
    first = false;
    for (size_t k = 0; k < len; ++k) AppendCanonicalByte(data[pos + k], out);
    pos += len;
  }
  *consumed = pos;
  return nullptr;
}

namespace {

// As AppendCanonicalByte, without folding case.
inline void AppendRawByte(uint8_t b, std::string* out) {
  if (kByteClass[b] == kUpper) {
    out->push_back(static_cast<char>(b));
  } else {
    AppendCanonicalByte(b, out);
  }
}

}  // namespace

namespace {

constexpr std::array<char, 256> MakeLowerCase() {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  return t;
}
constexpr std::array<char, 256> kLowerCase = MakeLowerCase();

// ParseMessageName for the names nearly every message holds: letters,
// digits, hyphens and the like, no byte to escape, no error. One pass per
// label into buffers on the stack, one append per output. False, with the
// outputs untouched, for anything else: the general loop then decides.
#if defined(__SSE2__)
// Lower-cases the 16 bytes at `in` into `out` and returns a bit per byte that
// is not a letter, digit or hyphen-like character (one that canonical form
// escapes).
inline uint32_t LowerSixteen(const uint8_t* in, char* out) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  // Signed compares: bytes from 0x80 up are negative, so below 'A' and below 0x21.
  const __m128i upper =
      _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
  __m128i escaped = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
  for (char c : {'.', '\\', '"', '(', ')', ';', '@', '$'})
    escaped = _mm_or_si128(escaped, _mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
  return static_cast<uint32_t>(_mm_movemask_epi8(escaped));
}
#endif

bool ParsePlainMessageName(const uint8_t* msg, size_t msg_size, size_t offset, size_t* next, std::string* canonical,
                           std::string* raw) {
  // 16 bytes of slack: the vector loop writes whole blocks past a label's end.
  char lower[kMaxNameWireLength + 16];
  char as_sent[kMaxNameWireLength];
  size_t n = 0;  // bytes in both buffers; the wire form is n + 1 bytes (n + 2 when n > 0)
  size_t pos = offset;
  size_t resume = 0;
  bool jumped = false;
  uint8_t classes = 0;
  for (;;) {
    if (pos >= msg_size) return false;
    const uint8_t len = msg[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg_size) return false;
      const size_t target = (static_cast<size_t>(len & 0x3f) << 8) | msg[pos + 1];
      if (target >= pos) return false;
      if (!jumped) resume = pos + 2;
      jumped = true;
      pos = target;
      continue;
    }
    if (len & 0xc0) return false;
    ++pos;
    if (len == 0) break;
    // With its length byte and the root's, the name's wire form would pass 255 bytes.
    if (pos + len > msg_size || n + len + (n > 0) + 2 > kMaxNameWireLength) return false;
    if (n > 0) lower[n] = as_sent[n] = '.', ++n;
    const uint8_t* label = msg + pos;
    size_t k = 0;
#if defined(__SSE2__)
    // 16-byte blocks while the message holds 16 bytes from each (short
    // labels too: one block costs fewer instructions than four bytes); the
    // bytes of a block past the label are written over by what follows or
    // cut off. A query's last labels, near the message's end, go byte by byte.
    for (; k < len && pos + k + 16 <= msg_size; k += 16) {
      const uint32_t in_label = len - k >= 16 ? 0xffff : (1u << (len - k)) - 1;
      if (LowerSixteen(label + k, lower + n + k) & in_label) return false;
    }
#endif
    for (; k < len; ++k) {
      lower[n + k] = kLowerCase[label[k]];
      classes |= kByteClass[label[k]];
    }
    std::memcpy(as_sent + n, label, len);
    n += len;
    pos += len;
  }
  if (classes > kUpper) return false;
  *next = jumped ? resume : pos;
  canonical->append(lower, n);
  if (raw) raw->append(as_sent, n);
  return true;
}

}  // namespace

const char* ParseMessageName(const uint8_t* msg, size_t msg_size, size_t offset, size_t* next, std::string* canonical,
                             std::string* raw) {
  if (ParsePlainMessageName(msg, msg_size, offset, next, canonical, raw)) return nullptr;
  size_t pos = offset;
  size_t wire = 1;
  bool jumped = false;
  bool first = true;
  for (;;) {
    if (pos >= msg_size) return "name runs past the message";
    uint8_t len = msg[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg_size) return "compression pointer runs past the message";
      size_t target = (static_cast<size_t>(len & 0x3f) << 8) | msg[pos + 1];
      if (!jumped) *next = pos + 2;
      if (target >= pos) return "compression pointer does not point backwards";
      jumped = true;
      pos = target;
      continue;
    }
    if (len & 0xc0) return "reserved label type";
    ++pos;
    if (len == 0) break;
    if (pos + len > msg_size) return "label runs past the message";
    wire += len + 1;
    if (wire > kMaxNameWireLength) return "name longer than 255 bytes";
    if (!first) {
      canonical->push_back('.');
      if (raw) raw->push_back('.');
    }
    first = false;
    // Nearly every label is letters, digits and hyphens: copied in bulk.
    const uint8_t* label = msg + pos;
    bool plain = true;
    for (size_t k = 0; k < len; ++k) plain &= kByteClass[label[k]] <= kUpper;
    if (plain) {
      size_t at = canonical->size();
      canonical->resize(at + len);
      char* out = canonical->data() + at;
      for (size_t k = 0; k < len; ++k)
        out[k] = static_cast<char>(label[k] | (kByteClass[label[k]] == kUpper ? 0x20 : 0));
      if (raw) raw->append(reinterpret_cast<const char*>(label), len);
    } else {
      for (size_t k = 0; k < len; ++k) {
        AppendCanonicalByte(label[k], canonical);
        if (raw) AppendRawByte(label[k], raw);
      }
    }
    pos += len;
  }
  if (!jumped) *next = pos;
  return nullptr;
}

size_t WireLength(std::string_view s) {
  if (s.empty()) return 1;
  size_t bytes = 0;
  size_t labels = 1;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\\') {
      i += EscapeLength(s, i);
      ++bytes;
    } else {
      if (s[i] == '.')
        ++labels;
      else
        ++bytes;
      ++i;
    }
  }
  return bytes + labels + 1;
}

std::string_view Parent(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\\') {
      i += EscapeLength(s, i);
    } else if (s[i] == '.') {
      return s.substr(i + 1);
    } else {
      ++i;
    }
  }
  return {};
}

bool IsAtOrBelow(std::string_view name, std::string_view ancestor) {
  if (ancestor.empty()) return true;
  if (name.size() < ancestor.size()) return false;
  if (name.substr(name.size() - ancestor.size()) != ancestor) return false;
  if (name.size() == ancestor.size()) return true;
  // The byte before the suffix must be an unescaped dot.
  size_t dot = name.size() - ancestor.size() - 1;
  if (name[dot] != '.') return false;
  size_t backslashes = 0;
  for (size_t k = dot; k > 0 && name[k - 1] == '\\'; --k) ++backslashes;
  return backslashes % 2 == 0;
}

std::string ReverseLabels(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t end = s.size();
  // Walk label boundaries from the right; a '.' preceded by an odd number of
  // backslashes belongs to a label.
  size_t label_end = end;
  for (size_t i = end; i > 0; --i) {
    if (s[i - 1] != '.') continue;
    size_t backslashes = 0;
    for (size_t k = i - 1; k > 0 && s[k - 1] == '\\'; --k) ++backslashes;
    if (backslashes % 2) continue;
    if (!out.empty()) out.push_back('.');
    out.append(s.substr(i, label_end - i));
    label_end = i - 1;
  }
  if (!out.empty() || label_end > 0) {
    if (!out.empty()) out.push_back('.');
    out.append(s.substr(0, label_end));
  }
  return out;
}

std::string ToDisplay(std::string_view s) {
  std::string out(s);
  out.push_back('.');
  return out;
}

namespace {

// Bytes [at, at + 8) of `s` as a big-endian integer, zero-padded: integers
// compare as the bytes do.
uint64_t BigEndian8(std::string_view s, size_t at) {
  unsigned char b[8] = {};
  if (at < s.size()) std::memcpy(b, s.data() + at, std::min<size_t>(8, s.size() - at));
  uint64_t v = 0;
  for (unsigned char c : b) v = (v << 8) | c;
  return v;
}

}  // namespace

NameKey MakeNameKey(std::string_view name, uint32_t tag) {
  return NameKey{BigEndian8(name, 0), BigEndian8(name, 8), name.data(), static_cast<uint32_t>(name.size()), tag};
}

}  // namespace nsradar::dns
