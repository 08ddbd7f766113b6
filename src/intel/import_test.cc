#include "intel/import.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "nsdb/store_test_util.h"

namespace nsradar::intel {
namespace {

// Serves `response` to one connection on 127.0.0.1, on a port it picks.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response) : response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 1);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      std::string req;
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      request_ = req;
      (void)!write(c, response_.data(), response_.size());
      close(c);
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  const std::string& request() const { return request_; }

 private:
  std::string response_, request_;
  int fd_ = -1, port_ = 0;
  std::thread thread_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Fetch, DownloadsAListOverHttp) {
  nsdb::testing::TempDir dir;
  const std::string body = "evil.example\nns1.evil.example\n";
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/feeds/list.txt";
  ASSERT_TRUE(FetchUrl(url, dir.file("list")).ok());
  EXPECT_EQ(Slurp(dir.file("list")), body);
  EXPECT_TRUE(server.request().starts_with("GET /feeds/list.txt HTTP/1.1\r\n")) << server.request();
}

TEST(Fetch, FailuresNameTheUrl) {
  nsdb::testing::TempDir dir;
  {
    OneShotServer server("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/missing";
    Status s = FetchUrl(url, dir.file("x"));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(url + ": HTTP 404"), std::string::npos) << s.message();
  }
  {
    OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'a'));
    Status s = FetchUrl("http://127.0.0.1:" + std::to_string(server.port()) + "/big", dir.file("x"), 1000);
    EXPECT_FALSE(s.ok());  // over the body limit
  }
  EXPECT_FALSE(FetchUrl("https://127.0.0.1/list", dir.file("x")).ok());
  EXPECT_FALSE(FetchUrl("http://", dir.file("x")).ok());
  Status refused = FetchUrl("http://127.0.0.1:1/list", dir.file("x"), 1000, 5);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("http://127.0.0.1:1/list"), std::string::npos);
}

}  // namespace
}  // namespace nsradar::intel

namespace nsradar::intel {
namespace {

// A source re-imported replaces itself, even when the list is now empty.
TEST(Import, AListReplacesItsEarlierIndicators) {
  nsdb::testing::TempDir dir;
  std::unique_ptr<nsdb::Store> store;
  ASSERT_TRUE(nsdb::Store::Open(dir.file("store"), {}, &store).ok());
  const std::string list = dir.file("feed.txt");
  std::ofstream(list) << "a.example\nb.example\n";
  ImportResult r;
  ASSERT_TRUE(ImportIndicators(*store, list, {}, true, &r).ok());
  EXPECT_EQ(r.source, "feed.txt");
  EXPECT_EQ(r.indicators, 2u);
  std::ofstream(list, std::ios::trunc) << "# emptied\n";
  ASSERT_TRUE(ImportIndicators(*store, list, {}, true, &r).ok());
  EXPECT_EQ(r.indicators, 0u);
  EXPECT_EQ(r.replaced, 2u);
  size_t left = 0;
  ASSERT_TRUE(store->ScanIndicators([&](const nsdb::Indicator&) { ++left; }).ok());
  EXPECT_EQ(left, 0u);
}

}  // namespace
}  // namespace nsradar::intel
