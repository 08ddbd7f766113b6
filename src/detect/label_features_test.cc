#include "detect/label_features.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nsradar::detect {
namespace {

TEST(LabelFeatures, OrdinaryHostNames) {
  LabelFeatures f = ComputeLabelFeatures("www");
  EXPECT_EQ(f.length, 3u);
  EXPECT_EQ(f.labels, 1u);
  EXPECT_DOUBLE_EQ(ByteEntropy("www"), 0);  // one symbol
  EXPECT_FALSE(f.hex_only);
  EXPECT_FALSE(f.base64_chars);
  f = ComputeLabelFeatures("mail.eu-west");
  EXPECT_EQ(f.length, 11u);  // dots excluded
  EXPECT_EQ(f.labels, 2u);
  EXPECT_EQ(f.longest_label, 7u);
  EXPECT_FALSE(f.non_ldh);
  EXPECT_EQ(f.digit_ratio, 0);
  EXPECT_FALSE(f.base64_chars);
}

TEST(LabelFeatures, EntropyIsShannonsOverBytes) {
  // "abcd": four equally likely symbols, 2 bits each.
  EXPECT_DOUBLE_EQ(ByteEntropy("abcd"), 2);
  EXPECT_DOUBLE_EQ(ByteEntropy("ab.cd"), 2);  // dots are not symbols
  // "aab": p = 2/3, 1/3.
  EXPECT_NEAR(ByteEntropy("aab"), -(2.0 / 3 * std::log2(2.0 / 3) + 1.0 / 3 * std::log2(1.0 / 3)), 1e-12);
  // Escapes are one byte each: \200 twice and 'a' once.
  EXPECT_NEAR(ByteEntropy("\\200a\\200"), ByteEntropy("bab"), 1e-12);
}

TEST(LabelFeatures, EncodingsAreRecognised) {
  LabelFeatures hex = ComputeLabelFeatures("4f6e652074776f207468726565");
  EXPECT_TRUE(hex.hex_only);
  EXPECT_TRUE(hex.base32_only == false);  // '0', '1', '8', '9' are outside base32
  LabelFeatures b32 = ComputeLabelFeatures("mzxw6ytboi2dgnzt.gezdgnbvgy3tqojq");
  EXPECT_TRUE(b32.base32_only);
  EXPECT_EQ(b32.labels, 2u);
  LabelFeatures b64 = ComputeLabelFeatures("aGVsbG8gV29ybGQ1");
  EXPECT_TRUE(b64.base64_chars);
  EXPECT_FALSE(ComputeLabelFeatures("DESKTOP-7F3K2Q9.corp").base64_chars);  // one case per label
  LabelFeatures dns2tcp = ComputeLabelFeatures("AAAAAO/sAA.=auth");
  EXPECT_TRUE(dns2tcp.base64_chars);
  EXPECT_TRUE(dns2tcp.non_ldh);
  LabelFeatures iodine = ComputeLabelFeatures("paaa\\200\\201\\202");  // Base128: 8-bit bytes, escaped
  EXPECT_TRUE(iodine.non_ldh);
  EXPECT_EQ(iodine.length, 7u);  // each \DDD is one byte
}

TEST(LabelFeatures, EmptyIsAllZero) {
  LabelFeatures f = ComputeLabelFeatures("");
  EXPECT_EQ(f.length, 0u);
  EXPECT_EQ(f.labels, 0u);
  EXPECT_EQ(ByteEntropy(""), 0);
}

}  // namespace
}  // namespace nsradar::detect
