// Request and Response: what the HTTP server hands the API service and gets
// back. Kept free of Boost.Beast so handlers can be tested without a socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nsradar::api {

// The query parameters of a request target, percent-decoded, in order.
// Lookups are case-sensitive, as the v1 API's parameter names are.
class QueryParams {
 public:
  void Add(std::string key, std::string value) { items_.emplace_back(std::move(key), std::move(value)); }
  // The first value of `key`, or nullopt.
  std::optional<std::string_view> Get(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, e.g. "/v2/ns/ns1.example.com/domains"
  QueryParams params;
  std::string body;
  std::string content_type;
  // Headers the web UI's sessions need (ui_service.h): the Cookie header,
  // Origin (CSRF check), Host, If-None-Match (cached assets) and
  // Accept-Encoding; whether the connection is TLS (Secure cookies).
  std::string cookie, origin, host, if_none_match, accept_encoding;
  std::string last_event_id;  // resuming server-sent events (GET /v2/alerts/stream)
  bool tls = false;
};

// Splits an origin-form request target ("/path?a=1&b=%41") into a decoded
// path and parameters. Returns an empty string on success, else what is
// wrong with it (bad percent-encoding, control characters, ...).
std::string ParseTarget(std::string_view target, Request* out);

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // For answers too large to build at once: called repeatedly, each call
  // appending the next part of the body to *chunk, until it returns false.
  // The body is then sent with chunked transfer encoding.
  std::function<bool(std::string* chunk)> stream;
  // For endless streams (server-sent events): when nonzero, a call that
  // appends nothing makes the server wait this long before the next, and
  // the stream ends when the server stops.
  std::chrono::milliseconds stream_wait{0};
  // When the stream sets it, after its last call (the one that appended the
  // body's in-band error and returned false), the server closes the
  // connection without the last, zero-length chunk: a stream that failed
  // after the status line reaches clients as a cut-short body (curl exits
  // 18, browsers fail the download), never as a whole one.
  std::shared_ptr<bool> stream_failed;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace nsradar::api
