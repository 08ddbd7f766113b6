#include "detect/info_sketch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace nsradar::detect {
namespace {

std::vector<std::string> RandomLabels(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const char* b32 = "abcdefghijklmnopqrstuvwxyz234567";
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string s(10 + rng() % 51, 'a');
    for (char& c : s) c = b32[rng() % 32];
    out.push_back(std::move(s));
  }
  return out;
}

TEST(InfoSketch, SmallSetsAreExact) {
  InfoSketch s;
  EXPECT_EQ(s.Estimate(), 0);
  s.Add("www", 3);
  s.Add("mail", 4);
  s.Add("www", 3);  // a repeat adds nothing
  EXPECT_DOUBLE_EQ(s.Estimate(), 7);
}

// Over many seeds the estimate of a large set stays within 3 standard
// errors (about 39%) and is unbiased within a few percent on average.
TEST(InfoSketch, LargeSetsWithinTheStatedError) {
  double sum_ratio = 0;
  const int trials = 40;
  for (int t = 0; t < trials; ++t) {
    auto labels = RandomLabels(5000, 1000 + t);
    InfoSketch s;
    double exact = 0;
    for (const auto& l : labels) {
      s.Add(l, static_cast<double>(l.size()));
      exact += static_cast<double>(l.size());
    }
    double ratio = s.Estimate() / exact;
    EXPECT_GT(ratio, 0.61) << "trial " << t;
    EXPECT_LT(ratio, 1.39) << "trial " << t;
    sum_ratio += ratio;
  }
  EXPECT_NEAR(sum_ratio / trials, 1.0, 0.06);
}

TEST(InfoSketch, RepeatsAddNothingAndMergeIsTheUnion) {
  auto a = RandomLabels(3000, 7), b = RandomLabels(3000, 8);
  InfoSketch sa, sb, all;
  for (const auto& l : a) sa.Add(l, static_cast<double>(l.size()));
  double before = sa.Estimate();
  for (int rep = 0; rep < 5; ++rep) {
    for (const auto& l : a) sa.Add(l, static_cast<double>(l.size()));
  }
  EXPECT_DOUBLE_EQ(sa.Estimate(), before);
  for (const auto& l : b) sb.Add(l, static_cast<double>(l.size()));
  for (const auto& l : a) all.Add(l, static_cast<double>(l.size()));
  for (const auto& l : b) all.Add(l, static_cast<double>(l.size()));
  sa.Merge(sb);
  EXPECT_DOUBLE_EQ(sa.Estimate(), all.Estimate());
}

// Tunnels mix short polls with long data queries: the estimate must hold
// for skewed weights too, from the small counts of a 4 KB leak upward.
TEST(InfoSketch, SkewedWeightsAreNotUnderestimated) {
  for (size_t n : {100u, 300u, 3000u}) {
    double sum_ratio = 0;
    for (int t = 0; t < 20; ++t) {
      auto labels = RandomLabels(n, 50 + t);
      InfoSketch s;
      double exact = 0;
      for (size_t i = 0; i < labels.size(); ++i) {
        double w = i % 3 == 0 ? 180 : 10;
        s.Add(labels[i], w);
        exact += w;
      }
      sum_ratio += s.Estimate() / exact;
    }
    EXPECT_NEAR(sum_ratio / 20, 1.0, 0.1) << n << " items";
  }
}

TEST(InfoSketch, ExactBelowTheSampleSize) {
  auto labels = RandomLabels(InfoSketch::kSample - 1, 3);
  InfoSketch s;
  double exact = 0;
  for (const auto& l : labels) {
    s.Add(l, static_cast<double>(l.size()));
    exact += static_cast<double>(l.size());
  }
  EXPECT_DOUBLE_EQ(s.Estimate(), exact);
  EXPECT_EQ(s.Distinct(), InfoSketch::kSample - 1);
}

TEST(InfoSketch, FixedSize) { EXPECT_LE(sizeof(InfoSketch), 800u); }

}  // namespace
}  // namespace nsradar::detect
