#include "dns/public_suffix.h"

#include <gtest/gtest.h>
#include <libpsl.h>

#include <fstream>

namespace nsradar::dns {
namespace {

TEST(PublicSuffixListTest, AgreesWithLibpslOnRulesOfEveryKind) {
  const auto& psl = PublicSuffixList::Default();
  const psl_ctx_t* ref = psl_builtin();
  for (const char* name : {"com", "example", "co.uk", "example.co.uk", "github.io", "user.github.io", "ck", "www.ck",
                           "foo.ck", "kawasaki.jp", "city.kawasaki.jp", "foo.kawasaki.jp", "blogspot.com",
                           "example.com", "a.b.c.d.com", "s3.amazonaws.com", "nic.uk"}) {
    EXPECT_EQ(psl.IsPublicSuffix(name), psl_is_public_suffix(ref, name) != 0) << "name: " << name;
  }
  EXPECT_TRUE(psl.IsPublicSuffix(""));
}

// Every rule of the list, and names around each, answered as libpsl does
// when it loads the same file.
TEST(PublicSuffixListTest, FastFilterNeverChangesLibpslsAnswer) {
  const std::string path = "/usr/share/publicsuffix/public_suffix_list.dat";
  std::unique_ptr<PublicSuffixList> list;
  ASSERT_TRUE(PublicSuffixList::Load(path, &list).ok());
  psl_ctx_t* ref = psl_load_file(path.c_str());
  ASSERT_NE(ref, nullptr);
  std::ifstream in(path);
  std::string line;
  size_t checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("//", 0) == 0) continue;
    if (line[0] == '!') line.erase(0, 1);
    if (line.rfind("*.", 0) == 0) line.erase(0, 2);
    if (line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos) continue;
    for (const std::string& name : {line, "x." + line, "y.x." + line}) {
      ASSERT_EQ(list->IsPublicSuffix(name), psl_is_public_suffix(ref, name.c_str()) != 0) << name;
      ++checked;
    }
  }
  psl_free(ref);
  EXPECT_GT(checked, 10000u);
}

TEST(PublicSuffixListTest, LoadRejectsMissingFile) {
  std::unique_ptr<PublicSuffixList> list;
  EXPECT_FALSE(PublicSuffixList::Load("/nonexistent/psl.dat", &list).ok());
}

}  // namespace
}  // namespace nsradar::dns

namespace nsradar::dns {
namespace {

TEST(PublicSuffixListTest, RegisteredDomainIsTheShortestNonSuffix) {
  const PublicSuffixList& psl = PublicSuffixList::Default();
  EXPECT_EQ(psl.RegisteredDomain("www.example.com"), "example.com");
  EXPECT_EQ(psl.RegisteredDomain("a.b.c.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl.RegisteredDomain("example.com"), "example.com");
  EXPECT_EQ(psl.RegisteredDomain("com"), "");
  EXPECT_EQ(psl.RegisteredDomain("co.uk"), "");
  EXPECT_EQ(psl.RegisteredDomain("user.github.io"), "user.github.io");  // private section
  EXPECT_EQ(psl.RegisteredDomain("x.y.user.github.io"), "user.github.io");
  EXPECT_EQ(psl.RegisteredDomain("a\\.b.example.org"), "example.org");    // escaped dot inside a label
  EXPECT_EQ(psl.RegisteredDomain("aGVsbG8.t.exfil.test"), "exfil.test");  // unknown TLD: the implicit * rule
  EXPECT_EQ(psl.RegisteredDomain(""), "");
  // An IDN rule ("公司.cn") seen in its punycode form on the wire.
  EXPECT_TRUE(psl.IsPublicSuffix("xn--55qx5d.cn"));
  EXPECT_EQ(psl.RegisteredDomain("www.shop.xn--55qx5d.cn"), "shop.xn--55qx5d.cn");
}

}  // namespace
}  // namespace nsradar::dns
