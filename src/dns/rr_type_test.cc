#include "dns/rr_type.h"

#include <gtest/gtest.h>

#include "dns/address.h"

namespace nsradar::dns {
namespace {

TEST(RrTypeTest, MnemonicsAndGenericForms) {
  EXPECT_EQ(TypeFromMnemonic("ns"), rr::kNS);
  EXPECT_EQ(TypeFromMnemonic("AAAA"), rr::kAAAA);
  EXPECT_EQ(TypeFromMnemonic("Rrsig"), rr::kRRSIG);
  EXPECT_EQ(TypeFromMnemonic("TYPE65280"), 65280);
  EXPECT_EQ(TypeFromMnemonic("type2"), rr::kNS);
  EXPECT_FALSE(TypeFromMnemonic("TYPE65536").has_value());
  EXPECT_FALSE(TypeFromMnemonic("TYPE").has_value());
  EXPECT_FALSE(TypeFromMnemonic("BOGUS").has_value());
  EXPECT_EQ(TypeToString(rr::kDS), "DS");
  EXPECT_EQ(TypeToString(65280), "TYPE65280");
  EXPECT_EQ(ClassFromMnemonic("in"), rrclass::kIN);
  EXPECT_EQ(ClassFromMnemonic("CLASS255"), 255);
  EXPECT_FALSE(ClassFromMnemonic("NS").has_value());
}

TEST(AddressTest, ParseFormatAndKeys) {
  auto a = Address::Parse("192.0.2.1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, 4);
  EXPECT_EQ(a->ToString(), "192.0.2.1");
  auto b = Address::Parse("2001:DB8:0:0:0:0:0:1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ToString(), "2001:db8::1");
  EXPECT_EQ(Address::FromKey(b->ToKey()), b);
  EXPECT_LT(a->ToKey(), b->ToKey());
  for (const char* bad : {"", "300.1.1.1", "1.2.3", "1.2.3.4.5", "::g", "01.2.3.4 "}) {
    EXPECT_FALSE(Address::Parse(bad).has_value()) << bad;
  }
  EXPECT_FALSE(Address::FromKey(std::string("\x04\x01", 2)).has_value());
}

}  // namespace
}  // namespace nsradar::dns
