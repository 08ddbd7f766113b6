#include "zone/block_scanner.h"

#include <array>
#include <cstdlib>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace nsradar::zone {
namespace {

// Per-byte classes for the scalar kernel and IsTokenByte.
enum : uint8_t { kNewline = 1, kSpecial = 2, kToken = 4 };

constexpr std::array<uint8_t, 256> MakeByteClass() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c == '\n') {
      t[c] = kNewline;
    } else if (c == ' ' || c == '\t') {
      t[c] = 0;
    } else if (c < 0x20 || c == '"' || c == '\\' || c == '(' || c == ')' || c == ';') {
      t[c] = kSpecial;
    } else {
      t[c] = kToken;
    }
  }
  return t;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClass();

// Boundaries from the token bits of a block and the token bit of the byte
// before it.
inline uint64_t Boundaries(uint64_t token, bool token_before) {
  return token ^ (token << 1 | static_cast<uint64_t>(token_before));
}

void ClassifyScalar(const char* data, size_t blocks, bool token_before, BlockMasks* out) {
  for (size_t b = 0; b < blocks; ++b, data += kScanBlock) {
    uint64_t newline = 0, special = 0, token = 0;
    for (size_t i = 0; i < kScanBlock; ++i) {
      const uint64_t cls = kByteClass[static_cast<unsigned char>(data[i])];
      newline |= (cls & kNewline) << i;
      special |= (cls >> 1 & 1) << i;
      token |= (cls >> 2 & 1) << i;
    }
    out[b] = BlockMasks{newline, special, Boundaries(token, token_before)};
    token_before = token >> 63;
  }
}

#if defined(__x86_64__)

// The SIMD kernels compare each byte with the few values that matter and
// gather three masks with movemask:
//   newline   c == '\n'
//   special   (c <= 0x1f and c is neither tab nor newline) or c is one of
//             '"' '\\' '(' ')' ';'
//   other     not a token byte: c <= 0x1f (tab and newline included), a
//             special, or a space
// '(' and ')' differ only in bit 0, so one comparison of c | 1 with ')'
// finds both; c <= 0x1f is min(c, 0x1f) == c in unsigned bytes.

struct Masks32 {
  uint32_t newline, special, other;
};

__attribute__((target("sse4.2"))) inline Masks32 Classify16(__m128i x) {
  const __m128i nl = _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'));
  const __m128i tab = _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'));
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
  const __m128i punct =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                   _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(x, _mm_set1_epi8(1)), _mm_set1_epi8(')')),
                                _mm_cmpeq_epi8(x, _mm_set1_epi8(';'))));
  const __m128i special = _mm_or_si128(_mm_andnot_si128(_mm_or_si128(nl, tab), control), punct);
  const __m128i other = _mm_or_si128(_mm_or_si128(control, punct), _mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
  return Masks32{static_cast<uint16_t>(_mm_movemask_epi8(nl)), static_cast<uint16_t>(_mm_movemask_epi8(special)),
                 static_cast<uint16_t>(_mm_movemask_epi8(other))};
}

__attribute__((target("sse4.2"))) void ClassifySse42(const char* data, size_t blocks, bool token_before,
                                                     BlockMasks* out) {
  for (size_t b = 0; b < blocks; ++b, data += kScanBlock) {
    uint64_t newline = 0, special = 0, other = 0;
    for (int k = 0; k < 4; ++k) {
      const Masks32 m = Classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * k)));
      newline |= uint64_t{m.newline} << (16 * k);
      special |= uint64_t{m.special} << (16 * k);
      other |= uint64_t{m.other} << (16 * k);
    }
    out[b] = BlockMasks{newline, special, Boundaries(~other, token_before)};
    token_before = ~other >> 63;
  }
}

__attribute__((target("avx2"))) inline Masks32 Classify32(__m256i x) {
  const __m256i nl = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('\n'));
  const __m256i tab = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('\t'));
  const __m256i control = _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(0x1f)), x);
  const __m256i punct = _mm256_or_si256(
      _mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('"')), _mm256_cmpeq_epi8(x, _mm256_set1_epi8('\\'))),
      _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_or_si256(x, _mm256_set1_epi8(1)), _mm256_set1_epi8(')')),
                      _mm256_cmpeq_epi8(x, _mm256_set1_epi8(';'))));
  const __m256i special = _mm256_or_si256(_mm256_andnot_si256(_mm256_or_si256(nl, tab), control), punct);
  const __m256i other = _mm256_or_si256(_mm256_or_si256(control, punct), _mm256_cmpeq_epi8(x, _mm256_set1_epi8(' ')));
  return Masks32{static_cast<uint32_t>(_mm256_movemask_epi8(nl)), static_cast<uint32_t>(_mm256_movemask_epi8(special)),
                 static_cast<uint32_t>(_mm256_movemask_epi8(other))};
}

__attribute__((target("avx2"))) void ClassifyAvx2(const char* data, size_t blocks, bool token_before, BlockMasks* out) {
  for (size_t b = 0; b < blocks; ++b, data += kScanBlock) {
    const Masks32 lo = Classify32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(data)));
    const Masks32 hi = Classify32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + 32)));
    const uint64_t other = uint64_t{lo.other} | uint64_t{hi.other} << 32;
    out[b] = BlockMasks{uint64_t{lo.newline} | uint64_t{hi.newline} << 32,
                        uint64_t{lo.special} | uint64_t{hi.special} << 32, Boundaries(~other, token_before)};
    token_before = ~other >> 63;
  }
}

bool CpuHas(ScanKernel kernel) {
  __builtin_cpu_init();
  switch (kernel) {
    case ScanKernel::kSse42:
      return __builtin_cpu_supports("sse4.2");
    case ScanKernel::kAvx2:
      return __builtin_cpu_supports("avx2");
    default:
      return true;
  }
}

#else

bool CpuHas(ScanKernel kernel) { return kernel == ScanKernel::kAuto || kernel == ScanKernel::kScalar; }

#endif  // __x86_64__

ScanKernel ChooseDefault() {
  if (const char* env = std::getenv("NSRADAR_ZONE_KERNEL"); env != nullptr && *env != '\0') {
    const auto named = ScanKernelFromName(env);
    if (!named || (*named != ScanKernel::kAuto && !ScanKernelSupported(*named))) return ScanKernel::kScalar;
    if (*named != ScanKernel::kAuto) return *named;
  }
  return ScanKernelSupported(ScanKernel::kAvx2)    ? ScanKernel::kAvx2
         : ScanKernelSupported(ScanKernel::kSse42) ? ScanKernel::kSse42
                                                   : ScanKernel::kScalar;
}

}  // namespace

std::optional<ScanKernel> ScanKernelFromName(std::string_view name) {
  ScanKernel k;
  if (!ValueOf(kScanKernelNames, name, &k)) return std::nullopt;
  return k;
}

bool ScanKernelSupported(ScanKernel kernel) { return CpuHas(kernel); }

std::vector<ScanKernel> SupportedScanKernels() {
  std::vector<ScanKernel> out;
  for (ScanKernel k : {ScanKernel::kScalar, ScanKernel::kSse42, ScanKernel::kAvx2}) {
    if (ScanKernelSupported(k)) out.push_back(k);
  }
  return out;
}

ScanKernel DefaultScanKernel() {
  // Decided once: the environment and the CPU do not change under a process.
  static const ScanKernel kDefault = ChooseDefault();
  return kDefault;
}

ClassifyFn ClassifierFor(ScanKernel kernel) {
  if (kernel == ScanKernel::kAuto) kernel = DefaultScanKernel();
  // An instruction the CPU lacks would kill the process: never hand one out.
  if (!ScanKernelSupported(kernel)) kernel = ScanKernel::kScalar;
  switch (kernel) {
#if defined(__x86_64__)
    case ScanKernel::kSse42:
      return ClassifySse42;
    case ScanKernel::kAvx2:
      return ClassifyAvx2;
#endif
    default:
      return ClassifyScalar;
  }
}

bool IsTokenByte(unsigned char c) { return kByteClass[c] == kToken; }

}  // namespace nsradar::zone
