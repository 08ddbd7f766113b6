// The API over real HTTP on 127.0.0.1: walks, formats, keys, rate limits,
// cursors during ingests, the COF export, concurrency and hostile clients.
#include "api/http_server.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>
#include <thread>

#include "api/http_test_client.h"
#include "nsdb/store_test_util.h"

namespace nsradar::api {
namespace {

using nsdb::testing::SnapshotFromText;
using nsdb::testing::TempDir;
using testing::HttpClient;
using testing::HttpResult;
using tcp = boost::asio::ip::tcp;

constexpr char kKey[] = "at_abcdefghijklmnopqrstuvwxyz012";
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

// A store and a server over it on an ephemeral port, running on its own
// thread until the test ends.
class ServerFixture {
 public:
  explicit ServerFixture(ServerOptions so = {}, double rate = 0) {
    nsdb::StoreOptions o;
    EXPECT_TRUE(nsdb::Store::Open(dir_.file("store"), o, &store_).ok());
    {
      std::ofstream f(dir_.file("keys"));
      f << kKey << "\n";
    }
    EXPECT_TRUE(keys_.Load(dir_.file("keys")).ok());
    service_ = std::make_unique<Service>(store_.get(), &keys_, &metrics_, ServiceOptions{.rate_limit = rate});
    so.listen = "127.0.0.1:0";
    so.threads = 2;
    server_ = std::make_unique<HttpServer>(service_.get(), &metrics_, so);
    Status s = server_->Listen();
    EXPECT_TRUE(s.ok()) << s.ToString();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~ServerFixture() { StopAndJoin(); }

  void StopAndJoin() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }

  void Ingest(const std::string& text, int64_t t) {
    nsdb::IngestResult r;
    Status s = store_->IngestSnapshot(SnapshotFromText(text), t, "test", &r);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  uint16_t port() const { return server_->port(); }
  nsdb::Store& store() { return *store_; }
  Metrics& metrics() { return metrics_; }

 private:
  TempDir dir_;
  std::unique_ptr<nsdb::Store> store_;
  ApiKeys keys_;
  Metrics metrics_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

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
  boost::asio::write(s, boost::asio::buffer(bytes));
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
      slow_answers[i] = RawSession(f.port(), "GET /api/v1?ns=a HTTP/1.1\r\nX-A: 1\r\n", std::chrono::seconds(3));
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

  std::string huge_header = "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_TRUE(RawExchange(f.port(), huge_header, std::chrono::seconds(2)).starts_with("HTTP/1.1 431"));
  std::string long_target = "GET /api/v1?ns=" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n";
  EXPECT_TRUE(RawExchange(f.port(), long_target, std::chrono::seconds(2)).starts_with("HTTP/1.1 414"));
  std::string big_body = "POST /v2/bulk/domains HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n";
  EXPECT_TRUE(RawExchange(f.port(), big_body, std::chrono::seconds(2)).starts_with("HTTP/1.1 413"));
  EXPECT_TRUE(RawExchange(f.port(), "NONSENSE\r\n\r\n", std::chrono::seconds(2)).starts_with("HTTP/1.1 400"));
  std::string control = "GET /api/v1?ns=a%00b&apiKey=" + std::string(kKey) + " HTTP/1.1\r\n\r\n";
  std::string answer = RawExchange(f.port(), control, std::chrono::seconds(1));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 422")) << answer;
  EXPECT_NE(answer.find("byte 0x00"), std::string::npos);
  EXPECT_EQ(client.Get("/healthz").status, 200);
}

TEST(HttpServer, SaturatedServerAnswers503) {
  ServerOptions so;
  so.max_connections = 4;
  ServerFixture f(so);
  boost::asio::io_context ioc;
  std::vector<tcp::socket> held;
  for (int i = 0; i < 4; ++i) {
    held.emplace_back(ioc);
    held.back().connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), f.port()));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string answer = RawExchange(f.port(), "GET /healthz HTTP/1.1\r\n\r\n", std::chrono::seconds(2));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503")) << answer;
  held.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  HttpClient client(f.port());
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

}  // namespace
}  // namespace nsradar::api
