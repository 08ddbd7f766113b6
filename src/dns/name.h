// Domain names in nsradar's one canonical form.
//
// Canonical form: lower-case presentation format without the trailing dot;
// the root is the empty string. Bytes that presentation format cannot show
// plainly are escaped: `.` `\` `"` `(` `)` `;` `@` `$` as `\X`, and bytes
// outside 0x21..0x7e (space, control characters, 0x7f and up) as `\DDD`.
// So every byte value has exactly one spelling, and a canonical name is
// printable ASCII without NUL. Every name is validated once at the edge
// (labels 1..63 bytes, at most 255 bytes in wire form), so code that holds a
// canonical name may rely on those limits.
//
// The one order of names, everywhere: byte-wise lexicographic order of the
// canonical form (a name before every longer name it begins), i.e.
// std::string_view's operator<, RocksDB's default comparator, and NameKey
// below. Snapshots list domains and hosts in it and the store's keys and
// merge-joins rely on it. It is not DNSSEC's canonical order (RFC 4034 6.1)
// nor the order of the raw bytes: an escaped byte sorts by its escape's
// characters, so `a\032` (a space) and `a\255` both sort after `a9` and
// before `aa`, and labels are not compared one by one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
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

// A name to sort: its first 16 bytes as two big-endian integers, zero-padded,
// beside the name, so that most comparisons in a sort of millions of names
// never touch the names' bytes. Keys order exactly as the names do (the
// order above), for any bytes, NUL included. `tag` is the caller's: it rides
// along with the key (an id, a count), so a sorted array of keys needs no
// table beside it. The name's bytes must outlive the key.
struct NameKey {
  uint64_t p0, p1;
  const char* data;
  uint32_t size;
  uint32_t tag;

  std::string_view name() const { return {data, size}; }
};

NameKey MakeNameKey(std::string_view name, uint32_t tag = 0);

inline bool operator<(const NameKey& a, const NameKey& b) {
  if (a.p0 != b.p0) return a.p0 < b.p0;
  if (a.p1 != b.p1) return a.p1 < b.p1;
  // The first 16 bytes, padding included, are equal. A name of at most 16
  // bytes is then the beginning of the other (whose bytes match its padding
  // if it is longer): the shorter name comes first.
  if (a.size <= 16 || b.size <= 16) return a.size < b.size;
  return std::string_view(a.data + 16, a.size - 16) < std::string_view(b.data + 16, b.size - 16);
}

// The names are equal (tags aside).
inline bool SameName(const NameKey& a, const NameKey& b) {
  return a.p0 == b.p0 && a.p1 == b.p1 && a.size == b.size &&
         (a.size <= 16 || std::memcmp(a.data + 16, b.data + 16, a.size - 16) == 0);
}

}  // namespace nsradar::dns
