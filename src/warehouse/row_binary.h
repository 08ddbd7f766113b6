// RowBinary, ClickHouse's binary row format (`INSERT ... FORMAT RowBinary`):
// each row is its columns' values one after the other, little-endian
// fixed-width numbers, DateTime as UInt32 seconds, Enum8 as its Int8,
// String and Array as a LEB128 length followed by the bytes or elements,
// FixedString(N) as N bytes. No delimiters and no escaping: the cheapest
// format for both sides to write and read.
//
// The writer appends values with the Put* functions; DecodeRow reads a row
// back by its column types, which checks spooled batches (a corrupt file
// names the row, column and offset), splits a batch into rows for a partial
// replay, and lets the tests compare what was encoded.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/address.h"
#include "util/status.h"
#include "util/varint.h"

namespace nsradar::warehouse {

static_assert(std::endian::native == std::endian::little, "RowBinary numbers are little-endian, as this host's");

template <typename T>
inline void PutNumber(std::string* out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out->append(bytes, sizeof(T));
}

inline void PutString(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}

// FixedString(16): an IPv6 address, IPv4 mapped (::ffff:a.b.c.d), all
// zeros when unknown.
void PutAddress(std::string* out, const dns::Address& a);

enum class ColumnType : uint8_t { kUInt8, kInt8, kUInt16, kInt16, kUInt32, kUInt64, kFloat64, kString, kAddress };

struct Column {
  std::string_view name;  // as in the INSERT's column list ("answers.name" for a Nested member)
  ColumnType type;
  bool array = false;  // Array(type)
};

// Reads one row from payload[*offset...] and advances *offset. With `values`,
// each column's value is appended as text (numbers in decimal, strings and
// addresses as their bytes, arrays as "[a,b]"). Errors name the column and
// the offset where the value starts; nothing is read beyond the payload.
Status DecodeRow(std::string_view payload, size_t* offset, std::span<const Column> columns,
                 std::vector<std::string>* values = nullptr);

// The offsets where each of `rows` rows starts, plus the payload's end; fails
// unless the payload holds exactly that many rows.
Status SplitRows(std::string_view payload, uint32_t rows, std::span<const Column> columns, std::vector<size_t>* starts);

}  // namespace nsradar::warehouse
