// The on-disk encodings: exact bytes for hand-made examples (so a layout
// cannot change unnoticed), round trips, key order equal to the order of
// what the keys hold, and malformed input refused.
#include "nsdb/internal/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "dns/address.h"

namespace nsradar::nsdb {
namespace {

using namespace std::string_literals;

// Canonical names with the bytes around '.' and the separator: a name, the
// names it begins, and names sorting between them.
const std::vector<std::string> kNames = {"", "a", "a-b", "a.b", "a.b.c", "a0", "ab", "b", "x\\.y", "~"};

std::string Key(std::string_view host, std::string_view domain) {
  std::string k;
  AppendNsEdgeKey(&k, host, domain);
  return k;
}

// Every proper prefix of `encoded` is refused by `decode`.
template <typename Decode>
void ExpectEveryTruncationRefused(const std::string& encoded, Decode decode) {
  for (size_t n = 0; n < encoded.size(); ++n) EXPECT_FALSE(decode(encoded.substr(0, n))) << n << " bytes";
}

// A value `decode` takes whole: every proper prefix of `encoded`, and
// `encoded` with a byte more, are refused.
template <typename T>
void ExpectOnlyTheWholeValue(const std::string& encoded, bool (*decode)(std::string_view, T*)) {
  T out;
  ExpectEveryTruncationRefused(encoded, [&](std::string_view in) { return decode(in, &out); });
  EXPECT_FALSE(decode(encoded + "\x01", &out));
}

TEST(Keys, ColumnFamiliesKeepTheirNamesAndOrder) {
  const std::vector<std::string> names(std::begin(kCfNames), std::end(kCfNames));
  EXPECT_EQ(names, (std::vector<std::string>{"default", "ns_blocks", "zone_domains", "ns_counts", "glue",
                                             "glue_by_addr", "zone_glue", "observed_edges", "observed_domains",
                                             "observed_glue", "alerts", "intel", "allowlist"}));
  EXPECT_EQ(std::string(kCfNames[kFirstLateCf]), "observed_edges");
}

TEST(Keys, FormatVersionIsDecimalTextAndNothingElse) {
  EXPECT_EQ(EncodeFormatVersion(kFormatVersion), "2");
  int v = 0;
  ASSERT_TRUE(DecodeFormatVersion("1", &v));
  EXPECT_EQ(v, 1);
  ASSERT_TRUE(DecodeFormatVersion("12", &v));
  EXPECT_EQ(v, 12);
  for (const char* bad : {"", "01", "+1", "1 ", " 1", "1x", "x", "-0"})
    EXPECT_FALSE(DecodeFormatVersion(bad, &v)) << bad;
}

TEST(Keys, ZoneTableEntriesRoundTrip) {
  EXPECT_EQ(ZoneTableKey("co.uk"), "zone/co.uk");
  EXPECT_EQ(ZoneTableKey(""), "zone/");  // the root zone
  std::string_view zone;
  ASSERT_TRUE(ParseZoneTableKey("zone/co.uk", &zone));
  EXPECT_EQ(zone, "co.uk");
  EXPECT_FALSE(ParseZoneTableKey("counter/edges", &zone));

  ZoneInfo z;
  z.id = 300;
  z.snapshots = {{100, 7, true, 2, 3, "a.zone"}, {1700000000, 0, false, 1u << 20, 5u << 20, ""}};
  std::string encoded;
  EncodeZoneInfo(z, &encoded);
  // id 300 = varint ac 02; two snapshots; the first: 100, serial 7, has
  // serial, 2 domains, 3 edges, source of 6 bytes.
  EXPECT_EQ(encoded.substr(0, 11),
            "\xac\x02\x02\x64\x07\x01\x02\x03\x06"
            "a."s);
  ZoneInfo back;
  ASSERT_TRUE(DecodeZoneInfo(encoded, &back));
  EXPECT_EQ(back.id, 300u);
  ASSERT_EQ(back.snapshots.size(), 2u);
  EXPECT_EQ(back.snapshots[0].source, "a.zone");
  EXPECT_EQ(back.snapshots[0].serial, 7u);
  EXPECT_TRUE(back.snapshots[0].has_serial);
  EXPECT_EQ(back.snapshots[1].observed_at, 1700000000);
  EXPECT_FALSE(back.snapshots[1].has_serial);
  EXPECT_EQ(back.snapshots[1].edges, 5u << 20);
  ExpectOnlyTheWholeValue(encoded, DecodeZoneInfo);
}

TEST(Keys, CountersHaveTheirOwnKeys) {
  EXPECT_EQ(CounterKey(kEdgeCount), "counter/edges");
  EXPECT_EQ(CounterKey(kActiveEdgeCount), "counter/active_edges");
  EXPECT_EQ(CounterKey(kDomainCount), "counter/domains");
  EXPECT_EQ(CounterKey(kNameServerCount), "counter/name_servers");
  EXPECT_EQ(CounterKey(kGlueCount), "counter/glue");
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{1} << 40, UINT64_MAX}) {
    std::string encoded;
    EncodeCounter(v, &encoded);
    uint64_t back = 1;
    ASSERT_TRUE(DecodeCounter(encoded, &back));
    EXPECT_EQ(back, v);
    ExpectEveryTruncationRefused(encoded, [](std::string_view in) {
      uint64_t x;
      return DecodeCounter(in, &x);
    });
  }
}

TEST(Keys, NsEdgeKeysOrderAsTheirPairs) {
  EXPECT_EQ(Key("ns1.a.net", "x.com"), "ns1.a.net\0x.com"s);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& h : kNames) {
    for (const auto& d : kNames) pairs.emplace_back(h, d);
  }
  std::vector<std::string> keys;
  for (const auto& [h, d] : pairs) {
    keys.push_back(Key(h, d));
    std::string_view host, domain;
    ASSERT_TRUE(ParseNsEdgeKey(keys.back(), &host, &domain));
    EXPECT_EQ(host, h);
    EXPECT_EQ(domain, d);
    EXPECT_EQ(NsEdgeKeyDomain(keys.back(), h), d);
  }
  // Sorting the keys sorts the pairs.
  std::vector<size_t> order(pairs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  for (size_t i = 1; i < order.size(); ++i) EXPECT_LT(pairs[order[i - 1]], pairs[order[i]]);
  // A host's keys, and only those, lie below its limit and from its first key on.
  for (const auto& h : kNames) {
    for (size_t i = 0; i < pairs.size(); ++i) {
      const bool in_range = keys[i] >= Key(h, "") && keys[i] < NsEdgeHostLimit(h);
      EXPECT_EQ(in_range, pairs[i].first == h) << h << " / " << pairs[i].first;
    }
  }
  std::string_view host, domain;
  EXPECT_FALSE(ParseNsEdgeKey("no-separator", &host, &domain));
}

TEST(Keys, ZoneKeysStartWithTheirZoneAndSortByIt) {
  std::string k;
  AppendZoneDomainKey(&k, 0x01020304, "d.com");
  EXPECT_EQ(k,
            "\x01\x02\x03\x04"
            "d.com"s);
  uint32_t zone = 0;
  std::string_view domain, host, address;
  ASSERT_TRUE(ParseZoneDomainKey(k, &zone, &domain));
  EXPECT_EQ(zone, 0x01020304u);
  EXPECT_EQ(domain, "d.com");
  EXPECT_TRUE(k.starts_with(ZoneKeyPrefix(0x01020304)));
  EXPECT_LT(k, ZoneKeyPrefix(0x01020305));
  EXPECT_LT(ZoneKeyPrefix(255), ZoneKeyPrefix(256));  // numeric order, not text order
  EXPECT_FALSE(ParseZoneDomainKey("\x01\x02\x03", &zone, &domain));

  const std::string v6 = dns::Address::Parse("2001:db8::1")->ToKey();
  k.clear();
  AppendZoneGlueKey(&k, 7, "ns1.d.com", v6);
  EXPECT_EQ(k, "\0\0\0\x07ns1.d.com\0"s + v6);
  ASSERT_TRUE(ParseZoneGlueKey(k, &zone, &host, &address));
  EXPECT_EQ(zone, 7u);
  EXPECT_EQ(host, "ns1.d.com");
  EXPECT_EQ(address, v6);
  EXPECT_FALSE(ParseZoneGlueKey("\0\0\0\x07ns1"s, &zone, &host, &address));
}

TEST(Keys, NsCountsAreKeyedByReversedHost) {
  EXPECT_EQ(NsCountsKey("ns1.example.com"), "com.example.ns1");
  EXPECT_EQ(ParseNsCountsKey("com.example.ns1"), "ns1.example.com");
  EXPECT_EQ(ParseNsCountsKey(NsCountsKey("a\\.b.c")), "a\\.b.c");  // an escaped dot stays in its label
  std::string encoded;
  EncodeNsCounts({.total = 300, .active = 2}, &encoded);
  EXPECT_EQ(encoded, "\xac\x02\x02");
  NsCounts back;
  ASSERT_TRUE(DecodeNsCounts(encoded, &back));
  EXPECT_EQ(back.total, 300u);
  EXPECT_EQ(back.active, 2u);
  ExpectOnlyTheWholeValue(encoded, DecodeNsCounts);
}

TEST(Keys, NsCountsSubtreeHoldsTheNameAndWhatIsBelowIt) {
  using Place = NsCountsSubtree::Place;
  const NsCountsSubtree sub("example.com");
  EXPECT_EQ(sub.first_key(), "com.example");
  const std::vector<std::pair<std::string, Place>> cases = {
      {"example.com", Place::kInside},        {"ns1.example.com", Place::kInside}, {"a.b.example.com", Place::kInside},
      {"example2.com", Place::kBetween},      {"example-x.com", Place::kBetween},  {"examplf.com", Place::kPast},
      {"ns1.example.community", Place::kPast}};
  std::vector<std::string> keys;
  for (const auto& [host, place] : cases) {
    EXPECT_EQ(sub.Locate(NsCountsKey(host)), place) << host;
    keys.push_back(NsCountsKey(host));
  }
  // Whatever sorts before the subtree's first key is not past it, and every
  // key after the first key past it is past it too.
  std::sort(keys.begin(), keys.end());
  bool past = false;
  for (const auto& k : keys) {
    if (past) {
      EXPECT_EQ(sub.Locate(k), Place::kPast) << k;
    }
    past = past || sub.Locate(k) == Place::kPast;
  }
  const NsCountsSubtree root("");
  for (const auto& [host, place] : cases) EXPECT_EQ(root.Locate(NsCountsKey(host)), Place::kInside) << host;
}

TEST(Keys, GlueKeysRoundTripBothWays) {
  for (const char* text : {"192.0.2.1", "2001:db8::53", "0.0.0.0"}) {
    const std::string address = dns::Address::Parse(text)->ToKey();
    const GlueKey key{"ns1.example.net", address, 0x00010203};
    std::string by_host, by_address;
    AppendGlueKey(&by_host, key);
    AppendGlueByAddressKey(&by_address, key);
    EXPECT_EQ(by_host, "ns1.example.net\0"s + address + "\x00\x01\x02\x03"s);
    EXPECT_EQ(by_address, address + "ns1.example.net\0"s + "\x00\x01\x02\x03"s);
    EXPECT_TRUE(by_host.starts_with(GlueHostPrefix("ns1.example.net")));
    EXPECT_TRUE(by_address.starts_with(GlueAddressPrefix(*dns::Address::Parse(text))));
    GlueKey back;
    ASSERT_TRUE(ParseGlueKey(by_host, &back)) << text;
    EXPECT_EQ(std::tie(back.host, back.address, back.zone_id), std::tie(key.host, key.address, key.zone_id));
    back = GlueKey();
    ASSERT_TRUE(ParseGlueByAddressKey(by_address, &back)) << text;
    EXPECT_EQ(std::tie(back.host, back.address, back.zone_id), std::tie(key.host, key.address, key.zone_id));
    ExpectEveryTruncationRefused(by_address.substr(0, by_address.size() - 4), [](std::string_view in) {
      GlueKey k;
      return ParseGlueByAddressKey(std::string(in) + "\0\0\0\1"s, &k);
    });
  }
  GlueKey back;
  EXPECT_FALSE(
      ParseGlueByAddressKey("\x05"
                            "1234ns\0\0\0\0\1"s,
                            &back));                  // no such family
  EXPECT_FALSE(ParseGlueKey("ns1\0\1\2\3"s, &back));  // a zone id, but no separator
}

TEST(Keys, ObservedKeysAndValues) {
  EXPECT_EQ(ObservedKey("ns1.a.net", "x.com"),
            Key("ns1.a.net", "x.com"));  // the layout of an edge key (and of format 1's ns_edges)
  const std::string v4 = dns::Address::Parse("0.0.0.10")->ToKey();  // NUL bytes in the address
  std::string_view name, other;                                     // views into `key`, which must outlive them
  const std::string key = ObservedKey("ns1.a.net", v4);
  ASSERT_TRUE(ParseObservedKey(key, &name, &other));
  EXPECT_EQ(name, "ns1.a.net");
  EXPECT_EQ(other, v4);
  EXPECT_TRUE(ObservedKey("a", "").starts_with(ObservedNamePrefix("a")));
  EXPECT_FALSE(ObservedKey("a.b", "").starts_with(ObservedNamePrefix("a")));
  EXPECT_LT(ObservedKey("a", "~~~"), ObservedNameLimit("a"));
  EXPECT_GT(ObservedKey("a-", ""), ObservedNameLimit("a"));

  std::string encoded;
  EncodeObservedValue({.first = 100, .last = 150, .count = 3}, &encoded);
  EXPECT_EQ(encoded, "\x64\x32\x03");  // first, last - first, count
  ObservedValue back;
  ASSERT_TRUE(DecodeObservedValue(encoded, &back));
  EXPECT_EQ(back.first, 100);
  EXPECT_EQ(back.last, 150);
  EXPECT_EQ(back.count, 3u);
  ExpectOnlyTheWholeValue(encoded, DecodeObservedValue);
}

TEST(Keys, AlertsSortByDomainThenTime) {
  std::string key, value;
  EncodeAlert({"exfil.test", 1'000'000, "tunneling", R"({"n":1})"}, &key, &value);
  EXPECT_EQ(key, "exfil.test\0\0\0\0\0\0\x0f\x42\x40"s);
  EXPECT_EQ(value, "tunneling\0{\"n\":1}"s);
  StoredAlert back;
  ASSERT_TRUE(DecodeAlert(key, value, &back));
  EXPECT_EQ(back.domain, "exfil.test");
  EXPECT_EQ(back.alert_time_us, 1'000'000);
  EXPECT_EQ(back.category, "tunneling");
  EXPECT_EQ(back.json, R"({"n":1})");
  std::vector<std::string> keys;
  for (const auto& [domain, t] : std::vector<std::pair<std::string, int64_t>>{
           {"exfil.test", 1}, {"exfil.test", 256}, {"exfil.test", int64_t{1} << 40}, {"exfil.testing", 0}}) {
    std::string k, v;
    EncodeAlert({domain, t, "c", "{}"}, &k, &v);
    keys.push_back(k);
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_TRUE(keys[2].starts_with(AlertDomainPrefix("exfil.test")));
  EXPECT_FALSE(keys[3].starts_with(AlertDomainPrefix("exfil.test")));
  EXPECT_EQ(AlertDomainPrefix(""), "");
  EXPECT_FALSE(DecodeAlert(key.substr(0, key.size() - 1), value, &back));
  EXPECT_FALSE(DecodeAlert(key, "no separator", &back));
}

TEST(Keys, IndicatorsRoundTripForEachKind) {
  for (IndicatorKind kind : {IndicatorKind::kDomain, IndicatorKind::kNameServer, IndicatorKind::kAddress}) {
    const Indicator i{kind, "bad.test", "c2", "feed", 1700000000};
    std::string key, value;
    EncodeIndicator(i, &key, &value);
    EXPECT_EQ(key, std::string(1, static_cast<char>(kind)) + "bad.test");
    EXPECT_EQ(key, IndicatorKey(kind, "bad.test"));
    EXPECT_EQ(value, "c2\0feed\0\x80\xe2\xcf\xaa\x06"s);  // 1700000000 as a varint
    Indicator back;
    ASSERT_TRUE(DecodeIndicator(key, value, &back));
    EXPECT_EQ(std::tie(back.kind, back.value, back.category, back.source, back.added),
              std::tie(i.kind, i.value, i.category, i.source, i.added));
    ExpectEveryTruncationRefused(value, [&](std::string_view in) {
      Indicator x;
      return DecodeIndicator(key, in, &x);
    });
  }
  Indicator back;
  EXPECT_FALSE(DecodeIndicator("xbad.test", "c\0s\0\x01"s, &back));  // no such kind
  EXPECT_FALSE(DecodeIndicator("", "c\0s\0\x01"s, &back));
}

TEST(Keys, AllowlistEventsRoundTripAndRefuseDamage) {
  AllowlistEvent e{.domain = "cdn.test",
                   .time_us = 42,
                   .listed = false,
                   .by = "key:1",
                   .alert = "a@1",
                   .reason = std::string("a\0b", 3)};
  std::string key, value;
  EncodeAllowlistEvent(e, &key, &value);
  AllowlistEvent back;
  ASSERT_TRUE(DecodeAllowlistEvent(key, value, &back));
  EXPECT_EQ(back.domain, "cdn.test");
  EXPECT_EQ(back.time_us, 42);
  EXPECT_FALSE(back.listed);
  EXPECT_EQ(back.by, "key:1");
  EXPECT_EQ(back.alert, "a@1");
  EXPECT_EQ(back.reason, std::string("a\0b", 3));
  EXPECT_TRUE(key.starts_with(AllowlistDomainPrefix("cdn.test")));
  EXPECT_FALSE(DecodeAllowlistEvent(key.substr(0, key.size() - 1), value, &back));
  EXPECT_FALSE(DecodeAllowlistEvent(key, "", &back));
  EXPECT_FALSE(DecodeAllowlistEvent(key, "?key:1", &back));
  EXPECT_FALSE(DecodeAllowlistEvent(key, std::string("+key:1\0alert", 12), &back));  // one NUL only
}

}  // namespace
}  // namespace nsradar::nsdb
