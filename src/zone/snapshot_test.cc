#include "zone/snapshot.h"

#include <gtest/gtest.h>

namespace nsradar::zone {
namespace {

ZoneSnapshot Load(const std::string& text, const std::string& zone = "", bool has_zone = false) {
  SnapshotOptions so;
  so.zone = zone;
  so.has_zone = has_zone;
  auto reader = ZoneReader::FromMemory(text, so.reader);
  ZoneSnapshot snap;
  EXPECT_TRUE(ZoneSnapshot::Load(reader.get(), so, &snap).ok());
  return snap;
}

TEST(SnapshotTest, SortsMergesAndRanks) {
  auto s = Load(
      "com. 60 IN SOA a.gtld-servers.net. n.v.com. 2018012900 1 1 1 1\n"
      "com. 60 IN NS a.gtld-servers.net.\n"
      "zeta.com. 60 IN NS ns2.p.net.\n"
      "alpha.com. 60 IN NS ns2.p.net.\n"
      "alpha.com. 60 IN NS ns1.alpha.com.\n"
      "zeta.com. 60 IN NS ns1.p.net.\n"  // same owner again, not adjacent
      "zeta.com. 60 IN NS ns2.p.net.\n"  // duplicate record
      "ns1.alpha.com. 60 IN A 192.0.2.1\n"
      "ns1.alpha.com. 60 IN AAAA 2001:db8::1\n"
      "www.alpha.com. 60 IN A 192.0.2.9\n"  // not a name server: no glue
      "other.org. 60 IN NS ns.x.\n");       // outside the zone
  EXPECT_EQ(s.apex(), "com");
  EXPECT_TRUE(s.has_serial());
  EXPECT_EQ(s.serial(), 2018012900u);
  ASSERT_EQ(s.domain_count(), 2u);
  EXPECT_EQ(s.domain(0), "alpha.com");
  EXPECT_EQ(s.domain(1), "zeta.com");
  EXPECT_EQ(s.edge_count(), 4u);
  std::vector<std::string> zeta;
  for (const uint32_t* h = s.hosts_begin(1); h != s.hosts_end(1); ++h) zeta.push_back(std::string(s.host(*h)));
  EXPECT_EQ(zeta, (std::vector<std::string>{"ns1.p.net", "ns2.p.net"}));
  for (uint32_t r = 1; r < s.host_count(); ++r) EXPECT_LT(s.host(r - 1), s.host(r));
  ASSERT_EQ(s.glue().size(), 2u);
  EXPECT_EQ(s.host(s.glue()[0].host), "ns1.alpha.com");
  EXPECT_EQ(s.dropped_records(), 1u);
  EXPECT_EQ(s.domain_kind(0), DomainKind::kRegistered);
}

TEST(SnapshotTest, ApexInferredWithoutSoa) {
  auto root = Load(". 60 IN NS a.root-servers.net.\ncom. 60 IN NS a.gtld.net.\nde. 60 IN NS a.nic.de.\n");
  EXPECT_EQ(root.apex(), "");
  EXPECT_EQ(root.domain_count(), 2u);
  EXPECT_EQ(root.domain_kind(0), DomainKind::kSuffix);
  auto com = Load("a.com. 60 IN NS ns.x.\nb.com. 60 IN NS ns.x.\n");
  EXPECT_EQ(com.apex(), "com");
  auto given = Load("sub.example.com. 60 IN NS ns.x.\n", "example.com", true);
  EXPECT_EQ(given.apex(), "example.com");
  ASSERT_EQ(given.domain_count(), 1u);
  EXPECT_EQ(given.domain_kind(0), DomainKind::kSubdomain);
}

}  // namespace
}  // namespace nsradar::zone
