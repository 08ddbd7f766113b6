#include "detect/tool_marks.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "dns/rr_type.h"

namespace nsradar::detect {
namespace {

using enum MarkConfidence;

// Names as docs/tool-protocols.md shows each tool sending them.
TEST(ToolMarks, EachToolsMarkIsFoundWithItsConfidence) {
  struct Case {
    const char* sub;
    uint16_t qtype;
    const char* tool;
    MarkConfidence confidence;
  } cases[] = {
      {"AAAAAMVBAA.=auth", dns::rr::kTXT, "dns2tcp", kHigh},
      {"Shstp2w6AHNzaA.=connect", dns::rr::kTXT, "dns2tcp", kHigh},
      {"Shstp2w6AA.=resource", 25, "dns2tcp", kHigh},
      {"dnscat.815d011c2c993adc5672bf00010e36a3e9", dns::rr::kMX, "dnscat2", kHigh},
      {"init.OBQXG43XN5ZGI4ZOPBWHG6D4GI3A.base64", dns::rr::kTXT, "DNSExfiltrator", kHigh},
      {"init.OBQXG43XN5ZGI4ZOPBWHG6D4GI3A.base32", dns::rr::kTXT, "DNSExfiltrator", kHigh},
      {"vaaaakaror2", 10, "iodine", kHigh},
      {"VAAAAKAROR2", dns::rr::kTXT, "iodine", kHigh},
      {"zlutaA-Aaahhh-Drink-mal-ein-J\\228germeister-", 10, "iodine", kHigh},
      {"paaac3kq", 10, "iodine", kMedium},
      {"yrbluo", 65399, "iodine", kMedium},
      {"api.0a3b912e8.4df414f6", dns::rr::kA, "Cobalt Strike", kMedium},
      {"www.180.09bffe8f2.4df414f6", dns::rr::kA, "Cobalt Strike", kMedium},
      {"post.134.0343e81.4df414f6", dns::rr::kA, "Cobalt Strike", kMedium},
      {"baa8", dns::rr::kA, "Sliver", kLow},
      // Below the registered domain, the tool's own labels come last.
      {"init.OBQXG43XN5ZGI4ZOPBWHG6D4GE.base64.x1", dns::rr::kTXT, "DNSExfiltrator", kHigh},
      {"www.180.07ac6f581.4df414f6.updates", dns::rr::kA, "Cobalt Strike", kMedium},
      {"dnscat.815d011c2c993adc5672bf00010e36a3e9", dns::rr::kMX, "dnscat2", kHigh},
  };
  for (const Case& c : cases) {
    const ToolMark m = FindToolMark(c.sub, c.qtype);
    EXPECT_EQ(m.tool, c.tool) << c.sub;
    EXPECT_EQ(m.confidence, c.confidence) << c.sub;
    EXPECT_FALSE(m.what.empty()) << c.sub;
  }
}

// Host names that share a piece of a mark: none is a mark.
TEST(ToolMarks, OrdinaryNamesCarryNoMark) {
  for (const char* sub : {"www", "init", "init.example", "api", "api.v2", "www.blog", "cdn.assets", "post.office",
                          "dnscat", "vaaaa", "auth", "login.auth", "init.js.base", "api.0a3b912e8.static",
                          "www.deadbeef.cafe.images", "selector1._domainkey", "_dmarc"}) {
    EXPECT_FALSE(FindToolMark(sub, dns::rr::kA)) << sub;
    EXPECT_FALSE(FindToolMark(sub, dns::rr::kTXT)) << sub;
  }
  EXPECT_FALSE(FindToolMark("", 10));  // a NULL query for the apex names nothing to look at
}

// dnscat2's hex packets: packet id, type, then the session id, which the
// run of a session repeats.
TEST(ToolMarks, Dnscat2HexSessionsAreFoundOverConsecutiveQueries) {
  Dnscat2HexTracker t;
  EXPECT_FALSE(t.Feed("d944001c2cd7080021636f6d6d616e6420284445534b544f502d35485651.4441582900"));  // SYN
  EXPECT_FALSE(t.Feed("9370011c2cd7088939bf48414461eef719d1e287e411fd19a9946105a8"));               // MSG
  EXPECT_TRUE(t.Feed("8884011c2cd71c8939"));                                                        // poll
  EXPECT_TRUE(t.Feed("1234011c2cd71c8940"));
  // Another session id (digits 6-9) restarts the run; a non-hex name
  // breaks it.
  EXPECT_FALSE(t.Feed("1234012222d81c8940"));
  EXPECT_FALSE(t.Feed("1235012222d81c8941"));
  EXPECT_TRUE(t.Feed("1236012222d81c8942"));
  EXPECT_FALSE(t.Feed("www"));
  EXPECT_FALSE(t.Feed("1237012222d81c8943"));
  // A type beyond ENC (digits 4-5 above 03) is no dnscat2 packet.
  EXPECT_FALSE(t.Feed("1238042222d81c8944"));
}

// Random hex names (ad frames, hashes) almost never repeat a valid type and
// a session id three times running.
TEST(ToolMarks, RandomHexNamesAreNotDnscat2) {
  std::mt19937_64 rng(7);
  Dnscat2HexTracker t;
  int marks = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string name;
    for (int k = 0; k < 32; ++k) name.push_back("0123456789abcdef"[rng() & 15]);
    marks += t.Feed(name);
  }
  EXPECT_EQ(marks, 0);
}

}  // namespace
}  // namespace nsradar::detect
