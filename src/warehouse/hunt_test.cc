#include "warehouse/hunt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "warehouse/hunt_json.h"
#include "warehouse/hunt_sql.h"
#include "warehouse/hunt_tsv.h"

namespace nsradar::warehouse {
namespace {

// Every SqlString literal of `sql` removed: what is left is what the
// server parses as SQL, which must not contain anything of the input.
std::string WithoutLiterals(const std::string& sql) {
  std::string out;
  bool in = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (in && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == '\'') {
      in = !in;
      out += '\'';
    } else if (!in) {
      out += sql[i];
    }
  }
  EXPECT_FALSE(in) << "an unterminated literal: " << sql;
  return out;
}

TEST(HuntDomain, CanonicalNameAndItsRegisteredDomain) {
  HuntDomain d;
  ASSERT_TRUE(CheckHuntDomain("WWW.Example.COM.", &d).ok());
  EXPECT_EQ(d.name, "www.example.com");
  EXPECT_EQ(d.registered, "example.com");
  ASSERT_TRUE(CheckHuntDomain("a.b.example.co.uk", &d).ok());
  EXPECT_EQ(d.registered, "example.co.uk");
}

TEST(HuntDomain, BadNamesNameTheParameter) {
  HuntDomain d;
  for (std::string bad : {std::string(""), std::string("."), std::string("a..b"), std::string(64, 'a') + ".com",
                          std::string("com"), std::string("co.uk")}) {
    Status s = CheckHuntDomain(bad, &d);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_TRUE(s.message().starts_with("domain")) << s.message();
  }
}

TEST(HuntSql, HostileNamesStayInsideTheirLiterals) {
  // DNS allows quotes and (escaped) backslashes in labels: whatever the
  // name, the statement outside its literals is the one a plain name gets.
  const SchemaNames names;
  HuntDomain plain;
  ASSERT_TRUE(CheckHuntDomain("a.example", &plain).ok());
  HuntEvent after;
  after.sensor = "s'1\\";
  HuntObservation after_record;
  after_record.rrname = "n'1\\.example";
  after_record.rdata = "ns'\\";
  auto statements = [&](const HuntDomain& d) {
    return std::vector<std::string>{EventsSql(names, d, TimeWindow{}, 10, &after),
                                    ClientsSql(names, d, TimeWindow{}, 10), TimelineSql(names, d, TimeWindow{0, 60}),
                                    FirstSeenSql(names, d, TimeWindow{}),
                                    ObservationsSql(names, d, TimeWindow{}, 10, &after_record)};
  };
  for (std::string hostile :
       {"x'or'1'='1.example", "x\\\\'--.example", "a';drop table x;--.example", "q\\'union-select.example"}) {
    HuntDomain d;
    ASSERT_TRUE(CheckHuntDomain(hostile, &d).ok()) << hostile;
    ASSERT_EQ(d.name, d.registered);
    const auto got = statements(d), want = statements(plain);
    for (size_t i = 0; i < got.size(); ++i) {
      const std::string code = WithoutLiterals(got[i]);
      EXPECT_EQ(code, WithoutLiterals(want[i])) << got[i];
      EXPECT_EQ(std::count(code.begin(), code.end(), '('), std::count(code.begin(), code.end(), ')')) << code;
      EXPECT_NE(got[i].find(SqlString(d.registered)), std::string::npos) << got[i];
    }
  }
}

TEST(HuntSql, ASubdomainNarrowsTheRegisteredDomainsRows) {
  HuntDomain d;
  ASSERT_TRUE(CheckHuntDomain("t.example.com", &d).ok());
  std::string sql = EventsSql(SchemaNames{}, d, TimeWindow{100, 200}, 5, nullptr);
  EXPECT_NE(sql.find("registered_domain = 'example.com'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("endsWith(qname, '.t.example.com')"), std::string::npos) << sql;
  EXPECT_NE(sql.find("ts >= toDateTime(100) AND ts < toDateTime(200)"), std::string::npos) << sql;
  EXPECT_NE(sql.find("LIMIT 5 "), std::string::npos) << sql;
  ASSERT_TRUE(CheckHuntDomain("example.com", &d).ok());
  EXPECT_EQ(EventsSql(SchemaNames{}, d, TimeWindow{}, 5, nullptr).find("endsWith"), std::string::npos);
}

TEST(HuntSql, ObservationsMergeEverySensorsBatchesOverlappingTheWindow) {
  HuntDomain d;
  ASSERT_TRUE(CheckHuntDomain("ns.example.com", &d).ok());
  const std::string sql = ObservationsSql(SchemaNames{}, d, TimeWindow{100, 200}, 5, nullptr);
  EXPECT_NE(sql.find("FROM nsradar.observations WHERE registered_domain = 'example.com'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("last_seen >= toDateTime(100) AND first_seen < toDateTime(200)"), std::string::npos) << sql;
  EXPECT_NE(sql.find("endsWith(rrname, '.ns.example.com')"), std::string::npos) << sql;
  EXPECT_NE(sql.find("min(first_seen)"), std::string::npos) << sql;
  EXPECT_NE(sql.find("max(last_seen)"), std::string::npos) << sql;
  EXPECT_NE(sql.find("sum(count)"), std::string::npos) << sql;
  EXPECT_NE(sql.find("GROUP BY rrname, rrtype, rdata ORDER BY rrname, rrtype, rdata LIMIT 5 "), std::string::npos)
      << sql;
  HuntObservation after;
  after.rrname = "a.example.com";
  after.rrtype = 2;
  after.rdata = "ns1.example.net";
  EXPECT_NE(ObservationsSql(SchemaNames{}, d, TimeWindow{}, 5, &after)
                .find("(rrname > 'a.example.com' OR (rrname = 'a.example.com' AND (rrtype > 2 OR (rrtype = 2 AND "
                      "rdata > 'ns1.example.net'))))"),
            std::string::npos);
}

TEST(HuntBounds, WindowsAndLimitsNameTheirParameter) {
  EXPECT_TRUE(CheckWindow({0, 60}, 60).ok());
  auto message = [](const Status& s) { return s.message(); };
  EXPECT_TRUE(message(CheckWindow({-1, 60}, 0)).starts_with("from -1")) << message(CheckWindow({-1, 60}, 0));
  EXPECT_TRUE(message(CheckWindow({0, TimeWindow::kEndOfTime + 1}, 0)).starts_with("to "));
  EXPECT_TRUE(message(CheckWindow({60, 60}, 0)).starts_with("to 60 is not after from 60"));
  EXPECT_NE(message(CheckWindow({0, 61}, 60)).find("longer than"), std::string::npos);
  EXPECT_TRUE(CheckLimit(1, 5).ok());
  EXPECT_TRUE(CheckLimit(5, 5).ok());
  EXPECT_TRUE(message(CheckLimit(0, 5)).starts_with("limit 0"));
  EXPECT_TRUE(message(CheckLimit(6, 5)).starts_with("limit 6"));
}

TEST(HuntBounds, RequestsAreCheckedBeforeAnyShardIsAsked) {
  // No shard at all: a request that passed its checks would fail on that.
  HuntTarget target;
  EventsPage page;
  EventsRequest events;
  events.domain = "example.com";
  events.limit = kMaxEventsPage + 1;
  EXPECT_TRUE(HuntEvents(target, events, &page).message().starts_with("limit"));
  events.limit = 1;
  events.cursor = "x";
  EXPECT_TRUE(HuntEvents(target, events, &page).message().starts_with("cursor"));
  TimelineAnswer timeline;
  EXPECT_NE(HuntTimeline(target, {.domain = "example.com", .window = {0, kMaxTimelineSeconds + 1}}, &timeline)
                .message()
                .find("longer than"),
            std::string::npos);
  // Observations: their own bound and cursor (an events cursor is not one).
  ObservationsPage records;
  for (auto [request, parameter] :
       {std::pair{ObservationsRequest{"example.com", {}, kMaxObservationsPage + 1, ""}, "limit"},
        std::pair{ObservationsRequest{"example.com", {}, 1, "1-2-3-4-"}, "cursor"},
        std::pair{ObservationsRequest{"co.uk", {}, 1, ""}, "domain"}}) {
    EXPECT_TRUE(HuntObservations(target, request, &records).message().starts_with(parameter)) << parameter;
  }
  TopAnswer top;
  EXPECT_TRUE(HuntTop(target, {.window = {0, 60}, .limit = 0}, &top).message().starts_with("limit"));
  const TopRequest hour{.window = {0, 3600}, .limit = 20};
  EXPECT_NE(HuntTop(target, hour, &top).message().find("--warehouse"), std::string::npos);
  target.names.database = "x; DROP TABLE y";
  EXPECT_TRUE(HuntTop(target, hour, &top).message().starts_with("--database"));
}

TEST(HuntCursor, RoundTripsAnyPosition) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    HuntEvent e;
    e.ts = rng() % TimeWindow::kEndOfTime;
    e.usec = rng() % 1'000'000;
    e.batch_seq = (uint64_t{rng()} << 32) | rng();
    e.batch_row = rng();
    for (size_t n = rng() % 12; n > 0; --n) e.sensor += static_cast<char>(rng());
    HuntEvent back;
    ASSERT_TRUE(DecodeCursor(EncodeCursor(e), &back).ok()) << EncodeCursor(e);
    EXPECT_EQ(std::tie(back.ts, back.usec, back.batch_seq, back.batch_row, back.sensor),
              std::tie(e.ts, e.usec, e.batch_seq, e.batch_row, e.sensor));
  }
}

TEST(HuntCursor, GarbageIsRefusedNamingTheCursor) {
  HuntEvent e;
  for (const std::string& bad :
       std::vector<std::string>{"", "1-2-3-4", "1-2-3-4-7", "1-2-3-4-zz", "a-2-3-4-", "1-1000000-3-4-", "1--3-4-",
                                "99999999999-2-3-4-", "1-2-3-4294967296-", "1-2-3-4-" + std::string(1000, 'a')}) {
    Status s = DecodeCursor(bad, &e);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_TRUE(s.message().starts_with("cursor")) << s.message();
  }
}

TEST(HuntCursor, ObservationCursorsRoundTripAndRefuseGarbage) {
  std::mt19937 rng(11);
  for (int i = 0; i < 200; ++i) {
    HuntObservation o;
    for (size_t n = rng() % 40; n > 0; --n) o.rrname += static_cast<char>(rng());
    o.rrtype = static_cast<uint16_t>(rng());
    for (size_t n = rng() % 40; n > 0; --n) o.rdata += static_cast<char>(rng());
    HuntObservation back;
    ASSERT_TRUE(DecodeObservationCursor(EncodeObservationCursor(o), &back).ok()) << EncodeObservationCursor(o);
    EXPECT_EQ(std::tie(back.rrname, back.rrtype, back.rdata), std::tie(o.rrname, o.rrtype, o.rdata));
  }
  HuntObservation o;
  for (const std::string& bad : std::vector<std::string>{"", "61", "61-2", "61--62", "61-x-62", "61-65536-62", "6-2-62",
                                                         "61-2-zz", "61-2-" + std::string(2050, 'a'), "61-2-62-63"}) {
    Status s = DecodeObservationCursor(bad, &o);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_TRUE(s.message().starts_with("cursor")) << s.message();
  }
}

TEST(HuntTsv, FieldsWithEveryEscape) {
  std::vector<TsvRow> rows;
  ASSERT_TRUE(ParseTsv("a\\tb\tc\\nd\\\\\n\\0\\'\\b\\f\\r\t\n", 2, &rows).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (TsvRow{"a\tb", "c\nd\\"}));
  EXPECT_EQ(rows[1], (TsvRow{std::string("\0'\b\f\r", 5), ""}));
  ASSERT_TRUE(ParseTsv("", 3, &rows).ok());
  EXPECT_TRUE(rows.empty());
  // Bytes that are not UTF-8 are data.
  ASSERT_TRUE(ParseTsv("\xff\xfe\n", 1, &rows).ok());
  EXPECT_EQ(rows[0][0], "\xff\xfe");
}

TEST(HuntTsv, BrokenAnswersNameRowFieldAndOffset) {
  std::vector<TsvRow> rows;
  Status s = ParseTsv("1\t2\n3\n", 2, &rows);
  EXPECT_EQ(s.message(), "row 2 at offset 4: 1 field(s), expected 2: '3'");
  EXPECT_EQ(ParseTsv("1\t2", 2, &rows).message(), "the answer ends at offset 3 inside a row (cut short?)");
  EXPECT_EQ(ParseTsv("1\t\\x\n", 2, &rows).message(), "row 1 field 2: offset 2: an escape ClickHouse does not write");
  EXPECT_FALSE(ParseTsv("1\t\\\n", 2, &rows).ok());
  // An error text after rows (what a server sends once the status is gone).
  EXPECT_FALSE(ParseTsv("1\t2\nCode: 241, e.displayText() = DB::Exception: Memory limit\n", 2, &rows).ok());
}

TEST(HuntTsv, NumbersAreCheckedAgainstTheirType) {
  TsvRow row = {"65535", "65536", "-1", "", "1x", "-32768"};
  uint64_t u = 0;
  int64_t v = 0;
  EXPECT_TRUE(TsvUnsigned(row, 0, 0, UINT16_MAX, &u).ok());
  EXPECT_EQ(u, 65535u);
  EXPECT_EQ(TsvUnsigned(row, 0, 1, UINT16_MAX, &u).message(), "row 1 field 2: '65536' is not a number from 0 to 65535");
  EXPECT_FALSE(TsvUnsigned(row, 0, 2, UINT64_MAX, &u).ok());
  EXPECT_FALSE(TsvUnsigned(row, 0, 3, UINT64_MAX, &u).ok());
  EXPECT_FALSE(TsvUnsigned(row, 0, 4, UINT64_MAX, &u).ok());
  EXPECT_TRUE(TsvSigned(row, 0, 5, INT16_MIN, INT16_MAX, &v).ok());
  EXPECT_EQ(v, -32768);
  EXPECT_TRUE(TsvSigned(row, 0, 2, INT16_MIN, INT16_MAX, &v).ok());
  EXPECT_FALSE(TsvSigned(row, 0, 1, INT16_MIN, INT16_MAX, &v).ok());
}

TEST(HuntJson, EventsPageWithAndWithoutCursor) {
  EventsPage page;
  page.registered_domain = "example.com";
  HuntEvent& e = page.events.emplace_back();
  e.ts = 1764237534;
  e.usec = 64000;
  e.sensor = "s\"1";
  e.client = "10.9.0.1";
  e.qname = "q.example.com";
  EXPECT_EQ(EventsJson(page),
            "{\"registered_domain\":\"example.com\",\"events\":[{\"ts\":1764237534,\"usec\":64000,"
            "\"time\":\"2025-11-27T09:58:54.064000Z\",\"sensor\":\"s\\\"1\",\"client\":\"10.9.0.1\","
            "\"qname\":\"q.example.com\",\"qtype\":0,\"rcode\":-1,\"query_size\":0,\"response_size\":0,"
            "\"batch_seq\":0,\"batch_row\":0}],\"next_cursor\":null}");
  page.next_cursor = EncodeCursor(e);
  EXPECT_NE(EventsJson(page).find("\"next_cursor\":\"1764237534-64000-0-0-732231\""), std::string::npos);
}

TEST(HuntJson, ObservationsPage) {
  ObservationsPage page;
  page.registered_domain = "example.com";
  HuntObservation& o = page.observations.emplace_back();
  o.rrname = "example.com";
  o.rrtype = 2;
  o.rdata = "ns1.example.net";
  o.first_seen = 1764237534;
  o.last_seen = 1764237600;
  o.count = 7;
  o.sensors = {"s1", "s2"};
  EXPECT_EQ(ObservationsJson(page),
            "{\"registered_domain\":\"example.com\",\"observations\":[{\"rrname\":\"example.com\",\"rrtype\":2,"
            "\"rdata\":\"ns1.example.net\",\"first_seen\":1764237534,\"last_seen\":1764237600,"
            "\"first_seen_time\":\"2025-11-27T09:58:54Z\",\"last_seen_time\":\"2025-11-27T10:00:00Z\",\"count\":7,"
            "\"sensors\":[\"s1\",\"s2\"]}],\"next_cursor\":null}");
  page.next_cursor = EncodeObservationCursor(o);
  EXPECT_NE(ObservationsJson(page).find("\"next_cursor\":\"6578616d706c652e636f6d-2-6e73312e6578616d706c652e6e6574\""),
            std::string::npos);
}

}  // namespace
}  // namespace nsradar::warehouse
