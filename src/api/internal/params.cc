#include "api/internal/params.h"

#include <fmt/format.h>

#include <charconv>

#include "dns/name.h"
#include "util/json_writer.h"
#include "util/log.h"
#include "util/time.h"

namespace nsradar::api {

Response ErrorResponse(int status, std::string_view message) {
  Response r;
  r.status = status;
  JsonWriter w(&r.body);
  w.BeginObject().Field("code", status).Field("messages", message).EndObject();
  return r;
}

std::string LogInternalError(std::string_view context, const Status& what) {
  std::string id = NewErrorId();
  Log(LogLevel::kError, "api", "internal error", {{"id", id}, {"context", context}, {"error", what.ToString()}});
  return id;
}

Response InternalError(std::string_view context, const Status& what) {
  std::string id = LogInternalError(context, what);
  Response r = ErrorResponse(500, "Internal error; the server's log has the details under id " + id + ".");
  r.headers.emplace_back("X-Error-Id", id);
  return r;
}

void AppendInternalErrorLine(std::string_view context, const Status& what, std::string* out) {
  std::string id = LogInternalError(context, what);
  JsonWriter(out).BeginObject().Field("error", "internal error").Field("error_id", id).EndObject();
  out->push_back('\n');
}

std::string NormalizeName(std::string_view param, std::string_view value, std::string* out) {
  out->clear();
  if (value.empty()) return fmt::format("{}: empty name", param);
  if (value.size() > dns::kMaxNameWireLength) {
    return fmt::format("{}: name of {} characters is longer than {}", param, value.size(), dns::kMaxNameWireLength);
  }
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = value[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '*';
    if (!ok) return fmt::format("{}: byte 0x{:02x} at position {} is not allowed in a name", param, c, i);
  }
  if (value == ".") return fmt::format("{}: the root is not a name server or domain", param);
  if (const char* err = dns::ParseName(value, "", out)) {
    out->clear();
    return fmt::format("{}: '{}' is not a valid name: {}", param, value, err);
  }
  return "";
}

std::string ParseTimeParam(std::string_view param, std::string_view value, std::optional<int64_t>* out) {
  auto t = ParseTime(value);
  if (!t) return fmt::format("{}: expected UNIX seconds or an RFC 3339 time", param);
  *out = *t;
  return "";
}

std::string ParseCountParam(std::string_view param, std::string_view value, uint64_t min, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v < min || v > max) {
    return fmt::format("{}: expected a whole number from {} to {}", param, min, max);
  }
  *out = v;
  return "";
}

std::string ParseBoolParam(std::string_view param, std::string_view value, bool* out) {
  if (value == "true" || value == "1") {
    *out = true;
  } else if (value == "false" || value == "0") {
    *out = false;
  } else {
    return fmt::format("{}: expected true or false", param);
  }
  return "";
}

void AppendXmlEscaped(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&apos;");
        break;
      default:
        out->push_back(c);
    }
  }
}

}  // namespace nsradar::api
