// The JSON shapes of the store's rows (docs/api.md), and page cursors.
#include "nsdb/json.h"

#include <gtest/gtest.h>

#include "nsdb/cursor.h"

namespace nsradar::nsdb {
namespace {

template <typename Write>
std::string Json(Write write) {
  std::string out;
  JsonWriter w(&out);
  write(w);
  return out;
}

DomainRow Row(std::string name, bool active) {
  return DomainRow{.name = std::move(name),
                   .first_seen = 100,
                   .last_seen = 200,
                   .active = active,
                   .kind = zone::DomainKind::kSubdomain,
                   .zone = "example",
                   .observed = !active};
}

GlueRow Glue(std::string host, std::string_view address) {
  return GlueRow{.host = std::move(host), .address = *dns::Address::Parse(address), .first_seen = 5, .last_seen = 9};
}

TEST(Json, DomainPagesEndWithTheCursorOfTheirLastRow) {
  DomainPage page{.rows = {Row("a.example", true), Row("b.example", false)}, .total = 7, .more = true};
  std::string text = Json([&](JsonWriter& w) { WriteDomainPageJson("ns1.host.net", page, w); });
  const std::string rows =
      R"([{"name":"a.example","first_seen":100,"last_seen":200,"active":true,"kind":"subdomain","zone":"example",)"
      R"("observed":false},{"name":"b.example","first_seen":100,"last_seen":200,"active":false,"kind":"subdomain",)"
      R"("zone":"example","observed":true}])";
  const std::string head = R"({"ns":"ns1.host.net","total":7,"count":2,"domains":)" + rows + R"(,"next_cursor":")";
  ASSERT_TRUE(text.starts_with(head)) << text;
  ASSERT_TRUE(text.ends_with("\"}")) << text;
  std::string after;
  ASSERT_TRUE(DecodeCursor(text.substr(head.size(), text.size() - head.size() - 2), &after)) << text;
  EXPECT_EQ(after, "b.example");

  page.more = false;
  EXPECT_EQ(Json([&](JsonWriter& w) { WriteDomainPageJson("ns1.host.net", page, w); }),
            R"({"ns":"ns1.host.net","total":7,"count":2,"domains":)" + rows + R"(,"next_cursor":null})");
  EXPECT_EQ(Json([&](JsonWriter& w) { WriteDomainPageJson("ns1.host.net", DomainPage{}, w); }),
            R"({"ns":"ns1.host.net","total":0,"count":0,"domains":[],"next_cursor":null})");
}

TEST(Json, NameServerRowsCarryTheirCounts) {
  std::vector<NsRow> rows = {{"a.ns.net", {.total = 3, .active = 2}}, {"b.ns.net", {.total = 1, .active = 0}}};
  std::string text = Json([&](JsonWriter& w) { WriteNsPageJson("ns.net", rows, true, w); });
  const std::string head =
      R"({"suffix":"ns.net","name_servers":[{"name":"a.ns.net","domain_count":3,"active_count":2},)"
      R"({"name":"b.ns.net","domain_count":1,"active_count":0}],"next_cursor":")";
  ASSERT_TRUE(text.starts_with(head)) << text;
  std::string after;
  ASSERT_TRUE(DecodeCursor(text.substr(head.size(), text.size() - head.size() - 2), &after)) << text;
  EXPECT_EQ(after, "b.ns.net");
  EXPECT_EQ(Json([&](JsonWriter& w) { WriteNsPageJson("ns.net", {}, false, w); }),
            R"({"suffix":"ns.net","name_servers":[],"next_cursor":null})");
}

TEST(Json, GlueRowsFromEitherSide) {
  std::vector<GlueRow> by_host = {Glue("ns1.host.net", "192.0.2.1"), Glue("ns1.host.net", "2001:DB8:0::1")};
  EXPECT_EQ(Json([&](JsonWriter& w) { WriteHostAddressesJson("ns1.host.net", by_host, w); }),
            R"({"ns":"ns1.host.net","addresses":[{"address":"192.0.2.1","first_seen":5,"last_seen":9},)"
            R"({"address":"2001:db8::1","first_seen":5,"last_seen":9}]})");
  std::vector<GlueRow> by_address = {Glue("ns1.a.net", "192.0.2.1"), Glue("ns2.b.net", "192.0.2.1")};
  EXPECT_EQ(Json([&](JsonWriter& w) { WriteAddressHostsJson(*dns::Address::Parse("192.0.2.1"), by_address, w); }),
            R"({"address":"192.0.2.1","name_servers":[{"name":"ns1.a.net","first_seen":5,"last_seen":9},)"
            R"({"name":"ns2.b.net","first_seen":5,"last_seen":9}]})");
}

TEST(Cursor, RoundTripsAndRejectsForgeries) {
  for (const std::string& key :
       std::vector<std::string>{"a", "ab", "abc", "example.com", std::string(253, 'z'), std::string("x\0y", 3)}) {
    std::string back;
    ASSERT_TRUE(DecodeCursor(EncodeCursor(key), &back)) << key;
    EXPECT_EQ(back, key);
  }
  std::string out;
  EXPECT_FALSE(DecodeCursor("", &out));
  EXPECT_FALSE(DecodeCursor("!!!!", &out));
  EXPECT_FALSE(DecodeCursor("A", &out));
  EXPECT_FALSE(DecodeCursor("ZXhhbXBsZQ", &out));  // base64url of "example": no version byte
  EXPECT_FALSE(DecodeCursor(std::string(1000, 'A'), &out));
}

}  // namespace
}  // namespace nsradar::nsdb
