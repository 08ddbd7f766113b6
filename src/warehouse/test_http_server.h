// Test helper of the warehouse's HTTP tests: a one-connection HTTP server
// on loopback that records the request and sends a canned answer.
#pragma once

#include <boost/asio.hpp>
#include <string>
#include <thread>

#include "warehouse/endpoint.h"

namespace nsradar::warehouse::testing {

class FakeServer {
 public:
  explicit FakeServer(std::string answer)
      : acceptor_(io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, answer = std::move(answer)] {
      namespace asio = boost::asio;
      asio::ip::tcp::socket s(io_);
      acceptor_.accept(s);
      boost::system::error_code ec;
      asio::streambuf buf;
      size_t n = asio::read_until(s, buf, "\r\n\r\n", ec);
      request_.assign(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
      asio::write(s, asio::buffer(answer), ec);
      s.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    });
  }
  ~FakeServer() { thread_.join(); }
  Endpoint endpoint(std::string user = "", std::string password = "") const {
    return {"127.0.0.1", std::to_string(acceptor_.local_endpoint().port()), std::move(user), std::move(password)};
  }
  // Valid once the client has its answer.
  const std::string& request() const { return request_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::string request_;
};

}  // namespace nsradar::warehouse::testing
