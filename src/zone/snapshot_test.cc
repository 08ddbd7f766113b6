#include "zone/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "dns/name_testing.h"

namespace nsradar::zone {
namespace {

ZoneSnapshot Load(const std::string& text, const std::string& zone = "", bool has_zone = false) {
  SnapshotOptions so;
  so.zone = zone;
  so.has_zone = has_zone;
  auto reader = ZoneReader::FromMemory(text, so.reader);
  ZoneSnapshot snap;
  EXPECT_TRUE(ZoneSnapshot::Load(reader.get(), so, &snap).ok());
  return snap;
}

TEST(SnapshotTest, SortsMergesAndRanks) {
  auto s = Load(
      "com. 60 IN SOA a.gtld-servers.net. n.v.com. 2018012900 1 1 1 1\n"
      "com. 60 IN NS a.gtld-servers.net.\n"
      "zeta.com. 60 IN NS ns2.p.net.\n"
      "alpha.com. 60 IN NS ns2.p.net.\n"
      "alpha.com. 60 IN NS ns1.alpha.com.\n"
      "zeta.com. 60 IN NS ns1.p.net.\n"  // same owner again, not adjacent
      "zeta.com. 60 IN NS ns2.p.net.\n"  // duplicate record
      "ns1.alpha.com. 60 IN A 192.0.2.1\n"
      "ns1.alpha.com. 60 IN AAAA 2001:db8::1\n"
      "www.alpha.com. 60 IN A 192.0.2.9\n"  // not a name server: no glue
      "other.org. 60 IN NS ns.x.\n");       // outside the zone
  EXPECT_EQ(s.apex(), "com");
  EXPECT_TRUE(s.has_serial());
  EXPECT_EQ(s.serial(), 2018012900u);
  ASSERT_EQ(s.domain_count(), 2u);
  EXPECT_EQ(s.domain(0), "alpha.com");
  EXPECT_EQ(s.domain(1), "zeta.com");
  EXPECT_EQ(s.edge_count(), 4u);
  std::vector<std::string> zeta;
  for (const uint32_t* h = s.hosts_begin(1); h != s.hosts_end(1); ++h) zeta.push_back(std::string(s.host(*h)));
  EXPECT_EQ(zeta, (std::vector<std::string>{"ns1.p.net", "ns2.p.net"}));
  for (uint32_t r = 1; r < s.host_count(); ++r) EXPECT_LT(s.host(r - 1), s.host(r));
  ASSERT_EQ(s.glue().size(), 2u);
  EXPECT_EQ(s.host(s.glue()[0].host), "ns1.alpha.com");
  EXPECT_EQ(s.dropped_records(), 1u);
  EXPECT_EQ(s.domain_kind(0), DomainKind::kRegistered);
}

TEST(SnapshotTest, ApexInferredWithoutSoa) {
  auto root = Load(". 60 IN NS a.root-servers.net.\ncom. 60 IN NS a.gtld.net.\nde. 60 IN NS a.nic.de.\n");
  EXPECT_EQ(root.apex(), "");
  EXPECT_EQ(root.domain_count(), 2u);
  EXPECT_EQ(root.domain_kind(0), DomainKind::kSuffix);
  auto com = Load("a.com. 60 IN NS ns.x.\nb.com. 60 IN NS ns.x.\n");
  EXPECT_EQ(com.apex(), "com");
  auto given = Load("sub.example.com. 60 IN NS ns.x.\n", "example.com", true);
  EXPECT_EQ(given.apex(), "example.com");
  ASSERT_EQ(given.domain_count(), 1u);
  EXPECT_EQ(given.domain_kind(0), DomainKind::kSubdomain);
}

// The kinds' name table covers every kind, once, as JSON and the filters
// spell them.
TEST(SnapshotTest, EveryDomainKindHasOneName) {
  EXPECT_EQ(NamesOf(kDomainKindNames), "registered, subdomain or suffix");
  for (DomainKind k : {DomainKind::kSuffix, DomainKind::kRegistered, DomainKind::kSubdomain}) {
    DomainKind back;
    ASSERT_TRUE(ParseDomainKind(DomainKindName(k), &back)) << DomainKindName(k);
    EXPECT_EQ(back, k);
  }
  DomainKind unused;
  EXPECT_FALSE(ParseDomainKind("all", &unused));  // the filters' word, not a kind
}

// The input of issue 11 item 8, as the fuzzer found it: under a $ORIGIN with
// a raw high byte, an owner written without its final dot, "n1.ex\221opl.e"
// (so n1.ex\221opl.e.ex\221opl.e.e), then "n1" (n1.ex\221opl.e.e, 16 bytes).
// The sort keys took the two for equal and kept the file's order.
TEST(SnapshotTest, SixteenByteNameBeforeTheNamesItBegins) {
  auto s = Load("$ORIGIN ex\xddopl.e.e.\nn1.ex\xddopl.e 3600 IN NS ns1\nn1 3600 IN NS ns1\n");
  ASSERT_EQ(s.domain_count(), 2u);
  EXPECT_EQ(s.domain(0), "n1.ex\\221opl.e.e");
  EXPECT_EQ(s.domain(1), "n1.ex\\221opl.e.ex\\221opl.e.e");
  // Nothing but the lengths matters: the same in plain letters, and a name
  // split around the other (its records apart) is still one domain.
  s = Load(
      "x.test. 60 IN NS ns.x.\n"
      "abcdefghijk.test. 60 IN NS ns1.x.\n"
      "abcdefghijk.testx.test. 60 IN NS ns1.x.\n"
      "abcdefghijk.test. 60 IN NS ns2.x.\n");
  ASSERT_EQ(s.domain_count(), 3u);
  EXPECT_EQ(s.domain(0), "abcdefghijk.test");
  EXPECT_EQ(s.hosts_end(0) - s.hosts_begin(0), 2);
  EXPECT_EQ(s.domain(1), "abcdefghijk.testx.test");
  EXPECT_EQ(s.domain(2), "x.test");
}

// Names holding every byte value, written every way zone syntax allows:
// `\DDD`, `\X`, and raw wherever the byte is not syntax; in owners, NS
// targets and $ORIGIN (absolute and nested relative); on CZDS-style lines
// (the fast path) and general ones. For every byte, the shapes that broke
// the sort: a 16-byte domain and a longer one beginning with it, the longer
// first. Whatever order the blocks come in, the snapshot holds exactly the
// expected names, strictly ascending, and every name parses back to itself.
TEST(SnapshotTest, NamesOfEveryByteValueInEveryFormSortStrictly) {
  using dns::testing::CanonicalOf;
  using dns::testing::DecimalEscape;
  // The byte as zone text: raw unless it is syntax (blanks, quotes,
  // parentheses, comments, escapes, dots, control characters), else `\X`
  // unless a digit would make it `\DDD`, NUL would end the file or LF the
  // line (or CR, taken for CRLF at the end of a line), else `\DDD`.
  auto written = [&](int b) {
    const auto c = static_cast<char>(b);
    const bool syntax = std::string_view("\"();\\.").find(c) != std::string_view::npos;
    if (b > 0x20 && !syntax) return std::string(1, c);
    if (b != 0 && b != '\n' && b != '\r' && (b < '0' || b > '9')) return "\\" + std::string(1, c);
    return DecimalEscape(b);
  };
  // Pads `label` (zone text) with 'f' to `length` canonical bytes.
  auto pad = [&](const std::string& label, size_t length) {
    return label + std::string(length - CanonicalOf(label + ".").size(), 'f');
  };
  std::map<std::string, std::set<std::string>> want;  // canonical domain -> canonical hosts
  auto edge = [&](const std::string& domain, const std::string& host) {
    want[CanonicalOf(domain)].insert(CanonicalOf(host));
  };
  std::vector<std::string> blocks;
  for (int b = 0; b < 256; ++b) {
    const std::string w = written(b), d = DecimalEscape(b);
    std::string block = "$ORIGIN z.\n";
    // A 16-byte domain after the longer one it begins, both absolute, first
    // CZDS-style with the byte as written, then with the byte as `\DDD`.
    const std::string a = pad("p" + w, 14), a_ddd = pad("p" + d, 14);
    block += a + ".zq.z.\t60\tin\tns\tn" + w + ".h.\n";
    block += a + ".z.\t60\tin\tns\tn" + w + ".h.\n";
    block += a_ddd + ".zq.z. 60 NS n" + d + "x.h.\n";
    block += a_ddd + ".z. 60 IN NS n" + d + "x.h.\n";
    edge(a_ddd + ".zq.z.", "n" + d + ".h.");
    edge(a_ddd + ".z.", "n" + d + ".h.");
    edge(a_ddd + ".zq.z.", "n" + d + "x.h.");
    edge(a_ddd + ".z.", "n" + d + "x.h.");
    // The fuzzer's shape: under an origin O (a 16-byte "n1.O"), an owner
    // without its final dot, then the same label alone; hosts relative.
    const std::string o = pad("o" + w, 11), o_ddd = pad("o" + d, 11);
    block += "$ORIGIN " + o + ".z.\n";
    block += "n1." + o + ".z 60 NS n" + w + "\n";
    block += "n1 60 NS n" + d + "\n";
    edge("n1." + o_ddd + ".z." + o_ddd + ".z.", "n" + d + "." + o_ddd + ".z.");
    edge("n1." + o_ddd + ".z.", "n" + d + "." + o_ddd + ".z.");
    // Nested relative origins, each level written another way.
    block += "$ORIGIN z.\n$ORIGIN r" + w + "\n$ORIGIN s" + d + "\n";
    block += "t" + w + " 60 NS m" + d + ".h.\n";
    block += "@ 60 NS m" + w + "\n";
    const std::string origin = "s" + d + ".r" + d + ".z.";
    edge("t" + d + "." + origin, "m" + d + ".h.");
    edge(origin, "m" + d + "." + origin);
    blocks.push_back(std::move(block));
  }

  auto check = [&](const std::vector<std::string>& order, const std::string& what) {
    std::string text = "z. 60 IN SOA ns.z. h.z. 1 1 1 1 1\n";
    for (const auto& block : order) text += block;
    SnapshotOptions so;
    std::vector<std::string> errors;
    so.reader.on_error = [&](const Diagnostic& d) { errors.push_back(d.ToString()); };
    auto reader = ZoneReader::FromMemory(text, so.reader);
    ZoneSnapshot s;
    ASSERT_TRUE(ZoneSnapshot::Load(reader.get(), so, &s).ok()) << what;
    ASSERT_TRUE(errors.empty()) << what << ": " << errors[0];
    EXPECT_EQ(s.apex(), "z");
    std::vector<std::string> domains;
    for (size_t i = 0; i < s.domain_count(); ++i) {
      domains.emplace_back(s.domain(i));
      std::vector<std::string> hosts;
      for (const uint32_t* h = s.hosts_begin(i); h != s.hosts_end(i); ++h) hosts.emplace_back(s.host(*h));
      auto it = want.find(domains.back());
      if (it == want.end()) continue;  // reported by the comparison below
      EXPECT_EQ(hosts, std::vector<std::string>(it->second.begin(), it->second.end())) << what << " " << domains.back();
    }
    std::vector<std::string> want_domains;
    for (const auto& [domain, hosts] : want) want_domains.push_back(domain);
    // Strictly ascending, as std::map keeps them; the first difference shown.
    auto [got_at, want_at] = std::mismatch(domains.begin(), domains.end(), want_domains.begin(), want_domains.end());
    ASSERT_TRUE(got_at == domains.end() && want_at == want_domains.end())
        << what << ": at " << got_at - domains.begin() << " got "
        << (got_at == domains.end() ? "(end)" : testing::PrintToString(*got_at)) << ", want "
        << (want_at == want_domains.end() ? "(end)" : testing::PrintToString(*want_at));
    for (uint32_t r = 0; r < s.host_count(); ++r) {
      if (r > 0) {
        EXPECT_LT(s.host(r - 1), s.host(r)) << what;
      }
      EXPECT_EQ(CanonicalOf(std::string(s.host(r)) + "."), s.host(r)) << what;
    }
    for (const auto& d : domains) EXPECT_EQ(CanonicalOf(d + "."), d) << what;
  };
  check(blocks, "byte order");
  check(std::vector<std::string>(blocks.rbegin(), blocks.rend()), "reversed");
  std::mt19937 rng(11);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(blocks.begin(), blocks.end(), rng);
    check(blocks, "shuffled " + std::to_string(round));
  }
}

}  // namespace
}  // namespace nsradar::zone
