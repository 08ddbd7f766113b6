// The API over real HTTP on 127.0.0.1: walks, formats, keys, rate limits,
// cursors during ingests, the COF export, concurrency and hostile clients.
#include "api/http_server.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "api/http_test_client.h"
#include "api/internal/access_log.h"
#include "api/server_fixture.h"
#include "nsdb/store_test_util.h"

namespace nsradar::api {
namespace {

using nsdb::testing::SnapshotFromText;
using nsdb::testing::TempDir;
using testing::HttpClient;
using testing::HttpResult;
using testing::ServerFixture;
using tcp = boost::asio::ip::tcp;

constexpr const char* kKey = testing::kFixtureKey;
constexpr int64_t kT1 = 1700000000, kT2 = 1700086400;

std::string Zone(int from, int to, const std::string& ns = "ns1.shared.net") {
  std::string text = "com.\t60\tIN\tSOA\tns.com. h.com. 1 1 1 1 1\n";
  char name[32];
  for (int i = from; i < to; ++i) {
    std::snprintf(name, sizeof name, "d%05d.com.", i);
    text += std::string(name) + "\t60\tIN\tNS\t" + ns + ".\n";
    text += std::string(name) + "\t60\tIN\tNS\tns2.other.org.\n";
  }
  return text;
}

std::string DomainName(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "d%05d.com", i);
  return name;
}

// Sorts right after DomainName(i): "d00001.com" < "d00001x.com" < "d00002.com".
std::string OddName(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "d%05dx.com", i);
  return name;
}

std::string V1(const std::string& ns, const std::string& extra = "") {
  return std::string("/api/v1?apiKey=") + kKey + "&ns=" + ns + extra;
}

TEST(HttpServer, V1WalkVisitsEveryDomainOnceInOrderWithItsTimes) {
  ServerFixture f;
  f.Ingest(Zone(0, 1234), kT1);
  f.Ingest(Zone(0, 1000) + Zone(1234, 1300).substr(Zone(0, 0).size()), kT2);
  HttpClient client(f.port());
  std::vector<std::string> names;
  std::string from;
  int pages = 0;
  for (;;) {
    HttpResult r = client.Get(V1("ns1.shared.net", from.empty() ? "" : "&from=" + from));
    ASSERT_EQ(r.status, 200) << r.error << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_TRUE(r.keep_alive);
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(r.body);
    EXPECT_EQ(std::string_view(doc["current_page"]), from.empty() ? "0" : from);
    int64_t size = doc["size"];
    simdjson::dom::array rows = doc["result"];
    EXPECT_EQ(static_cast<int64_t>(rows.size()), size);
    for (auto row : rows) {
      std::string name{std::string_view(row["name"])};
      int i = std::stoi(name.substr(1, 5));
      int64_t first = row["first_seen"], last = row["last_visit"];
      EXPECT_EQ(first, i < 1234 ? kT1 : kT2) << name;
      EXPECT_EQ(last, (i < 1000 || i >= 1234) ? kT2 : kT1) << name;
      names.push_back(name);
    }
    ++pages;
    if (size < 300) break;
    from = names.back();
  }
  EXPECT_EQ(pages, 5);  // 1300 rows: 4 full pages and 100
  ASSERT_EQ(names.size(), 1300u);
  for (int i = 0; i < 1300; ++i) ASSERT_EQ(names[i], DomainName(i));

  HttpResult xml = client.Get(V1("ns1.shared.net", "&outputFormat=XML&from=" + DomainName(1298)));
  EXPECT_EQ(xml.status, 200);
  EXPECT_EQ(xml.content_type, "application/xml");
  EXPECT_TRUE(xml.body.starts_with("<?xml"));
  EXPECT_NE(xml.body.find("<item><name>d01299.com</name><first_seen>" + std::to_string(kT2) + "</first_seen>"),
            std::string::npos)
      << xml.body;
  EXPECT_NE(xml.body.find("<size>1</size>"), std::string::npos);
}

TEST(HttpServer, KeysParametersAndRateLimit) {
  ServerFixture f({}, /*rate=*/5);
  f.Ingest(Zone(0, 10), kT1);
  HttpClient client(f.port());
  HttpResult r = client.Get("/api/v1?apiKey=at_0000000000000000000000000000000&ns=ns1.shared.net");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            R"({"code":403,"messages":"Access restricted. Check credits balance or enter the correct API key."})");
  r = client.Get(V1("ns1..shared.net"));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("\"messages\":\"ns: "), std::string::npos);
  EXPECT_EQ(client.Get("/api/v1?apiKey=x&ns=%G1").status, 400);
  // Three requests spent above (the malformed target never reached a key):
  // the bucket of 5 holds 3 more, then 429.
  int ok = 0, limited = 0;
  for (int i = 0; i < 8; ++i) {
    r = client.Get(V1("ns1.shared.net"));
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      EXPECT_NE(r.body.find("\"code\":429"), std::string::npos);
    }
  }
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 4);  // a token may refill during the loop
  EXPECT_EQ(ok + limited, 8);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(client.Get(V1("ns1.shared.net")).status, 200);
}

TEST(HttpServer, V2CursorsStayValidWhileAnIngestAddsDomains) {
  ServerFixture f;
  f.Ingest(Zone(0, 2000), kT1);
  HttpClient client(f.port());
  std::string cursor;
  std::vector<std::string> names;
  int page = 0;
  for (;;) {
    std::string target = "/v2/ns/ns1.shared.net/domains?limit=150";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    HttpResult r = client.Get(target, {{"X-API-Key", kKey}});
    ASSERT_EQ(r.status, 200) << r.body;
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(r.body);
    for (auto row : simdjson::dom::array(doc["domains"])) names.emplace_back(std::string_view(row["name"]));
    if (++page == 3) {
      // Mid-walk, a new snapshot adds every odd name between the existing
      // ones (d00000.com < d00000x.com < d00001.com), before and after the
      // cursor, and drops nothing.
      std::string text = Zone(0, 2000);
      for (int i = 1; i < 2000; i += 2) text += OddName(i) + ".\t60\tIN\tNS\tns1.shared.net.\n";
      f.Ingest(text, kT2);
    }
    if (doc["next_cursor"].is_null()) break;
    cursor = std::string(std::string_view(doc["next_cursor"]));
  }
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size()) << "a row was repeated";
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (int i = 0; i < 2000; ++i) EXPECT_TRUE(unique.contains(DomainName(i))) << DomainName(i) << " skipped";
  // Rows added behind the cursor are not seen; those ahead of it are.
  EXPECT_FALSE(unique.contains(OddName(1)));
  EXPECT_TRUE(unique.contains(OddName(1999)));
}

TEST(HttpServer, CofExportRoundTrips) {
  ServerFixture f;
  f.Ingest(Zone(0, 3000), kT1);
  f.Ingest(Zone(500, 3100), kT2);
  HttpClient client(f.port());
  for (std::string ns : {"", "ns2.other.org"}) {
    HttpResult r = client.Get(std::string("/v2/export/cof?apiKey=") + kKey + (ns.empty() ? "" : "&ns=" + ns));
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.content_type, "application/x-ndjson");
    std::set<std::tuple<std::string, std::string, int64_t, int64_t>> exported, stored;
    simdjson::dom::parser p;
    size_t lines = 0;
    for (size_t pos = 0; pos < r.body.size();) {
      size_t nl = r.body.find('\n', pos);
      ASSERT_NE(nl, std::string::npos) << "last line not terminated";
      simdjson::dom::element rec = p.parse(r.body.substr(pos, nl - pos));
      EXPECT_EQ(std::string_view(rec["rrtype"]), "NS");
      EXPECT_EQ(int64_t(rec["zone_time_first"]), int64_t(rec["time_first"]));
      exported.emplace(std::string_view(rec["rdata"]), std::string_view(rec["rrname"]), int64_t(rec["time_first"]),
                       int64_t(rec["time_last"]));
      ++lines;
      pos = nl + 1;
    }
    EXPECT_EQ(lines, exported.size());
    nsdb::EdgeScan scan;
    scan.ns = ns;
    scan.limit = 1000000;
    std::vector<nsdb::EdgeRow> rows;
    ASSERT_TRUE(f.store().ScanEdges(scan, &rows).ok());
    for (const auto& e : rows) stored.emplace(e.ns, e.domain, e.first_seen, e.last_seen);
    EXPECT_EQ(exported, stored);
    EXPECT_EQ(stored.size(), ns.empty() ? 6200u : 3100u);
    if (ns.empty()) {
      EXPECT_TRUE(stored.contains({"ns1.shared.net", DomainName(0), kT1, kT1}));
    }
    EXPECT_TRUE(stored.contains({"ns2.other.org", DomainName(3050), kT2, kT2}));
  }
}

TEST(HttpServer, ManyConcurrentKeepAliveClients) {
  ServerFixture f;
  f.Ingest(Zone(0, 600), kT1);
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 24; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(f.port());
      for (int i = 0; i < 100; ++i) {
        std::string from = DomainName((c * 37 + i * 11) % 600);
        HttpResult r = client.Get(V1("ns1.shared.net", "&from=" + from));
        simdjson::dom::parser p;
        simdjson::dom::element doc;
        int64_t size = -1;
        if (r.status == 200 && !p.parse(r.body).get(doc) && !doc["size"].get(size)) {
          int expected = std::min(300, 599 - std::stoi(from.substr(1, 5)));
          (size == expected ? good : bad)++;
        } else {
          bad++;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), 2400);
  EXPECT_EQ(bad.load(), 0);
}

struct RawResult {
  std::string data;
  bool closed = false;  // by the server, before `wait` passed
  std::chrono::milliseconds elapsed{0};
};

// Sends raw bytes and reads until the server closes or `wait` passes.
RawResult RawSession(uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
  boost::asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  // The server may answer and close before taking every byte (a refusal).
  boost::system::error_code write_error;
  boost::asio::write(s, boost::asio::buffer(bytes), write_error);
  RawResult out;
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + wait;
  s.non_blocking(true);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    size_t n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec == boost::asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (ec) {
      out.closed = true;
      break;
    }
    out.data.append(buf, n);
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return out;
}

std::string RawExchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
  return RawSession(port, bytes, wait).data;
}

TEST(HttpServer, SlowAndHostileClientsAreCutWithoutHurtingOthers) {
  ServerOptions so;
  so.request_timeout = std::chrono::milliseconds(400);
  so.idle_timeout = std::chrono::milliseconds(1500);
  ServerFixture f(so);
  f.Ingest(Zone(0, 10), kT1);
  // Slowloris: a dozen connections trickling headers that never end.
  std::vector<std::thread> slow;
  std::vector<RawResult> slow_answers(12);
  for (int i = 0; i < 12; ++i) {
    slow.emplace_back([&, i] {
      slow_answers[i] =
          RawSession(f.port(), "GET /api/v1?ns=a HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n", std::chrono::seconds(3));
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  HttpClient client(f.port());
  EXPECT_EQ(client.Get(V1("ns1.shared.net")).status, 200);  // served meanwhile
  for (auto& t : slow) t.join();
  // Cut at the request deadline (400 ms), not left to the 3 s wait.
  for (const auto& a : slow_answers) {
    EXPECT_TRUE(a.closed);
    EXPECT_EQ(a.data, "");
    EXPECT_LT(a.elapsed, std::chrono::milliseconds(1500));
  }

  std::string huge_header = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_TRUE(RawExchange(f.port(), huge_header, std::chrono::seconds(2)).starts_with("HTTP/1.1 431"));
  std::string long_target = "GET /api/v1?ns=" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_TRUE(RawExchange(f.port(), long_target, std::chrono::seconds(2)).starts_with("HTTP/1.1 414"));
  std::string big_body = "POST /v2/bulk/domains HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n";
  EXPECT_TRUE(RawExchange(f.port(), big_body, std::chrono::seconds(2)).starts_with("HTTP/1.1 413"));
  EXPECT_TRUE(RawExchange(f.port(), "NONSENSE\r\n\r\n", std::chrono::seconds(2)).starts_with("HTTP/1.1 400"));
  std::string control = "GET /api/v1?ns=a%00b&apiKey=" + std::string(kKey) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  std::string answer = RawExchange(f.port(), control, std::chrono::seconds(1));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 422")) << answer;
  EXPECT_NE(answer.find("byte 0x00"), std::string::npos);
  EXPECT_EQ(client.Get("/healthz").status, 200);
}

TEST(HttpServer, StopClosesIdleConnectionsAtOnce) {
  ServerFixture f;
  HttpClient client(f.port());
  EXPECT_EQ(client.Get("/healthz").status, 200);  // now an idle keep-alive connection
  auto start = std::chrono::steady_clock::now();
  f.StopAndJoin();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(client.Get("/healthz").status, 0);
}

// The count of one reason in nsradar_http_rejected_total.
uint64_t Rejected(const Metrics& m, const std::string& reason) {
  std::string text;
  m.Render(&text);
  std::string prefix = "nsradar_http_rejected_total{reason=\"" + reason + "\"} ";
  size_t at = text.find(prefix);
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + prefix.size()));
}

// Finding 1 of the review: a 64 KiB trailer field aborted the process.
TEST(HttpServer, HugeTrailerIsRefusedAndTheServerStaysUp) {
  ServerFixture f;
  std::string attack =
      "GET /healthz HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + std::string(65536, 'a') +
      "\r\n\r\n";
  RawResult r = RawSession(f.port(), attack, std::chrono::seconds(3));
  EXPECT_TRUE(r.data.starts_with("HTTP/1.1 431")) << r.data.substr(0, 200);
  EXPECT_TRUE(r.closed);
  HttpClient client(f.port());
  EXPECT_EQ(client.Get("/healthz").status, 200);
}

// Sends `head`, then up to `total` more bytes of `filler` as fast as the
// server takes them; returns what the server answered and how much it took.
struct FloodResult {
  std::string answer;
  uint64_t sent = 0;
};
FloodResult Flood(uint16_t port, const std::string& head, char filler, uint64_t total) {
  boost::asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  FloodResult out;
  boost::system::error_code ec;
  boost::asio::write(s, boost::asio::buffer(head), ec);
  std::string block(64 << 10, filler);
  while (!ec && out.sent < total) out.sent += boost::asio::write(s, boost::asio::buffer(block), ec);
  s.shutdown(tcp::socket::shutdown_send, ec);
  char buf[4096];
  for (;;) {
    size_t n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec) break;
    out.answer.append(buf, n);
  }
  return out;
}

// Finding 2: trailers and chunk extensions counted against no limit.
TEST(HttpServer, TrailersAndChunkExtensionsAreBounded) {
  ServerFixture f;
  const std::string chunked = "POST /v2/bulk/domains HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  // One endless trailer field, one endless extension: the server stops
  // reading long before 64 MB and says why.
  FloodResult trailer = Flood(f.port(), chunked + "0\r\nX-T: ", 'a', 64 << 20);
  EXPECT_TRUE(trailer.answer.starts_with("HTTP/1.1 431")) << trailer.answer.substr(0, 200);
  EXPECT_LT(trailer.sent, 32u << 20);
  FloodResult extension = Flood(f.port(), chunked + "1;x=", 'a', 64 << 20);
  EXPECT_TRUE(extension.answer.starts_with("HTTP/1.1 431")) << extension.answer.substr(0, 200);
  EXPECT_LT(extension.sent, 32u << 20);
  // Many chunks, each with a small extension, add up against the limit.
  std::string many = chunked;
  for (int i = 0; i < 2000; ++i) many += "1;ext=" + std::string(10, 'e') + "\r\nx\r\n";
  many += "0\r\n\r\n";
  std::string answer = RawExchange(f.port(), many, std::chrono::seconds(3));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("Chunk extensions exceed"), std::string::npos);
  // Within the limits, trailers and extensions are fine.
  std::string fine = chunked + "7;a=b\r\n[\"d.a\"]\r\n0\r\nX-T: 1\r\n\r\n";
  answer = RawExchange(f.port(), fine, std::chrono::seconds(2));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 403")) << answer.substr(0, 200);  // framed right; no key
}

// Finding 3: ambiguous framing must never let body bytes be read as a
// second request (smuggling behind a proxy).
TEST(HttpServer, AmbiguousFramingIsRefusedAndNothingIsSmuggled) {
  ServerFixture f;
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
  struct Case {
    std::string headers;
    const char* status;
  };
  const Case cases[] = {
      {"Transfer-Encoding: xchunked\r\n", "501"},
      {"Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "501"},
      {"Transfer-Encoding: chunked, identity\r\n", "501"},
      {"Transfer-Encoding: gzip, chunked\r\n", "501"},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "400"},
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "400"},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "400"},
      {"Expect: 200-ok\r\nContent-Length: 5\r\n", "417"},
  };
  for (const Case& c : cases) {
    std::string request = "POST /v2/bulk/domains HTTP/1.1\r\nHost: a\r\n" + c.headers + "\r\n0\r\n\r\n" + smuggled;
    RawResult r = RawSession(f.port(), request, std::chrono::seconds(2));
    EXPECT_TRUE(r.data.starts_with(std::string("HTTP/1.1 ") + c.status)) << c.headers << r.data;
    EXPECT_TRUE(r.closed) << c.headers;
    size_t answers = 0;
    for (size_t at = r.data.find("HTTP/1.1 "); at != std::string::npos; at = r.data.find("HTTP/1.1 ", at + 1))
      ++answers;
    EXPECT_EQ(answers, 1u) << c.headers << r.data;
  }
  std::string http10 = "POST /v2/bulk/domains HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  EXPECT_TRUE(RawExchange(f.port(), http10, std::chrono::seconds(2)).starts_with("HTTP/1.1 400"));
  for (const std::string& hosts : {std::string(""), std::string("Host: a\r\nHost: b\r\n"), std::string("Host: a/b\r\n"),
                                   std::string("Host: a@b\r\n")}) {
    std::string answer = RawExchange(f.port(), "GET /healthz HTTP/1.1\r\n" + hosts + "\r\n", std::chrono::seconds(2));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << hosts << answer;
  }
  // HTTP/1.0 may leave Host out; IPv6 literals and ports are valid hosts.
  EXPECT_TRUE(
      RawExchange(f.port(), "GET /healthz HTTP/1.0\r\n\r\n", std::chrono::seconds(2)).starts_with("HTTP/1.0 200"));
  std::string v6 = RawExchange(f.port(), "GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n",
                               std::chrono::seconds(2));
  EXPECT_TRUE(v6.starts_with("HTTP/1.1 200")) << v6;
}

TEST(HttpServer, ExpectContinueIsAnsweredBeforeTheBody) {
  ServerFixture f;
  f.Ingest(Zone(0, 3), kT1);
  boost::asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), f.port()));
  const std::string body = "[\"d00001.com\"]";
  std::string head =
      "POST /v2/bulk/domains HTTP/1.1\r\nHost: a\r\nX-API-Key: " + std::string(kKey) +
      "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(head));
  std::string got(25, '\0');
  auto start = std::chrono::steady_clock::now();
  boost::asio::read(s, boost::asio::buffer(got));
  EXPECT_EQ(got, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  boost::asio::write(s, boost::asio::buffer(body));
  boost::asio::streambuf answer;
  boost::system::error_code ec;
  boost::asio::read_until(s, answer, "d00001.com", ec);
  std::string text(boost::asio::buffers_begin(answer.data()), boost::asio::buffers_end(answer.data()));
  EXPECT_TRUE(text.starts_with("HTTP/1.1 200")) << text;
}

// Finding 5: silent clients held every slot for the idle timeout.
TEST(HttpServer, SilentClientsAreShedForNewOnes) {
  ServerOptions so;
  so.max_connections = 4;
  so.first_byte_timeout = std::chrono::seconds(20);  // shedding, not the timeout, must make room
  ServerFixture f(so);
  boost::asio::io_context ioc;
  std::vector<tcp::socket> held;
  for (int i = 0; i < 4; ++i) {
    held.emplace_back(ioc);
    held.back().connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), f.port()));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Each newcomer stays open, idle, so each needs a slot of its own.
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<HttpClient>(f.port()));
    auto start = std::chrono::steady_clock::now();
    HttpResult r = clients.back()->Get("/healthz");
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  }
  EXPECT_EQ(Rejected(f.metrics(), "shed_idle"), 8u);
  // The silent connections, the oldest, were the first to go.
  for (auto& s : held) {
    s.non_blocking(false);
    char c;
    boost::system::error_code ec;
    s.read_some(boost::asio::buffer(&c, 1), ec);
    EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  }
}

TEST(HttpServer, FirstByteTimeoutIsShorterThanTheIdleTimeout) {
  ServerOptions so;
  so.first_byte_timeout = std::chrono::milliseconds(300);
  so.idle_timeout = std::chrono::seconds(30);
  ServerFixture f(so);
  RawResult silent = RawSession(f.port(), "", std::chrono::seconds(3));
  EXPECT_TRUE(silent.closed);
  EXPECT_LT(silent.elapsed, std::chrono::milliseconds(1500));
  // A client that sent a request keeps its connection for the idle timeout.
  RawResult kept = RawSession(f.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", std::chrono::seconds(1));
  EXPECT_FALSE(kept.closed);
  EXPECT_TRUE(kept.data.starts_with("HTTP/1.1 200"));
}

// A header limit below the read chunk (the transport fuzzer runs its
// server at 2 KiB) still serves: every read threw before any byte arrived.
TEST(HttpServer, SmallHeaderLimitStillServes) {
  ServerOptions so;
  so.header_limit = 2048;
  ServerFixture f(so);
  RawResult r = RawSession(f.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", std::chrono::seconds(1));
  EXPECT_TRUE(r.data.starts_with("HTTP/1.1 200")) << r.data;
}

// When every connection is being answered, the newcomer gets 503.
TEST(HttpServer, BusyServerAnswers503) {
  ServerOptions so;
  so.max_connections = 2;
  so.request_timeout = std::chrono::seconds(3);
  ServerFixture f(so);
  f.Ingest(Zone(0, 60000), kT1);  // an export of ~15 MB: more than the socket buffers hold
  boost::asio::io_context ioc;
  std::vector<tcp::socket> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back(ioc);
    readers.back().connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), f.port()));
    std::string req = "GET /v2/export/cof HTTP/1.1\r\nHost: a\r\nX-API-Key: " + std::string(kKey) + "\r\n\r\n";
    boost::asio::write(readers.back(), boost::asio::buffer(req));  // and never read
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::string answer = RawExchange(f.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", std::chrono::seconds(2));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503")) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos);
  readers.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  HttpClient client(f.port());
  EXPECT_EQ(client.Get("/healthz").status, 200);
}

// Finding 4: out of descriptors, the accept loop spun at 100% of a core.
TEST(HttpServer, OutOfDescriptorsBacksOffAndAnswers503) {
  ServerFixture f;
  boost::asio::io_context ioc;
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 20; ++i) {
    clients.emplace_back(ioc);
    clients.back().open(tcp::v4());  // descriptors taken now, before the limit drops
  }
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  size_t open = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) open += e.is_symlink() ? 1 : 0;
  rlimit low = saved;
  low.rlim_cur = open - 1;  // all but the iterator's own: the server can accept nothing more
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  for (auto& c : clients) c.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), f.port()));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const uint64_t failures = Rejected(f.metrics(), "no_descriptors");
  // Answered from the spare descriptor, one per backoff step.
  size_t answered = 0;
  for (auto& c : clients) {
    c.non_blocking(true);
    char buf[512];
    boost::system::error_code ec;
    size_t n = c.read_some(boost::asio::buffer(buf), ec);
    if (!ec && std::string_view(buf, n).starts_with("HTTP/1.1 503")) ++answered;
  }
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_GE(failures, 1u);
  EXPECT_LT(failures, 50u);  // backing off, not millions of retries
  EXPECT_GE(answered, 1u);
  clients.clear();
  HttpClient client(f.port());
  EXPECT_EQ(client.Get("/healthz").status, 200);
}

TEST(HttpServer, KeysInHeadersAndAnAccessLogWithoutThem) {
  ServerOptions so;
  TempDir logs;
  so.access_log = logs.file("access.log");
  {
    ServerFixture f(so);
    f.Ingest(Zone(0, 3), kT1);
    HttpClient client(f.port());
    EXPECT_EQ(client.Get("/v2/stats", {{"Authorization", std::string("Bearer ") + kKey}}).status, 200);
    EXPECT_EQ(client.Get("/v2/stats", {{"X-API-Key", kKey}}).status, 200);
    EXPECT_EQ(client.Get("/v2/stats", {{"Authorization", "Bearer at_wrong"}}).status, 403);
    EXPECT_EQ(client.Get(V1("ns1.shared.net")).status, 200);
    EXPECT_NE(client.Get("/v2/stats?APIKEY=" + std::string(kKey) + "&x=1").status, 200);
  }
  std::string log = nsdb::testing::FileText(so.access_log);
  EXPECT_EQ(log.find(kKey), std::string::npos) << log;
  std::vector<std::string> lines;
  std::istringstream split(log);
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << log;
  simdjson::dom::parser p;
  simdjson::dom::element first = p.parse(lines[0]);
  EXPECT_EQ(std::string_view(first["method"]), "GET");
  EXPECT_EQ(std::string_view(first["path"]), "/v2/stats");
  EXPECT_EQ(int64_t(first["status"]), 200);
  EXPECT_GT(int64_t(first["bytes"]), 0);
  EXPECT_TRUE(std::string_view(first["client"]).starts_with("127.0.0.1:"));
  EXPECT_GE(double(first["ms"]), 0.0);
  EXPECT_FALSE(bool(first["tls"]));
  EXPECT_EQ(std::string_view(p.parse(lines[2])["path"]), "/v2/stats");
  EXPECT_EQ(int64_t(p.parse(lines[2])["status"]), 403);
  std::string v1_path(std::string_view(p.parse(lines[3])["path"]));
  EXPECT_EQ(v1_path, "/api/v1?apiKey=REDACTED&ns=ns1.shared.net");
  std::string upper(std::string_view(p.parse(lines[4])["path"]));
  EXPECT_EQ(upper, "/v2/stats?APIKEY=REDACTED&x=1");
}

TEST(AccessLog, RedactsKeyParametersOnly) {
  EXPECT_EQ(RedactTarget("/x"), "/x");
  EXPECT_EQ(RedactTarget("/x?"), "/x?");
  EXPECT_EQ(RedactTarget("/x?apiKey=s&ns=a&key=t&api_key=u&keys=v"),
            "/x?apiKey=REDACTED&ns=a&key=REDACTED&api_key=REDACTED&keys=v");
  EXPECT_EQ(RedactTarget("/x?a&&apikey"), "/x?a&&apikey");
}

// A self-signed certificate for 127.0.0.1 made by the openssl program.
void MakeCertificate(const TempDir& dir, const std::string& name, const std::string& cn) {
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=" + cn +
      " -addext subjectAltName=IP:127.0.0.1 -keyout " + dir.file(name + ".key") + " -out " + dir.file(name + ".pem") +
      " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

struct TlsAnswer {
  std::string error;  // of the handshake or exchange
  std::string peer_cn;
  int status = 0;
};

TlsAnswer TlsGet(uint16_t port, const std::string& ca_file, int max_version) {
  namespace ssl = boost::asio::ssl;
  namespace http = boost::beast::http;
  TlsAnswer out;
  boost::asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX_set_security_level(ctx.native_handle(), 0);  // able to offer old versions, to see them refused
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
  boost::system::error_code ec;
  ctx.load_verify_file(ca_file, ec);
  ctx.set_verify_mode(ssl::verify_peer);
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream(ioc, ctx);
  boost::beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  boost::beast::get_lowest_layer(stream).connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  if (!ec) stream.handshake(ssl::stream_base::client, ec);
  if (ec) {
    out.error = ec.message();
    return out;
  }
  if (X509* cert = SSL_get1_peer_certificate(stream.native_handle())) {
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    out.peer_cn = cn;
    X509_free(cert);
  }
  http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req, ec);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) out.error = ec.message();
  out.status = res.result_int();
  return out;
}

TEST(HttpServer, TlsWithReloadedCertificates) {
  TempDir certs;
  MakeCertificate(certs, "first", "first.test");
  MakeCertificate(certs, "second", "second.test");
  std::filesystem::copy_file(certs.file("first.pem"), certs.file("live.pem"));
  std::filesystem::copy_file(certs.file("first.key"), certs.file("live.key"));
  ServerOptions so;
  so.tls_cert = certs.file("live.pem");
  so.tls_key = certs.file("live.key");
  ServerFixture f(so);
  TlsAnswer a = TlsGet(f.port(), certs.file("first.pem"), TLS1_3_VERSION);
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.peer_cn, "first.test");
  EXPECT_EQ(TlsGet(f.port(), certs.file("first.pem"), TLS1_2_VERSION).status, 200);
  EXPECT_NE(TlsGet(f.port(), certs.file("first.pem"), TLS1_1_VERSION).error, "");
  // Plain HTTP on the TLS port gets no answer, and the server lives on.
  EXPECT_EQ(RawExchange(f.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", std::chrono::seconds(1)).find("200"),
            std::string::npos);

  std::filesystem::copy_file(certs.file("second.pem"), certs.file("live.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(certs.file("second.key"), certs.file("live.key"),
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(f.server().Reload().ok());
  EXPECT_EQ(TlsGet(f.port(), certs.file("second.pem"), TLS1_3_VERSION).peer_cn, "second.test");
  // A key that does not match keeps the certificate in force.
  std::filesystem::copy_file(certs.file("first.key"), certs.file("live.key"),
                             std::filesystem::copy_options::overwrite_existing);
  Status s = f.server().Reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("--tls-key " + certs.file("live.key")), std::string::npos) << s.ToString();
  TlsAnswer after = TlsGet(f.port(), certs.file("second.pem"), TLS1_3_VERSION);
  EXPECT_EQ(after.status, 200) << after.error;
  EXPECT_EQ(after.peer_cn, "second.test");
}

}  // namespace
}  // namespace nsradar::api
