// A small blocking HTTP/1.1 client for the API's tests: keep-alive
// connections to 127.0.0.1 through Boost.Beast.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nsradar::api::testing {

struct HttpResult {
  int status = 0;  // 0: the connection failed or closed
  std::string body;
  std::string content_type;
  bool keep_alive = false;
  std::string error;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port), stream_(std::make_unique<boost::beast::tcp_stream>(ioc_)) {}

  HttpResult Get(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send(boost::beast::http::verb::get, target, "", "", headers);
  }
  HttpResult Post(const std::string& target, const std::string& body, const std::string& content_type,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send(boost::beast::http::verb::post, target, body, content_type, headers);
  }
  HttpResult Delete(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send(boost::beast::http::verb::delete_, target, "", "", headers);
  }

 private:
  // Like a browser, retries once on a fresh connection when a reused
  // keep-alive connection turns out to be closed by the server.
  HttpResult Send(boost::beast::http::verb verb, const std::string& target, const std::string& body,
                  const std::string& content_type, const std::vector<std::pair<std::string, std::string>>& headers) {
    bool reused = connected_;
    HttpResult r = SendOnce(verb, target, body, content_type, headers);
    if (r.status == 0 && reused) r = SendOnce(verb, target, body, content_type, headers);
    return r;
  }

  HttpResult SendOnce(boost::beast::http::verb verb, const std::string& target, const std::string& body,
                      const std::string& content_type,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
    namespace http = boost::beast::http;
    HttpResult out;
    boost::system::error_code ec;
    if (!connected_) {
      stream_->connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_), ec);
      if (ec) {
        out.error = "connect: " + ec.message();
        return out;
      }
      connected_ = true;
    }
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    stream_->expires_after(std::chrono::seconds(30));
    http::write(*stream_, req, ec);
    if (ec) return Broken(&out, "write: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    http::read(*stream_, buffer_, parser, ec);
    if (ec) return Broken(&out, "read: " + ec.message());
    auto& res = parser.get();
    out.status = res.result_int();
    out.body = std::move(res.body());
    out.content_type = std::string(res[http::field::content_type]);
    out.keep_alive = res.keep_alive();
    if (!out.keep_alive) Close();
    return out;
  }

  HttpResult Broken(HttpResult* out, std::string error) {
    out->error = std::move(error);
    Close();
    return *out;
  }

  void Close() {
    boost::system::error_code ec;
    stream_->socket().close(ec);
    stream_ = std::make_unique<boost::beast::tcp_stream>(ioc_);
    buffer_.clear();
    connected_ = false;
  }

  uint16_t port_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace nsradar::api::testing
