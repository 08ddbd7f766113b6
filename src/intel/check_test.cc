#include "intel/check.h"

#include <gtest/gtest.h>

#include "nsdb/store_test_util.h"

namespace nsradar::intel {
namespace {

using nsdb::IndicatorKind;
using nsdb::testing::TempDir;

constexpr int64_t kNow = 1'790'000'000;

// A `test.` zone: a tunnel domain on its own in-bailiwick server (which
// also serves a sibling), 120 shops and a legit site on a shared provider.
std::string TestZone() {
  std::string z =
      "test.\t60\tIN\tSOA\ta.test. h.test. 1 1 1 1 1\n"
      "tunnel.test.\t60\tIN\tNS\tns1.tunnel.test.\n"
      "ns1.tunnel.test.\t60\tIN\tA\t192.0.2.9\n"
      "sibling.test.\t60\tIN\tNS\tns1.tunnel.test.\n"
      "legit.test.\t60\tIN\tNS\tns1.provider.net.\n"
      "legit.test.\t60\tIN\tNS\tns2.provider.net.\n";
  for (int i = 0; i < 120; ++i) {
    z += "shop" + std::to_string(i) + ".test.\t60\tIN\tNS\tns1.provider.net.\n";
    z += "shop" + std::to_string(i) + ".test.\t60\tIN\tNS\tns2.provider.net.\n";
  }
  return z;
}

std::unique_ptr<nsdb::Store> TestStore(const TempDir& dir) {
  std::unique_ptr<nsdb::Store> store;
  EXPECT_TRUE(nsdb::Store::Open(dir.path(), {}, &store).ok());
  nsdb::IngestResult r;
  EXPECT_TRUE(store->IngestSnapshot(nsdb::testing::SnapshotFromText(TestZone()), kNow - 5 * 86400, "test", &r).ok());
  EXPECT_TRUE(store->PutAlert({"tunnel.test", (kNow - 3600) * 1'000'000, "tunneling", "{}"}).ok());
  return store;
}

CheckResult Check(const nsdb::Store& store, std::string_view domain) {
  CheckOptions o;
  o.now = kNow;
  CheckResult r;
  EXPECT_TRUE(CheckDomain(store, domain, o, &r).ok());
  return r;
}

bool HasReason(const CheckResult& r, std::string_view text) {
  for (const auto& s : r.reasons) {
    if (s.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Check, ATunnelOnItsOwnNewServerIsSuspiciousWithItsNeighbours) {
  TempDir dir;
  auto store = TestStore(dir);
  CheckResult r = Check(*store, "tunnel.test");
  EXPECT_EQ(r.verdict, Verdict::kSuspicious);
  EXPECT_TRUE(HasReason(r, "tunneling alert")) << r.reasons[0];
  EXPECT_TRUE(HasReason(r, "self-hosted inside the domain"));
  ASSERT_EQ(r.name_servers.size(), 1u);
  const auto& ns = r.name_servers[0];
  EXPECT_EQ(ns.name, "ns1.tunnel.test");
  EXPECT_EQ(ns.domain_count, 2u);
  EXPECT_TRUE(ns.in_bailiwick);
  EXPECT_EQ(ns.first_seen, kNow - 5 * 86400);
  EXPECT_EQ(ns.ns_first_seen, kNow - 5 * 86400);
  ASSERT_EQ(ns.addresses.size(), 1u);
  EXPECT_EQ(ns.addresses[0].address.ToString(), "192.0.2.9");
  ASSERT_EQ(r.co_hosted.size(), 1u);
  EXPECT_EQ(r.co_hosted[0].name, "sibling.test");
  std::string json;
  AppendCheckJson(r, &json);
  for (const char* key : {"\"domain\":\"tunnel.test\"", "\"verdict\":\"suspicious\"", "\"in_bailiwick\":true",
                          "\"domain_count\":2", "\"co_hosted\":[{\"name\":\"sibling.test\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
}

TEST(Check, IntelligenceOnTheServerOrItsAddressMakesEveryDomainOnItMalicious) {
  TempDir dir;
  auto store = TestStore(dir);
  EXPECT_EQ(Check(*store, "sibling.test").verdict, Verdict::kSuspicious);  // shares a server with an alerted domain
  ASSERT_TRUE(
      store->PutIndicators({{IndicatorKind::kAddress, dns::Address::Parse("192.0.2.9")->ToKey(), "c2", "feed", 0}})
          .ok());
  CheckResult r = Check(*store, "sibling.test");
  EXPECT_EQ(r.verdict, Verdict::kMalicious);
  EXPECT_TRUE(HasReason(r, "has address 192.0.2.9, in threat intelligence (c2, from feed)"));
  ASSERT_TRUE(store->PutIndicators({{IndicatorKind::kNameServer, "ns1.tunnel.test", "c2", "feed", 0}}, "feed").ok());
  r = Check(*store, "sibling.test");
  EXPECT_EQ(r.verdict, Verdict::kMalicious);  // the address indicator was replaced by the server's
  EXPECT_TRUE(HasReason(r, "name server ns1.tunnel.test is in threat intelligence"));
  EXPECT_FALSE(HasReason(r, "has address"));
}

TEST(Check, SharedProvidersAndUnknownDomains) {
  TempDir dir;
  auto store = TestStore(dir);
  CheckResult r = Check(*store, "legit.test");
  EXPECT_EQ(r.verdict, Verdict::kBenignInfrastructure);
  EXPECT_TRUE(HasReason(r, "shared provider: 121 domains"));
  EXPECT_EQ(r.co_hosted.size(), 2 * 20u);  // a first page per name server
  r = Check(*store, "nothere.test");
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_FALSE(r.indexed);
  // A parent's indicator covers its subdomains.
  ASSERT_TRUE(store->PutIndicators({{IndicatorKind::kDomain, "nothere.test", "phishing", "feed", 0}}).ok());
  r = Check(*store, "login.nothere.test");
  EXPECT_EQ(r.verdict, Verdict::kMalicious);
  EXPECT_TRUE(HasReason(r, "nothere.test (phishing, from feed)"));
}

// A neighbour's alert that the analysts marked as a false positive no
// longer makes a domain sharing its name server suspicious; taken off the
// allowlist, it counts again.
TEST(Check, AlertsMarkedAsFalsePositivesDoNotCountAgainstNeighbours) {
  TempDir dir;
  auto store = TestStore(dir);
  ASSERT_EQ(Check(*store, "sibling.test").verdict, Verdict::kSuspicious);
  nsdb::AllowlistEvent mark;
  mark.domain = "tunnel.test";
  mark.time_us = kNow * 1'000'000;
  mark.by = "key:0123abcd";
  bool changed = false;
  ASSERT_TRUE(store->PutAllowlistEvent(&mark, &changed).ok());
  CheckResult r = Check(*store, "sibling.test");
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_FALSE(HasReason(r, "alerted on by nsradar"));
  ASSERT_EQ(r.co_hosted.size(), 1u);
  EXPECT_TRUE(r.co_hosted[0].alerted);  // still shown, with the mark
  EXPECT_TRUE(r.co_hosted[0].false_positive);
  std::string json;
  AppendCheckJson(r, &json);
  EXPECT_NE(json.find("\"alerted\":true,\"false_positive\":true"), std::string::npos) << json;
  // The marked domain's own alert no longer counts; its set-up (a new,
  // dedicated server of its own) still does.
  r = Check(*store, "tunnel.test");
  EXPECT_TRUE(r.false_positive);
  EXPECT_FALSE(HasReason(r, "tunneling alert"));
  EXPECT_TRUE(HasReason(r, "marked as false positives"));
  EXPECT_EQ(r.verdict, Verdict::kSuspicious);
  nsdb::AllowlistEvent unmark = mark;
  unmark.time_us = (kNow + 1) * 1'000'000;
  unmark.listed = false;
  ASSERT_TRUE(store->PutAllowlistEvent(&unmark, &changed).ok());
  r = Check(*store, "sibling.test");
  EXPECT_EQ(r.verdict, Verdict::kSuspicious);
  EXPECT_TRUE(HasReason(r, "tunnel.test shares name server ns1.tunnel.test and is alerted on by nsradar"));
}

// The verdict's name table covers every value, once.
TEST(Check, EveryVerdictHasOneName) {
  EXPECT_EQ(NamesOf(kVerdictNames), "malicious, suspicious, benign-infrastructure or unknown");
  for (Verdict v : {Verdict::kMalicious, Verdict::kSuspicious, Verdict::kBenignInfrastructure, Verdict::kUnknown}) {
    Verdict back;
    ASSERT_TRUE(ValueOf(kVerdictNames, VerdictName(v), &back)) << VerdictName(v);
    EXPECT_EQ(back, v);
  }
}

}  // namespace
}  // namespace nsradar::intel
