#include "zone/fast_name.h"

#include <array>
#include <cstdint>

#include "dns/name.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nsradar::zone {
namespace {

// Bytes that canonical form writes as themselves, lower-cased ('.' stays the
// label separator); 0 for every byte that needs dns::ParseName: escapes,
// '@' and '$', bytes outside 0x21..0x7e and the rest of what canonical form
// escapes (dns/name.h).
constexpr std::array<char, 256> MakePlain() {
  std::array<char, 256> t{};
  for (int c = 0x21; c <= 0x7e; ++c) {
    if (c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$') continue;
    t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  return t;
}
constexpr std::array<char, 256> kPlain = MakePlain();

// Wire length of a plain name of n characters: a byte per character (each
// dot becomes the next label's length byte) plus the first label's length
// byte; an absolute name's final dot stands for the root label, a relative
// name is followed by the origin, root label included (origin_wire is 1 for
// the root).
inline bool WireFits(size_t n, bool absolute, size_t origin_wire) {
  return (absolute ? n + 1 : n + 1 + origin_wire) <= dns::kMaxNameWireLength;
}

// Finishes a plain name whose n lower-cased characters are at d, in *out
// from `at` on, with room for the origin behind them.
inline void Finish(bool absolute, size_t n, std::string_view origin, size_t at, char* d, std::string* out) {
  if (absolute) {
    out->resize(at + n - 1);
  } else if (origin.empty()) {
    out->resize(at + n);
  } else {
    d[n] = '.';
    origin.copy(d + n + 1, origin.size());
  }
}

// Appends the canonical form of a plain name, or returns false (with *out
// as it was) when `text` is not plain or not a valid name.
bool AppendPlainScalar(std::string_view text, std::string_view origin, size_t origin_wire, std::string* out) {
  const size_t n = text.size();
  if (n == 0 || n > dns::kMaxNameWireLength - 1) return false;
  const size_t at = out->size();
  out->resize(at + n + 1 + origin.size());
  char* d = out->data() + at;
  size_t label = 0;
  bool ok = true;
  for (size_t i = 0; i < n; ++i) {
    const char c = kPlain[static_cast<unsigned char>(text[i])];
    d[i] = c;
    if (c == '.') {
      ok &= label != 0;
      label = 0;
    } else {
      ok &= c != 0 && ++label <= dns::kMaxLabelLength;
    }
  }
  const bool absolute = d[n - 1] == '.';
  if (!ok || !WireFits(n, absolute, origin_wire)) {
    out->resize(at);
    return false;
  }
  Finish(absolute, n, origin, at, d, out);
  return true;
}

const char* ParseScalar(std::string_view text, std::string_view origin, size_t origin_wire, std::string* out) {
  if (AppendPlainScalar(text, origin, origin_wire, out)) return nullptr;
  return dns::ParseName(text, origin, out);
}

#if defined(__SSE2__)

// Names of 16 to 63 bytes, 16 at a time; the last chunk overlaps the one
// before it so that no load or store leaves the name. A name this short
// cannot hold a label over 63 bytes.
bool AppendPlainSse2(std::string_view text, std::string_view origin, size_t origin_wire, std::string* out) {
  const size_t n = text.size();
  if (n < 16 || n > dns::kMaxLabelLength) return AppendPlainScalar(text, origin, origin_wire, out);
  const size_t at = out->size();
  out->resize(at + n + 1 + origin.size());
  char* d = out->data() + at;
  uint64_t bad = 0, dots = 0;
  for (size_t off = 0;; off += 16) {
    if (off > n - 16) off = n - 16;
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + off));
    // Printable (0x21..0x7e; bytes from 0x80 are negative as signed) and
    // none of the seven that canonical form escapes besides '.'.
    const __m128i printable =
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpgt_epi8(_mm_set1_epi8(0x7f), x));
    const __m128i escaped = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
                     _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(x, _mm_set1_epi8(1)), _mm_set1_epi8(')')),
                                  _mm_cmpeq_epi8(x, _mm_set1_epi8(';')))),
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('@')), _mm_cmpeq_epi8(x, _mm_set1_epi8('$'))));
    const __m128i upper =
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), x));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + off), _mm_or_si128(x, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    const uint64_t b = static_cast<uint32_t>(_mm_movemask_epi8(_mm_andnot_si128(escaped, printable))) ^ 0xffff;
    bad |= b << off;
    dots |= uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.'))))} << off;
    if (off == n - 16) break;
  }
  // An empty label: a leading dot or two dots in a row.
  const bool absolute = dots >> (n - 1) & 1;
  if (bad != 0 || (dots & 1) != 0 || (dots & dots >> 1) != 0 || !WireFits(n, absolute, origin_wire)) {
    out->resize(at);
    return false;
  }
  Finish(absolute, n, origin, at, d, out);
  return true;
}

const char* ParseSse2(std::string_view text, std::string_view origin, size_t origin_wire, std::string* out) {
  if (AppendPlainSse2(text, origin, origin_wire, out)) return nullptr;
  return dns::ParseName(text, origin, out);
}

#endif  // __SSE2__

}  // namespace

NameParseFn NameParserFor(ScanKernel kernel) {
  if (kernel == ScanKernel::kAuto) kernel = DefaultScanKernel();
#if defined(__SSE2__)
  if (kernel != ScanKernel::kScalar) return ParseSse2;
#endif
  return ParseScalar;
}

}  // namespace nsradar::zone
