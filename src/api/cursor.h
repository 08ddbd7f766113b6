// Opaque v2 cursors. A cursor names the last row of a page (a keyset
// position, not an offset), so it stays valid and skips or repeats nothing
// while ingests add or remove other rows.
#pragma once

#include <string>
#include <string_view>

namespace nsradar::api {

std::string EncodeCursor(std::string_view last_key);
// False when `cursor` was not made by EncodeCursor.
bool DecodeCursor(std::string_view cursor, std::string* last_key);

}  // namespace nsradar::api
