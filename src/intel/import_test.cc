#include "intel/import.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "nsdb/store_test_util.h"

namespace nsradar::intel {
namespace {

// Serves `response` to one connection on 127.0.0.1, on a port it picks;
// over TLS when given a certificate and key (PEM files).
class OneShotServer {
 public:
  explicit OneShotServer(std::string response, const std::string& cert = "", const std::string& key = "")
      : response_(std::move(response)) {
    if (!cert.empty()) {
      tls_ = SSL_CTX_new(TLS_server_method());
      EXPECT_EQ(SSL_CTX_use_certificate_chain_file(tls_, cert.c_str()), 1);
      EXPECT_EQ(SSL_CTX_use_PrivateKey_file(tls_, key.c_str(), SSL_FILETYPE_PEM), 1);
    }
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
      SSL* ssl = nullptr;
      if (tls_) {
        ssl = SSL_new(tls_);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) != 1) {
          SSL_free(ssl);
          close(c);
          return;
        }
      }
      char buf[4096];
      std::string req;
      while (req.find("\r\n\r\n") == std::string::npos) {
        int n = ssl ? SSL_read(ssl, buf, sizeof buf) : static_cast<int>(read(c, buf, sizeof buf));
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      request_ = req;
      if (ssl) {
        SSL_write(ssl, response_.data(), static_cast<int>(response_.size()));
        SSL_shutdown(ssl);
        SSL_free(ssl);
      } else {
        (void)!write(c, response_.data(), response_.size());
      }
      close(c);
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    if (tls_) SSL_CTX_free(tls_);
  }
  int port() const { return port_; }
  const std::string& request() const { return request_; }

 private:
  std::string response_, request_;
  SSL_CTX* tls_ = nullptr;
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
    FetchOptions small;
    small.max_bytes = 1000;
    Status s = FetchUrl("http://127.0.0.1:" + std::to_string(server.port()) + "/big", dir.file("x"), small);
    EXPECT_FALSE(s.ok());  // over the body limit
  }
  EXPECT_FALSE(FetchUrl("ftp://127.0.0.1/list", dir.file("x")).ok());
  EXPECT_FALSE(FetchUrl("http://", dir.file("x")).ok());
  FetchOptions quick;
  quick.timeout_seconds = 5;
  Status refused = FetchUrl("http://127.0.0.1:1/list", dir.file("x"), quick);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("http://127.0.0.1:1/list"), std::string::npos);
}

// A server that takes the connection and never answers (here the kernel
// takes it: the socket listens and nothing accepts) costs the timeout, not
// the pipeline's intel import forever.
TEST(Fetch, ASilentServerCostsTheTimeoutNotForever) {
  nsdb::testing::TempDir dir;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(a);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/list";
  FetchOptions quick;
  quick.timeout_seconds = 1;
  const auto start = std::chrono::steady_clock::now();
  Status s = FetchUrl(url, dir.file("x"), quick);
  const auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(url), std::string::npos) << s.message();
  EXPECT_LT(took, std::chrono::seconds(5));
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

// A self-signed certificate for 127.0.0.1 (or `san`) made by the openssl program.
void MakeCertificate(const nsdb::testing::TempDir& dir, const std::string& name, const std::string& san) {
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=" + name +
      " -addext subjectAltName=" + san + " -keyout " + dir.file(name + ".key") + " -out " + dir.file(name + ".pem") +
      " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

FetchOptions TrustOnly(const std::string& ca_file) {
  FetchOptions o;
  o.ca_file = ca_file;
  return o;
}

TEST(Fetch, HttpsVerifiesTheServer) {
  nsdb::testing::TempDir dir;
  MakeCertificate(dir, "good", "IP:127.0.0.1");
  MakeCertificate(dir, "other", "IP:127.0.0.2");
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nevil.example";
  {
    OneShotServer server(ok, dir.file("good.pem"), dir.file("good.key"));
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/feed";
    Status s = FetchUrl(url, dir.file("list"), TrustOnly(dir.file("good.pem")));
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Slurp(dir.file("list")), "evil.example");
    EXPECT_TRUE(server.request().starts_with("GET /feed HTTP/1.1\r\n"));
  }
  {
    // Not trusted: the system's store knows nothing of a self-signed test CA.
    OneShotServer server(ok, dir.file("good.pem"), dir.file("good.key"));
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/feed";
    Status s = FetchUrl(url, dir.file("x"));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(url), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("certificate verify failed"), std::string::npos) << s.message();
  }
  {
    // Trusted, but issued to another address.
    OneShotServer server(ok, dir.file("other.pem"), dir.file("other.key"));
    Status s = FetchUrl("https://127.0.0.1:" + std::to_string(server.port()) + "/feed", dir.file("x"),
                        TrustOnly(dir.file("other.pem")));
    EXPECT_FALSE(s.ok());
  }
  Status missing = FetchUrl("https://127.0.0.1:1/feed", dir.file("x"), TrustOnly(dir.file("none.pem")));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("none.pem"), std::string::npos) << missing.message();
}

TEST(Fetch, FollowsRedirectsButNeverFromHttpsToHttp) {
  nsdb::testing::TempDir dir;
  MakeCertificate(dir, "good", "IP:127.0.0.1");
  OneShotServer target("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nbad.domain");
  OneShotServer hop("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" + std::to_string(target.port()) +
                    "/final\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(FetchUrl("http://127.0.0.1:" + std::to_string(hop.port()) + "/start", dir.file("list")).ok());
  EXPECT_EQ(Slurp(dir.file("list")), "bad.domain");
  EXPECT_TRUE(target.request().starts_with("GET /final HTTP/1.1\r\n"));

  OneShotServer downgrade("HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\n\r\n",
                          dir.file("good.pem"), dir.file("good.key"));
  Status s = FetchUrl("https://127.0.0.1:" + std::to_string(downgrade.port()) + "/", dir.file("x"),
                      TrustOnly(dir.file("good.pem")));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("refused"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace nsradar::intel
