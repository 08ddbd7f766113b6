#include "detect/bounded_table.h"

#include <gtest/gtest.h>

#include <string>

namespace nsradar::detect {
namespace {

struct Counter {
  int hits = 0;
};

TEST(BoundedTable, KeepsStateWhileThereIsRoom) {
  BoundedTable<Counter> t(4);
  t.Touch("a").state.hits++;
  t.Touch("b").state.hits++;
  t.Touch("a").state.hits++;
  ASSERT_NE(t.Find("a"), nullptr);
  EXPECT_EQ(t.Find("a")->state.hits, 2);
  EXPECT_EQ(t.Find("a")->weight, 2u);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.evictions(), 0u);
}

// A flood of one-off keys cannot push out a key that keeps coming back, and
// the table never holds more than its capacity.
TEST(BoundedTable, HeavyKeysSurviveAFloodOfOneOffKeys) {
  BoundedTable<Counter> t(1000);
  for (int i = 0; i < 1'000'000; ++i) {
    if (i % 10 == 0) t.Touch("tunnel.example").state.hits++;
    if (i % 25 == 0) t.Touch("cdn.example").state.hits++;
    t.Touch("x" + std::to_string(i) + ".flood.example");
    ASSERT_LE(t.size(), 1000u);
  }
  const auto* heavy = t.Find("tunnel.example");
  ASSERT_NE(heavy, nullptr);
  EXPECT_EQ(heavy->state.hits, 100000);  // never evicted: its state is whole
  EXPECT_EQ(heavy->error, 0u);
  ASSERT_NE(t.Find("cdn.example"), nullptr);
  EXPECT_EQ(t.Find("cdn.example")->state.hits, 40000);
  EXPECT_GT(t.evictions(), 900000u);
}

TEST(BoundedTable, AnEvictedKeyStartsAgainWithItsErrorBound) {
  BoundedTable<Counter> t(1);
  bool evicted = false;
  t.Touch("a", &evicted).state.hits = 5;
  EXPECT_FALSE(evicted);
  auto& b = t.Touch("b", &evicted);
  EXPECT_TRUE(evicted);
  EXPECT_EQ(b.state.hits, 0);  // fresh state
  EXPECT_EQ(b.error, 1u);      // a's weight
  EXPECT_EQ(b.weight, 2u);
  EXPECT_EQ(t.Find("a"), nullptr);
}

}  // namespace
}  // namespace nsradar::detect
