#include "warehouse/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "warehouse/test_http_server.h"

namespace nsradar::warehouse {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

using nsradar::warehouse::testing::FakeServer;

TEST(HttpClient, PostsTheStatementWithBasicAuth) {
  FakeServer server("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\n18.16.1");
  std::string answer;
  ASSERT_TRUE(Execute(server.endpoint("user", "pa:ss"), "SELECT version()", &answer).ok());
  EXPECT_EQ(answer, "18.16.1");
  EXPECT_TRUE(server.request().starts_with("POST / HTTP/1.1\r\n")) << server.request();
  EXPECT_NE(server.request().find("Authorization: Basic dXNlcjpwYTpzcw==\r\n"), std::string::npos);  // user:pa:ss
}

TEST(HttpClient, ServerErrorsCarryClickHouseMessageButNoPassword) {
  FakeServer server(
      "HTTP/1.1 404 Not Found\r\nContent-Length: 94\r\nConnection: close\r\n\r\n"
      "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = DB::Exception\n\r\n");
  std::string answer;
  Status s = Execute(server.endpoint("", "hunter2"), "SELECT 1 FROM x", &answer);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("http://127.0.0.1:"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("HTTP 404: Code: 60, e.displayText() = DB::Exception: Table x doesn't exist."),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("e.what()"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << s.message();
}

TEST(HttpClient, ANonHttpPeerIsAnError) {
  FakeServer server("SSH-2.0-OpenSSH_9.2\r\n");
  std::string answer;
  Status s = Execute(server.endpoint(), "SELECT 1", &answer);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(server.endpoint().Display()), std::string::npos) << s.message();
}

TEST(HttpClient, RefusedConnectionNamesTheEndpoint) {
  uint16_t port;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed again: nothing listens there now
  std::string answer;
  Endpoint e{"127.0.0.1", std::to_string(port), "", ""};
  Status s = Execute(e, "SELECT 1", &answer);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), e.Display() + ": Connection refused") << s.message();
}

TEST(HttpClient, SilentServerTimesOut) {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));  // listens, never answers
  Endpoint e{"127.0.0.1", std::to_string(a.local_endpoint().port()), "", ""};
  std::string answer;
  QueryOptions options;
  options.timeout_seconds = 1;
  Status s = Execute(e, "SELECT 1", &answer, options);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), e.Display() + ": no answer within 1 s");
}

}  // namespace
}  // namespace nsradar::warehouse
