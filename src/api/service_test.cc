// The API without a socket: parameters, cursors, keys, rate limits, routing.
#include "api/service.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>

#include "api/internal/params.h"
#include "nsdb/store_test_util.h"
#include "util/log.h"

namespace nsradar::api {
namespace {

using nsdb::testing::SnapshotFromText;
using nsdb::testing::TempDir;

constexpr char kKey[] = "at_abcdefghijklmnopqrstuvwxyz012";

TEST(Params, NamesAreNormalisedAndCheckedWithTheParameterNamed) {
  std::string out;
  EXPECT_EQ(NormalizeName("ns", "NS1.Example.COM.", &out), "");
  EXPECT_EQ(out, "ns1.example.com");
  EXPECT_EQ(NormalizeName("ns", "_dmarc.x-y.example", &out), "");
  EXPECT_NE(NormalizeName("ns", "", &out).find("ns: empty"), std::string::npos);
  EXPECT_NE(NormalizeName("ns", "a..b", &out).find("ns: 'a..b'"), std::string::npos);
  EXPECT_NE(NormalizeName("from",
                          "a\x01"
                          "b",
                          &out)
                .find("from: byte 0x01 at position 1"),
            std::string::npos);
  EXPECT_NE(NormalizeName("ns", "caf\xc3\xa9.fr", &out).find("byte 0xc3"), std::string::npos);
  EXPECT_NE(NormalizeName("ns", "a b", &out).find("byte 0x20"), std::string::npos);
  EXPECT_NE(NormalizeName("ns", std::string(64, 'a') + ".com", &out), "");
  EXPECT_NE(NormalizeName("ns", std::string(300, 'a'), &out).find("longer than 255"), std::string::npos);
  EXPECT_NE(NormalizeName("ns", ".", &out), "");
}

TEST(Params, CountsTimesAndBooleans) {
  uint64_t n = 0;
  EXPECT_EQ(ParseCountParam("limit", "10000", 1, 10000, &n), "");
  EXPECT_EQ(n, 10000u);
  EXPECT_NE(ParseCountParam("limit", "10001", 1, 10000, &n), "");
  EXPECT_NE(ParseCountParam("limit", "0", 1, 10000, &n), "");
  EXPECT_NE(ParseCountParam("limit", "12x", 1, 10000, &n), "");
  EXPECT_NE(ParseCountParam("limit", "", 1, 10000, &n), "");
  EXPECT_NE(ParseCountParam("limit", "-1", 1, 10000, &n), "");
  std::optional<int64_t> t;
  EXPECT_EQ(ParseTimeParam("first_seen_after", "2018-01-29T00:00:00Z", &t), "");
  EXPECT_EQ(*t, 1517184000);
  EXPECT_NE(ParseTimeParam("first_seen_after", "yesterday", &t).find("first_seen_after"), std::string::npos);
  bool b = false;
  EXPECT_EQ(ParseBoolParam("active", "true", &b), "");
  EXPECT_TRUE(b);
  EXPECT_NE(ParseBoolParam("active", "yes", &b), "");
}

TEST(Params, TargetsAreDecodedOrRefused) {
  Request r;
  EXPECT_EQ(ParseTarget("/api/v1?apiKey=k&ns=ns1%2Eexample.com&from=a", &r), "");
  EXPECT_EQ(r.path, "/api/v1");
  EXPECT_EQ(r.params.Get("ns"), "ns1.example.com");
  EXPECT_EQ(r.params.Get("NS"), std::nullopt);  // names are case-sensitive
  Request bad;
  EXPECT_NE(ParseTarget("/api/v1?ns=%zz", &bad), "");
  EXPECT_NE(ParseTarget("/api/v1?ns=a b", &bad), "");
  EXPECT_NE(ParseTarget("/api/v1?ns=a\x01", &bad), "");
  EXPECT_NE(ParseTarget("http://host/api", &bad), "");
  EXPECT_NE(ParseTarget("", &bad), "");
}

TEST(ApiKeys, LoadsHashesAndReportsBadLines) {
  TempDir dir;
  {
    std::ofstream f(dir.file("keys"));
    f << "# keys\n\n" << kKey << "\n  at_0000000000000000000000000000z  \r\n";
  }
  ApiKeys keys;
  ASSERT_TRUE(keys.Load(dir.file("keys")).ok());
  EXPECT_EQ(keys.size(), 2u);
  KeyDigest d;
  EXPECT_TRUE(keys.Find(kKey, &d));
  EXPECT_TRUE(keys.Find("at_0000000000000000000000000000z", &d));
  EXPECT_FALSE(keys.Find("at_abcdefghijklmnopqrstuvwxyz013", &d));
  EXPECT_FALSE(keys.Find("AT_abcdefghijklmnopqrstuvwxyz012", &d));
  EXPECT_FALSE(keys.Find("", &d));
  {
    std::ofstream f(dir.file("bad"));
    f << kKey << "\nat_short\n";
  }
  Status s = keys.Load(dir.file("bad"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad:2:"), std::string::npos) << s.message();
  EXPECT_EQ(keys.size(), 2u);  // the previous set stays in force
  EXPECT_TRUE(keys.Find("at_0000000000000000000000000000z", &d));
  EXPECT_FALSE(keys.Load(dir.file("missing")).ok());
}

TEST(RateLimiter, AllowsTheRateWithBurstsAndRefills) {
  RateLimiter limiter(30);
  KeyDigest a = DigestKey("a"), b = DigestKey("b");
  auto t0 = RateLimiter::Clock::now();
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.Allow(a, t0);
  EXPECT_EQ(allowed, 30);
  EXPECT_TRUE(limiter.Allow(b, t0));  // per key
  EXPECT_FALSE(limiter.Allow(a, t0 + std::chrono::milliseconds(10)));
  EXPECT_TRUE(limiter.Allow(a, t0 + std::chrono::milliseconds(100)));  // 3 tokens back
  RateLimiter unlimited(0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.Allow(a, t0));
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nsdb::StoreOptions o;
    ASSERT_TRUE(nsdb::Store::Open(dir_.file("store"), o, &store_).ok());
    std::string text = "example.\t60\tIN\tSOA\tns.example. h.example. 1 1 1 1 1\n";
    for (int i = 0; i < 5; ++i) text += "d" + std::to_string(i) + ".example.\t60\tIN\tNS\tns1.host.net.\n";
    text += "q&a.example.\t60\tIN\tNS\tns1.host.net.\n";
    nsdb::IngestResult r;
    ASSERT_TRUE(store_->IngestSnapshot(SnapshotFromText(text), 1000, "t", &r).ok());
    {
      std::ofstream f(dir_.file("keys"));
      f << kKey << "\n";
    }
    ASSERT_TRUE(keys_.Load(dir_.file("keys")).ok());
    service_ = std::make_unique<Service>(store_.get(), &keys_, &metrics_, ServiceOptions{.rate_limit = 0});
  }

  Response Get(const std::string& target, std::string_view key_header = "") {
    Request r;
    r.method = "GET";
    EXPECT_EQ(ParseTarget(target, &r), "");
    return service_->Handle(r, key_header);
  }

  TempDir dir_;
  std::unique_ptr<nsdb::Store> store_;
  ApiKeys keys_;
  Metrics metrics_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceTest, V1AnswersInTheReverseNsApiShape) {
  Response r = Get(std::string("/api/v1?apiKey=") + kKey + "&ns=NS1.HOST.NET.");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(r.body);
  EXPECT_EQ(std::string_view(doc["current_page"]), "0");
  EXPECT_EQ(int64_t(doc["size"]), 6);
  simdjson::dom::array rows = doc["result"];
  EXPECT_EQ(std::string_view(rows.at(0)["name"]), "d0.example");
  EXPECT_EQ(int64_t(rows.at(0)["first_seen"]), 1000);
  EXPECT_EQ(int64_t(rows.at(0)["last_visit"]), 1000);
  EXPECT_EQ(std::string_view(rows.at(5)["name"]), "q&a.example");

  r = Get(std::string("/api/v1?apiKey=") + kKey + "&ns=ns1.host.net&from=d3.example");
  doc = p.parse(r.body);
  EXPECT_EQ(std::string_view(doc["current_page"]), "d3.example");
  EXPECT_EQ(int64_t(doc["size"]), 2);
  r = Get(std::string("/api/v1?apiKey=") + kKey + "&ns=ns1.host.net&from=1");
  EXPECT_EQ(int64_t(p.parse(r.body)["size"]), 6);

  // Byte for byte, as the Reverse NS API writes a page.
  EXPECT_EQ(Get(std::string("/api/v1?apiKey=") + kKey + "&ns=ns1.host.net&from=d3.example").body,
            R"({"result":[{"name":"d4.example","first_seen":1000,"last_visit":1000},)"
            R"({"name":"q&a.example","first_seen":1000,"last_visit":1000}],"current_page":"d3.example","size":2})");
  EXPECT_EQ(Get(std::string("/api/v1?apiKey=") + kKey + "&ns=ns1.host.net&from=d3.example&outputFormat=XML").body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><result><item><name>d4.example</name><first_seen>"
            "1000</first_seen><last_visit>1000</last_visit></item><item><name>q&amp;a.example</name><first_seen>1000"
            "</first_seen><last_visit>1000</last_visit></item></result><current_page>d3.example</current_page><size>2"
            "</size></response>\n");

  r = Get(std::string("/api/v1?apiKey=") + kKey + "&ns=ns1.host.net&outputFormat=xMl");
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_TRUE(r.body.starts_with("<?xml"));
  EXPECT_NE(r.body.find("<item><name>q&amp;a.example</name><first_seen>1000</first_seen>"), std::string::npos);
  EXPECT_NE(r.body.find("<current_page>0</current_page><size>6</size>"), std::string::npos);
}

// The name server check and the kept alerts over the API.
TEST_F(ServiceTest, CheckAndAlerts) {
  ASSERT_TRUE(store_->PutAlert({"d1.example", 5'000'000, "tunneling", R"({"registered_domain":"d1.example"})"}).ok());
  Response r = Get("/v2/check/D1.Example.", kKey);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"verdict\":\"suspicious\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"name\":\"ns1.host.net\",\"current\":true"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"co_hosted\":[{\"name\":\"d0.example\""), std::string::npos) << r.body;
  EXPECT_EQ(Get("/v2/check/bad..name", kKey).status, 400);
  EXPECT_EQ(Get("/v2/check/d1.example").status, 403);
  r = Get("/v2/alerts?domain=d1.example", kKey);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"alerts":[{"registered_domain":"d1.example"}]})");
  EXPECT_EQ(Get("/v2/alerts?domain=other.example", kKey).body, R"({"alerts":[]})");
}

TEST_F(ServiceTest, V1Errors) {
  Response r = Get("/api/v1?ns=ns1.host.net");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            R"({"code":403,"messages":"Access restricted. Check credits balance or enter the correct API key."})");
  EXPECT_EQ(Get("/api/v1?apiKey=at_abcdefghijklmnopqrstuvwxyz013&ns=x.net").status, 403);
  EXPECT_EQ(Get(std::string("/api/v1?apikey=") + kKey + "&ns=x.net").status, 403);  // case-sensitive name
  r = Get(std::string("/api/v1?apiKey=") + kKey);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"code":400,"messages":"Missing required parameter: ns"})");
  r = Get(std::string("/api/v1?apiKey=") + kKey + "&ns=bad..name");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("\"code\":422"), std::string::npos);
  EXPECT_EQ(Get(std::string("/api/v1?apiKey=") + kKey + "&ns=a.net&outputFormat=csv").status, 422);
  EXPECT_EQ(Get(std::string("/api/v1?apiKey=") + kKey + "&ns=a.net&from=%C3%A9").status, 422);
  EXPECT_EQ(Get("/nothing").status, 404);
}

TEST_F(ServiceTest, V2DomainsWithCursorsAndFences) {
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    std::string target = "/v2/ns/ns1.host.net/domains?limit=4";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    Response r = Get(target, kKey);
    ASSERT_EQ(r.status, 200) << r.body;
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(r.body);
    EXPECT_EQ(int64_t(doc["total"]), 6);
    for (auto row : simdjson::dom::array(doc["domains"])) seen.emplace_back(std::string_view(row["name"]));
    if (doc["next_cursor"].is_null()) break;
    cursor = std::string(std::string_view(doc["next_cursor"]));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"d0.example", "d1.example", "d2.example", "d3.example", "d4.example",
                                            "q&a.example"}));
  EXPECT_NE(Get("/v2/ns/ns1.host.net/domains?first_seen_after=1000", kKey).body.find("\"total\":0,"),
            std::string::npos);
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/domains?cursor=nope", kKey).status, 400);
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/domains?limit=10001", kKey).status, 400);
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/domains?kind=odd", kKey).status, 400);
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/domains?bogus=1", kKey).status, 400);
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/domains").status, 403);
  EXPECT_EQ(Get(std::string("/v2/ns/ns1.host.net/domains?apiKey=") + kKey).status, 200);
}

TEST_F(ServiceTest, V2DomainHistoryCountsAndOpenApi) {
  Response r = Get("/v2/domain/D1.Example.", kKey);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("name_servers":["ns1.host.net"])"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("event":"created")"), std::string::npos);
  EXPECT_EQ(Get("/v2/domain/none.example", kKey).status, 404);
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/counts", kKey).body, R"({"ns":"ns1.host.net","domain_count":6,"active_count":6})");
  EXPECT_EQ(Get("/v2/ip/not-an-ip/nameservers", kKey).status, 400);
  r = Get("/v2/openapi.json");
  ASSERT_EQ(r.status, 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(r.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(doc["openapi"]), "3.0.3");
  std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("nsradar_http_requests_total{endpoint=\"v2_domain\",status=\"404\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("nsradar_store_edges 6"), std::string::npos);
  // A second snapshot drops d0 and adds d9: one point per snapshot.
  std::string text = "example.\t60\tIN\tSOA\tns.example. h.example. 2 1 1 1 1\n";
  for (int i : {1, 2, 3, 4, 9}) text += "d" + std::to_string(i) + ".example.\t60\tIN\tNS\tns1.host.net.\n";
  nsdb::IngestResult ingested;
  ASSERT_TRUE(store_->IngestSnapshot(SnapshotFromText(text), 2000, "t", &ingested).ok());
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/history", kKey).body,
            R"({"ns":"ns1.host.net","snapshots":[{"time":1000,"domains":6,"added":6,"removed":0},)"
            R"({"time":2000,"domains":5,"added":1,"removed":2}]})");
  EXPECT_EQ(Get("/v2/ns/a..b/history", kKey).status, 400);
}

TEST_F(ServiceTest, BulkRefusesBadBodiesBeforeAnswering) {
  auto post = [&](const std::string& target, const std::string& body, const std::string& type) {
    Request r;
    r.method = "POST";
    EXPECT_EQ(ParseTarget(target, &r), "");
    r.body = body;
    r.content_type = type;
    return service_->Handle(r, kKey);
  };
  EXPECT_EQ(post("/v2/bulk/domains", "{not json", "application/json").status, 400);
  EXPECT_EQ(post("/v2/bulk/domains", "[1,2]", "application/json").body,
            R"({"code":400,"messages":"names[0]: not a string"})");
  EXPECT_EQ(post("/v2/bulk/domains", R"(["ok.example","bad..name"])", "application/json").status, 400);
  EXPECT_EQ(post("/v2/bulk/domains", "[]", "application/json").status, 400);
  std::string many = "[";
  for (int i = 0; i <= 10000; ++i) many += std::string(i ? "," : "") + "\"d" + std::to_string(i) + ".example\"";
  many += "]";
  EXPECT_NE(post("/v2/bulk/domains", many, "application/json").body.find("more than 10000"), std::string::npos);
  Response r = post("/v2/bulk/nameservers?domains=2", "ns1.host.net\r\nother.net\n", "text/plain");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.stream);
  std::string all, chunk;
  while (r.stream(&chunk)) {
  }
  all = chunk;
  // The domains are rows of /v2/ns/{ns}/domains.
  EXPECT_EQ(
      all,
      "{\"ns\":\"ns1.host.net\",\"domain_count\":6,\"active_count\":6,\"addresses\":[],\"domains\":[{\"name\":"
      "\"d0.example\",\"first_seen\":1000,\"last_seen\":1000,\"active\":true,\"kind\":\"registered\",\"zone\":"
      "\"example\",\"observed\":false},{\"name\":\"d1.example\",\"first_seen\":1000,\"last_seen\":1000,\"active\":"
      "true,\"kind\":\"registered\",\"zone\":\"example\",\"observed\":false}],\"more\":true}\n"
      "{\"ns\":\"other.net\",\"domain_count\":0,\"active_count\":0,\"addresses\":[],\"domains\":[],\"more\":"
      "false}\n");
}

// Every documented upper bound is a valid request, not a 500.
TEST_F(ServiceTest, DocumentedMaximaAreAnswered) {
  const std::string key = std::string("apiKey=") + kKey;
  for (const std::string& target :
       {"/v2/nameservers?suffix=net&limit=10000&" + key, "/v2/ns/ns1.host.net/domains?limit=10000&" + key}) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
  }
  Request bulk;
  bulk.method = "POST";
  ASSERT_EQ(ParseTarget("/v2/bulk/nameservers?domains=10000", &bulk), "");
  bulk.body = "ns1.host.net\n";
  bulk.content_type = "text/plain";
  Response r = service_->Handle(bulk, kKey);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string all;
  while (r.stream(&all)) {
  }
  EXPECT_NE(all.find("\"q&a.example\""), std::string::npos) << all;
  EXPECT_EQ(Get("/v2/nameservers?suffix=net&limit=10001&" + key).status, 400);
}

TEST_F(ServiceTest, KeysInTheParameterOrAHeader) {
  EXPECT_EQ(Get("/v2/stats", kKey).status, 200);
  EXPECT_EQ(Get("/api/v1?ns=ns1.host.net", kKey).status, 200);
  EXPECT_EQ(Get("/api/v1?ns=ns1.host.net&apiKey=" + std::string(kKey)).status, 200);
  EXPECT_EQ(Get("/v2/stats", "at_wrong").status, 403);
  // The parameter wins over a header, as v1 clients expect of it.
  EXPECT_EQ(Get("/v2/stats?apiKey=at_wrong", kKey).status, 403);
}

// A wrong method is told before the key is asked for; a path no route has
// is not found, whatever the method.
TEST_F(ServiceTest, WrongMethodsAndUnknownPaths) {
  auto send = [&](const std::string& method, const std::string& target, std::string_view key) {
    Request r;
    r.method = method;
    EXPECT_EQ(ParseTarget(target, &r), "");
    return service_->Handle(r, key);
  };
  EXPECT_EQ(send("POST", "/v2/stats", "").body, R"({"code":405,"messages":"use GET"})");
  EXPECT_EQ(send("DELETE", "/api/v1?ns=ns1.host.net", "").body, R"({"code":405,"messages":"use GET"})");
  EXPECT_EQ(send("GET", "/v2/bulk/domains", "").body, R"({"code":405,"messages":"use POST"})");
  EXPECT_EQ(send("POST", "/healthz", "").status, 405);
  EXPECT_EQ(send("HEAD", "/healthz", "").status, 200);
  EXPECT_EQ(send("HEAD", "/v2/ns/ns1.host.net/counts", kKey).status, 200);
  EXPECT_EQ(send("POST", "/v2/nothing", kKey).body, R"({"code":404,"messages":"no such endpoint: /v2/nothing"})");
  EXPECT_EQ(send("GET", "/v2/ns/ns1.host.net/nothing", "").status, 404);
  EXPECT_EQ(send("GET", "//v2//stats/", kKey).status, 200);
  std::string metrics = Get("/metrics").body;
  for (const char* line : {"endpoint=\"v2_stats\",status=\"405\"} 1", "endpoint=\"v2_bulk_domains\",status=\"405\"} 1",
                           "endpoint=\"other\",status=\"404\"} 2", "endpoint=\"v2_stats\",status=\"200\"} 1"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  }
}

// A glue row is written alike from either side and in bulk answers.
TEST_F(ServiceTest, GlueRowsHaveOneShape) {
  nsdb::IngestResult ingested;
  ASSERT_TRUE(store_
                  ->IngestSnapshot(SnapshotFromText("net.\t60\tIN\tSOA\tns.net. h.net. 1 1 1 1 1\n"
                                                    "host.net.\t60\tIN\tNS\tns1.host.net.\n"
                                                    "ns1.host.net.\t60\tIN\tA\t192.0.2.1\n"),
                                   2000, "t", &ingested)
                  .ok());
  const std::string row = R"({"address":"192.0.2.1","first_seen":2000,"last_seen":2000})";
  EXPECT_EQ(Get("/v2/ns/ns1.host.net/addresses", kKey).body, R"({"ns":"ns1.host.net","addresses":[)" + row + "]}");
  EXPECT_EQ(Get("/v2/ip/192.0.2.1/nameservers", kKey).body,
            R"({"address":"192.0.2.1","name_servers":[{"name":"ns1.host.net","first_seen":2000,"last_seen":2000}]})");
  Request bulk;
  bulk.method = "POST";
  ASSERT_EQ(ParseTarget("/v2/bulk/nameservers", &bulk), "");
  bulk.body = R"(["ns1.host.net"])";
  bulk.content_type = "application/json";
  Response r = service_->Handle(bulk, kKey);
  std::string all;
  while (r.stream(&all)) {
  }
  EXPECT_EQ(all, R"({"ns":"ns1.host.net","domain_count":7,"active_count":7,"addresses":[)" + row + "]}\n");
  std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("endpoint=\"v2_addresses\",status=\"200\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("endpoint=\"v2_ip_nameservers\",status=\"200\"} 1"), std::string::npos) << metrics;
}

TEST(InternalErrors, TellTheClientAnIdAndTheLogTheDetails) {
  TempDir dir;
  ASSERT_TRUE(SetLogFile(dir.file("log")).ok());
  Status failure = Status::IOError("/var/lib/nsradar/000123.sst: Input/output error");
  Response r = InternalError("store", failure);
  std::string line;
  AppendInternalErrorLine("cof export", failure, &line);
  ASSERT_TRUE(SetLogFile("").ok());
  EXPECT_EQ(r.status, 500);
  for (const std::string& answer : {r.body, line}) {
    EXPECT_EQ(answer.find("/var/lib"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("sst"), std::string::npos) << answer;
  }
  ASSERT_EQ(r.headers.size(), 1u);
  const std::string id = r.headers[0].second;
  EXPECT_NE(r.body.find(id), std::string::npos);
  std::string log = nsdb::testing::FileText(dir.file("log"));
  EXPECT_NE(log.find("id=" + id), std::string::npos) << log;
  EXPECT_NE(log.find("/var/lib/nsradar/000123.sst"), std::string::npos) << log;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(line).get(doc));
  EXPECT_EQ(std::string_view(doc["error"]), "internal error");
  EXPECT_EQ(std::string_view(doc["error_id"]).size(), 8u);
}

}  // namespace
}  // namespace nsradar::api
