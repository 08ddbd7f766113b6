#include "warehouse/hunt_tsv.h"

#include <fmt/format.h>

#include <charconv>

namespace nsradar::warehouse {

namespace {

// The byte an escape "\c" stands for, or -1.
int Unescape(char c) {
  switch (c) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case '0':
      return '\0';
    case '\\':
      return '\\';
    case '\'':
      return '\'';
    case '"':
      return '"';
    default:
      return -1;
  }
}

}  // namespace

Status ParseTsv(std::string_view answer, size_t columns, std::vector<TsvRow>* rows) {
  rows->clear();
  if (!answer.empty() && answer.back() != '\n') {
    return Status::Corruption(fmt::format("the answer ends at offset {} inside a row (cut short?)", answer.size()));
  }
  size_t at = 0;
  while (at < answer.size()) {
    const size_t row_start = at;
    TsvRow row(1);
    for (;;) {
      char c = answer[at++];
      if (c == '\n') break;
      if (c == '\t') {
        row.emplace_back();
      } else if (c == '\\') {
        const int byte = at < answer.size() ? Unescape(answer[at]) : -1;
        if (byte < 0) {
          return Status::Corruption(fmt::format("row {} field {}: offset {}: an escape ClickHouse does not write",
                                                rows->size() + 1, row.size(), at - 1));
        }
        row.back() += static_cast<char>(byte);
        ++at;
      } else {
        row.back() += c;
      }
    }
    if (row.size() != columns) {
      return Status::Corruption(fmt::format("row {} at offset {}: {} field(s), expected {}: '{:.200}'",
                                            rows->size() + 1, row_start, row.size(), columns,
                                            answer.substr(row_start, at - 1 - row_start)));
    }
    rows->push_back(std::move(row));
  }
  return Status::OK();
}

Status TsvUnsigned(const TsvRow& row, size_t row_index, size_t column, uint64_t max, uint64_t* out) {
  const std::string& f = row.at(column);
  auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), *out);
  if (ec != std::errc() || end != f.data() + f.size() || f.empty() || *out > max) {
    return Status::Corruption(
        fmt::format("row {} field {}: '{:.40}' is not a number from 0 to {}", row_index + 1, column + 1, f, max));
  }
  return Status::OK();
}

Status TsvSigned(const TsvRow& row, size_t row_index, size_t column, int64_t min, int64_t max, int64_t* out) {
  const std::string& f = row.at(column);
  auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), *out);
  if (ec != std::errc() || end != f.data() + f.size() || f.empty() || *out < min || *out > max) {
    return Status::Corruption(
        fmt::format("row {} field {}: '{:.40}' is not a number from {} to {}", row_index + 1, column + 1, f, min, max));
  }
  return Status::OK();
}

}  // namespace nsradar::warehouse
