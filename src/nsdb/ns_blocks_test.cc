// The store through name servers large enough for many ns_blocks blocks:
// random histories against a reference model through both write paths
// (blocks split, emptied, re-keyed), and keyset paging across block
// boundaries under every fence.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <set>

#include "nsdb/internal/edge_block.h"
#include "nsdb/store.h"
#include "nsdb/store_test_util.h"

namespace nsradar::nsdb {
namespace {

using testing::SnapshotFromText;
using testing::TempDir;

struct History {
  std::vector<std::string> texts;
  std::vector<int64_t> times;
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> present;  // (ns, domain) -> times
};

const std::vector<std::string> kHosts = {"ns1.big.net", "ns2.big.net", "a.small.net"};

History MakeHistory(std::mt19937_64& rng) {
  History h;
  const int kSnaps = 6, kDomains = 1400;
  for (int s = 0; s < kSnaps; ++s) {
    const int64_t t = 1000 + 100 * s;
    h.times.push_back(t);
    std::string text = "com.\t60\tIN\tSOA\tns.com. h.com. 1 1 1 1 1\n";
    // Each snapshot keeps a moving window of the domains, so blocks lose
    // their first domains, empty out and fill again.
    const int lo = static_cast<int>(rng() % 300), hi = kDomains - static_cast<int>(rng() % 300);
    for (int d = lo; d < hi; ++d) {
      const std::string dom = (d % 7 == 0 ? "x.d" : "d") + std::to_string(d) + ".com";
      for (size_t k = 0; k < kHosts.size(); ++k) {
        const uint64_t keep = k == 0 ? 10 : k == 1 ? 4 : 1;  // of 12
        if (rng() % 12 >= keep) continue;
        text += dom + ".\t60\tIN\tNS\t" + kHosts[k] + ".\n";
        h.present[{kHosts[k], dom}].insert(t);
      }
    }
    h.texts.push_back(std::move(text));
  }
  return h;
}

std::string Row(const DomainRow& r) {
  return r.name + " " + std::to_string(r.first_seen) + " " + std::to_string(r.last_seen) + (r.active ? " a" : "");
}

std::vector<std::string> All(const Store& store, DomainQuery q) {
  q.limit = kMaxPage;
  DomainPage page;
  EXPECT_TRUE(store.DomainsOnNs(q, &page).ok());
  EXPECT_FALSE(page.more);
  std::vector<std::string> rows;
  for (const auto& r : page.rows) rows.push_back(Row(r));
  EXPECT_EQ(page.total, rows.size());
  return rows;
}

TEST(NsBlocksTest, LargeHostsMatchTheReferenceThroughBothWritePaths) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 2; ++trial) {
    const History h = MakeHistory(rng);
    std::vector<int> order(h.texts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    for (size_t batch_limit : {size_t{0}, size_t{1000000}}) {
      std::shuffle(order.begin(), order.end(), rng);
      TempDir dir;
      auto store = testing::OpenStore(dir.path(), batch_limit);
      for (int i : order) {
        IngestResult r;
        ASSERT_TRUE(store->IngestSnapshot(SnapshotFromText(h.texts[i]), h.times[i], "t", &r).ok());
      }
      for (const auto& host : kHosts) {
        std::vector<std::string> want;
        uint64_t active = 0;
        for (const auto& [key, ts] : h.present) {
          if (key.first != host) continue;
          const bool a = ts.count(h.times.back()) > 0;
          active += a;
          want.push_back(key.second + " " + std::to_string(*ts.begin()) + " " + std::to_string(*ts.rbegin()) +
                         (a ? " a" : ""));
        }
        std::sort(want.begin(), want.end());
        DomainQuery q;
        q.ns = host;
        EXPECT_EQ(All(*store, q), want) << "trial " << trial << " host " << host << " batch_limit " << batch_limit;
        NsCounts c;
        ASSERT_TRUE(store->Counts(host, &c).ok());
        EXPECT_EQ(c.total, want.size());
        EXPECT_EQ(c.active, active);
      }
    }
  }
}

TEST(NsBlocksTest, PagesAcrossBlockBoundariesUnderEveryFence) {
  std::mt19937_64 rng(9);
  const History h = MakeHistory(rng);
  TempDir dir;
  auto store = testing::OpenStore(dir.path(), 0);
  for (size_t i = 0; i < h.texts.size(); ++i) {
    IngestResult r;
    ASSERT_TRUE(store->IngestSnapshot(SnapshotFromText(h.texts[i]), h.times[i], "t", &r).ok());
  }
  std::vector<std::pair<std::string, DomainQuery>> fences;
  auto fence = [&](const char* name, const std::function<void(DomainQuery&)>& set) {
    DomainQuery q;
    q.ns = "ns1.big.net";
    set(q);
    fences.emplace_back(name, q);
  };
  fence("none", [](DomainQuery&) {});
  fence("first_seen_after", [&](DomainQuery& q) { q.first_seen_after = h.times[1]; });
  fence("first_seen_before", [&](DomainQuery& q) { q.first_seen_before = h.times[2]; });
  fence("last_seen_after", [&](DomainQuery& q) { q.last_seen_after = h.times[3]; });
  fence("last_seen_before", [&](DomainQuery& q) { q.last_seen_before = h.times[4]; });
  fence("active_only", [](DomainQuery& q) { q.active_only = true; });
  fence("kind", [](DomainQuery& q) { q.kind = zone::DomainKind::kSubdomain; });
  fence("kind+active+first_seen_after", [&](DomainQuery& q) {
    q.kind = zone::DomainKind::kRegistered;
    q.active_only = true;
    q.first_seen_after = h.times[0];
  });
  for (const auto& [name, query] : fences) {
    const std::vector<std::string> all = All(*store, query);
    if (name == "none") {
      ASSERT_GT(all.size(), 4 * kEdgeBlockTarget) << name;  // several blocks
    }
    for (size_t limit : {size_t{1}, size_t{37}, size_t{300}}) {
      DomainQuery p = query;
      p.limit = limit;
      std::vector<std::string> paged;
      for (;;) {
        DomainPage page;
        ASSERT_TRUE(store->DomainsOnNs(p, &page).ok());
        EXPECT_EQ(page.total, all.size()) << name;
        for (const auto& r : page.rows) paged.push_back(Row(r));
        if (!page.more) break;
        // Half the time a cursor that is no listed name, between two.
        p.after = page.rows.back().name + (paged.size() % 2 ? "" : "\x01");
        ASSERT_LE(paged.size(), all.size());
      }
      EXPECT_EQ(paged, all) << name << " limit " << limit;
    }
  }
}

}  // namespace
}  // namespace nsradar::nsdb
