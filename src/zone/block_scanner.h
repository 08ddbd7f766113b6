// The zone reader's first pass: classifies 64-byte blocks of master-file text
// into bitmasks, after simdzone's design (SIMD classification, then a scalar
// pass over the index), with one kernel per instruction set.
//
// Bit i of a block's masks describes byte i of the block:
//   newline   '\n'
//   special   a byte that only the full grammar handles: '"' '\\' '(' ')'
//             ';' and control characters other than tab and newline (so CR
//             and NUL too)
//   boundary  the byte starts or ends a token: it is a token byte and the
//             byte before it is not, or the other way round. Token bytes are
//             all but blanks (space, tab), newlines and specials.
// In a line without specials the boundaries therefore alternate: the start
// of a token, the byte just after it, the start of the next one, ...
//
// Every kernel gives the same masks for the same bytes (tested on every
// input of the reader's tests and by the fuzzer), so the reader's output
// never depends on the machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "util/enum_names.h"

namespace nsradar::zone {

inline constexpr size_t kScanBlock = 64;

struct BlockMasks {
  uint64_t newline;
  uint64_t special;
  uint64_t boundary;
};

enum class ScanKernel : uint8_t {
  kAuto,    // NSRADAR_ZONE_KERNEL when set, else the best this CPU runs
  kScalar,  // portable C++, every machine
  kSse42,   // x86-64 with SSE4.2
  kAvx2,    // x86-64 with AVX2
};

// As NSRADAR_ZONE_KERNEL and the benchmarks name them.
inline constexpr EnumName<ScanKernel> kScanKernelNames[] = {
    {ScanKernel::kAuto, "auto"},
    {ScanKernel::kScalar, "scalar"},
    {ScanKernel::kSse42, "sse42"},
    {ScanKernel::kAvx2, "avx2"},
};
inline std::string_view ScanKernelName(ScanKernel kernel) { return NameOf(kScanKernelNames, kernel); }
std::optional<ScanKernel> ScanKernelFromName(std::string_view name);
// Whether this build and this CPU can run `kernel` (kAuto and kScalar always).
bool ScanKernelSupported(ScanKernel kernel);
// The concrete kernels this machine runs, kScalar first.
std::vector<ScanKernel> SupportedScanKernels();
// What kAuto means in this process: the kernel named by the environment
// variable NSRADAR_ZONE_KERNEL when it is set, not empty, and names one this
// machine runs (so that whole test suites and fuzzers can be forced onto
// each path), else the best supported one. An unknown or unsupported name
// gives kScalar, the path that runs everywhere, rather than a faster path
// the caller did not ask for.
ScanKernel DefaultScanKernel();

// Classifies `blocks` whole blocks at `data` into out[0, blocks).
// `token_before` tells whether the byte before `data` is a token byte (false
// at the start of input), so that a boundary at bit 0 is right.
using ClassifyFn = void (*)(const char* data, size_t blocks, bool token_before, BlockMasks* out);
// The classifier of a concrete, supported kernel; kAuto resolves first.
ClassifyFn ClassifierFor(ScanKernel kernel);

// Whether a byte is a token byte in the sense above.
bool IsTokenByte(unsigned char c);

}  // namespace nsradar::zone
