#include "warehouse/endpoint.h"

#include <fmt/format.h>

#include <boost/url/parse.hpp>
#include <charconv>

namespace nsradar::warehouse {

std::string Endpoint::Display() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}{}:{}", user.empty() ? "" : user + "@", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

namespace {

// The element as it may be shown: the userinfo cut out, since it can hold
// the password.
std::string Redacted(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  size_t at = url.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  return std::string(url.substr(0, start)) + "***@" + std::string(url.substr(at + 1));
}

Status ParseOne(std::string_view text, size_t index, const std::string& user, const std::string& password,
                Endpoint* out) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("--warehouse URL {} '{}': {}", index + 1, Redacted(text), why));
  };
  if (text.empty()) return bad("empty (expected http://[USER[:PASSWORD]@]HOST[:PORT])");
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad("not a URL (expected http://[USER[:PASSWORD]@]HOST[:PORT])");
  if (parsed->scheme() == "https") return bad("https is not supported yet; use http on a trusted network");
  if (parsed->scheme() != "http") return bad("the scheme must be http");
  if (parsed->host().empty()) return bad("no host");
  if (!parsed->path().empty() && parsed->path() != "/") return bad("a path is not allowed (use --database)");
  if (parsed->has_query() || parsed->has_fragment()) return bad("a query or fragment is not allowed");
  out->host = parsed->host_address();
  if (parsed->has_port()) {
    std::string_view p = parsed->port();
    unsigned port = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535) {
      return bad("the port must be 1-65535");
    }
    out->port = std::string(p);
  }
  out->user = user;
  out->password = password;
  if (parsed->has_userinfo()) {
    out->user = parsed->user();
    out->password = parsed->has_password() ? std::string(parsed->password()) : std::string();
  }
  // The credentials travel in a header; a line break there would let a URL
  // add headers of its own.
  for (const std::string* s : {&out->user, &out->password}) {
    if (s->find_first_of("\r\n") != std::string::npos) return bad("user or password holds a line break");
  }
  return Status::OK();
}

}  // namespace

Status ParseEndpoints(std::string_view list, const std::string& user, const std::string& password,
                      std::vector<Endpoint>* out) {
  out->clear();
  size_t index = 0;
  for (size_t pos = 0;; ++index) {
    size_t comma = list.find(',', pos);
    std::string_view item = list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    Endpoint e;
    NSRADAR_RETURN_IF_ERROR(ParseOne(item, index, user, password, &e));
    out->push_back(std::move(e));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return Status::OK();
}

}  // namespace nsradar::warehouse
