#include "api/internal/http_framing.h"

#include <vector>

namespace nsradar::api {
namespace {

namespace http = boost::beast::http;

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// uri-host [ ":" port ] (RFC 3986): reg-name, IPv4 or an IP literal in
// brackets; empty is allowed (a target without authority).
bool ValidHost(std::string_view host) {
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    ok = ok || std::string_view("-._~%!$&'()*+,;=:[]").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<Refusal> CheckFraming(const RequestHeader& header) {
  const size_t hosts = header.count(http::field::host);
  if (header.version() >= 11 ? hosts != 1 : hosts > 1) {
    return Refusal{400, hosts == 0 ? "HTTP/1.1 requests need a Host header." : "More than one Host header."};
  }
  if (hosts == 1 && !ValidHost(View(header[http::field::host])))
    return Refusal{400, "Host header is not a valid host."};

  std::vector<std::string_view> codings;
  auto [first, last] = header.equal_range(http::field::transfer_encoding);
  for (auto f = first; f != last; ++f) {
    std::string_view list = View(f->value());
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view item = TrimOws(list.substr(0, comma));
      if (!item.empty()) codings.push_back(item);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  if (header.count(http::field::transfer_encoding) > 0) {
    if (header.version() < 11) return Refusal{400, "Transfer-Encoding is not allowed in HTTP/1.0."};
    for (std::string_view c : codings) {
      if (!EqualsIgnoreCase(c, "chunked")) {
        return Refusal{501, "Transfer-Encoding '" + std::string(c) + "' is not supported; only chunked is."};
      }
    }
    if (codings.size() != 1) return Refusal{400, "Transfer-Encoding must name chunked exactly once."};
    if (header.count(http::field::content_length) > 0) {
      return Refusal{400, "Transfer-Encoding and Content-Length together."};
    }
  }
  if (header.count(http::field::expect) > 0 && !ExpectsContinue(header)) {
    return Refusal{417, "Only 'Expect: 100-continue' is supported."};
  }
  return std::nullopt;
}

bool ExpectsContinue(const RequestHeader& header) {
  return header.count(http::field::expect) == 1 &&
         EqualsIgnoreCase(TrimOws(View(header[http::field::expect])), "100-continue");
}

std::string_view ApiKeyFromHeaders(const RequestHeader& header) {
  std::string_view key = View(header["X-API-Key"]);
  if (!key.empty()) return key;
  std::string_view auth = TrimOws(View(header[http::field::authorization]));
  constexpr std::string_view kBearer = "bearer ";
  if (auth.size() > kBearer.size() && EqualsIgnoreCase(auth.substr(0, kBearer.size()), kBearer)) {
    return TrimOws(auth.substr(kBearer.size()));
  }
  return {};
}

}  // namespace nsradar::api
