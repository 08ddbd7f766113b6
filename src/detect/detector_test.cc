// The detector on synthetic streams: a tunnel moving a 4 KB file, a
// low-and-slow leak, ordinary browsing, an allowlisted CDN, a flood.
#include "detect/detector.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "dns/rr_type.h"
#include "ingest/source.h"

namespace nsradar::detect {
namespace {

ingest::DnsEvent Event(const std::string& qname, uint16_t qtype, int64_t ts_us, const std::string& client) {
  ingest::DnsEvent ev;
  ev.ts_us = ts_us;
  ev.qname_raw = qname;
  ev.qname = qname;
  for (char& c : ev.qname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ev.qtype = qtype;
  ev.has_query = ev.has_response = true;
  ev.rcode = 0;
  ev.client = *dns::Address::Parse(client);
  ingest::SetRegisteredDomain(dns::PublicSuffixList::Default(), &ev);
  return ev;
}

// base32 of `n` pseudo-random bytes, as a tunnel client would send them.
std::string Base32Chunk(std::mt19937_64& rng, size_t chars) {
  const char* b32 = "abcdefghijklmnopqrstuvwxyz234567";
  std::string s;
  for (size_t i = 0; i < chars; ++i) s.push_back(b32[rng() % 32]);
  return s;
}

TEST(Detector, ATunnelMovingFourKilobytesIsFlaggedWithItsClient) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(1);
  int64_t t = 1'700'000'000'000'000;
  // Ordinary traffic from another client around it.
  for (int i = 0; i < 500; ++i) {
    d.Add(Event("www.example.com", dns::rr::kA, t + i * 1000, "10.0.0.9"), &alerts);
    d.Add(Event("mail.example.org", dns::rr::kMX, t + i * 1000, "10.0.0.9"), &alerts);
  }
  // 4,096 bytes in base32 (1.6 chars per byte), 50 characters per query in
  // two labels, TXT queries, from 10.0.0.7.
  size_t sent = 0;
  int64_t tunnel_start = t + 600'000;
  for (int q = 0; sent < 4096 * 8 / 5; ++q) {
    std::string name = Base32Chunk(rng, 25) + "." + Base32Chunk(rng, 25) + ".t.exfil.test";
    sent += 50;
    ingest::DnsEvent ev = Event(name, dns::rr::kTXT, tunnel_start + q * 20'000, "10.0.0.7");
    ev.answers.push_back({ev.qname, dns::rr::kTXT, 0, "\"" + Base32Chunk(rng, 40) + "\""});  // data coming back
    d.Add(ev, &alerts);
  }
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.registered_domain, "exfil.test");
  EXPECT_EQ(a.category, AlertCategory::kTunneling);
  ASSERT_FALSE(a.clients.empty());
  EXPECT_EQ(a.clients[0].address.ToString(), "10.0.0.7");
  // A dozen encoded names decide, long before the 4 KB are through.
  EXPECT_LT(a.alert_time_us - tunnel_start, 12 * 20'000 + 1);
  EXPECT_FALSE(a.samples.empty());
  bool decided_by_evidence = false;
  for (const auto& r : a.reasons) decided_by_evidence |= r.feature == "evidence_score" && r.value >= r.threshold;
  EXPECT_TRUE(decided_by_evidence);
}

// The same transfer answered with nothing (NXDOMAIN or empty answers)
// leaks upstream only: exfiltration.
TEST(Detector, UpstreamOnlyTransfersAreExfiltration) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(11);
  for (int q = 0; q < 100 && alerts.empty(); ++q) {
    ingest::DnsEvent ev =
        Event(Base32Chunk(rng, 60) + ".x.leak.test", dns::rr::kA, 1'700'000'000'000'000 + q * 1000, "10.0.0.8");
    ev.rcode = q % 2 ? 3 : 0;
    if (ev.rcode == 0) ev.answers.push_back({ev.qname, dns::rr::kA, 0, "127.0.0.1"});
    d.Add(ev, &alerts);
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].category, AlertCategory::kExfiltration);
}

TEST(Detector, ALowAndSlowLeakIsFlaggedAsExfiltrationWithinAnHour) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(2);
  int64_t t = 1'700'000'000'000'000;
  // One byte of payload a second: a 32-character hex label every 16 s, A queries.
  int64_t start = t;
  for (int q = 0; q < 24 * 3600 / 16 && alerts.empty(); ++q) {
    std::string hex;
    for (int i = 0; i < 32; ++i) hex.push_back("0123456789abcdef"[rng() % 16]);
    d.Add(Event(hex + ".leak.example.net", dns::rr::kA, start + int64_t{q} * 16'000'000, "10.0.0.8"), &alerts);
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].registered_domain, "example.net");
  EXPECT_EQ(alerts[0].category, AlertCategory::kExfiltration);
  EXPECT_LT(alerts[0].alert_time_us - start, int64_t{3600} * 1'000'000);
}

TEST(Detector, OrdinaryBrowsingRaisesNothing) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(3);
  const char* hosts[] = {"www", "mail", "api", "cdn", "static", "img", "login", "m", "shop", "news"};
  int64_t t = 1'700'000'000'000'000;
  for (int i = 0; i < 200000; ++i) {
    std::string name = std::string(hosts[rng() % 10]) + ".site" + std::to_string(rng() % 2000) + ".com";
    d.Add(Event(name, rng() % 2 ? dns::rr::kA : dns::rr::kAAAA, t + i * 5000, "10.0.1." + std::to_string(rng() % 200)),
          &alerts);
  }
  EXPECT_TRUE(alerts.empty()) << alerts[0].registered_domain;
}

TEST(Detector, AllowlistedDataOverDnsIsReportedUnderItsCategory) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(4);
  int64_t t = 1'700'000'000'000'000;
  for (int q = 0; q < 2000 && alerts.empty(); ++q) {
    d.Add(Event(Base32Chunk(rng, 40) + ".sophosxl.net", dns::rr::kA, t + q * 1000, "10.0.0.5"), &alerts);
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].category, AlertCategory::kBenignDataOverDns);
  EXPECT_EQ(alerts[0].severity, Severity::kInfo);
}

TEST(Detector, MemoryIsBoundedUnderARandomDomainFlood) {
  DetectorOptions o;
  o.max_domains = 1000;
  Detector d(o);
  std::vector<Alert> alerts;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200000; ++i) {
    d.Add(Event("x." + Base32Chunk(rng, 12) + ".com", dns::rr::kA, 1'700'000'000'000'000 + i, "10.0.0.1"), &alerts);
    ASSERT_LE(d.domains(), 1000u);
  }
}

}  // namespace
}  // namespace nsradar::detect

namespace nsradar::detect {
namespace {

// A host with a clean history that starts a tunnel is shown as new
// behaviour; its baseline counts only what it did before.
TEST(Detector, ClientBaselineShowsAHostSuddenlySendingEncodedNames) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(9);
  int64_t t = 1'700'000'000'000'000;
  for (int i = 0; i < 100; ++i)
    d.Add(Event("www.site" + std::to_string(i % 10) + ".com", dns::rr::kA, t + i, "10.0.0.7"), &alerts);
  // Antivirus lookups look encoded but are not part of the host's baseline.
  for (int i = 0; i < 30; ++i)
    d.Add(Event(Base32Chunk(rng, 30) + ".sophosxl.net", dns::rr::kA, t + 200 + i, "10.0.0.7"), &alerts);
  alerts.clear();
  for (int q = 0; q < 200 && alerts.empty(); ++q) {
    d.Add(Event(Base32Chunk(rng, 50) + ".exfil.test", dns::rr::kTXT, t + 1000 + q, "10.0.0.7"), &alerts);
  }
  ASSERT_EQ(alerts.size(), 1u);
  ASSERT_EQ(alerts[0].clients.size(), 1u);
  const AlertClient& c = alerts[0].clients[0];
  EXPECT_EQ(c.host_queries_before, 100u);
  EXPECT_EQ(c.host_encoded_before, 0u);
  EXPECT_EQ(c.host_first_seen_us, t);
}

// The same allowlist mechanism serves entries a deployment adds.
TEST(Detector, AnAddedAllowlistEntryTurnsATunnelLookalikeBenign) {
  Allowlist allow = Allowlist::BuiltIn();
  allow.Add("telemetry.corp.example", "corporate-telemetry");
  Detector d({}, allow);
  std::vector<Alert> alerts;
  std::mt19937_64 rng(10);
  int64_t t = 1'700'000'000'000'000;
  for (int q = 0; q < 500 && alerts.empty(); ++q) {
    d.Add(Event(Base32Chunk(rng, 60) + ".telemetry.corp.example", dns::rr::kTXT, t + q * 1000, "10.0.0.8"), &alerts);
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].category, AlertCategory::kBenignDataOverDns);
  EXPECT_EQ(alerts[0].benign_category, "corporate-telemetry");
  EXPECT_EQ(alerts[0].registered_domain, "telemetry.corp.example");
}

// Live clocks jump (an NTP step, a resolver restarted with a wrong clock,
// events merged from sensors out of sync): hours forward, then back. The
// detector keeps its bounds, raises nothing on ordinary traffic across the
// jumps, and still catches a tunnel after each.
TEST(Detector, ClockJumpsOfHoursInTheEvents) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(7);
  const int64_t hour = 3'600'000'000;
  int64_t t = 1'700'000'000'000'000;
  auto browse = [&](int64_t at) {
    for (int i = 0; i < 200; ++i) {
      d.Add(Event("www.example.com", dns::rr::kA, at + i * 1000, "10.0.0.9"), &alerts);
      d.Add(Event("cdn" + std::to_string(i % 7) + ".example.net", dns::rr::kAAAA, at + i * 1000, "10.0.0.8"), &alerts);
    }
  };
  auto tunnel = [&](const std::string& domain, int64_t at) {
    for (int q = 0; q < 150; ++q) {
      std::string name = Base32Chunk(rng, 30) + "." + Base32Chunk(rng, 20) + "." + domain;
      d.Add(Event(name, dns::rr::kTXT, at + q * 20'000, "10.0.0.7"), &alerts);
    }
  };
  browse(t);
  browse(t + 5 * hour);  // forward five hours
  browse(t - 3 * hour);  // back eight
  EXPECT_TRUE(alerts.empty());
  tunnel("after-forward.test", t + 5 * hour + 1'000'000);
  tunnel("after-backward.test", t - 3 * hour + 1'000'000);
  // Far jumps, both ways, must not overflow anything.
  tunnel("far-future.test", t + 20'000 * hour);
  tunnel("epoch.test", 0);
  std::set<std::string> domains;
  for (const auto& a : alerts) domains.insert(a.registered_domain);
  for (const char* expected : {"after-forward.test", "after-backward.test", "far-future.test", "epoch.test"}) {
    EXPECT_TRUE(domains.count(expected)) << expected;
  }
  EXPECT_FALSE(domains.count("example.com"));
  EXPECT_LE(d.domains(), 20u);
}

}  // namespace
}  // namespace nsradar::detect

namespace nsradar::detect {
namespace {

// Retransmissions and a browser's other types for the same name are one
// name: no weight, and no repeated sample.
TEST(Detector, RepeatedNamesGiveDistinctSamples) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(12);
  int64_t t = 1'700'000'000'000'000;
  for (int q = 0; q < 200 && alerts.empty(); ++q) {
    const std::string name = Base32Chunk(rng, 50) + ".r.repeat.test";
    for (uint16_t type : {dns::rr::kA, dns::rr::kA, dns::rr::kAAAA, dns::rr::kA}) {
      ingest::DnsEvent ev = Event(name, type, t += 1000, "10.0.0.4");
      ev.answers.push_back({ev.qname, dns::rr::kA, 0, "192.0.2.1"});
      d.Add(ev, &alerts);
    }
  }
  ASSERT_EQ(alerts.size(), 1u);
  const std::set<std::string> distinct(alerts[0].samples.begin(), alerts[0].samples.end());
  EXPECT_EQ(distinct.size(), alerts[0].samples.size());
  EXPECT_GE(alerts[0].samples.size(), 2u);
}

// An analyst's false-positive mark takes effect mid-stream: a tracked
// domain building up evidence raises nothing once marked, another tunnel
// still does, and an unmarked domain is judged again.
TEST(Detector, AMarkMidStreamSilencesOnlyTheMarkedDomain) {
  Detector d;
  std::vector<Alert> alerts;
  std::mt19937_64 rng(12);
  int64_t t = 1'700'000'000'000'000;
  auto send = [&](const std::string& domain, int queries) {
    for (int q = 0; q < queries; ++q) {
      d.Add(Event(Base32Chunk(rng, 50) + "." + domain, dns::rr::kTXT, t += 20'000, "10.0.0.7"), &alerts);
    }
  };
  // Three encoded names each: both tracked, neither alerted yet.
  send("marked.test", 3);
  send("other.test", 3);
  ASSERT_TRUE(alerts.empty());
  EXPECT_EQ(d.suspicious_domains(), 2u);
  Allowlist marks;
  marks.Add("marked.test", "false-positive");
  d.SetMarked(marks);
  // Far more than the dozen names that decide (the 4 KB tunnel above).
  send("marked.test", 300);
  send("x.marked.test", 100);  // names below the mark too
  EXPECT_TRUE(alerts.empty());
  send("other.test", 300);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].registered_domain, "other.test");
  // Taken off the list, the domain is judged again.
  d.SetMarked(Allowlist());
  alerts.clear();
  send("marked.test", 50);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].registered_domain, "marked.test");
}

}  // namespace
}  // namespace nsradar::detect
