// Reading and checking request parameters. Every failure becomes a 400 or
// 422 answer whose message names the parameter and what is wrong with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/request.h"
#include "util/status.h"

namespace nsradar::api {

// An error answer in the Reverse NS API's shape: {"code":N,"messages":"..."}.
Response ErrorResponse(int status, std::string_view message);

// A 500 answer that tells the client only an error id: `what` (store errors
// carry file paths) goes to the log under that id, with `context`.
Response InternalError(std::string_view context, const Status& what);
// Logs `what` and returns the id a client is told instead.
std::string LogInternalError(std::string_view context, const Status& what);
// The same inside an NDJSON stream whose status line is long gone: appends
// {"error":"internal error","error_id":"..."} and a newline to *out.
void AppendInternalErrorLine(std::string_view context, const Status& what, std::string* out);

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
