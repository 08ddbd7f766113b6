#include "intel/rpz.h"

#include <gtest/gtest.h>

#include "intel/indicator_file.h"
#include "intel/store_allowlist.h"
#include "nsdb/store_test_util.h"

namespace nsradar::intel {
namespace {

using nsdb::IndicatorKind;
using nsdb::testing::TempDir;

std::unique_ptr<nsdb::Store> TestStore(const TempDir& dir) {
  std::unique_ptr<nsdb::Store> store;
  EXPECT_TRUE(nsdb::Store::Open(dir.file("store"), {}, &store).ok());
  const std::string zone =
      "test.\t60\tIN\tSOA\ta.test. h.test. 1 1 1 1 1\n"
      "tunnel.test.\t60\tIN\tNS\tns1.tunnel.test.\n"
      "ns1.tunnel.test.\t60\tIN\tA\t192.0.2.9\n"
      "cdn.test.\t60\tIN\tNS\tns1.cdn.test.\n";
  nsdb::IngestResult r;
  EXPECT_TRUE(store->IngestSnapshot(nsdb::testing::SnapshotFromText(zone), 1'790'000'000, "test", &r).ok());
  EXPECT_TRUE(store->PutAlert({"tunnel.test", 1, "tunneling", "{}"}).ok());
  EXPECT_TRUE(store->PutAlert({"cdn.test", 2, "tunneling", "{}"}).ok());  // allowlisted below
  EXPECT_TRUE(store->PutAlert({"victim.test", 3, "random-subdomain-attack", "{}"}).ok());
  EXPECT_TRUE(
      store
          ->PutIndicators({{IndicatorKind::kNameServer, "ns1.evil.test", "c2", "feed", 0},
                           {IndicatorKind::kAddress, dns::Address::Parse("127.0.10.4")->ToKey(), "c2", "feed", 0},
                           {IndicatorKind::kAddress, dns::Address::Parse("2001:db8::1")->ToKey(), "c2", "feed", 0},
                           {IndicatorKind::kDomain, "phish.example", "phishing", "feed", 0}})
          .ok());
  return store;
}

TEST(Rpz, TriggersFromAlertsAndIntelligenceWithTheAllowlistWinning) {
  TempDir dir;
  auto store = TestStore(dir);
  detect::Allowlist allow;
  allow.Add("cdn.test", "cdn");
  RpzOptions o;
  o.allowlist = &allow;
  o.serial = 7;
  std::string zone;
  RpzStats stats;
  ASSERT_TRUE(BuildRpz(*store, o, &zone, &stats).ok());
  for (const char* line :
       {"@ IN SOA localhost. hostmaster.localhost. 7 ", "\ntunnel.test CNAME .\n", "\n*.tunnel.test CNAME .\n",
        "\nphish.example CNAME .\n", "\nns1.tunnel.test.rpz-nsdname CNAME .\n", "\nns1.evil.test.rpz-nsdname CNAME .\n",
        "\n32.4.10.0.127.rpz-nsip CNAME .\n", "\n128.1.0.0.0.0.0.db8.2001.rpz-nsip CNAME .\n"}) {
    EXPECT_NE(zone.find(line), std::string::npos) << line << " in\n" << zone;
  }
  EXPECT_EQ(zone.find("cdn.test"), std::string::npos);     // the allowlist wins
  EXPECT_EQ(zone.find("victim.test"), std::string::npos);  // an attack on it is no reason to block it
  EXPECT_EQ(stats.qname, 2u);
  EXPECT_EQ(stats.nsdname, 2u);
  EXPECT_EQ(stats.nsip, 2u);
  EXPECT_GE(stats.allowlisted, 1u);
  o.action = RpzAction::kNodata;
  ASSERT_TRUE(BuildRpz(*store, o, &zone, &stats).ok());
  EXPECT_NE(zone.find("\ntunnel.test CNAME *.\n"), std::string::npos);
  o.action = RpzAction::kDrop;
  ASSERT_TRUE(BuildRpz(*store, o, &zone, &stats).ok());
  EXPECT_NE(zone.find("\ntunnel.test CNAME rpz-drop.\n"), std::string::npos);
}

// A domain the analysts marked as a false positive leaves the zone with its
// dedicated name server, and comes back when unmarked.
TEST(Rpz, TheStoresAllowlistWinsUntilTheMarkIsRemoved) {
  TempDir dir;
  auto store = TestStore(dir);
  RpzOptions o;
  o.serial = 7;
  std::string zone;
  RpzStats stats;
  nsdb::AllowlistEvent mark{
      .domain = "tunnel.test", .time_us = 1, .listed = true, .by = "key:00000001", .alert = "", .reason = ""};
  bool changed = false;
  ASSERT_TRUE(store->PutAllowlistEvent(&mark, &changed).ok());
  ASSERT_TRUE(BuildRpz(*store, o, &zone, &stats).ok());
  EXPECT_EQ(zone.find("tunnel.test"), std::string::npos) << zone;
  EXPECT_NE(zone.find("\ncdn.test CNAME .\n"), std::string::npos);  // only the marked domain goes
  EXPECT_EQ(stats.qname, 2u);
  EXPECT_EQ(stats.nsdname, 2u);  // ns1.evil.test and ns1.cdn.test, not ns1.tunnel.test
  EXPECT_GE(stats.allowlisted, 1u);
  detect::Allowlist detector_list;
  ASSERT_TRUE(AddStoreAllowlist(*store, &detector_list).ok());
  std::string_view category;
  EXPECT_EQ(detector_list.Match("t1.tunnel.test", &category), "tunnel.test");
  EXPECT_EQ(category, kFalsePositiveCategory);
  nsdb::AllowlistEvent unmark{
      .domain = "tunnel.test", .time_us = 2, .listed = false, .by = "key:00000001", .alert = "", .reason = ""};
  ASSERT_TRUE(store->PutAllowlistEvent(&unmark, &changed).ok());
  ASSERT_TRUE(BuildRpz(*store, o, &zone, &stats).ok());
  EXPECT_NE(zone.find("\ntunnel.test CNAME .\n"), std::string::npos);
  EXPECT_NE(zone.find("\nns1.tunnel.test.rpz-nsdname CNAME .\n"), std::string::npos);
}

// Actions are named once, for the CLI and the configuration alike.
TEST(Rpz, EveryActionHasOneName) {
  EXPECT_EQ(NamesOf(kRpzActionNames), "nxdomain, nodata or drop");
  for (RpzAction a : {RpzAction::kNxdomain, RpzAction::kNodata, RpzAction::kDrop}) {
    RpzAction back;
    ASSERT_TRUE(ParseRpzAction(RpzActionName(a), &back)) << RpzActionName(a);
    EXPECT_EQ(back, a);
  }
  RpzAction unused;
  EXPECT_FALSE(ParseRpzAction("block-everything", &unused));
  EXPECT_FALSE(ParseRpzAction("NXDOMAIN", &unused));
}

// The exported zone is a valid master file that reads back as the same
// indicators, and its serial only goes up.
TEST(Rpz, ExportRoundTripsAndTheSerialIncreases) {
  TempDir dir;
  auto store = TestStore(dir);
  const std::string path = dir.file("nsradar.rpz");
  RpzStats first, second;
  ASSERT_TRUE(ExportRpz(*store, {}, path, &first).ok());
  ASSERT_TRUE(ExportRpz(*store, {}, path, &second).ok());
  EXPECT_GT(second.serial, first.serial);
  EXPECT_EQ(ReadRpzSerial(path), second.serial);
  std::vector<nsdb::Indicator> back;
  IndicatorFileStats stats;
  ASSERT_TRUE(ReadIndicatorFile(path, {}, &back, &stats).ok());
  EXPECT_EQ(stats.format, "rpz");
  EXPECT_EQ(stats.errors, 0u);
  std::set<std::string> values;
  for (const auto& i : back) {
    values.insert((i.kind == IndicatorKind::kAddress ? dns::Address::FromKey(i.value)->ToString() : i.value));
  }
  EXPECT_EQ(values, (std::set<std::string>{"tunnel.test", "cdn.test", "phish.example", "ns1.tunnel.test",
                                           "ns1.cdn.test", "ns1.evil.test", "127.0.10.4", "2001:db8::1"}));
}

}  // namespace
}  // namespace nsradar::intel
