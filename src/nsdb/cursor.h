// Opaque page cursors, the same in the API's answers and the CLI's --json
// output. A cursor names the last row of a page (a keyset position, not an
// offset), so it stays valid and skips or repeats nothing while ingests add
// or remove other rows.
#pragma once

#include <string>
#include <string_view>

namespace nsradar::nsdb {

std::string EncodeCursor(std::string_view last_key);
// False when `cursor` was not made by EncodeCursor.
bool DecodeCursor(std::string_view cursor, std::string* last_key);

}  // namespace nsradar::nsdb
