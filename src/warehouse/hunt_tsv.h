// ClickHouse's TabSeparated output, parsed: rows end in '\n', fields are
// separated by '\t', and inside a field backslash escapes stand for the
// bytes the format reserves (\t \n \\ and the rest of the set ClickHouse
// writes: \b \f \r \0 \' and \N for NULL, which the hunt queries never
// select). Every other byte, valid UTF-8 or not, is taken as it is.
//
// A row with another number of fields than asked for, an unknown escape,
// a backslash at the end or an answer that does not end in '\n' is an
// error naming the row, the field and the byte offset: an answer cut short
// or an error text the server appended after sending rows (ClickHouse
// does that once the status line is gone) is refused, never half-read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nsradar::warehouse {

using TsvRow = std::vector<std::string>;

Status ParseTsv(std::string_view answer, size_t columns, std::vector<TsvRow>* rows);

// The field as an unsigned or signed decimal that fits T; the error names
// the row and the column.
Status TsvUnsigned(const TsvRow& row, size_t row_index, size_t column, uint64_t max, uint64_t* out);
Status TsvSigned(const TsvRow& row, size_t row_index, size_t column, int64_t min, int64_t max, int64_t* out);

}  // namespace nsradar::warehouse
