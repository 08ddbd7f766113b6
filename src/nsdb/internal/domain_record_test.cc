#include "nsdb/internal/domain_record.h"

#include <gtest/gtest.h>

namespace nsradar::nsdb {
namespace {

std::vector<std::pair<std::string, std::vector<SeenRun>>> RoundTrip(
    const std::vector<std::pair<std::string, std::vector<SeenRun>>>& in, zone::DomainKind kind, size_t* bytes) {
  DomainRecordWriter w;
  for (const auto& [h, r] : in) w.Add(h, r);
  std::string enc;
  w.AppendTo(kind, &enc);
  *bytes = enc.size();
  DomainRecordReader reader;
  EXPECT_TRUE(reader.Open(enc));
  EXPECT_EQ(reader.kind(), kind);
  std::vector<std::pair<std::string, std::vector<SeenRun>>> out;
  std::string_view host;
  std::vector<SeenRun> runs;
  while (reader.Next(&host, &runs)) out.emplace_back(std::string(host), runs);
  EXPECT_FALSE(reader.corrupt());
  return out;
}

TEST(DomainRecordTest, SharedRunsAndHostSuffixes) {
  std::vector<SeenRun> open{{1700000000, kOpenEnd}};
  std::vector<std::pair<std::string, std::vector<SeenRun>>> hosts = {
      {"ns1.provider.net", open}, {"ns2.provider.net", open}, {"ns3.provider.net", open}};
  size_t bytes;
  EXPECT_EQ(RoundTrip(hosts, zone::DomainKind::kRegistered, &bytes), hosts);
  EXPECT_LT(bytes, 40u);  // the three hosts share runs and a 13-byte suffix
}

TEST(DomainRecordTest, DifferentRunsPerHost) {
  std::vector<std::pair<std::string, std::vector<SeenRun>>> hosts = {
      {"a.example", {{10, 20}, {40, kOpenEnd}}}, {"b.example", {{10, 20}}}, {"ns.other.org", {{30, 30}}}};
  size_t bytes;
  EXPECT_EQ(RoundTrip(hosts, zone::DomainKind::kSubdomain, &bytes), hosts);
}

TEST(DomainRecordTest, CorruptRecordsAreRefused) {
  DomainRecordWriter w;
  w.Add("ns1.x", {{1, kOpenEnd}});
  w.Add("ns2.x", {{1, 5}});
  std::string enc;
  w.AppendTo(zone::DomainKind::kRegistered, &enc);
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    DomainRecordReader reader;
    std::string_view host;
    std::vector<SeenRun> runs;
    size_t n = 0;
    const std::string truncated = enc.substr(0, cut);  // the reader keeps a view of it
    if (reader.Open(truncated)) {
      while (reader.Next(&host, &runs)) ++n;
    }
    EXPECT_LT(n, 2u) << cut;
  }
  DomainRecordReader reader;
  EXPECT_FALSE(reader.Open("\x07\x01\x00"));
}

}  // namespace
}  // namespace nsradar::nsdb
