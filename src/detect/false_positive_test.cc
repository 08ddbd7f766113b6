// The false-positive figure of docs/detection.md: the detector at its
// default settings over the benign corpus (a day of an office's DNS over
// 106K real registered domains, testdata/detect/benign-hosts.txt.zst) must
// raise no tunneling or exfiltration alert. Allowlisted categories may
// report benign-data-over-dns.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <unordered_set>

#include "detect/detector.h"
#include "detect/testing/benign_corpus.h"
#include "dns/public_suffix.h"
#include "ingest/source.h"

namespace nsradar::detect {
namespace {

std::vector<std::string> Hosts() {
  std::vector<std::string> hosts;
  EXPECT_TRUE(testing::LoadHostList(std::string(NSRADAR_TESTDATA) + "/detect/benign-hosts.txt.zst", &hosts).ok());
  return hosts;
}

TEST(FalsePositives, NoTunnelingOrExfiltrationAlertOnADayOfBenignTraffic) {
  std::vector<std::string> hosts = Hosts();
  Detector detector;
  std::vector<Alert> alerts;
  std::unordered_set<std::string> domains;
  uint64_t queries = 0;
  testing::GenerateBenignCorpus(hosts, {}, [&](const ingest::DnsEvent& ev) {
    ++queries;
    if (!ev.registered_domain().empty()) domains.emplace(ev.registered_domain());
    detector.Add(ev, &alerts);
  });
  // The corpus is what the issue asks for.
  EXPECT_GE(queries, 1'000'000u);
  EXPECT_GE(domains.size(), 100'000u);
  std::map<std::string, int> benign;
  for (const auto& a : alerts) {
    if (a.category == AlertCategory::kBenignDataOverDns) {
      ++benign[a.benign_category];
      continue;
    }
    ADD_FAILURE() << CategoryName(a.category) << " alert on benign traffic: " << a.registered_domain << " score "
                  << a.score << " sample " << (a.samples.empty() ? "" : a.samples[0]);
  }
  RecordProperty("queries", static_cast<int>(queries));
  RecordProperty("registered_domains", static_cast<int>(domains.size()));
}

// The low-and-slow target inside the office day: one of the office's own
// hosts leaks 1 byte/s (hex in A queries to a new domain) from the sixth
// hour on. It must be found within an hour of event time, attributed to
// that host and shown as new behaviour, and nothing else may alert.
TEST(FalsePositives, ASlowLeakInsideTheOfficeDayIsFoundWithinAnHour) {
  Detector detector;
  std::vector<Alert> alerts;
  testing::CorpusOptions o;
  const int64_t leak_start = o.start_us + int64_t{6} * 3600 * 1'000'000;
  int64_t next_leak = leak_start;
  uint64_t x = 0x9e3779b97f4a7c15ull;
  ingest::DnsEvent leak;
  leak.has_query = leak.has_response = true;
  leak.rcode = 0;
  leak.qtype = 1;
  leak.client = *dns::Address::Parse("10.1.0.77");
  testing::GenerateBenignCorpus(Hosts(), o, [&](const ingest::DnsEvent& ev) {
    while (next_leak <= ev.ts_us) {  // 16 bytes of payload every 16 s: 32 hex characters
      std::string hex;
      for (int i = 0; i < 32; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        hex.push_back("0123456789abcdef"[x % 16]);
      }
      leak.ts_us = next_leak;
      leak.qname_raw = leak.qname = hex + ".cdn-sync-telemetry.com";
      ingest::SetRegisteredDomain(dns::PublicSuffixList::Default(), &leak);
      detector.Add(leak, &alerts);
      next_leak += 16'000'000;
    }
    detector.Add(ev, &alerts);
  });
  std::vector<Alert> suspicious;
  for (auto& a : alerts) {
    if (a.category != AlertCategory::kBenignDataOverDns) suspicious.push_back(std::move(a));
  }
  ASSERT_EQ(suspicious.size(), 1u);
  const Alert& a = suspicious[0];
  EXPECT_EQ(a.registered_domain, "cdn-sync-telemetry.com");
  EXPECT_EQ(a.category, AlertCategory::kExfiltration);
  EXPECT_LT(a.alert_time_us - leak_start, int64_t{3600} * 1'000'000);
  ASSERT_FALSE(a.clients.empty());
  EXPECT_EQ(a.clients[0].address.ToString(), "10.1.0.77");
  EXPECT_GE(a.clients[0].host_queries_before, 50u);  // the host browsed for six hours first
  EXPECT_LT(a.clients[0].host_encoded_before * 20, a.clients[0].host_queries_before);  // new_behaviour
  std::printf("slow leak found %.1f minutes after it began\n",
              static_cast<double>(a.alert_time_us - leak_start) / 60e6);
}

// The margin: at half the volume thresholds, how many domains would alert.
// Printed for docs/detection.md; asserted only loosely, so the figure is
// seen moving.
TEST(FalsePositives, MarginAtHalfTheThresholds) {
  DetectorOptions half;
  half.short_info_bytes /= 2;
  half.long_info_bytes /= 2;
  Detector detector(half);
  std::vector<Alert> alerts;
  testing::GenerateBenignCorpus(Hosts(), {}, [&](const ingest::DnsEvent& ev) { detector.Add(ev, &alerts); });
  int suspicious = 0;
  for (const auto& a : alerts) {
    if (a.category == AlertCategory::kBenignDataOverDns) continue;
    ++suspicious;
    std::printf("  at half thresholds: %s %s (%s)\n", std::string(CategoryName(a.category)).c_str(),
                a.registered_domain.c_str(), a.samples.empty() ? "" : a.samples[0].c_str());
  }
  std::printf("benign corpus at half the volume thresholds: %d alerts\n", suspicious);
  EXPECT_LE(suspicious, 5);
}

}  // namespace
}  // namespace nsradar::detect
