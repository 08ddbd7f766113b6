#include "warehouse/row_binary.h"

#include <fmt/format.h>

namespace nsradar::warehouse {

namespace {

template <typename T>
bool Fixed(std::string_view payload, size_t* at, std::string* text) {
  if (payload.size() - *at < sizeof(T)) return false;
  T v;
  std::memcpy(&v, payload.data() + *at, sizeof(T));
  *at += sizeof(T);
  if (text) *text += fmt::format("{}", v);
  return true;
}

// Arrays and strings longer than the payload cannot be there; checking the
// count against the bytes left keeps a garbled length from allocating.
Status ReadValue(std::string_view payload, size_t* at, ColumnType type, std::string* text) {
  auto number = [](bool ok) { return ok ? Status::OK() : Status::Corruption("a truncated number"); };
  switch (type) {
    case ColumnType::kUInt8:
      return number(Fixed<uint8_t>(payload, at, text));
    case ColumnType::kInt8:
      return number(Fixed<int8_t>(payload, at, text));
    case ColumnType::kUInt16:
      return number(Fixed<uint16_t>(payload, at, text));
    case ColumnType::kInt16:
      return number(Fixed<int16_t>(payload, at, text));
    case ColumnType::kUInt32:
      return number(Fixed<uint32_t>(payload, at, text));
    case ColumnType::kUInt64:
      return number(Fixed<uint64_t>(payload, at, text));
    case ColumnType::kFloat64:
      return number(Fixed<double>(payload, at, text));
    case ColumnType::kString: {
      std::string_view rest = payload.substr(*at);
      uint64_t n = 0;
      if (!GetVarint64(&rest, &n)) return Status::Corruption("a bad string length");
      if (n > rest.size()) return Status::Corruption(fmt::format("a string of {} bytes, {} left", n, rest.size()));
      if (text) text->append(rest.substr(0, n));
      *at = payload.size() - rest.size() + n;
      break;
    }
    case ColumnType::kAddress:
      if (payload.size() - *at < 16) return Status::Corruption("a truncated address");
      if (text) text->append(payload.substr(*at, 16));
      *at += 16;
      break;
  }
  return Status::OK();
}

}  // namespace

void PutAddress(std::string* out, const dns::Address& a) {
  char bytes[16] = {};
  if (a.family == 4) {
    bytes[10] = bytes[11] = char(0xff);
    std::memcpy(bytes + 12, a.bytes.data(), 4);
  } else if (a.family == 6) {
    std::memcpy(bytes, a.bytes.data(), 16);
  }
  out->append(bytes, 16);
}

Status DecodeRow(std::string_view payload, size_t* offset, std::span<const Column> columns,
                 std::vector<std::string>* values) {
  for (const Column& c : columns) {
    const size_t start = *offset;
    std::string text;
    std::string* t = values ? &text : nullptr;
    Status s;
    if (c.array) {
      std::string_view rest = payload.substr(*offset);
      uint64_t n = 0;
      if (!GetVarint64(&rest, &n)) {
        s = Status::Corruption("a bad array length");
      } else if (n > rest.size()) {  // every element takes a byte at least
        s = Status::Corruption(fmt::format("an array of {} elements, {} bytes left", n, rest.size()));
      } else {
        *offset = payload.size() - rest.size();
        if (t) *t += '[';
        for (uint64_t i = 0; i < n && s.ok(); ++i) {
          if (t && i > 0) *t += ',';
          s = ReadValue(payload, offset, c.type, t);
        }
        if (t) *t += ']';
      }
    } else {
      s = ReadValue(payload, offset, c.type, t);
    }
    if (!s.ok()) return Status::Corruption(fmt::format("offset {}: column {}: {}", start, c.name, s.message()));
    if (values) values->push_back(std::move(text));
  }
  return Status::OK();
}

Status SplitRows(std::string_view payload, uint32_t rows, std::span<const Column> columns,
                 std::vector<size_t>* starts) {
  starts->clear();
  size_t offset = 0;
  for (uint32_t r = 0; r < rows; ++r) {
    starts->push_back(offset);
    if (Status s = DecodeRow(payload, &offset, columns); !s.ok()) {
      return Status::Corruption(fmt::format("row {} of {}: {}", r, rows, s.message()));
    }
  }
  if (offset != payload.size()) {
    return Status::Corruption(
        fmt::format("offset {}: {} bytes after the last of {} rows", offset, payload.size() - offset, rows));
  }
  starts->push_back(offset);
  return Status::OK();
}

}  // namespace nsradar::warehouse
