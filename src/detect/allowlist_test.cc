#include "detect/allowlist.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace nsradar::detect {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(Allowlist, MatchesTheLongestListedSuffix) {
  Allowlist a = Allowlist::BuiltIn();
  std::string_view category;
  EXPECT_EQ(a.Match("4.3.2.1.in-addr.arpa", &category), "in-addr.arpa");
  EXPECT_EQ(category, "reverse-dns");
  EXPECT_EQ(a.Match("0-1-2-3.abc.avts.mcafee.com", &category), "avts.mcafee.com");
  EXPECT_EQ(category, "antivirus-reputation");
  EXPECT_EQ(a.Match("2.0.0.127.zen.spamhaus.org", &category), "spamhaus.org");
  EXPECT_TRUE(a.Match("www.mcafee.com", &category).empty());  // only the lookup zones
  EXPECT_TRUE(a.Match("spamhaus.org.evil.test", &category).empty());
  EXPECT_TRUE(a.Match("xspamhaus.org", &category).empty());
}

TEST(Allowlist, MailAuthenticationServiceLabels) {
  Allowlist a;  // no entries: the service labels still match
  std::string_view category;
  EXPECT_EQ(a.Match("selector1-contoso-com._domainkey.contoso.com", &category), "_domainkey");
  EXPECT_EQ(category, "mail-authentication");
  EXPECT_EQ(a.Match("_dmarc.example.org", &category), "_dmarc");
  EXPECT_TRUE(a.Match("x_dmarc.example.org", &category).empty());
  EXPECT_TRUE(a.Match("www.example.org", &category).empty());
  // MatchEntries: the entries only.
  EXPECT_TRUE(a.MatchEntries("_dmarc.example.org", &category).empty());
  a.Add("example.org", "listed");
  EXPECT_EQ(a.MatchEntries("_dmarc.example.org", &category), "example.org");
  EXPECT_EQ(category, "listed");
  EXPECT_TRUE(a.MatchEntries("_dmarc.example.com", &category).empty());
}

TEST(Allowlist, FilesAddEntriesAndBadLinesNameTheirPlace) {
  Allowlist a;
  std::string good = WriteTemp("allow-good.txt", "# ours\ncorp-telemetry.example  telemetry\nWWW.Vendor.Example.\n");
  ASSERT_TRUE(a.LoadFile(good, "allowlisted").ok());
  std::string_view category;
  EXPECT_EQ(a.Match("abc.corp-telemetry.example", &category), "corp-telemetry.example");
  EXPECT_EQ(category, "telemetry");
  EXPECT_EQ(a.Match("x.www.vendor.example", &category), "www.vendor.example");
  EXPECT_EQ(category, "allowlisted");

  Allowlist b;
  std::string bad = WriteTemp("allow-bad.txt", "fine.example\nbad..name\n");
  Status s = b.LoadFile(bad, "allowlisted");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("allow-bad.txt:2"), std::string::npos) << s.message();
  EXPECT_EQ(b.size(), 0u);  // nothing of a bad file is kept
  EXPECT_FALSE(b.LoadFile("/nonexistent/allow.txt", "x").ok());
}

TEST(Allowlist, PopularityListTakesTheTopRows) {
  Allowlist a;
  std::string path = WriteTemp("tranco.csv", "1,google.com\n2,facebook.com\n3,example.net\n");
  ASSERT_TRUE(a.LoadPopularity(path, 2).ok());
  std::string_view category;
  EXPECT_EQ(a.Match("www.facebook.com", &category), "facebook.com");
  EXPECT_EQ(category, "popular");
  EXPECT_TRUE(a.Match("example.net", &category).empty());
  std::string bad = WriteTemp("tranco-bad.csv", "1,google.com\nx,facebook.com\n");
  Status s = a.LoadPopularity(bad, 10);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("tranco-bad.csv:2"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace nsradar::detect
