// GET /v2/ns/{ns}/domains/export: the CSV and JSON writers (RFC 4180
// fields, a store error mid-stream), then over real HTTP on 127.0.0.1: the
// export equals the paged list under several filters, bad parameters are
// answered before the first byte with the parameter named, keys and the UI's
// session cookie admit, and a large export is read in bounded memory.
#include "api/internal/domain_export.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "api/server_fixture.h"
#include "util/log.h"
#include "util/sanitizers.h"

namespace nsradar::api {
namespace {

namespace http = boost::beast::http;
constexpr const char* kKey = testing::kFixtureKey;

TEST(DomainExport, CsvFieldsFollowRfc4180) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"plain.example", "plain.example"},
      {"", ""},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"line\nbreak", "\"line\nbreak\""},
      {"cr\rhere", "\"cr\rhere\""},
      {"\"", "\"\"\"\""},
      {"=1+2", "=1+2"},  // no quoting needed: not one of RFC 4180's specials
  };
  for (const auto& [in, want] : cases) {
    std::string out;
    AppendCsvField(in, &out);
    EXPECT_EQ(out, want) << in;
  }
}

nsdb::DomainRow Row(std::string name, int64_t first, bool active) {
  return nsdb::DomainRow{std::move(name), first, first + 100, active, zone::DomainKind::kRegistered, "com", false};
}

// Drains a stream; the chunks it yielded.
std::vector<std::string> Drain(const std::function<bool(std::string*)>& stream) {
  std::vector<std::string> chunks;
  for (bool more = true; more;) {
    chunks.emplace_back();
    more = stream(&chunks.back());
  }
  return chunks;
}

// Pages of two rows after a first page, the third read failing.
DomainPageReader FailingOnThirdRead(int* reads) {
  return [reads](const nsdb::DomainQuery& q, nsdb::DomainPage* page) {
    if (++*reads == 3) return Status::IOError("/var/lib/nsradar/000042.sst: Input/output error");
    page->rows = {Row(q.after + "x", 10, true), Row(q.after + "y", 20, false)};
    page->more = true;
    return Status::OK();
  };
}

TEST(DomainExport, AStoreErrorMidStreamLeavesABodyNoReaderTakesForWhole) {
  nsdb::DomainQuery q;
  q.ns = "ns1.host.net";
  nsdb::DomainPage first;
  first.rows = {Row("a.com", 1, true), Row("b.com", 2, true)};
  first.more = true;
  nsdb::testing::TempDir dir;
  ASSERT_TRUE(SetLogFile(dir.file("log")).ok());
  int csv_reads = 0, json_reads = 0;
  auto csv_failed = std::make_shared<bool>(false), json_failed = std::make_shared<bool>(false);
  auto csv = Drain(DomainExportStream(ExportFormat::kCsv, q, first, FailingOnThirdRead(&csv_reads), csv_failed));
  auto json = Drain(DomainExportStream(ExportFormat::kJson, q, first, FailingOnThirdRead(&json_reads), json_failed));
  ASSERT_TRUE(SetLogFile("").ok());
  // The server is told, so that it also cuts the chunked transfer short.
  EXPECT_TRUE(*csv_failed);
  EXPECT_TRUE(*json_failed);
  EXPECT_EQ(csv_reads, 3);
  ASSERT_EQ(csv.size(), 3u);  // the first page, the two read pages, then the error
  std::string body;
  for (const auto& c : csv) body += c;
  const std::string want_rows =
      "name,kind,zone,first_seen,last_seen,active,observed\r\n"
      "a.com,registered,com,1,101,true,false\r\nb.com,registered,com,2,102,true,false\r\n"
      "b.comx,registered,com,10,110,true,false\r\nb.comy,registered,com,20,120,false,false\r\n"
      "b.comyx,registered,com,10,110,true,false\r\nb.comyy,registered,com,20,120,false,false\r\n";
  ASSERT_EQ(body.substr(0, want_rows.size()), want_rows);
  const std::string last = body.substr(want_rows.size());
  EXPECT_TRUE(last.starts_with("#error: internal error after 6 rows; the export is incomplete")) << last;
  EXPECT_TRUE(last.ends_with("\r\n")) << last;
  EXPECT_EQ(last.find("/var/lib"), std::string::npos) << last;  // the path goes to the log only
  const size_t id_at = last.find("under id ") + 9;
  const std::string id = last.substr(id_at, last.find(')', id_at) - id_at);
  EXPECT_EQ(id.size(), 8u) << last;
  const std::string log = nsdb::testing::FileText(dir.file("log"));
  EXPECT_NE(log.find("id=" + id), std::string::npos) << log;
  EXPECT_NE(log.find("000042.sst"), std::string::npos) << log;

  body.clear();
  for (const auto& c : json) body += c;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  EXPECT_NE(p.parse(body).get(doc), simdjson::SUCCESS) << body;  // unparseable on purpose
  EXPECT_TRUE(body.starts_with("{\"ns\":\"ns1.host.net\",\"domains\":[{\"name\":\"a.com\"")) << body;
  EXPECT_NE(body.find("{\"name\":\"b.comyy\""), std::string::npos) << body;
  EXPECT_TRUE(body.ends_with("}],\"error\":\"internal error; the export is incomplete\",\"error_id\":\"" +
                             body.substr(body.size() - 10, 8) + "\"\n"))
      << body;
}

TEST(DomainExport, AWholeJsonExportParsesWithItsCount) {
  nsdb::DomainQuery q;
  q.ns = "ns1.host.net";
  nsdb::DomainPage first;
  first.rows = {Row("a.com", 1, true)};
  first.more = false;
  auto failed = std::make_shared<bool>(false);
  auto chunks = Drain(DomainExportStream(
      ExportFormat::kJson, q, first,
      [](const auto&, auto*) {
        ADD_FAILURE() << "read after the last page";
        return Status::OK();
      },
      failed));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_FALSE(*failed);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(chunks[0]).get(doc), simdjson::SUCCESS) << chunks[0];
  EXPECT_EQ(std::string_view(doc["ns"]), "ns1.host.net");
  EXPECT_EQ(int64_t(doc["count"]), 1);
  EXPECT_EQ(std::string_view(doc["domains"].at(0)["name"]), "a.com");
  EXPECT_EQ(int64_t(doc["domains"].at(0)["last_seen"]), 101);
}

// One HTTP exchange read with Beast: the status, the headers, the decoded
// body handed to `piece` as it arrives (64 KB at a time), and whether the
// body ended properly (the last chunk came).
struct Exchange {
  int status = 0;
  http::response_header<> head;
  bool chunked = false;
  bool complete = false;
  std::string error;
};

Exchange Fetch(uint16_t port, http::verb verb, const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
               const std::function<void(std::string_view)>& piece) {
  Exchange out;
  boost::asio::io_context ioc;
  boost::beast::tcp_stream stream(ioc);
  boost::system::error_code ec;
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    out.error = "connect: " + ec.message();
    return out;
  }
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  stream.expires_after(std::chrono::seconds(60));
  http::write(stream, req, ec);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  if (!ec) http::read_header(stream, buffer, parser, ec);
  if (ec) {
    out.error = "header: " + ec.message();
    return out;
  }
  out.status = parser.get().result_int();
  out.head = parser.get().base();
  out.chunked = parser.chunked();
  std::vector<char> scratch(64 << 10);
  while (!parser.is_done()) {
    parser.get().body().data = scratch.data();
    parser.get().body().size = scratch.size();
    http::read(stream, buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    piece(std::string_view(scratch.data(), scratch.size() - parser.get().body().size));
    if (ec) {
      out.error = "body: " + ec.message();
      return out;
    }
  }
  out.complete = true;
  return out;
}

// The body of a GET with the key, whole.
std::string GetBody(uint16_t port, const std::string& target, Exchange* ex = nullptr) {
  std::string body;
  Exchange e = Fetch(port, http::verb::get, target, {{"X-API-Key", kKey}}, "", [&](std::string_view s) { body += s; });
  EXPECT_TRUE(e.complete) << target << ": " << e.error;
  EXPECT_EQ(e.status, 200) << target << ": " << body;
  if (ex) *ex = std::move(e);
  return body;
}

constexpr char kNs[] = "ns1.host.net";

// A zone whose domains on kNs differ in kind, age and presence: the first
// snapshot (time 1000) has d00000..d04999.com and sub.dNNNNN.com for every
// 17th; the second (time 2000) drops d00000..d00999 and adds n0000..n0499.
class DomainExportServer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string one = "com.\t60\tIN\tSOA\tns.com. h.com. 1 1 1 1 1\n", two = one;
    auto ns = [](std::string* text, const std::string& name) { *text += name + ".com.\t60\tIN\tNS\t" + kNs + ".\n"; };
    for (int i = 0; i < 5000; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "d%05d", i);
      ns(&one, name);
      if (i >= 1000) ns(&two, name);
      if (i % 17 == 0) {
        ns(&one, std::string("sub.") + name);
        ns(&two, std::string("sub.") + name);
      }
    }
    for (int i = 0; i < 500; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "n%04d", i);
      ns(&two, name);
    }
    fixture_.Ingest(one, 1000);
    fixture_.Ingest(two, 2000);
  }

  uint16_t port() const { return fixture_.port(); }

  testing::ServerFixture fixture_;
};

// The list's rows under `filters`, walked 777 at a time, each row as JSON.
std::vector<std::string> ListRows(uint16_t port, const std::string& filters) {
  std::vector<std::string> rows;
  std::string cursor;
  simdjson::dom::parser p;
  for (;;) {
    std::string target = std::string("/v2/ns/") + kNs + "/domains?limit=777" + filters;
    if (!cursor.empty()) target += "&cursor=" + cursor;
    std::string body = GetBody(port, target);
    simdjson::dom::element doc;
    EXPECT_EQ(p.parse(body).get(doc), simdjson::SUCCESS) << body;
    for (auto row : doc["domains"].get_array()) rows.push_back(simdjson::minify(row));
    std::string_view next;
    if (doc["next_cursor"].get(next) != simdjson::SUCCESS) return rows;
    cursor = next;
  }
}

// A list row as the export's CSV record, from the row's JSON.
std::string CsvRecord(const std::string& json) {
  simdjson::dom::parser p;
  simdjson::dom::element r = p.parse(json);
  return fmt::format("{},{},{},{},{},{},{}\r\n", std::string_view(r["name"]), std::string_view(r["kind"]),
                     std::string_view(r["zone"]), int64_t(r["first_seen"]), int64_t(r["last_seen"]), bool(r["active"]),
                     bool(r["observed"]));
}

TEST_F(DomainExportServer, EqualsThePagedListUnderEachFilter) {
  const std::string filters[] = {"",
                                 "&active=true",
                                 "&active=false",
                                 "&kind=subdomain",
                                 "&kind=registered&active=true",
                                 "&first_seen_after=1500",
                                 "&last_seen_before=1500&kind=registered",
                                 "&first_seen_before=1970-01-01T00:20:00Z&active=true",
                                 "&kind=suffix",
                                 "&suffix=com",
                                 "&suffix=d00017.com",
                                 "&suffix=SUB.D00017.COM.",
                                 "&suffix=d00017.com&kind=subdomain",
                                 "&suffix=00017.com",
                                 "&suffix=n0001.com&active=true",
                                 "&suffix=net"};
  size_t sizes = 0;
  for (const std::string& f : filters) {
    const std::vector<std::string> want = ListRows(port(), f);
    sizes += want.size();
    Exchange ex;
    const std::string csv = GetBody(port(), std::string("/v2/ns/") + kNs + "/domains/export?format=csv" + f, &ex);
    EXPECT_EQ(ex.head[http::field::content_type], "text/csv; charset=utf-8; header=present");
    EXPECT_EQ(ex.head[http::field::content_disposition], "attachment; filename=\"ns1.host.net-domains.csv\"");
    EXPECT_EQ(ex.head[http::field::cache_control], "no-store");
    EXPECT_TRUE(ex.chunked) << f;
    std::string want_csv = "name,kind,zone,first_seen,last_seen,active,observed\r\n";
    for (const auto& row : want) want_csv += CsvRecord(row);
    EXPECT_EQ(csv, want_csv) << f;

    const std::string json = GetBody(port(), std::string("/v2/ns/") + kNs + "/domains/export?format=json" + f, &ex);
    EXPECT_EQ(ex.head[http::field::content_disposition], "attachment; filename=\"ns1.host.net-domains.json\"");
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    ASSERT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << f;
    std::vector<std::string> got;
    for (auto row : doc["domains"].get_array()) got.push_back(simdjson::minify(row));
    EXPECT_EQ(got, want) << f;
    EXPECT_EQ(uint64_t(doc["count"]), want.size()) << f;
  }
  // The zone's own counts: 5,000 + 295 subdomains + 500 ever; the filters
  // cut it differently, and some cut it to nothing.
  EXPECT_EQ(ListRows(port(), "").size(), 5795u);
  EXPECT_EQ(ListRows(port(), "&active=true").size(), 4795u);
  EXPECT_EQ(ListRows(port(), "&kind=subdomain").size(), 295u);
  EXPECT_EQ(ListRows(port(), "&kind=suffix").size(), 0u);
  EXPECT_GT(sizes, 15000u);
}

// The list's rows' names and its total under a suffix, by the zone's
// construction: d00017.com has sub.d00017.com below it (every 17th), "00017"
// is no label of it, and the n-domains came with the second snapshot.
TEST_F(DomainExportServer, SuffixKeepsWholeLabelsAndTheTotalIsExact) {
  struct Case {
    std::string suffix;
    std::vector<std::string> names;  // empty: only the count is checked
    size_t count;
  };
  const Case cases[] = {
      {"d00017.com", {"d00017.com", "sub.d00017.com"}, 2},
      {"sub.d00017.com", {"sub.d00017.com"}, 1},
      {"d00018.com", {"d00018.com"}, 1},
      {"00017.com", {}, 0},
      {"ub.d00017.com", {}, 0},
      {"com", {}, 5795},
      {"net", {}, 0},
  };
  simdjson::dom::parser p;
  for (const auto& c : cases) {
    for (const char* limit : {"1", "10000"}) {
      const std::string body =
          GetBody(port(), std::string("/v2/ns/") + kNs + "/domains?limit=" + limit + "&suffix=" + c.suffix);
      simdjson::dom::element doc = p.parse(body);
      EXPECT_EQ(uint64_t(doc["total"]), c.count) << c.suffix << " limit " << limit;
    }
    std::vector<std::string> names;
    for (const auto& row : ListRows(port(), "&suffix=" + c.suffix)) {
      names.emplace_back(std::string_view(p.parse(row)["name"]));
    }
    EXPECT_EQ(names.size(), c.count) << c.suffix;
    if (!c.names.empty()) {
      EXPECT_EQ(names, c.names) << c.suffix;
    }
  }
}

TEST_F(DomainExportServer, StartsAfterAListCursor) {
  const std::string page = GetBody(port(), std::string("/v2/ns/") + kNs + "/domains?limit=4000&active=true");
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(page);
  const std::string cursor{std::string_view(doc["next_cursor"])};
  std::vector<std::string> all = ListRows(port(), "&active=true");
  const std::string csv =
      GetBody(port(), std::string("/v2/ns/") + kNs + "/domains/export?active=true&cursor=" + cursor);
  std::string want = "name,kind,zone,first_seen,last_seen,active,observed\r\n";
  for (size_t i = 4000; i < all.size(); ++i) want += CsvRecord(all[i]);
  EXPECT_EQ(csv, want);
}

TEST_F(DomainExportServer, BadParametersAreAnsweredBeforeTheFirstByteWithTheParameterNamed) {
  const std::pair<std::string, std::string> cases[] = {
      {"/v2/ns/ns1.host.net/domains/export?format=xml", "format: expected csv or json"},
      {"/v2/ns/ns1.host.net/domains/export?format=", "format: expected csv or json"},
      {"/v2/ns/ns1.host.net/domains/export?format=CSV", "format: expected csv or json"},
      {"/v2/ns/ns1.host.net/domains/export?limit=10", "limit: an export has every matching row"},
      {"/v2/ns/ns1.host.net/domains/export?kind=tld", "kind: expected"},
      {"/v2/ns/ns1.host.net/domains/export?active=yes", "active:"},
      {"/v2/ns/ns1.host.net/domains/export?first_seen_after=yesterday", "first_seen_after:"},
      {"/v2/ns/ns1.host.net/domains/export?last_seen_before=1e99", "last_seen_before:"},
      {"/v2/ns/ns1.host.net/domains/export?cursor=notacursor", "cursor: not a cursor"},
      {"/v2/ns/ns1.host.net/domains/export?format=csv&filename=x.csv", "filename: unknown parameter"},
      {"/v2/ns/a..b/domains/export", "ns: 'a..b' is not a valid name"},
      {"/v2/ns/" + std::string(300, 'a') + "/domains/export", "ns: name of 300 characters"},
      {"/v2/ns/a%22b/domains/export", "ns: byte 0x22 at position 1"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=", "suffix: empty name"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=.", "suffix: the root holds every domain"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=@", "suffix: the root holds every domain"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=a..com", "suffix: 'a..com' is not a valid name"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=" + std::string(64, 'a') + ".com", "suffix: '"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=" + std::string(1021, 'a'), "suffix: name of 1021 characters"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=a%5C", "suffix: 'a\\\\' is not a valid name"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=%5C999.com", "suffix: '\\\\999.com' is not a valid name"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=a%20b.com", "suffix: byte 0x20 at position 1"},
      {"/v2/ns/ns1.host.net/domains/export?suffix=%FF.com", "suffix: byte 0xff at position 0"},
      {"/v2/ns/ns1.host.net/domains?suffix=", "suffix: empty name"},
      {"/v2/ns/ns1.host.net/domains?suffix=a..com", "suffix: 'a..com' is not a valid name"},
      {"/v2/ns/ns1.host.net/domains?limit=5&suffix=" + std::string(130, 'a') + "." + std::string(130, 'b'),
       "is not a valid name"},
  };
  for (const auto& [target, message] : cases) {
    std::string body;
    Exchange ex =
        Fetch(port(), http::verb::get, target, {{"X-API-Key", kKey}}, "", [&](std::string_view s) { body += s; });
    EXPECT_EQ(ex.status, 400) << target << ": " << body;
    EXPECT_FALSE(ex.chunked) << target;
    EXPECT_EQ(ex.head[http::field::content_type], "application/json") << target;
    EXPECT_EQ(ex.head[http::field::content_disposition], "") << target;
    EXPECT_NE(body.find(message), std::string::npos) << target << ": " << body;
  }
  std::string body;
  Exchange post = Fetch(port(), http::verb::post, "/v2/ns/ns1.host.net/domains/export", {{"X-API-Key", kKey}}, "",
                        [&](std::string_view s) { body += s; });
  EXPECT_EQ(post.status, 405) << body;
}

TEST_F(DomainExportServer, KeysAndTheUiSessionCookieAdmit) {
  const std::string target = "/v2/ns/ns1.host.net/domains/export?kind=subdomain";
  auto status = [&](std::vector<std::pair<std::string, std::string>> headers) {
    return Fetch(port(), http::verb::get, target, headers, "", [](std::string_view) {}).status;
  };
  EXPECT_EQ(status({}), 403);
  EXPECT_EQ(status({{"X-API-Key", "at_wrongwrongwrongwrongwrongwrong0"}}), 403);
  EXPECT_EQ(status({{"Cookie", "nsradar_session=" + std::string(64, '0')}}), 403);
  EXPECT_EQ(status({{"X-API-Key", kKey}}), 200);
  // Signed in as the web UI is: the cookie alone downloads, as a link does
  // (a GET needs no Origin; SameSite=Strict keeps other sites' links out).
  const std::string host = "127.0.0.1:" + std::to_string(port());
  Exchange sign_in =
      Fetch(port(), http::verb::post, "/ui/session", {{"Origin", "http://" + host}, {"Content-Type", "text/plain"}},
            kKey, [](std::string_view) {});
  ASSERT_EQ(sign_in.status, 204);
  std::string cookie(sign_in.head[http::field::set_cookie]);
  cookie = cookie.substr(0, cookie.find(';'));
  ASSERT_TRUE(cookie.starts_with("nsradar_session=")) << cookie;
  std::string body;
  Exchange ex =
      Fetch(port(), http::verb::get, target, {{"Cookie", cookie}}, "", [&](std::string_view s) { body += s; });
  EXPECT_EQ(ex.status, 200);
  EXPECT_TRUE(ex.complete) << ex.error;
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 1 + 295) << body.substr(0, 200);
}

// Resident memory of this process (the server runs in it), in bytes.
size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

// What a client reads on one connection, raw: the bytes until the server
// closes or `done` says enough, with a socket receive buffer of
// `rcvbuf` bytes (0: the system's).
struct RawConnection {
  explicit RawConnection(uint16_t port, int rcvbuf = 0) : socket(ioc) {
    socket.open(boost::asio::ip::tcp::v4());
    if (rcvbuf) socket.set_option(boost::asio::socket_base::receive_buffer_size(rcvbuf));
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  void Send(const std::string& target) {
    boost::asio::write(socket, boost::asio::buffer("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " +
                                                   std::string(kKey) + "\r\n\r\n"));
  }
  // Reads until `done(bytes)` or the end of the connection (then *closed).
  void ReadUntil(const std::function<bool(const std::string&)>& done) {
    std::array<char, 65536> buf;
    while (!done(bytes)) {
      boost::system::error_code ec;
      const size_t n = socket.read_some(boost::asio::buffer(buf), ec);
      bytes.append(buf.data(), n);
      if (ec) {
        closed = ec == boost::asio::error::eof;
        error = ec.message();
        return;
      }
    }
  }
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket;
  std::string bytes, error;
  bool closed = false;
};

// Decodes a chunked body from `raw` (the bytes after the header): the
// body, and whether the last, zero-length chunk ended it; *used the bytes
// of the message.
std::string Dechunk(std::string_view raw, bool* last_chunk, size_t* used = nullptr) {
  std::string body;
  *last_chunk = false;
  size_t at = 0;
  for (;;) {
    const size_t eol = raw.find("\r\n", at);
    if (eol == std::string_view::npos) break;
    size_t size = 0;
    const auto [end, ec] = std::from_chars(raw.data() + at, raw.data() + eol, size, 16);
    if (ec != std::errc() || end != raw.data() + eol || raw.size() < eol + 2 + size + 2) break;
    if (size == 0) {
      *last_chunk = raw.substr(eol + 2, 2) == "\r\n";
      at = eol + 4;
      break;
    }
    body.append(raw.substr(eol + 2, size));
    at = eol + 2 + size + 2;
  }
  if (used) *used = at;
  return body;
}

// The SST files of a store: what a failing disk would damage.
std::vector<std::string> SstFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".sst") out.push_back(e.path().string());
  }
  return out;
}

// A real store failing mid-export: 250,000 domains in SST files, a client
// that reads the header and then waits while the server fills the socket
// and stalls, every SST file overwritten meanwhile, then the rest read. The
// pages the server reads after that fail their checksums: the body ends
// with the #error record and the connection closes without the last chunk,
// although the request asked to keep it open.
TEST(DomainExportAbort, AStoreErrorMidStreamCutsTheChunkedBodyAndClosesTheConnection) {
  testing::ServerFixture fixture;
  constexpr int kDomains = 250000;  // over the batch limit: written as SST files
  {
    std::string text = "com.\t60\tIN\tSOA\tns.com. h.com. 1 1 1 1 1\n";
    text.reserve(size_t{kDomains} * 40);
    for (int i = 0; i < kDomains; ++i) text += fmt::format("big{:06d}.com.\t60\tIN\tNS\tns1.big.net.\n", i);
    fixture.Ingest(text, 1000);
  }
  ASSERT_TRUE(fixture.store().CompactAll().ok());
  nsdb::testing::TempDir logdir;
  ASSERT_TRUE(SetLogFile(logdir.file("log")).ok());
  RawConnection c(fixture.port(), 4096);
  c.Send("/v2/ns/ns1.big.net/domains/export?format=csv");
  c.ReadUntil([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
  ASSERT_TRUE(c.bytes.starts_with("HTTP/1.1 200")) << c.bytes.substr(0, 200);
  // Long enough for the server to fill the socket and wait on it.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::vector<std::string> ssts = SstFiles(fixture.dir().file("store"));
  ASSERT_FALSE(ssts.empty());
  for (const auto& path : ssts) {
    const auto size = std::filesystem::file_size(path);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.write(std::string(size, '\xa5').data(), static_cast<std::streamsize>(size));
  }
  c.ReadUntil([](const std::string&) { return false; });  // to the end of the connection
  ASSERT_TRUE(SetLogFile("").ok());
  EXPECT_TRUE(c.closed) << c.error;
  const size_t head_end = c.bytes.find("\r\n\r\n") + 4;
  EXPECT_NE(c.bytes.substr(0, head_end).find("Transfer-Encoding: chunked"), std::string::npos);
  bool last_chunk = true;
  size_t used = 0;
  const std::string body = Dechunk(std::string_view(c.bytes).substr(head_end), &last_chunk, &used);
  EXPECT_FALSE(last_chunk);
  EXPECT_EQ(head_end + used, c.bytes.size()) << "every byte is a whole chunk";
  EXPECT_FALSE(c.bytes.ends_with("0\r\n\r\n"));
  const size_t rows = std::count(body.begin(), body.end(), '\n') - 2;  // the header and the #error record
  EXPECT_GT(rows, 2000u);                                              // pages before the damage came through
  EXPECT_LT(rows, size_t{kDomains});
  const size_t error_at = body.rfind("\r\n#error: internal error after ");
  ASSERT_NE(error_at, std::string::npos) << body.substr(body.size() > 300 ? body.size() - 300 : 0);
  EXPECT_TRUE(body.ends_with("\r\n")) << body.substr(error_at);
  EXPECT_NE(body.find(fmt::format("after {} rows", rows)), std::string::npos) << body.substr(error_at);
  // The server goes on answering on new connections (with a request that
  // needs no store: every SST file is damaged).
  RawConnection other(fixture.port());
  other.Send("/v2/ns/a..b/counts");
  other.ReadUntil([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
  EXPECT_TRUE(other.bytes.starts_with("HTTP/1.1 400")) << other.bytes.substr(0, 200);
}

// A whole export ends with the last chunk and leaves the connection open
// for the next request.
TEST_F(DomainExportServer, AWholeExportEndsWithTheLastChunkAndKeepsTheConnection) {
  RawConnection c(port());
  const std::string target = std::string("/v2/ns/") + kNs + "/domains/export?format=csv&suffix=com";
  auto whole = [](const std::string& b) {
    const size_t head_end = b.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    bool last = false;
    Dechunk(std::string_view(b).substr(head_end + 4), &last);
    return last;
  };
  c.Send(target);
  c.ReadUntil(whole);
  ASSERT_FALSE(c.closed) << c.error;
  bool last = false;
  size_t used = 0;
  const size_t head_end = c.bytes.find("\r\n\r\n") + 4;
  const std::string body = Dechunk(std::string_view(c.bytes).substr(head_end), &last, &used);
  EXPECT_TRUE(last);
  EXPECT_EQ(head_end + used, c.bytes.size());
  std::string want = "name,kind,zone,first_seen,last_seen,active,observed\r\n";
  for (const auto& row : ListRows(port(), "")) want += CsvRecord(row);
  EXPECT_EQ(body, want);
  // The same connection answers again.
  c.bytes.clear();
  c.Send(target);
  c.ReadUntil(whole);
  EXPECT_FALSE(c.closed) << c.error;
  EXPECT_TRUE(c.bytes.starts_with("HTTP/1.1 200")) << c.bytes.substr(0, 200);
}

// 200,000 domains exported as JSON (about 26 MB) to a client that reads
// slowly, so the server is mid-stream while resident memory is sampled: it
// grows by the pages in flight, not by the export.
TEST(DomainExportMemory, ALargeExportIsStreamedInBoundedMemory) {
  if (kSanitizedBuild) GTEST_SKIP() << "a sanitizer's quarantine and shadow memory are in every sample: Release only";
  testing::ServerFixture fixture;
  constexpr int kDomains = 200000;
  {
    std::string text = "com.\t60\tIN\tSOA\tns.com. h.com. 1 1 1 1 1\n";
    text.reserve(size_t{kDomains} * 40);
    for (int i = 0; i < kDomains; ++i) text += fmt::format("big{:06d}.com.\t60\tIN\tNS\tns1.big.net.\n", i);
    fixture.Ingest(text, 1000);
  }
  // What the test itself freed goes back to the system, so that a server
  // holding the export would show as growth rather than reuse it.
  ::malloc_trim(0);
  const size_t before = ResidentBytes();
  size_t peak = before, bytes = 0, rows = 0, pieces = 0;
  std::string tail;
  Exchange ex = Fetch(fixture.port(), http::verb::get, "/v2/ns/ns1.big.net/domains/export?format=json",
                      {{"X-API-Key", kKey}}, "", [&](std::string_view s) {
                        bytes += s.size();
                        rows += std::count(s.begin(), s.end(), '{');
                        tail += s;
                        if (tail.size() > 64) tail.erase(0, tail.size() - 64);
                        if (++pieces % 16 == 0) {
                          peak = std::max(peak, ResidentBytes());
                          std::this_thread::sleep_for(std::chrono::milliseconds(2));
                        }
                      });
  ASSERT_TRUE(ex.complete) << ex.error;
  EXPECT_EQ(rows, size_t{kDomains} + 1);  // the rows and the document
  EXPECT_TRUE(tail.ends_with(fmt::format("],\"count\":{}}}\n", kDomains))) << tail;
  EXPECT_GT(bytes, size_t{20} << 20);
  const size_t growth = peak > before ? peak - before : 0;
  std::printf("export of %zu bytes: resident memory grew by %zu KB (peak %zu MB)\n", bytes, growth >> 10, peak >> 20);
  EXPECT_LT(growth, bytes / 4) << "resident memory grew by " << growth << " bytes for an export of " << bytes;
}

}  // namespace
}  // namespace nsradar::api
