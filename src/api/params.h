// Reading and checking request parameters. Every failure becomes a 400 or
// 422 answer whose message names the parameter and what is wrong with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/request.h"

namespace nsradar::api {

// An error answer in the Reverse NS API's shape: {"code":N,"messages":"..."}.
Response ErrorResponse(int status, std::string_view message);

// A host or domain name as users type it: ASCII letters, digits, '-', '_',
// '*' and dots; any case; an optional trailing dot. On success *out holds
// the canonical form and the result is empty, else it is the message.
std::string NormalizeName(std::string_view param, std::string_view value, std::string* out);

// UNIX seconds or an RFC 3339 time, for parameter `param`.
std::string ParseTimeParam(std::string_view param, std::string_view value, std::optional<int64_t>* out);

// A decimal in [min, max].
std::string ParseCountParam(std::string_view param, std::string_view value, uint64_t min, uint64_t max, uint64_t* out);

// "true"/"false"/"1"/"0".
std::string ParseBoolParam(std::string_view param, std::string_view value, bool* out);

// Text safe inside XML character data.
void AppendXmlEscaped(std::string_view s, std::string* out);

}  // namespace nsradar::api
