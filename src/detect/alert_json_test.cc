#include "detect/alert_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace nsradar::detect {
namespace {

Alert Sample() {
  Alert a;
  a.registered_domain = "exfil.test";
  a.category = AlertCategory::kTunneling;
  a.severity = Severity::kHigh;
  a.score = 0.9;
  a.first_seen_us = 1'700'000'000'000'000;
  a.last_seen_us = a.first_seen_us + 5'000'000;
  a.alert_time_us = a.first_seen_us + 1'234'567;
  AlertClient c;
  c.address = *dns::Address::Parse("10.0.0.7");
  c.queries = 42;
  c.first_seen_us = a.first_seen_us;
  c.host_queries_before = 100;
  a.clients.push_back(c);
  a.reasons.push_back({"info_short_window_bytes", 4100, 3000, "distinct subdomain bytes"});
  a.samples.push_back("AAAA.=auth.exfil.test");
  return a;
}

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text;
  return doc;
}

TEST(AlertJson, PlainCarriesEveryField) {
  std::string out;
  AppendAlertJson(Sample(), AlertEnvelope::kPlain, &out);
  simdjson::dom::parser parser;
  auto doc = Parse(parser, out);
  EXPECT_EQ(std::string_view(doc["registered_domain"]), "exfil.test");
  EXPECT_EQ(std::string_view(doc["category"]), "tunneling");
  EXPECT_EQ(std::string_view(doc["alert_time"]), "2023-11-14T22:13:21.234567Z");
  EXPECT_EQ(int64_t(doc["alert_time_us"]), 1'700'000'001'234'567);
  EXPECT_EQ(std::string_view(doc["clients"].at(0)["address"]), "10.0.0.7");
  EXPECT_EQ(uint64_t(doc["clients"].at(0)["queries"]), 42u);
  EXPECT_TRUE(bool(doc["clients"].at(0)["baseline"]["new_behaviour"]));
  EXPECT_EQ(std::string_view(doc["reasons"].at(0)["feature"]), "info_short_window_bytes");
  EXPECT_EQ(std::string_view(doc["samples"].at(0)), "AAAA.=auth.exfil.test");
}

TEST(AlertJson, EveAndEcsEnvelopesKeepThePlainAlert) {
  simdjson::dom::parser parser;
  std::string eve;
  AppendAlertJson(Sample(), AlertEnvelope::kEve, &eve);
  auto e = Parse(parser, eve);
  EXPECT_EQ(std::string_view(e["event_type"]), "alert");
  EXPECT_EQ(std::string_view(e["src_ip"]), "10.0.0.7");
  EXPECT_EQ(int64_t(e["alert"]["severity"]), 1);
  EXPECT_EQ(std::string_view(e["dns"]["queries"].at(0)["rrname"]), "AAAA.=auth.exfil.test");
  EXPECT_EQ(std::string_view(e["nsradar"]["registered_domain"]), "exfil.test");

  std::string ecs;
  AppendAlertJson(Sample(), AlertEnvelope::kEcs, &ecs);
  auto c = Parse(parser, ecs);
  EXPECT_EQ(std::string_view(c["event"]["kind"]), "alert");
  EXPECT_EQ(std::string_view(c["dns"]["question"]["registered_domain"]), "exfil.test");
  EXPECT_EQ(std::string_view(c["source"]["ip"]), "10.0.0.7");
  EXPECT_EQ(std::string_view(c["nsradar"]["category"]), "tunneling");

  AlertEnvelope env;
  EXPECT_TRUE(ParseAlertEnvelope("ecs", &env));
  EXPECT_FALSE(ParseAlertEnvelope("ECS-ish", &env));
}

// The name tables cover every value and read back what they write.
TEST(Vocabulary, EveryCategoryAndSeverityHasOneName) {
  for (AlertCategory c : {AlertCategory::kTunneling, AlertCategory::kExfiltration,
                          AlertCategory::kRandomSubdomainAttack, AlertCategory::kBenignDataOverDns}) {
    AlertCategory back;
    ASSERT_TRUE(ParseCategory(CategoryName(c), &back)) << CategoryName(c);
    EXPECT_EQ(back, c);
  }
  EXPECT_EQ(std::size(kAlertCategoryNames), 4u);
  AlertCategory unused;
  EXPECT_FALSE(ParseCategory("Tunneling", &unused));
  EXPECT_EQ(SeverityName(Severity::kInfo), "info");
  EXPECT_EQ(SeverityName(Severity::kMedium), "medium");
  EXPECT_EQ(SeverityName(Severity::kHigh), "high");
  EXPECT_EQ(NamesOf(kSeverityNames), "info, medium or high");
  EXPECT_TRUE(IsDataChannel(AlertCategory::kExfiltration));
  EXPECT_FALSE(IsDataChannel(AlertCategory::kRandomSubdomainAttack));
}

}  // namespace
}  // namespace nsradar::detect
