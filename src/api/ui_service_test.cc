// The web UI's side of the service: cookie parsing with hostile headers,
// the session table, sign-in/out, the cookie standing for the key, the
// Origin check and the security headers.
#include "api/ui_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "api/cookie.h"
#include "api/service.h"
#include "api/ui_assets.h"
#include "nsdb/store_test_util.h"

namespace nsradar::api {
namespace {

// The key the UI signs in with (any well-formed key would do).
constexpr char kKey[] = "at_uikey0uikey0uikey0uikey0uikey";

TEST(Cookie, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(FindCookie("a=1; nsradar_session=xyz; b=2", "nsradar_session"), "xyz");
  EXPECT_EQ(FindCookie("nsradar_session=xyz", "nsradar_session"), "xyz");
  EXPECT_EQ(FindCookie("  nsradar_session = \"xyz\" ;", "nsradar_session"), "xyz");
  EXPECT_EQ(FindCookie("x=1;nsradar_session=first;nsradar_session=second", "nsradar_session"), "first");
  EXPECT_EQ(FindCookie("a=1; b=2", "nsradar_session"), std::nullopt);
  EXPECT_EQ(FindCookie("", "nsradar_session"), std::nullopt);
  EXPECT_EQ(FindCookie("nsradar_session", "nsradar_session"), std::nullopt);  // no '='
  EXPECT_EQ(FindCookie("xnsradar_session=1", "nsradar_session"), std::nullopt);
  EXPECT_EQ(FindCookie("nsradar_session=", "nsradar_session"), "");
  EXPECT_EQ(FindCookie("a=b", ""), std::nullopt);
}

TEST(Cookie, HostileHeadersNeitherCrashNorMatchWrongly) {
  EXPECT_EQ(FindCookie(std::string(100000, ';'), "nsradar_session"), std::nullopt);
  EXPECT_EQ(FindCookie(std::string(100000, '='), "nsradar_session"), std::nullopt);
  EXPECT_EQ(FindCookie("\"", "nsradar_session"), std::nullopt);
  EXPECT_EQ(FindCookie("nsradar_session=\"", "nsradar_session"), "\"");  // a lone quote stays
  std::string nul = std::string("nsradar_session") + '\0' + "=1; nsradar_session=2";
  EXPECT_EQ(FindCookie(nul, "nsradar_session"), "2");
  EXPECT_EQ(FindCookie("nsradar_session=a=b=c", "nsradar_session"), "a=b=c");
}

TEST(Sessions, IdsAreRandomAndEndWhenIdleTooLongOrTooOld) {
  SessionTable t(SessionOptions{.idle = std::chrono::seconds(10), .lifetime = std::chrono::seconds(25)});
  KeyDigest key = DigestKey(kKey);
  auto t0 = SessionTable::Clock::time_point{};
  std::string a = t.Create(key, t0), b = t.Create(key, t0);
  EXPECT_TRUE(IsWellFormedSessionId(a));
  EXPECT_NE(a, b);
  EXPECT_EQ(t.Find(a, t0 + std::chrono::seconds(9)), key);
  EXPECT_EQ(t.Find(a, t0 + std::chrono::seconds(18)), key);           // used at 9 s: still live
  EXPECT_EQ(t.Find(b, t0 + std::chrono::seconds(18)), std::nullopt);  // idle 18 s
  EXPECT_EQ(t.Find(a, t0 + std::chrono::seconds(26)), std::nullopt);  // older than its lifetime
  EXPECT_EQ(t.size(), 0u);
}

TEST(Sessions, MalformedIdsSignOutAndTheLeastRecentlyUsedMakesRoom) {
  SessionTable t(SessionOptions{.max_sessions = 2});
  KeyDigest key = DigestKey(kKey);
  auto t0 = SessionTable::Clock::now();
  std::string a = t.Create(key, t0), b = t.Create(key, t0 + std::chrono::seconds(1));
  EXPECT_EQ(t.Find(a, t0 + std::chrono::seconds(2)), key);  // b is now the least recently used
  std::string c = t.Create(key, t0 + std::chrono::seconds(3));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.Find(b, t0 + std::chrono::seconds(3)), std::nullopt);
  EXPECT_EQ(t.Find(a, t0 + std::chrono::seconds(3)), key);
  std::string upper = c;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(t.Find(upper, t0), std::nullopt);
  EXPECT_EQ(t.Find(c.substr(1), t0), std::nullopt);
  EXPECT_EQ(t.Find(std::string(64, 'g'), t0), std::nullopt);
  t.Erase(c);
  EXPECT_EQ(t.Find(c, t0 + std::chrono::seconds(3)), std::nullopt);
}

class UiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(nsdb::Store::Open(dir_.file("store"), nsdb::StoreOptions{}, &store_).ok());
    nsdb::IngestResult r;
    ASSERT_TRUE(
        store_
            ->IngestSnapshot(nsdb::testing::SnapshotFromText("example.\t60\tIN\tSOA\tns.example. h.example. 1 1 1 1 1\n"
                                                             "d.example.\t60\tIN\tNS\tns1.host.net.\n"),
                             1000, "t", &r)
            .ok());
    WriteKeys(kKey);
    service_ = std::make_unique<Service>(store_.get(), &keys_, &metrics_, ServiceOptions{.rate_limit = 0});
  }

  void WriteKeys(std::string_view key) {
    {
      std::ofstream f(dir_.file("keys"));
      f << key << "\n";
    }
    ASSERT_TRUE(keys_.Load(dir_.file("keys")).ok());
  }

  Response Send(std::string method, std::string target, std::string body = "", std::string cookie = "",
                std::string origin = "") {
    Request r;
    r.method = std::move(method);
    EXPECT_EQ(ParseTarget(target, &r), "");
    r.body = std::move(body);
    r.content_type = "text/plain";
    r.cookie = std::move(cookie);
    r.origin = std::move(origin);
    r.host = "127.0.0.1:8080";
    return service_->Handle(r, "");
  }

  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  // Signs in and returns the Cookie header to send back.
  std::string SignIn() {
    Response r = Send("POST", "/ui/session", kKey, "", kOrigin);
    EXPECT_EQ(r.status, 204) << r.body;
    std::string set = Header(r, "Set-Cookie");
    EXPECT_NE(set.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
    EXPECT_EQ(set.find(kKey), std::string::npos);
    return set.substr(0, set.find(';'));
  }

  static constexpr char kOrigin[] = "http://127.0.0.1:8080";
  nsdb::testing::TempDir dir_;
  std::unique_ptr<nsdb::Store> store_;
  ApiKeys keys_;
  Metrics metrics_;
  std::unique_ptr<Service> service_;
};

TEST_F(UiServiceTest, TheCookieStandsForTheKeyUntilSignOut) {
  EXPECT_EQ(Send("GET", "/v2/ns/ns1.host.net/counts").status, 403);
  EXPECT_EQ(Send("GET", "/ui/session").status, 401);
  std::string cookie = SignIn();
  EXPECT_EQ(Send("GET", "/ui/session", "", cookie).status, 204);
  Response r = Send("GET", "/v2/ns/ns1.host.net/counts", "", cookie);
  EXPECT_EQ(r.status, 200) << r.body;
  // State-changing requests need the server's own Origin as well.
  EXPECT_EQ(Send("POST", "/v2/bulk/domains", "d.example", cookie).status, 403);
  EXPECT_EQ(Send("POST", "/v2/bulk/domains", "d.example", cookie, "http://evil.example").status, 403);
  EXPECT_EQ(Send("POST", "/v2/bulk/domains", "d.example", cookie, kOrigin).status, 200);
  EXPECT_EQ(Send("POST", "/ui/signout", "", cookie, "http://evil.example").status, 403);
  r = Send("POST", "/ui/signout", "", cookie, kOrigin);
  EXPECT_EQ(r.status, 204);
  EXPECT_NE(Header(r, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Send("GET", "/v2/ns/ns1.host.net/counts", "", cookie).status, 403);
}

TEST_F(UiServiceTest, BlockWritesAnAuditedIndicatorOnlyWhereTheStoreIsWritable) {
  std::string cookie = SignIn();
  Response r = Send("POST", "/v2/block/d.example", "", cookie, kOrigin);
  EXPECT_EQ(r.status, 409) << r.body;  // this Service was given no writable store
  int changed = 0;
  service_ = std::make_unique<Service>(
      store_.get(), &keys_, &metrics_,
      ServiceOptions{.rate_limit = 0, .writable_store = store_.get(), .on_store_changed = [&] { ++changed; }});
  cookie = SignIn();
  EXPECT_EQ(Send("POST", "/v2/block/d.example", "", cookie, "http://evil.example").status, 403);
  EXPECT_EQ(Send("POST", "/v2/block/d.example?category=Bad%20One", "", cookie, kOrigin).status, 400);
  EXPECT_EQ(changed, 0);
  r = Send("POST", "/v2/block/D.Example.", "", cookie, kOrigin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(changed, 1);
  nsdb::Indicator ind;
  ASSERT_TRUE(store_->FindIndicator(nsdb::IndicatorKind::kDomain, "d.example", &ind).ok());
  KeyDigest d = DigestKey(kKey);
  EXPECT_EQ(ind.source, fmt::format("analyst key:{:02x}{:02x}{:02x}{:02x}", d[0], d[1], d[2], d[3]));
  EXPECT_EQ(ind.category, "blocked");
  EXPECT_GT(ind.added, 1700000000);
}

// Marking a false positive: only the writer writes, only the server's own
// pages or a key may ask, names and reasons are checked, a repeat changes
// nothing, and every mark and unmark is kept with who, when, why.
TEST_F(UiServiceTest, AllowlistMarksAreCheckedAuditedIdempotentAndRemovable) {
  ASSERT_TRUE(store_->PutAlert({"d.example", 5'000'000, "tunneling", "{}"}).ok());
  std::string cookie = SignIn();
  EXPECT_EQ(Send("POST", "/v2/allowlist/d.example", "", cookie, kOrigin).status, 409);
  Response r = Send("GET", "/v2/allowlist", "", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"allowlist":[]})");
  int changed = 0;
  service_ = std::make_unique<Service>(
      store_.get(), &keys_, &metrics_,
      ServiceOptions{.rate_limit = 0, .writable_store = store_.get(), .on_store_changed = [&] { ++changed; }});
  cookie = SignIn();
  EXPECT_EQ(Send("POST", "/v2/allowlist/d.example").status, 403);              // no key, no session
  EXPECT_EQ(Send("POST", "/v2/allowlist/d.example", "", cookie).status, 403);  // no Origin
  EXPECT_EQ(Send("POST", "/v2/allowlist/d.example", "", cookie, "http://evil.example").status, 403);
  EXPECT_EQ(Send("DELETE", "/v2/allowlist/d.example", "", cookie, "http://evil.example").status, 403);
  r = Send("PUT", "/v2/allowlist/d.example", "", cookie, kOrigin);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "GET, POST, DELETE");
  for (const std::string& bad : std::vector<std::string>{std::string(64, 'a') + ".x", "com", "co.uk", "%2A.example",
                                                         "a..example", std::string(300, 'a') + ".example"}) {
    r = Send("POST", "/v2/allowlist/" + bad, "", cookie, kOrigin);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  const std::string target = "/v2/allowlist/d.example?";
  for (std::string bad :
       {"reason=" + std::string(501, 'x'), std::string("reason=two%0Alines"), std::string("reason=%00"),
        std::string("why=x"), std::string("alert=d.example"), std::string("alert=d.example@-1"),
        std::string("alert=d.example@5000000x"), std::string("alert=other.example@5000000")}) {
    r = Send("POST", target + bad, "", cookie, kOrigin);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  r = Send("POST", target + "alert=d.example@1", "", cookie, kOrigin);
  EXPECT_EQ(r.status, 404) << r.body;  // no such alert is kept
  EXPECT_EQ(changed, 0);
  std::vector<nsdb::AllowlistEvent> trail;
  ASSERT_TRUE(store_->AllowlistHistory("", &trail).ok());
  EXPECT_TRUE(trail.empty());

  r = Send("POST", "/v2/allowlist/D.Example.?reason=ticket%2042%3A%20a%20backup%20tool&alert=d.example@5000000", "",
           cookie, kOrigin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(changed, 1);
  KeyDigest d = DigestKey(kKey);
  const std::string who = fmt::format("key:{:02x}{:02x}{:02x}{:02x}", d[0], d[1], d[2], d[3]);
  EXPECT_NE(r.body.find(R"("changed":true)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("by":")" + who + '"'), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("reason":"ticket 42: a backup tool")"), std::string::npos) << r.body;
  const std::string first = r.body.substr(r.body.find(R"("event")"));
  r = Send("POST", "/v2/allowlist/d.example?reason=again", "", cookie, kOrigin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(changed, 1);  // marking twice is one mark: the answer is the first
  EXPECT_NE(r.body.find(R"("changed":false)"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.substr(r.body.find(R"("event")")), first);
  r = Send("GET", "/v2/allowlist", "", cookie);
  EXPECT_NE(r.body.find(R"({"allowlist":[{"domain":"d.example","listed":true,)"), std::string::npos) << r.body;

  // A script removes it with the key itself (no Origin needed); the trail keeps both.
  r = Send("DELETE", "/v2/allowlist/d.example?reason=the%20tool%20was%20retired&apiKey=" + std::string(kKey));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(changed, 2);
  EXPECT_EQ(Send("DELETE", "/v2/allowlist/d.example?apiKey=" + std::string(kKey)).status, 200);
  EXPECT_EQ(changed, 2);
  EXPECT_EQ(Send("GET", "/v2/allowlist", "", cookie).body, R"({"allowlist":[]})");
  ASSERT_TRUE(store_->AllowlistHistory("d.example", &trail).ok());
  ASSERT_EQ(trail.size(), 2u);
  EXPECT_TRUE(trail[0].listed);
  EXPECT_EQ(trail[0].alert, "d.example@5000000");
  EXPECT_FALSE(trail[1].listed);
  EXPECT_EQ(trail[1].by, who);
  EXPECT_EQ(trail[1].reason, "the tool was retired");
  EXPECT_GT(trail[1].time_us, trail[0].time_us);
  r = Send("GET", "/v2/allowlist/d.example", "", cookie);
  EXPECT_NE(r.body.find(R"({"domain":"d.example","listed":false,"history":[{)"), std::string::npos) << r.body;
}

// The intel page's sources and the RPZ's triggers, which follow the
// allowlist at once.
TEST_F(UiServiceTest, IntelSourcesAndRpzTriggersFollowTheStore) {
  ASSERT_TRUE(store_->PutAlert({"d.example", 5'000'000, "tunneling", "{}"}).ok());
  ASSERT_TRUE(store_
                  ->PutIndicators({{nsdb::IndicatorKind::kDomain, "bad.example", "c2", "feed.csv", 100},
                                   {nsdb::IndicatorKind::kDomain, "worse.example", "phishing", "feed.csv", 300},
                                   {nsdb::IndicatorKind::kNameServer, "ns1.bad.example", "c2", "feed.csv", 200},
                                   {nsdb::IndicatorKind::kDomain, "x.example", "blocked", "analyst key:1", 50}})
                  .ok());
  const std::string rpz_file = dir_.file("nsradar.rpz");
  ServiceOptions o{.rate_limit = 0, .writable_store = store_.get()};
  o.rpz_path = rpz_file;
  o.rpz.origin = "rpz.test";
  service_ = std::make_unique<Service>(store_.get(), &keys_, &metrics_, o);
  std::string cookie = SignIn();
  Response r = Send("GET", "/v2/intel/sources", "", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"sources":[{"source":"analyst key:1","domains":1,"name_servers":0,"addresses":0,"last_added":50,)"
            R"("categories":{"blocked":1}},{"source":"feed.csv","domains":2,"name_servers":1,"addresses":0,)"
            R"("last_added":300,"categories":{"c2":2,"phishing":1}}]})");
  r = Send("GET", "/v2/rpz", "", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("file":null,"serial":null)"), std::string::npos) << r.body;  // not written yet
  EXPECT_NE(r.body.find(R"("qname":["bad.example","d.example","worse.example","x.example"])"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("nsdname":["ns1.bad.example"])"), std::string::npos) << r.body;
  intel::RpzStats stats;
  ASSERT_TRUE(intel::ExportRpz(*store_, o.rpz, rpz_file, &stats).ok());
  ASSERT_EQ(Send("POST", "/v2/allowlist/d.example", "", cookie, kOrigin).status, 200);
  r = Send("GET", "/v2/rpz?limit=2", "", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(fmt::format(R"("file":"nsradar.rpz","serial":{},)", stats.serial)), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("qname":["bad.example","worse.example"])"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("counts":{"qname":3,"nsdname":1,"nsip":0,"allowlisted":1})"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("truncated":true)"), std::string::npos) << r.body;
  EXPECT_EQ(Send("GET", "/v2/rpz?limit=x", "", cookie).status, 400);
  EXPECT_EQ(Send("GET", "/v2/rpz?limit=10001", "", cookie).status, 400);
  EXPECT_EQ(Send("GET", "/v2/intel/sources?x=1", "", cookie).status, 400);
}

TEST_F(UiServiceTest, SignInRefusesBadKeysAndForeignOrigins) {
  EXPECT_EQ(Send("POST", "/ui/session", "at_0000000000000000000000000000x", "", kOrigin).status, 403);
  EXPECT_EQ(Send("POST", "/ui/session", std::string(1 << 16, 'a'), "", kOrigin).status, 403);
  EXPECT_EQ(Send("POST", "/ui/session", kKey, "", "http://evil.example").status, 403);
  EXPECT_EQ(Send("POST", "/ui/session", kKey, "", "").status, 403);
  EXPECT_EQ(Send("POST", "/ui/session", kKey, "", "https://127.0.0.1:8080").status, 403);  // not TLS here
  EXPECT_EQ(Send("POST", "/ui/session", std::string(kKey) + "\r\n", "", kOrigin).status, 204);
  EXPECT_EQ(Send("PUT", "/ui/session", kKey, "", kOrigin).status, 405);
  // A forged or unknown cookie is no key.
  EXPECT_EQ(Send("GET", "/v2/stats", "", "nsradar_session=" + std::string(64, 'a')).status, 403);
  EXPECT_EQ(Send("GET", "/v2/stats", "", "nsradar_session=" + std::string(kKey)).status, 403);
}

TEST_F(UiServiceTest, ASessionEndsWhenItsKeyIsRemoved) {
  std::string cookie = SignIn();
  EXPECT_EQ(Send("GET", "/v2/stats", "", cookie).status, 200);
  WriteKeys("at_zzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
  EXPECT_EQ(Send("GET", "/v2/stats", "", cookie).status, 403);
  EXPECT_EQ(Send("GET", "/ui/session", "", cookie).status, 401);
}

TEST_F(UiServiceTest, FilesAreServedWithSecurityHeadersAndValidators) {
  ASSERT_FALSE(UiAssets().empty());
  Response r = Send("GET", "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  std::string csp = Header(r, "Content-Security-Policy");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
  std::string etag = Header(r, "ETag");
  ASSERT_FALSE(etag.empty());
  Request again;
  again.method = "GET";
  again.path = "/";
  again.if_none_match = etag;
  EXPECT_EQ(service_->Handle(again, "").status, 304);
  again.if_none_match = "";
  again.accept_encoding = "br, gzip";
  Response gz = service_->Handle(again, "");
  EXPECT_EQ(Header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(gz.body.substr(0, 2), "\x1f\x8b");
  again.accept_encoding = "gzip;q=0";
  EXPECT_EQ(service_->Handle(again, "").body, r.body);
  EXPECT_EQ(Send("GET", "/ui/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Send("GET", "/ui/nothing.js").status, 404);
  EXPECT_EQ(Send("POST", "/ui/app.js", "", "", kOrigin).status, 405);
}

}  // namespace
}  // namespace nsradar::api
