#include "nsdb/internal/edge_block.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "nsdb/edge_value.h"

namespace nsradar::nsdb {
namespace {

std::string Value(uint32_t zone, int64_t first, bool open) {
  EdgeValue v;
  v.zone_id = zone;
  v.runs.push_back(SeenRun{first, open ? kOpenEnd : first + 100});
  std::string out;
  v.EncodeTo(&out);
  return out;
}

struct Entry {
  std::string domain, value;
};

std::string Build(const std::vector<Entry>& entries) {
  EdgeBlockBuilder b;
  for (const auto& e : entries) b.Add(e.domain, e.value);
  return b.block();
}

TEST(EdgeBlock, RoundTripWithSharedPrefixesAndRepeatedValues) {
  std::vector<Entry> entries = {{"a.com", Value(1, 10, true)},   {"a.net", Value(1, 10, true)},
                                {"aa.com", Value(2, 20, false)}, {"aaa.example.com", Value(2, 20, false)},
                                {"b", Value(1, 10, true)},       {"zzz.org", Value(7, 1700000000, true)}};
  const std::string block = Build(entries);
  EdgeBlockReader r;
  ASSERT_TRUE(r.Decode("a.com", block));
  ASSERT_EQ(r.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(r.domain(i), entries[i].domain);
    EXPECT_EQ(r.value(i), entries[i].value);
    EdgeValue v;
    EXPECT_TRUE(EdgeValue::Decode(r.value(i), &v)) << i;
  }
  // The first domain lives in the key, not the block.
  // Count 6; the first entry shares all of "a.com" with it, adds nothing,
  // and has its own value.
  EXPECT_EQ(block.substr(0, 3), std::string("\x06\x05\x00", 3));
  EXPECT_EQ(block.substr(3, entries[0].value.size()), entries[0].value);
}

TEST(EdgeBlock, RepeatedValuesCostTwoBytesAndTheSuffix) {
  EdgeBlockBuilder b;
  const std::string v = Value(3, 1700000000, true);
  b.Add("dom000.com", v);
  const size_t one = b.block().size();
  b.Add("dom001.com", v);
  // shared (5), header (unshared 5 << 1 | same), "1.com"
  EXPECT_EQ(b.block().size(), one + 2 + 5);
}

TEST(EdgeBlock, LowerBoundFindsTheFirstEntryAtOrAfter) {
  std::vector<Entry> entries;
  for (int i = 0; i < 200; i += 2) {
    char name[16];
    snprintf(name, sizeof name, "d%03d.com", i);
    entries.push_back({name, Value(1, i, true)});
  }
  EdgeBlockReader r;
  ASSERT_TRUE(r.Decode("d000.com", Build(entries)));
  EXPECT_EQ(r.LowerBound("d000.com", false), 0u);
  EXPECT_EQ(r.LowerBound("d000.com", true), 1u);
  EXPECT_EQ(r.LowerBound("d001.com", false), 1u);
  EXPECT_EQ(r.LowerBound("d001.com", true), 1u);
  EXPECT_EQ(r.LowerBound("a", false), 0u);
  EXPECT_EQ(r.LowerBound("d198.com", true), r.size());
  EXPECT_EQ(r.LowerBound("e", false), r.size());
}

TEST(EdgeBlock, MalformedBlocksAreRefused) {
  const std::vector<Entry> entries = {
      {"a.com", Value(1, 10, true)}, {"b.com", Value(1, 10, true)}, {"c.com", Value(2, 5, false)}};
  const std::string block = Build(entries);
  EdgeBlockReader r;
  ASSERT_TRUE(r.Decode("a.com", block));
  // Every truncation and every extension is refused: the count says how
  // many entries there are.
  for (size_t n = 0; n < block.size(); ++n) EXPECT_FALSE(r.Decode("a.com", block.substr(0, n))) << n;
  EXPECT_FALSE(r.Decode("a.com", block + '\0'));
  // Keyed by another first domain.
  EXPECT_FALSE(r.Decode("a.co", block));
  EXPECT_FALSE(r.Decode("b.com", block));
  // Out of order: the second entry equal to the first.
  std::string dup = Build({{"a.com", Value(1, 10, true)}, {"a.com", Value(1, 10, true)}});
  EXPECT_FALSE(r.Decode("a.com", dup));
  std::string down = Build({{"b.com", Value(1, 10, true)}, {"a.com", Value(1, 10, true)}});
  EXPECT_FALSE(r.Decode("b.com", down));
  // A count larger than the bytes could hold.
  std::string huge = "\xff\xff\xff\xff\x0f";
  EXPECT_FALSE(r.Decode("a.com", huge + block.substr(1)));
  EXPECT_FALSE(r.Decode("a.com", ""));
}

TEST(EdgeBlock, RandomBytesNeverDecodeOutOfBounds) {
  std::mt19937 rng(7);
  const std::string good = Build({{"a.com", Value(1, 10, true)}, {"ab.com", Value(1, 11, true)}});
  EdgeBlockReader r;
  int decoded = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string b = good;
    for (int flips = 1 + rng() % 3; flips > 0; --flips) b[rng() % b.size()] = static_cast<char>(rng());
    if (!r.Decode("a.com", b)) continue;
    ++decoded;
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_LE(r.value(i).data() + r.value(i).size(), b.data() + b.size());
      EXPECT_GE(r.value(i).data(), b.data());
      if (i > 0) {
        EXPECT_LT(r.domain(i - 1), r.domain(i));
      }
    }
  }
  EXPECT_GT(decoded, 0);  // some flips only change a run's time
}

}  // namespace
}  // namespace nsradar::nsdb
