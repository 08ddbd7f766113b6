// Domain names in nsradar's one canonical form.
//
// Canonical form: lower-case presentation format without the trailing dot;
// the root is the empty string. Bytes that presentation format cannot show
// plainly are escaped: `.` `\` `"` `(` `)` `;` `@` `$` and space as `\X`, and
// bytes outside 0x21..0x7e as `\DDD`. Every name is validated once at the
// edge (labels 1..63 bytes, at most 255 bytes in wire form), so code that
// holds a canonical name may rely on those limits. Byte-wise lexicographic
// order of the canonical form is the order the index pages in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nsradar::dns {

inline constexpr size_t kMaxLabelLength = 63;
inline constexpr size_t kMaxNameWireLength = 255;

// Parses `text` in RFC 1035 presentation format (`\X` and `\DDD` escapes,
// `@` for the origin, names without a trailing dot relative to `origin`,
// which must be canonical) and appends its canonical form to *out.
// Returns nullptr on success, else a static description of the problem; on
// failure *out may hold a partial name and should be discarded.
const char* ParseName(std::string_view text, std::string_view origin, std::string* out);

// Decodes an uncompressed wire-format name at `data` (RFC 1035 3.1) and
// appends its canonical form. *consumed receives the wire length.
const char* ParseWireName(const uint8_t* data, size_t size, size_t* consumed, std::string* out);

// Decodes a possibly compressed name (RFC 1035 4.1.4) starting at `offset`
// inside the DNS message `msg`, appending its canonical form to *canonical
// and, when `raw` is not null, the same presentation with the original case
// kept. *next receives the offset just after the name's bytes at `offset`.
// Pointers must point strictly backwards, so loops are impossible; names
// over 255 bytes are refused.
const char* ParseMessageName(const uint8_t* msg, size_t msg_size, size_t offset, size_t* next, std::string* canonical,
                             std::string* raw);

// Wire-format length of a canonical name (1 for the root).
size_t WireLength(std::string_view canonical);

// The name with its first label removed ("" for a single-label name).
std::string_view Parent(std::string_view canonical);

// True when `name` equals `ancestor` or lies below it.
bool IsAtOrBelow(std::string_view name, std::string_view ancestor);

// Labels in reverse order joined by '.': "ns1.example.com" -> "com.example.ns1".
// Reversing twice gives the name back. Used to index names by suffix.
std::string ReverseLabels(std::string_view canonical);

// Presentation with the trailing dot, "." for the root: what users see.
std::string ToDisplay(std::string_view canonical);

}  // namespace nsradar::dns
