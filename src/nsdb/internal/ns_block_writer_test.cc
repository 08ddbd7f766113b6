#include "nsdb/internal/ns_block_writer.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <random>
#include <string>

#include "nsdb/internal/keys.h"
#include "nsdb/store_test_util.h"

namespace nsradar::nsdb {
namespace {

using testing::TempDir;

// host -> domain -> value: what the blocks must hold.
using Model = std::map<std::string, std::map<std::string, std::string>>;
// (host, domain) -> new value, or none to delete.
using Changes = std::map<std::pair<std::string, std::string>, std::optional<std::string>>;

class NsBlockWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.path(), &raw).ok());
    db_.reset(raw);
  }

  // Applies `changes` to the blocks and the model; returns the blocks written.
  uint64_t Apply(const Changes& changes) {
    rocksdb::WriteBatch batch;
    std::string last_key;
    NsBlockWriter w(std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions())),
                    [&](std::string_view key, const std::string_view* value) {
                      EXPECT_GT(std::string(key), last_key) << "block writes out of key order";
                      last_key.assign(key);
                      if (value) {
                        batch.Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value->data(), value->size()));
                      } else {
                        batch.Delete(rocksdb::Slice(key.data(), key.size()));
                      }
                      return Status::OK();
                    });
    std::string key;
    for (const auto& [edge, value] : changes) {
      key.clear();
      AppendNsEdgeKey(&key, edge.first, edge.second);
      const std::string_view v = value ? std::string_view(*value) : std::string_view();
      EXPECT_TRUE(w.Change(key, value ? &v : nullptr).ok());
      if (value) {
        model_[edge.first][edge.second] = *value;
      } else {
        model_[edge.first].erase(edge.second);
      }
    }
    EXPECT_TRUE(w.Finish().ok());
    EXPECT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
    return w.blocks_written();
  }

  // Every block well formed, keyed by its first domain, within the size
  // bounds, and all of them together exactly the model.
  void Check(const std::string& when) {
    Model got;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    EdgeBlockReader r;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view host, first;
      ASSERT_TRUE(ParseNsEdgeKey(std::string_view(it->key().data(), it->key().size()), &host, &first));
      ASSERT_TRUE(r.Decode(first, std::string_view(it->value().data(), it->value().size()))) << when;
      ASSERT_GE(r.size(), 1u);
      ASSERT_LE(r.size(), 2 * kEdgeBlockTarget) << when;
      auto& domains = got[std::string(host)];
      for (size_t i = 0; i < r.size(); ++i) {
        if (!domains.empty()) {
          ASSERT_LT(domains.rbegin()->first, r.domain(i)) << when;
        }
        domains[std::string(r.domain(i))] = r.value(i);
      }
    }
    Model want = model_;
    std::erase_if(want, [](const auto& h) { return h.second.empty(); });
    ASSERT_TRUE(got == want) << when;
  }

  static std::string Value(int64_t t) {
    EdgeValue v;
    v.zone_id = 1;
    v.runs.push_back(SeenRun{t, kOpenEnd});
    std::string out;
    v.EncodeTo(&out);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  Model model_;
};

TEST_F(NsBlockWriterTest, RandomChangesKeepBlocksExactAndBounded) {
  std::mt19937_64 rng(11);
  const std::vector<std::string> hosts = {"a.net", "ns1.b.net", "ns1.b.net.x", "z"};
  auto domain = [](int i) { return "d" + std::to_string(i) + ".com"; };
  Changes bulk;
  for (const auto& h : hosts) {
    for (int i = 0; i < 1500; ++i) {
      if (rng() % 3) bulk[{h, domain(i)}] = Value(100);
    }
  }
  Apply(bulk);
  Check("bulk");
  for (int round = 0; round < 60; ++round) {
    Changes c;
    const std::string& h = hosts[rng() % hosts.size()];
    switch (round % 4) {
      case 0:  // scattered updates, inserts and deletes
        for (int n = 0; n < 40; ++n) {
          const std::string d = domain(static_cast<int>(rng() % 1600));
          c[{h, d}] = rng() % 3 ? std::optional<std::string>(Value(static_cast<int64_t>(round))) : std::nullopt;
        }
        break;
      case 1: {  // a contiguous range deleted: whole blocks disappear
        auto& domains = model_[h];
        auto it = domains.begin();
        std::advance(it, std::min<size_t>(rng() % 800, domains.size()));
        for (int n = 0; n < 400 && it != domains.end(); ++n, ++it) c[{h, it->first}] = std::nullopt;
        break;
      }
      case 2:  // many inserts in one place: a block splits
        for (int n = 0; n < 600; ++n) c[{h, "d7" + std::to_string(n) + ".org"}] = Value(round);
        break;
      case 3:  // before the host's first domain, and a new host
        c[{h, "0.first"}] = Value(round);
        c[{"n" + std::to_string(round), "x.com"}] = Value(round);
        break;
    }
    Apply(c);
    Check("round " + std::to_string(round));
  }
}

TEST_F(NsBlockWriterTest, OneChangeRewritesOneBlock) {
  Changes bulk;
  for (int i = 0; i < 5000; ++i) bulk[{"ns.big.net", "d" + std::to_string(100000 + i) + ".com"}] = Value(1);
  const uint64_t blocks = Apply(bulk);
  EXPECT_GE(blocks, 5000 / (2 * kEdgeBlockTarget));
  EXPECT_LE(blocks, 5000 / kEdgeBlockTarget);
  Check("bulk");
  EXPECT_EQ(Apply({{{"ns.big.net", "d102500.com"}, Value(2)}}), 1u);
  EXPECT_EQ(Apply({{{"ns.big.net", "d102500.com"}, std::nullopt}}), 1u);
  EXPECT_EQ(Apply({{{"ns.big.net", "a.first"}, Value(3)}}), 1u);  // the first block, under a new key
  Check("after single changes");
  // Deleting every edge deletes every block.
  Changes all;
  for (const auto& [d, v] : model_["ns.big.net"]) all[{"ns.big.net", d}] = std::nullopt;
  EXPECT_EQ(Apply(all), 0u);
  Check("emptied");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
}

TEST_F(NsBlockWriterTest, CorruptStoredBlockIsReportedWithItsKey) {
  std::string key;
  AppendNsEdgeKey(&key, "ns.x.net", "a.com");
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), key, "\x05garbage").ok());
  NsBlockWriter w(std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions())),
                  [](std::string_view, const std::string_view*) { return Status::OK(); });
  std::string change;
  AppendNsEdgeKey(&change, "ns.x.net", "b.com");
  const std::string_view v = "x";
  const Status s = w.Change(change, &v);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.ToString().find("ns.x.net a.com"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace nsradar::nsdb
