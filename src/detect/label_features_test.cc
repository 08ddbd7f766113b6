#include "detect/label_features.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nsradar::detect {
namespace {

TEST(LabelFeatures, OrdinaryHostNames) {
  LabelFeatures f = ComputeLabelFeatures("www");
  EXPECT_EQ(f.length, 3u);
  EXPECT_EQ(f.labels, 1u);
  EXPECT_DOUBLE_EQ(f.entropy, 0);  // one symbol
  EXPECT_FALSE(f.hex_only);
  EXPECT_FALSE(f.base64_chars);
  f = ComputeLabelFeatures("mail.eu-west");
  EXPECT_EQ(f.length, 11u);  // dots excluded
  EXPECT_EQ(f.labels, 2u);
  EXPECT_EQ(f.longest_label, 7u);
  EXPECT_FALSE(f.non_ldh);
  EXPECT_NEAR(f.vowel_ratio, 5.0 / 10, 1e-12);  // a i e u e of the ten letters m a i l e u w e s t
  EXPECT_FALSE(f.base64_chars);
}

TEST(LabelFeatures, EntropyIsShannonsOverBytes) {
  // "abcd": four equally likely symbols, 2 bits each.
  EXPECT_DOUBLE_EQ(ComputeLabelFeatures("abcd").entropy, 2);
  // "aab": p = 2/3, 1/3.
  EXPECT_NEAR(ComputeLabelFeatures("aab").entropy, -(2.0 / 3 * std::log2(2.0 / 3) + 1.0 / 3 * std::log2(1.0 / 3)),
              1e-12);
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
  EXPECT_GT(b64.upper_ratio, 0);
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
  EXPECT_EQ(f.entropy, 0);
}

}  // namespace
}  // namespace nsradar::detect
