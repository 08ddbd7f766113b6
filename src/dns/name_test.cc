#include "dns/name.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "dns/name_testing.h"

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

// How dns/name.h says a byte is written in canonical form, spelled out here
// apart from the code's table.
std::string Spelling(int b) {
  if (b >= 'A' && b <= 'Z') return std::string(1, static_cast<char>(b - 'A' + 'a'));
  if (b <= 0x20 || b >= 0x7f) return testing::DecimalEscape(b);
  if (std::string_view(".\\\"();@$").find(static_cast<char>(b)) != std::string_view::npos) {
    return std::string("\\") + static_cast<char>(b);
  }
  return std::string(1, static_cast<char>(b));
}

// Every byte value, at the start, middle and end of a label: the same
// canonical name whether written as `\DDD`, `\X`, raw, relative to an origin,
// in wire format or in a DNS message; and the canonical name parses back to
// itself and keeps its label structure.
TEST(NameTest, EveryByteValueHasOneSpellingInEveryPath) {
  for (int b = 0; b < 256; ++b) {
    const auto c = static_cast<char>(b);
    const std::string ddd = testing::DecimalEscape(b);
    struct Shape {
      std::string before, after;
    };
    for (const Shape& shape : {Shape{"", ""}, Shape{"x", ""}, Shape{"", "y"}, Shape{"x", "y"}}) {
      const std::string want = shape.before + Spelling(b) + shape.after + ".z";
      const std::string what = "byte " + std::to_string(b) + " after '" + shape.before + "'";
      EXPECT_EQ(Canon(shape.before + ddd + shape.after + ".z."), want) << what;
      EXPECT_EQ(Canon(shape.before + ddd + shape.after, "z"), want) << what;
      if (b < '0' || b > '9') {
        EXPECT_EQ(Canon(shape.before + "\\" + c + shape.after + ".z."), want) << what;
      }
      // A raw byte is the same byte, unless it is syntax: a dot ends the
      // label, a backslash starts an escape, and "@" alone is the origin.
      if (c != '.' && c != '\\' && !(c == '@' && shape.before.empty() && shape.after.empty())) {
        EXPECT_EQ(Canon(shape.before + c + shape.after + ".z."), want) << what;
      }
      std::string wire;
      wire.push_back(static_cast<char>(shape.before.size() + 1 + shape.after.size()));
      wire += shape.before + c + shape.after + '\1' + 'z' + '\0';
      const auto* w = reinterpret_cast<const uint8_t*>(wire.data());
      std::string out;
      size_t used = 0;
      EXPECT_EQ(ParseWireName(w, wire.size(), &used, &out), nullptr) << what;
      EXPECT_EQ(out, want) << what;
      EXPECT_EQ(used, wire.size()) << what;
      std::string canonical, raw;
      size_t next = 0;
      EXPECT_EQ(ParseMessageName(w, wire.size(), 0, &next, &canonical, &raw), nullptr) << what;
      EXPECT_EQ(canonical, want) << what;
      EXPECT_EQ(Canon(raw + "."), want) << what;  // the case-keeping form is presentation format too

      EXPECT_EQ(Canon(want + "."), want) << what;
      EXPECT_EQ(Canon(want), want) << what;
      EXPECT_EQ(Canon(ToDisplay(want)), want) << what;
      EXPECT_EQ(WireLength(want), wire.size()) << what;
      EXPECT_EQ(Parent(want), "z") << what;
      EXPECT_TRUE(IsAtOrBelow(want, "z")) << what;
      EXPECT_FALSE(IsAtOrBelow("z", want)) << what;
      EXPECT_EQ(ReverseLabels(want), "z." + want.substr(0, want.size() - 2)) << what;
      EXPECT_EQ(ReverseLabels(ReverseLabels(want)), want) << what;
    }
  }
}

// A message name reads the same in long labels as in short ones, every byte
// at every place, whether the message goes on after the name (labels read in
// 16-byte blocks) or ends with it (byte by byte).
TEST(NameTest, MessageNamesOfEveryByteAtEveryPlace) {
  for (size_t len : {1, 15, 16, 17, 31, 33, 63}) {
    for (size_t at : {0, 1, 14, 15, 16, 17, 32, 62}) {
      if (at >= len) continue;
      for (int b = 0; b < 256; ++b) {
        std::string label(len, 'A');
        for (size_t i = 0; i < len; ++i) label[i] = "Ab9-_"[i % 5];
        label[at] = static_cast<char>(b);
        std::string wire = static_cast<char>(len) + label + '\2' + "Zz" + '\0';
        std::string want;
        size_t used = 0;
        ASSERT_EQ(ParseWireName(reinterpret_cast<const uint8_t*>(wire.data()), wire.size(), &used, &want), nullptr);
        for (const std::string& tail : {std::string(), std::string(40, '\xff')}) {
          const std::string msg = wire + tail;
          const auto* w = reinterpret_cast<const uint8_t*>(msg.data());
          std::string canonical, raw;
          size_t next = 0;
          const std::string what = "byte " + std::to_string(b) + " at " + std::to_string(at) + " of " +
                                   std::to_string(len) + (tail.empty() ? "" : ", message goes on");
          ASSERT_EQ(ParseMessageName(w, msg.size(), 0, &next, &canonical, &raw), nullptr) << what;
          EXPECT_EQ(canonical, want) << what;
          EXPECT_EQ(next, wire.size()) << what;
          EXPECT_EQ(Canon(raw + "."), want) << what;
          if (Spelling(b).size() == 1) {
            EXPECT_EQ(raw, label + ".Zz") << what << ": the case as sent";
          }
        }
      }
    }
  }
}

// Two names have the same canonical form exactly when their wire forms are
// equal but for the case of ASCII letters (RFC 4343): all two-byte labels.
TEST(NameTest, CanonicalFormIsOneToOne) {
  std::map<std::string, std::pair<int, int>> folded_of;
  auto fold = [](int b) { return b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b; };
  for (int b1 = 0; b1 < 256; ++b1) {
    for (int b2 = 0; b2 < 256; ++b2) {
      const uint8_t wire[] = {2, static_cast<uint8_t>(b1), static_cast<uint8_t>(b2), 0};
      std::string out;
      size_t used = 0;
      ASSERT_EQ(ParseWireName(wire, sizeof(wire), &used, &out), nullptr);
      const std::pair<int, int> folded{fold(b1), fold(b2)};
      auto [at, added] = folded_of.emplace(out, folded);
      EXPECT_EQ(at->second, folded) << out;
      EXPECT_EQ(Canon(out + "."), out);
    }
  }
  EXPECT_EQ(folded_of.size(), 230u * 230u);  // 256 byte values less 26 upper-case letters
}

// NameKey orders exactly as std::string_view does, for any bytes: names
// around the 8- and 16-byte boundaries of its integers, differing there or
// being a prefix of one another.
TEST(NameTest, NameKeysOrderAsTheNames) {
  std::set<std::string> names;
  const int lengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 33};
  for (int length : lengths) {
    for (int b :
         {0x00, 0x01, int{'-'}, int{'.'}, int{'0'}, int{'\\'}, int{'a'}, int{'m'}, int{'z'}, 0x7f, 0x80, 0xfe, 0xff}) {
      for (int at : {0, 7, 8, 15, 16, 17, length - 1}) {
        if (at < 0 || at >= length) continue;
        std::string n(static_cast<size_t>(length), 'm');
        n[static_cast<size_t>(at)] = static_cast<char>(b);
        names.insert(n);
      }
    }
  }
  names.insert("");
  std::vector<std::string> v(names.begin(), names.end());
  for (const auto& a : v) {
    for (const auto& b : v) {
      const NameKey ka = MakeNameKey(a), kb = MakeNameKey(b);
      ASSERT_EQ(ka < kb, a < b) << ::testing::PrintToString(a) << " " << ::testing::PrintToString(b);
      ASSERT_EQ(SameName(ka, kb), a == b) << ::testing::PrintToString(a) << " " << ::testing::PrintToString(b);
    }
  }
  // Every byte value at the last byte of the first 16, and after them,
  // sorted by key as by name (the tag rides along).
  std::vector<std::string> all;
  for (int b = 0; b < 256; ++b) {
    for (size_t length : {15, 16, 17, 18}) {
      all.push_back(std::string(length - 1, 'n') + static_cast<char>(b));
      all.push_back(std::string(15, 'n') + static_cast<char>(b) + std::string(length - 15, 'n'));
    }
  }
  std::vector<NameKey> keys;
  for (uint32_t i = 0; i < all.size(); ++i) keys.push_back(MakeNameKey(all[i], i));
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> by_key;
  for (const NameKey& k : keys) {
    EXPECT_EQ(k.name(), all[k.tag]);
    by_key.emplace_back(k.name());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(by_key, all);
}

}  // namespace
}  // namespace nsradar::dns
