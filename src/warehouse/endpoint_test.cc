#include "warehouse/endpoint.h"

#include <gtest/gtest.h>

namespace nsradar::warehouse {
namespace {

TEST(Endpoints, ListWithDefaultsAndCredentials) {
  std::vector<Endpoint> e;
  ASSERT_TRUE(
      ParseEndpoints("http://127.0.0.1:18123,http://u:p%40ss@[::1]/,http://ch.example", "cli", "secret", &e).ok());
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].host, "127.0.0.1");
  EXPECT_EQ(e[0].port, "18123");
  EXPECT_EQ(e[0].user, "cli");  // from the options, as the URL names none
  EXPECT_EQ(e[0].password, "secret");
  EXPECT_EQ(e[1].host, "::1");
  EXPECT_EQ(e[1].port, "8123");
  EXPECT_EQ(e[1].user, "u");  // the URL's own wins
  EXPECT_EQ(e[1].password, "p@ss");
  EXPECT_EQ(e[1].Display(), "http://u@[::1]:8123");
  EXPECT_EQ(e[2].Display(), "http://cli@ch.example:8123");
}

TEST(Endpoints, DisplayNeverHoldsThePassword) {
  std::vector<Endpoint> e;
  ASSERT_TRUE(ParseEndpoints("http://admin:hunter2@h:9", "", "", &e).ok());
  EXPECT_EQ(e[0].Display().find("hunter2"), std::string::npos);
}

TEST(Endpoints, HostileInputIsRefusedNamingTheElementButNotThePassword) {
  const std::string bad[] = {
      "",
      "http://a:1,",
      ",http://a:1",
      "127.0.0.1:8123",
      "ftp://a",
      "https://a:8443",
      "http://",
      "http://a:0",
      "http://a:65536",
      "http://a:99999999999999999999",
      "http://a:12x",
      "http://a/db",
      "http://a/?database=x",
      "http://a/#f",
      "http://u:hunter2@a/path",
      "http://u:hunter2%0d%0aX-Evil:%201@a:1",
      "http://a b:1",
      std::string(100000, 'h'),
      "http://\xff\xfe:1",
  };
  for (const std::string& list : bad) {
    std::vector<Endpoint> e;
    Status s = ParseEndpoints(list, "", "", &e);
    EXPECT_FALSE(s.ok()) << list;
    EXPECT_NE(s.message().find("--warehouse URL"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << s.message();
  }
}

TEST(Endpoints, ThePositionOfTheBadElementIsNamed) {
  std::vector<Endpoint> e;
  Status s = ParseEndpoints("http://a:1,http://b:1,http://c:0", "", "", &e);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("URL 3 'http://c:0'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace nsradar::warehouse
