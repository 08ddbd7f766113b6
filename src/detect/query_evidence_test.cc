#include "detect/query_evidence.h"

#include <gtest/gtest.h>

#include "dns/rr_type.h"

namespace nsradar::detect {
namespace {

TEST(QueryEvidence, ShortEncodedNamesAreWeakAndHostNamesPlain) {
  // dns2tcp's polls (base64 of 7 bytes), iodine's pings, 8-bit bytes.
  for (const char* sub : {"hvMAOgBOBA", "ShsAAAABBA", "paaac3kq", "raab\\203l\\209P", "AShsAAAABEA"}) {
    EXPECT_EQ(ClassifyName(sub).shape, NameShape::kWeak) << sub;
  }
  for (const char* sub : {"www", "mail", "outlook", "DESKTOP-7F3K2Q9", "server12", "cdn-edge", "static", "login.live",
                          "webmail2", "ns1.dns", "assets", "stats.tijdschrift"}) {
    EXPECT_EQ(ClassifyName(sub).shape, NameShape::kPlain) << sub;
  }
  EXPECT_EQ(ClassifyName("8884011c2cd71c8939").shape, NameShape::kEncoded);
  EXPECT_EQ(ClassifyName("laaeloswdhm4f1bizgxzh1jidyvnc3ea").shape, NameShape::kEncoded);
  EXPECT_EQ(ClassifyName("stats.tijdschrift.zenleven").shape, NameShape::kPlain);
}

TEST(QueryEvidence, WeightsOrderShapesLengthsAndTypes) {
  const NameEvidence plain{NameShape::kPlain, 3, 3}, weak{NameShape::kWeak, 10, 10};
  const NameEvidence enc_short{NameShape::kEncoded, 20, 20}, enc_long{NameShape::kEncoded, 200, 63};
  EXPECT_LT(NovelQueryWeight(plain, dns::rr::kA), 0);
  EXPECT_LT(NovelQueryWeight(plain, dns::rr::kA), NovelQueryWeight(weak, dns::rr::kA));
  EXPECT_LT(NovelQueryWeight(weak, dns::rr::kA), NovelQueryWeight(enc_short, dns::rr::kA));
  EXPECT_LT(NovelQueryWeight(enc_short, dns::rr::kA), NovelQueryWeight(enc_long, dns::rr::kA));
  EXPECT_LT(NovelQueryWeight(enc_short, dns::rr::kA), NovelQueryWeight(enc_short, dns::rr::kTXT));
  EXPECT_LT(NovelQueryWeight(enc_short, dns::rr::kTXT), NovelQueryWeight(enc_short, 10));
  // A plain TXT lookup (SPF, verification records) weighs as a plain A.
  EXPECT_EQ(NovelQueryWeight(plain, dns::rr::kTXT), NovelQueryWeight(plain, dns::rr::kA));
  EXPECT_LT(kRepeatWeight, 0);
}

TEST(QueryEvidence, AnswerDataBytesCountsWhatTheAnswersCarry) {
  ingest::DnsEvent ev;
  ev.answers.push_back({"x.example", dns::rr::kA, 60, "192.0.2.1"});
  EXPECT_EQ(AnswerDataBytes(ev), 4u);
  ev.answers.push_back({"x.example", dns::rr::kAAAA, 60, "2001:db8::1"});
  EXPECT_EQ(AnswerDataBytes(ev), 20u);
  ev.answers.push_back({"x.example", dns::rr::kTXT, 60, "\"AShsAAAABEA\" \"\""});
  EXPECT_EQ(AnswerDataBytes(ev), 20u + 12u);  // 11 characters and one separator
  ev.answers.push_back({"x.example", 10, 0, "\\# 1200 00ff"});
  EXPECT_EQ(AnswerDataBytes(ev), 20u + 12u + 1200u);
}

}  // namespace
}  // namespace nsradar::detect

namespace nsradar::detect {
namespace {

// Addresses written out in labels are structured names, whatever follows.
TEST(QueryEvidence, AddressShapedNamesArePlain) {
  for (const char* sub : {"4.3.2.1.zen", "4.3.2.1", "12.0.168.192.origin.asn", "200.51.100.203.list.dnswl",
                          "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4",
                          "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.origin6.asn"}) {
    EXPECT_EQ(ClassifyName(sub).shape, NameShape::kPlain) << sub;
  }
  // Data after an address still counts.
  EXPECT_EQ(ClassifyName("4.3.2.1.mzxw6ytboi2dsnzq4yt").shape, NameShape::kEncoded);
  // Numbered hosts with hyphens are names; the same digits without are not.
  EXPECT_EQ(ClassifyName("ipv4-c001-fra001-ix.1.oca").shape, NameShape::kPlain);
  EXPECT_EQ(ClassifyName("48213907315224.x.data").shape, NameShape::kEncoded);
}

}  // namespace
}  // namespace nsradar::detect
