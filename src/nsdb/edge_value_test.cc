#include "nsdb/edge_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace nsradar::nsdb {
namespace {

// Reference: runs recomputed from the full set of snapshot times and the set
// of times holding the edge.
std::vector<SeenRun> Reference(const std::set<int64_t>& times, const std::set<int64_t>& present) {
  std::vector<SeenRun> runs;
  bool in_run = false;
  for (int64_t t : times) {
    if (present.count(t)) {
      if (!in_run) runs.push_back(SeenRun{t, t});
      runs.back().last = t;
      in_run = true;
    } else {
      in_run = false;
    }
  }
  if (!runs.empty() && present.count(*times.rbegin())) runs.back().last = kOpenEnd;
  return runs;
}

TEST(EdgeValueTest, EncodeDecodeRoundTrip) {
  EdgeValue v;
  v.zone_id = 300;
  v.kind = zone::DomainKind::kSubdomain;
  v.runs = {{1517184000, 1517270400}, {1600000000, kOpenEnd}};
  std::string enc;
  v.EncodeTo(&enc);
  EdgeValue w;
  ASSERT_TRUE(EdgeValue::Decode(enc, &w));
  EXPECT_EQ(v, w);
  EXPECT_TRUE(w.active());
  EXPECT_EQ(w.first_seen(), 1517184000);
  EXPECT_EQ(w.last_seen(1700000000), 1700000000);
}

TEST(EdgeValueTest, DecodeRejectsGarbage) {
  EdgeValue v;
  for (std::string bad : {std::string(), std::string("\x01"), std::string("\x01\x09\x01"),
                          std::string("\x01\x01\x05\x01\x01"), std::string("\x01\x01\x02\x05\x00\x01\x01")}) {
    EXPECT_FALSE(EdgeValue::Decode(bad, &v)) << testing::PrintToString(bad);
  }
}

// EdgeSpan accepts exactly the encodings EdgeValue accepts and reports the
// same bounds: checked on valid values and on every truncation and one-byte
// change of them.
TEST(EdgeValueTest, SpanAgreesWithValue) {
  std::mt19937_64 rng(11);
  size_t accepted = 0, refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    EdgeValue v;
    v.zone_id = static_cast<uint32_t>(rng() % 70000);
    v.kind = static_cast<zone::DomainKind>(rng() % 3);
    int64_t t = 1000 + static_cast<int64_t>(rng() % 100000);
    for (int runs = static_cast<int>(rng() % 4); runs > 0; --runs) {
      const int64_t last = t + static_cast<int64_t>(rng() % 5000);
      v.runs.push_back(SeenRun{t, runs == 1 && rng() % 2 ? kOpenEnd : last});
      t = last + 2 + static_cast<int64_t>(rng() % 5000);
    }
    std::string enc;
    v.EncodeTo(&enc);
    std::vector<std::string> inputs{enc, enc.substr(0, enc.size() - 1)};
    std::string changed = enc;
    changed[rng() % changed.size()] = static_cast<char>(rng());
    inputs.push_back(changed);
    for (const std::string& in : inputs) {
      EdgeValue value;
      EdgeSpan span;
      const bool ok = EdgeValue::Decode(in, &value);
      ASSERT_EQ(EdgeSpan::Decode(in, &span), ok) << testing::PrintToString(in);
      (ok ? accepted : refused)++;
      if (!ok) continue;
      EXPECT_EQ(span.zone_id, value.zone_id);
      EXPECT_EQ(span.kind, value.kind);
      EXPECT_EQ(span.first_seen, value.first_seen());
      EXPECT_EQ(span.active(), value.active());
      for (int64_t latest : {int64_t{0}, t, int64_t{1} << 40})
        EXPECT_EQ(span.last_seen(latest), value.last_seen(latest));
    }
  }
  // Both branches ran many times.
  EXPECT_GT(accepted, 3000u);
  EXPECT_GT(refused, 1000u);
}

// Any order of observations yields the runs of the reference, and replaying
// any observation changes nothing.
TEST(EdgeValueTest, ObservationsInAnyOrderMatchReference) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    int n = 1 + static_cast<int>(rng() % 9);
    std::vector<int64_t> times;
    std::set<int64_t> present;
    for (int i = 0; i < n; ++i) {
      times.push_back(1000 + 10 * i);
      if (rng() % 2) present.insert(times.back());
    }
    std::shuffle(times.begin(), times.end(), rng);
    std::vector<SeenRun> runs;
    std::set<int64_t> seen;
    for (int64_t t : times) {
      std::optional<int64_t> prev, next;
      for (int64_t s : seen) {
        if (s < t) prev = s;
        if (s > t && !next) next = s;
      }
      ApplyObservation(&runs, t, present.count(t) > 0, prev, next);
      seen.insert(t);
      EXPECT_EQ(runs, Reference(seen, present)) << "trial " << trial;
      EXPECT_FALSE(ApplyObservation(&runs, t, present.count(t) > 0, prev, next));
    }
  }
}

TEST(EdgeValueTest, ReplacingASnapshotFlipsPresence) {
  std::vector<SeenRun> runs;
  ApplyObservation(&runs, 10, true, std::nullopt, std::nullopt);
  ApplyObservation(&runs, 20, true, 10, std::nullopt);
  ApplyObservation(&runs, 30, true, 20, std::nullopt);
  EXPECT_EQ(runs, (std::vector<SeenRun>{{10, kOpenEnd}}));
  // Snapshot 20 re-ingested without the edge: the run splits around it.
  EXPECT_TRUE(ApplyObservation(&runs, 20, false, 10, 30));
  EXPECT_EQ(runs, (std::vector<SeenRun>{{10, 10}, {30, kOpenEnd}}));
  // And back.
  EXPECT_TRUE(ApplyObservation(&runs, 20, true, 10, 30));
  EXPECT_EQ(runs, (std::vector<SeenRun>{{10, kOpenEnd}}));
  // The only snapshot replaced without the edge: nothing is left.
  std::vector<SeenRun> single;
  ApplyObservation(&single, 10, true, std::nullopt, std::nullopt);
  EXPECT_TRUE(ApplyObservation(&single, 10, false, std::nullopt, std::nullopt));
  EXPECT_TRUE(single.empty());
}

}  // namespace
}  // namespace nsradar::nsdb
