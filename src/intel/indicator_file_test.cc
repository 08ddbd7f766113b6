#include "intel/indicator_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "nsdb/store_test_util.h"

namespace nsradar::intel {
namespace {

using nsdb::IndicatorKind;
using nsdb::testing::TempDir;

std::vector<nsdb::Indicator> Read(const TempDir& dir, const std::string& text, IndicatorFileStats* stats,
                                  std::vector<std::string>* errors = nullptr,
                                  IndicatorFileOptions o = IndicatorFileOptions()) {
  std::string path = dir.file("list.txt");
  std::ofstream(path, std::ios::binary) << text;
  if (errors)
    o.on_error = [errors](const std::string& place, const std::string& why) { errors->push_back(place + ": " + why); };
  std::vector<nsdb::Indicator> out;
  EXPECT_TRUE(ReadIndicatorFile(path, o, &out, stats).ok());
  return out;
}

TEST(IndicatorFile, PlainListsOfNamesAndAddresses) {
  TempDir dir;
  IndicatorFileStats stats;
  auto got = Read(dir, "# feed\nEvil.Example.\n192.0.2.66\n2001:db8::66 ; note\n\n", &stats);
  EXPECT_EQ(stats.format, "list");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].kind, IndicatorKind::kDomain);
  EXPECT_EQ(got[0].value, "evil.example");
  EXPECT_EQ(got[0].category, "malicious");
  EXPECT_EQ(got[0].source, "list.txt");
  EXPECT_EQ(got[1].kind, IndicatorKind::kAddress);
  EXPECT_EQ(dns::Address::FromKey(got[1].value)->ToString(), "192.0.2.66");
  EXPECT_EQ(got[2].kind, IndicatorKind::kAddress);
}

TEST(IndicatorFile, HostsFilesAndCsv) {
  TempDir dir;
  IndicatorFileStats stats;
  auto hosts = Read(dir, "127.0.0.1 localhost\n0.0.0.0 ads.example tracker.example\n", &stats);
  EXPECT_EQ(stats.format, "hosts");
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[1].value, "tracker.example");

  auto csv = Read(dir,
                  "indicator,type,category,source\n"
                  "ns1.evil.example,ns,c2,vendor-a\n"
                  "198.51.100.7,ip,c2\n"
                  "phish.example,phishing\n",
                  &stats);
  EXPECT_EQ(stats.format, "csv");
  ASSERT_EQ(csv.size(), 3u);
  EXPECT_EQ(csv[0].kind, IndicatorKind::kNameServer);
  EXPECT_EQ(csv[0].category, "c2");
  EXPECT_EQ(csv[1].kind, IndicatorKind::kAddress);
  EXPECT_EQ(csv[2].kind, IndicatorKind::kDomain);
  EXPECT_EQ(csv[2].category, "phishing");
}

TEST(IndicatorFile, RpzZonesGiveEveryTrigger) {
  TempDir dir;
  IndicatorFileStats stats;
  auto got = Read(dir,
                  "$TTL 60\n$ORIGIN rpz.local.\n"
                  "@ SOA localhost. root.localhost. 1 3600 600 86400 60\n"
                  "@ NS localhost.\n"
                  "blocked.example CNAME .\n*.blocked.example CNAME .\n"
                  "ns1.evil.test.rpz-nsdname CNAME .\n"
                  "32.4.10.0.127.rpz-nsip CNAME .\n"
                  "24.0.10.0.127.rpz-nsip CNAME .\n"
                  "128.1.zz.db8.2001.rpz-ip CNAME .\n",
                  &stats);
  EXPECT_EQ(stats.format, "rpz");
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].value, "blocked.example");
  EXPECT_EQ(got[1].value, "blocked.example");  // the wildcard names the same domain
  EXPECT_EQ(got[2].kind, IndicatorKind::kNameServer);
  EXPECT_EQ(got[2].value, "ns1.evil.test");
  EXPECT_EQ(dns::Address::FromKey(got[3].value)->ToString(), "127.0.10.4");
  EXPECT_EQ(dns::Address::FromKey(got[4].value)->ToString(), "2001:db8::1");
  EXPECT_EQ(stats.errors, 1u);  // the /24 trigger is reported, not imported
}

TEST(IndicatorFile, HostileInputIsReportedByLineAndNeverFatal) {
  TempDir dir;
  IndicatorFileStats stats;
  std::vector<std::string> errors;
  auto got = Read(dir, "good.example\nbad..name\n" + std::string(300, 'a') + "\ntwo words here\n1.2.3.4,ip,x\n", &stats,
                  &errors);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find("list.txt:2"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("list.txt:3"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("list.txt:4"), std::string::npos) << errors[2];

  std::string bin = dir.file("binary");
  std::ofstream(bin, std::ios::binary) << std::string(
      "\x7f"
      "ELF\0\0\0",
      7);
  std::vector<nsdb::Indicator> out;
  Status s = ReadIndicatorFile(bin, {}, &out, &stats);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("binary"), std::string::npos);
  EXPECT_FALSE(ReadIndicatorFile(dir.file("missing"), {}, &out, &stats).ok());
}

}  // namespace
}  // namespace nsradar::intel
