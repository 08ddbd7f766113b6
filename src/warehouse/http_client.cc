#include "warehouse/http_client.h"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>

namespace nsradar::warehouse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    if (i + 2 < in.size()) v |= uint8_t(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// ClickHouse ends its error text with a newline and, in 18.16, repeats the
// message as ", e.what() = DB::Exception"; one line is enough.
std::string ServerMessage(std::string body) {
  if (size_t cut = body.find(", e.what() = "); cut != std::string::npos) body.resize(cut);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  if (body.size() > 2000) body.resize(2000);
  return body;
}

// "Code: 60, e.displayText() = ..." -> 60.
int ServerCode(std::string_view body) {
  constexpr std::string_view kCode = "Code: ";
  size_t at = body.find(kCode);
  if (at == std::string_view::npos) return 0;
  int code = 0;
  std::string_view digits = body.substr(at + kCode.size());
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
  return ec == std::errc() ? code : 0;
}

}  // namespace

std::string QueryTarget(std::string_view sql) {
  return "/?query=" + boost::urls::encode(sql, boost::urls::unreserved_chars);
}

Status Execute(const Endpoint& endpoint, std::string_view sql, std::string* answer, const QueryOptions& options) {
  return Post(endpoint, "/", sql, answer, options);
}

Status Post(const Endpoint& endpoint, std::string_view target, std::string_view body_in, std::string* answer,
            const QueryOptions& options, int* server_code) {
  if (server_code) *server_code = 0;
  http::request<http::string_body> req(http::verb::post, target, 11);
  req.set(http::field::host, endpoint.host);
  req.set(http::field::user_agent, "nsradar");
  req.set(http::field::content_type, "text/plain; charset=utf-8");
  if (!endpoint.user.empty() || !endpoint.password.empty()) {
    std::string user = endpoint.user.empty() ? "default" : endpoint.user;
    req.set(http::field::authorization, "Basic " + Base64(user + ":" + endpoint.password));
  }
  req.body() = std::string(body_in);
  req.prepare_payload();
  // Asynchronous, as Beast's stream deadline bounds only asynchronous
  // operations: a server that accepts and never answers must not hang us.
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_answer_bytes);
  beast::error_code failure;
  resolver.async_resolve(endpoint.host, endpoint.port, [&](beast::error_code resolved, auto results) {
    if (resolved) return void(failure = resolved);
    stream.expires_after(std::chrono::seconds(options.timeout_seconds));
    stream.async_connect(results, [&](beast::error_code connected, auto) {
      if (connected) return void(failure = connected);
      http::async_write(stream, req, [&](beast::error_code written, size_t) {
        if (written) return void(failure = written);
        http::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) { failure = ec; });
      });
    });
  });
  try {
    io.run();
  } catch (const std::exception& e) {  // allocation failures; the handlers throw nothing
    return Status::IOError(fmt::format("{}: {}", endpoint.Display(), e.what()));
  }
  if (failure == beast::error::timeout) {
    return Status::IOError(fmt::format("{}: no answer within {} s", endpoint.Display(), options.timeout_seconds));
  }
  if (failure) return Status::IOError(fmt::format("{}: {}", endpoint.Display(), failure.message()));
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  const int status = parser.get().result_int();
  std::string body = std::move(parser.get().body());
  if (status != 200) {
    if (server_code) *server_code = ServerCode(body);
    return Status::IOError(fmt::format("{}: HTTP {}: {}", endpoint.Display(), status, ServerMessage(std::move(body))));
  }
  *answer = std::move(body);
  return Status::OK();
}

}  // namespace nsradar::warehouse
