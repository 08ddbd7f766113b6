// The evidence tier: what sensors send to the warehouse's evidence table.
// It must hold the tunnels' traffic (their data queries, marks and rare
// types) and only a small share of ordinary traffic; the share on the
// benign corpus is the figure docs/warehouse.md gives.
#include "detect/evidence_tier.h"

#include <gtest/gtest.h>

#include "detect/testing/benign_corpus.h"
#include "detect/testing/tool_sessions.h"
#include "dns/rr_type.h"

namespace nsradar::detect {
namespace {

ingest::DnsEvent Query(std::string qname_raw, std::string_view registered, uint16_t qtype = dns::rr::kA) {
  ingest::DnsEvent ev;
  ev.has_query = true;
  ev.qname_raw = qname_raw;
  ev.qname = qname_raw;
  for (char& c : ev.qname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ev.registered_offset = ev.qname.size() - registered.size();
  ev.qtype = qtype;
  return ev;
}

TEST(EvidenceTier, EncodedNamesMarksAndTunnelTypesAreInPlainNamesOut) {
  EXPECT_TRUE(ClassifyEvidence(Query("laaeloswdhm4f1bizgxzh1jidyvnc3ea.t.example", "example")).in_tier);
  // The whole subdomain, dots included.
  EXPECT_EQ(ClassifyEvidence(Query("laaeloswdhm4f1bizgxzh1jidyvnc3ea.t.example", "example")).encoded_bytes, 34u);
  EXPECT_TRUE(ClassifyEvidence(Query("hvMAOgBOBA.example", "example")).in_tier);  // weak: short base64
  EXPECT_TRUE(ClassifyEvidence(Query("www.example", "example", 10)).in_tier);     // NULL
  const EvidenceClass marked = ClassifyEvidence(Query("vaaaakatk0x.t.example", "example", dns::rr::kTXT));
  EXPECT_TRUE(marked.in_tier);
  EXPECT_EQ(marked.mark.tool, "iodine");
  for (const char* name : {"www.example", "mail.example", "example", "DESKTOP-7F3K2Q9.example", "server12.example"}) {
    const EvidenceClass c = ClassifyEvidence(Query(name, "example"));
    EXPECT_FALSE(c.in_tier) << name;
    EXPECT_EQ(c.encoded_bytes, 0u) << name;
  }
  // A plain TXT lookup (SPF) is ordinary.
  EXPECT_FALSE(ClassifyEvidence(Query("example", "example", dns::rr::kTXT)).in_tier);
  // No registered domain, or no query: nothing to correlate.
  ingest::DnsEvent bare = Query("laaeloswdhm4f1bizgxzh1jidyvnc3ea", "");
  bare.registered_offset = std::string::npos;
  EXPECT_FALSE(ClassifyEvidence(bare).in_tier);
  ingest::DnsEvent response_only = Query("laaeloswdhm4f1bizgxzh1jidyvnc3ea.example", "example");
  response_only.has_query = false;
  EXPECT_FALSE(ClassifyEvidence(response_only).in_tier);
}

TEST(EvidenceTier, ResolverSideNamesAreReadLowerCased) {
  // dns-0x20 on the resolver's side: the case is noise, not encoding.
  ingest::DnsEvent ev = Query("wWw.ExAmPlE", "example");
  EXPECT_EQ(SubdomainAsRead(ev), "www");
  EXPECT_EQ(NameAsRead(ev), "www.example");
  ev = Query("aGVsbG8gd29ybGQ.example", "example");
  EXPECT_EQ(SubdomainAsRead(ev), "aGVsbG8gd29ybGQ");
  ev.vantage = ingest::Vantage::kResolver;
  EXPECT_EQ(SubdomainAsRead(ev), "agvsbg8gd29ybgq");
  EXPECT_EQ(SubdomainAsRead(Query("example", "example")), "");
}

TEST(EvidenceTier, TunnelSessionsAreMostlyInTheTier) {
  testing::SessionContext ctx;
  for (const auto& session : {testing::IodineSession(ctx, {}), testing::Dns2tcpSession(ctx, {})}) {
    size_t in = 0;
    for (const ingest::DnsEvent& ev : session) in += ClassifyEvidence(ev).in_tier;
    ASSERT_FALSE(session.empty());
    EXPECT_GE(in * 10, session.size() * 8) << in << " of " << session.size();
  }
}

TEST(EvidenceTier, ASmallShareOfBenignTraffic) {
  std::vector<std::string> hosts;
  ASSERT_TRUE(testing::LoadHostList(std::string(NSRADAR_TESTDATA) + "/detect/benign-hosts.txt.zst", &hosts).ok());
  testing::CorpusOptions options;
  options.queries = 300'000;
  uint64_t events = 0, in = 0;
  testing::GenerateBenignCorpus(hosts, options, [&](const ingest::DnsEvent& ev) {
    ++events;
    in += ClassifyEvidence(ev).in_tier;
  });
  const double share = static_cast<double>(in) / static_cast<double>(events);
  std::printf("evidence tier: %llu of %llu benign events (%.2f%%)\n", static_cast<unsigned long long>(in),
              static_cast<unsigned long long>(events), 100 * share);
  RecordProperty("evidence_share_permille", static_cast<int>(share * 1000));
  EXPECT_GT(in, 0u);  // the corpus has hashes and reputation lookups
  EXPECT_LT(share, 0.15);
}

}  // namespace
}  // namespace nsradar::detect
