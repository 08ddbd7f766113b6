#include "dns/name.h"

#include <gtest/gtest.h>

namespace nsradar::dns {
namespace {

std::string Canon(std::string_view text, std::string_view origin = "") {
  std::string out;
  const char* err = ParseName(text, origin, &out);
  return err ? std::string("ERR ") + err : out;
}

TEST(NameTest, CanonicalForm) {
  EXPECT_EQ(Canon("Example.COM."), "example.com");
  EXPECT_EQ(Canon("example.com"), "example.com");
  EXPECT_EQ(Canon("."), "");
  EXPECT_EQ(Canon("@", "example.com"), "example.com");
  EXPECT_EQ(Canon("www", "example.com"), "www.example.com");
  EXPECT_EQ(Canon("www.", "example.com"), "www");
  EXPECT_EQ(Canon("a\\.b.c."), "a\\.b.c");
  EXPECT_EQ(Canon("\\065bc."), "abc");
  EXPECT_EQ(Canon("\\000x."), "\\000x");
  EXPECT_EQ(Canon("a\\ b."), "a\\032b");
  EXPECT_EQ(Canon("semi\\;colon."), "semi\\;colon");
  EXPECT_EQ(Canon("*.example."), "*.example");
}

TEST(NameTest, Limits) {
  std::string label63(63, 'a'), label64(64, 'a');
  EXPECT_EQ(Canon(label63 + ".com."), label63 + ".com");
  EXPECT_EQ(Canon(label64 + ".com."), "ERR label longer than 63 bytes");
  // 255 bytes in wire form: four 63-byte labels need 4*64+1 = 257.
  std::string name = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b') + ".";
  EXPECT_EQ(WireLength(Canon(name)), 255u);
  EXPECT_EQ(Canon(label63 + "." + label63 + "." + label63 + "." + std::string(62, 'b') + "."),
            "ERR name longer than 255 bytes");
  EXPECT_EQ(Canon("a..b."), "ERR empty label");
  EXPECT_EQ(Canon(""), "ERR empty name");
  EXPECT_EQ(Canon("a\\"), "ERR name ends in a lone backslash");
  EXPECT_EQ(Canon("a\\25"), "ERR bad \\DDD escape (needs three digits)");
  EXPECT_EQ(Canon("a\\999"), "ERR bad \\DDD escape (over 255)");
  // A relative name that the origin pushes past the limit.
  EXPECT_EQ(Canon(std::string(63, 'c'), label63 + "." + label63 + "." + label63), "ERR name longer than 255 bytes");
}

TEST(NameTest, WireNames) {
  const uint8_t wire[] = {3, 'W', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  std::string out;
  size_t used = 0;
  EXPECT_EQ(ParseWireName(wire, sizeof(wire), &used, &out), nullptr);
  EXPECT_EQ(out, "www.example");
  EXPECT_EQ(used, sizeof(wire));
  const uint8_t pointer[] = {0xc0, 0x0c};
  EXPECT_NE(ParseWireName(pointer, sizeof(pointer), &used, &out), nullptr);
  const uint8_t truncated[] = {5, 'a', 'b'};
  EXPECT_NE(ParseWireName(truncated, sizeof(truncated), &used, &out), nullptr);
}

TEST(NameTest, LabelOperations) {
  EXPECT_EQ(Parent("ns1.example.com"), "example.com");
  EXPECT_EQ(Parent("a\\.b.c"), "c");
  EXPECT_EQ(Parent("com"), "");
  EXPECT_TRUE(IsAtOrBelow("ns1.example.com", "example.com"));
  EXPECT_TRUE(IsAtOrBelow("example.com", "example.com"));
  EXPECT_TRUE(IsAtOrBelow("com", ""));
  EXPECT_FALSE(IsAtOrBelow("badexample.com", "example.com"));
  EXPECT_FALSE(IsAtOrBelow("a\\.example.com", "example.com"));  // one label "a.example"
  EXPECT_EQ(ReverseLabels("ns1.example.com"), "com.example.ns1");
  EXPECT_EQ(ReverseLabels("a\\.b.c"), "c.a\\.b");
  EXPECT_EQ(ReverseLabels(""), "");
  for (const char* n : {"a", "a.b", "x\\.y.z", "a\\\\.b"}) EXPECT_EQ(ReverseLabels(ReverseLabels(n)), n);
  EXPECT_EQ(ToDisplay(""), ".");
  EXPECT_EQ(ToDisplay("com"), "com.");
}

}  // namespace
}  // namespace nsradar::dns
