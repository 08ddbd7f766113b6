// Name parsers for the zone reader's hot path: dns::ParseName, faster.
//
// Nearly every name in a zone file is letters, digits, hyphens and dots.
// Those are canonicalised here in one pass (lower case, label and name
// lengths checked): through a byte table, or 16 bytes at a time with SSE2
// (x86-64's baseline, so it needs no run-time check). Any other name
// (escapes, `@`, the root, bytes that canonical form escapes, an error) goes
// to dns::ParseName. So the result, the error text included, is always
// dns::ParseName's (FastNameTest and the zone reader's fuzzer check it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "zone/block_scanner.h"

namespace nsradar::zone {

// As dns::ParseName(text, origin, out); `origin_wire` must be
// dns::WireLength(origin), which callers keep with their origin.
using NameParseFn = const char* (*)(std::string_view text, std::string_view origin, size_t origin_wire,
                                    std::string* out);

// The byte-table parser for kScalar (portable C++), the SSE2 one for the
// other kernels where the build has SSE2; kAuto resolves first.
NameParseFn NameParserFor(ScanKernel kernel);

}  // namespace nsradar::zone
