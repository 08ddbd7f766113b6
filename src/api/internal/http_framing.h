// What the HTTP transport checks in a request's header before it reads the
// body or hands the request on: pure functions over Beast's header, so the
// rules can be tested and fuzzed without a socket.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace nsradar::api {

// An answer that ends the connection.
struct Refusal {
  int status;
  std::string why;
};

using RequestHeader = boost::beast::http::request_header<boost::beast::http::fields>;

// Refuses any header whose framing two parsers could read differently
// (RFC 9112 sections 3.2, 6.1 and 6.3), so that no byte of a body is ever
// taken for the next request behind a proxy:
//   - HTTP/1.1 needs exactly one Host, HTTP/1.0 at most one, and its value
//     must be a valid uri-host[:port] (400);
//   - Transfer-Encoding, when present, must be exactly "chunked", in one
//     field or several, in HTTP/1.1, and without Content-Length; another
//     coding is 501, a repeated or misplaced chunked 400;
//   - Expect other than 100-continue is 417.
std::optional<Refusal> CheckFraming(const RequestHeader& header);

// Whether the client waits for "100 Continue" before sending its body.
bool ExpectsContinue(const RequestHeader& header);

// The API key a request carries in a header: X-API-Key, else the token of
// "Authorization: Bearer TOKEN"; empty when neither is present.
std::string_view ApiKeyFromHeaders(const RequestHeader& header);

}  // namespace nsradar::api
