#include "api/request.h"

#include <boost/url/parse.hpp>

namespace nsradar::api {

std::optional<std::string_view> QueryParams::Get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::string ParseTarget(std::string_view target, Request* out) {
  // Boost.URL enforces RFC 3986: it rejects raw spaces, control bytes,
  // non-ASCII bytes and malformed %XX escapes in the target.
  auto parsed = boost::urls::parse_origin_form(boost::core::string_view(target.data(), target.size()));
  if (!parsed) return "malformed request target: " + parsed.error().message();
  out->path = parsed->path();
  for (auto param : parsed->params()) out->params.Add(std::string(param.key), std::string(param.value));
  return "";
}

}  // namespace nsradar::api
