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
