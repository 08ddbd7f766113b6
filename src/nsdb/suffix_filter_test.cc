// The suffix filter of a name server's domain list (DomainQuery::suffix):
// label boundaries, escaped and high bytes, paging across ns_blocks blocks
// with the keyset cursor, and exact totals, against a model that splits
// names into labels itself rather than asking dns::IsAtOrBelow.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "nsdb/internal/edge_block.h"
#include "nsdb/store.h"
#include "nsdb/store_test_util.h"

namespace nsradar::nsdb {
namespace {

using testing::SnapshotFromText;
using testing::TempDir;

constexpr char kNs[] = "ns1.suffix.net";

// The labels of a canonical name, split at the dots no backslash escapes.
std::vector<std::string> Labels(const std::string& name) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      out.back() += name.substr(i, 2);
      ++i;
    } else if (name[i] == '.') {
      out.emplace_back();
    } else {
      out.back() += name[i];
    }
  }
  return out;
}

bool ModelAtOrBelow(const std::string& name, const std::string& suffix) {
  const std::vector<std::string> n = Labels(name), s = Labels(suffix);
  return n.size() >= s.size() && std::equal(s.rbegin(), s.rend(), n.rbegin());
}

// Names under com. from labels that are suffixes of each other as text
// ("example", "badexample", "xample"-less) and labels with escaped dots,
// spaces, backslashes and high bytes, so that a textual suffix test and a
// label test disagree on many of them.
struct Data {
  std::set<std::string> all, second;  // every name (snapshot 1), those kept in snapshot 2
};

Data MakeData() {
  const std::vector<std::string> labels = {"a",           "b",       "ex",    "example", "badexample",
                                           "a\\.example", "x\\032y", "\\255", "q\\\\"};
  Data d;
  for (const char* fixed : {"example.com", "a.example.com", "badexample.com", "a\\.example.com", "x\\032y.example.com",
                            "\\255.example.com", "q\\\\.example.com", "b.a.example.com"}) {
    d.all.insert(fixed);
  }
  std::mt19937_64 rng(16);
  while (d.all.size() < 2600) {
    std::string name = "com";
    for (int depth = 1 + static_cast<int>(rng() % 4); depth > 0; --depth)
      name = labels[rng() % labels.size()] + "." + name;
    d.all.insert(name);
  }
  for (const auto& n : d.all) {
    if (std::hash<std::string>()(n) % 3 != 0) d.second.insert(n);
  }
  return d;
}

std::string SnapshotText(const std::set<std::string>& names) {
  std::string text = "com.\t60\tIN\tSOA\tns.com. h.com. 1 1 1 1 1\n";
  for (const auto& n : names) text += n + ".\t60\tIN\tNS\t" + kNs + ".\n";
  return text;
}

class SuffixFilter : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    store_ = testing::OpenStore(dir_.file("store"), GetParam());
    ASSERT_TRUE(store_);
    for (auto [names, t] : {std::pair{&data_.all, int64_t{1000}}, std::pair{&data_.second, int64_t{2000}}}) {
      IngestResult r;
      Status s = store_->IngestSnapshot(SnapshotFromText(SnapshotText(*names)), t, "test", &r);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  // The model's names under `suffix` (active only: in snapshot 2), in the
  // store's order (the canonical names' byte order, as std::set keeps them).
  std::vector<std::string> Expected(const std::string& suffix, bool active) const {
    std::vector<std::string> out;
    for (const auto& n : active ? data_.second : data_.all) {
      if (ModelAtOrBelow(n, suffix)) out.push_back(n);
    }
    return out;
  }

  // Every page of `q` walked with the cursor, `limit` rows at a time; each
  // page's total checked against `total` (when the query wants one).
  std::vector<std::string> Walk(DomainQuery q, size_t limit, size_t total) const {
    q.limit = limit;
    std::vector<std::string> rows;
    for (int pages = 0;; ++pages) {
      DomainPage page;
      Status s = store_->DomainsOnNs(q, &page);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (q.want_total) {
        EXPECT_EQ(page.total, total) << "suffix " << q.suffix << " page " << pages;
      }
      EXPECT_LE(page.rows.size(), limit);
      for (const auto& r : page.rows) rows.push_back(r.name);
      if (!page.more) return rows;
      EXPECT_EQ(page.rows.size(), limit) << "a page that is not the last is full";
      if (page.rows.empty() || pages > 10000) return rows;
      q.after = page.rows.back().name;
    }
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  const Data data_ = MakeData();
};

TEST_P(SuffixFilter, KeepsLabelBoundariesWhateverTheBytes) {
  DomainQuery q;
  q.ns = kNs;
  q.limit = kMaxPage;
  q.suffix = "example.com";
  DomainPage page;
  ASSERT_TRUE(store_->DomainsOnNs(q, &page).ok());
  std::set<std::string> got;
  for (const auto& r : page.rows) got.insert(r.name);
  // The suffix itself, and below it names whose first label holds a space,
  // a backslash or a high byte.
  for (const char* in : {"example.com", "a.example.com", "b.a.example.com", "x\\032y.example.com", "\\255.example.com",
                         "q\\\\.example.com"}) {
    EXPECT_TRUE(got.contains(in)) << in;
  }
  // Ends with the text "example.com" but not with its labels: "badexample"
  // is one label, and so is "a\.example" (an escaped dot).
  EXPECT_FALSE(got.contains("badexample.com"));
  EXPECT_FALSE(got.contains("a\\.example.com"));
  for (const auto& n : got) EXPECT_TRUE(ModelAtOrBelow(n, "example.com")) << n;
  EXPECT_EQ(page.total, got.size());
}

TEST_P(SuffixFilter, PagesAndTotalsMatchTheModelAcrossBlocks) {
  std::vector<std::string> suffixes = {"com",
                                       "example.com",
                                       "a.example.com",
                                       "b.a.example.com",  // equal to a domain with nothing below it
                                       "badexample.com",
                                       "a\\.example.com",
                                       "x\\032y.com",
                                       "\\255.com",
                                       "q\\\\.com",
                                       "xample.com",  // a textual suffix of many, the label of none
                                       "zz.com",
                                       "example",
                                       "net"};
  // Every name of depth two and three as a suffix too.
  for (const auto& n : data_.all) {
    if (Labels(n).size() <= 3 && n.size() % 5 == 0) suffixes.push_back(n);
  }
  size_t nonempty = 0, big = 0;
  for (const auto& suffix : suffixes) {
    for (bool active : {false, true}) {
      const std::vector<std::string> want = Expected(suffix, active);
      nonempty += !want.empty();
      big += want.size() > 2 * kEdgeBlockTarget;
      DomainQuery q;
      q.ns = kNs;
      q.suffix = suffix;
      q.active_only = active;
      for (size_t limit : {size_t{1}, size_t{7}, size_t{128}, size_t{129}, kMaxPage}) {
        if (limit < 7 && want.size() > 200) continue;  // one row a page: enough on the small ranges
        EXPECT_EQ(Walk(q, limit, want.size()), want)
            << "suffix " << suffix << " active " << active << " limit " << limit;
        DomainQuery no_total = q;
        no_total.want_total = false;
        EXPECT_EQ(Walk(no_total, limit, 0), want) << "without a total: suffix " << suffix << " limit " << limit;
      }
    }
  }
  // The data really spans many blocks (kEdgeBlockTarget = 128) under some
  // suffixes, and more than half of the (suffix, active) pairs have rows.
  EXPECT_GT(big, 4u);
  EXPECT_GT(nonempty, suffixes.size());
}

TEST_P(SuffixFilter, CombinesWithTheOtherFiltersAndTheCursor) {
  DomainQuery q;
  q.ns = kNs;
  q.suffix = "a.com";
  q.last_seen_before = 1500;  // removed in snapshot 2
  q.limit = 5;
  std::vector<std::string> want;
  for (const auto& n : data_.all) {
    if (!data_.second.contains(n) && ModelAtOrBelow(n, "a.com")) want.push_back(n);
  }
  ASSERT_GT(want.size(), 10u);
  EXPECT_EQ(Walk(q, 5, want.size()), want);
  // A cursor from the middle: the total still counts the rows before it.
  q.after = want[want.size() / 2];
  DomainPage page;
  ASSERT_TRUE(store_->DomainsOnNs(q, &page).ok());
  EXPECT_EQ(page.total, want.size());
  ASSERT_FALSE(page.rows.empty());
  EXPECT_EQ(page.rows.front().name, want[want.size() / 2 + 1]);
}

TEST_P(SuffixFilter, AnEmptyRangeHasNoRowsAndATotalOfZero) {
  DomainQuery q;
  q.ns = kNs;
  q.suffix = "nothing.here.com";
  DomainPage page;
  ASSERT_TRUE(store_->DomainsOnNs(q, &page).ok());
  EXPECT_TRUE(page.rows.empty());
  EXPECT_EQ(page.total, 0u);
  EXPECT_FALSE(page.more);
  q.ns = "unknown.host.net";
  q.suffix = "com";
  ASSERT_TRUE(store_->DomainsOnNs(q, &page).ok());
  EXPECT_TRUE(page.rows.empty());
  EXPECT_EQ(page.total, 0u);
}

// Both write paths: one WriteBatch per snapshot, and SST files.
INSTANTIATE_TEST_SUITE_P(WritePaths, SuffixFilter, ::testing::Values(StoreOptions{}.batch_limit, size_t{100}));

}  // namespace
}  // namespace nsradar::nsdb
