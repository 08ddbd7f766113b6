// Reading one cookie out of a Cookie request header (RFC 6265 section 5.4:
// `name=value` pairs separated by ";" and optional spaces).
//
// The header is attacker-controlled: any bytes, any length the transport
// allows. Parsing is one bounded pass that never allocates; pairs without
// "=", empty names and surplus whitespace are skipped, not errors, as
// browsers send them. A value may be wrapped in double quotes, which are
// removed. When the name occurs more than once the first wins (the browser
// sends the most specific path first).
#pragma once

#include <optional>
#include <string_view>

namespace nsradar::api {

// The value of cookie `name` in the Cookie header `header`, as a view into
// it; nullopt when absent.
std::optional<std::string_view> FindCookie(std::string_view header, std::string_view name);

}  // namespace nsradar::api
