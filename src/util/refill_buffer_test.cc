#include "util/refill_buffer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace nsradar {
namespace {

// An input that hands out at most `step` bytes per read, as pipes and
// decompressors do.
struct TrickleInput {
  std::string data;
  size_t step;
  size_t pos = 0;
  int reads = 0;
  Status operator()(char* dst, size_t n, size_t* got) {
    ++reads;
    *got = std::min({n, step, data.size() - pos});
    std::memcpy(dst, data.data() + pos, *got);
    pos += *got;
    return Status::OK();
  }
};

// Newline-terminated records, read back whole whatever the buffer and read
// sizes, including records longer than the buffer.
TEST(RefillBufferTest, RecordsComeBackWholeAcrossRefills) {
  std::mt19937 rng(7);
  for (size_t capacity : {1, 64, 100, 4096}) {
    for (size_t step : {1, 3, 64, 1000}) {
      std::vector<std::string> records;
      std::string data;
      for (int i = 0; i < 300; ++i) {
        records.push_back(std::string(rng() % (i % 50 == 0 ? 700 : 40), static_cast<char>('a' + i % 26)));
        data += records.back() + "\n";
      }
      TrickleInput input{data, step};
      RefillBuffer buf(capacity);
      std::vector<std::string> got;
      for (;;) {
        const size_t nl = buf.unread().find('\n');
        if (nl != std::string_view::npos) {
          got.emplace_back(buf.unread().substr(0, nl));
          buf.Consume(nl + 1);
          continue;
        }
        if (buf.at_end()) break;
        ASSERT_TRUE(buf.FillMore(input).ok());
      }
      EXPECT_TRUE(buf.unread().empty());
      EXPECT_EQ(got, records) << "capacity " << capacity << ", step " << step;
    }
  }
}

TEST(RefillBufferTest, FillStopsAtWantOrEnd) {
  TrickleInput input{std::string(1000, 'x'), 10};
  RefillBuffer buf(64);
  ASSERT_TRUE(buf.Fill(25, input).ok());
  EXPECT_GE(buf.unread().size(), 25u);
  EXPECT_EQ(input.reads, 3);  // 10 + 10 + 10: stops once 25 are there
  EXPECT_FALSE(buf.at_end());
  ASSERT_TRUE(buf.Fill(5000, input).ok());
  EXPECT_EQ(buf.unread().size(), 1000u);  // fewer than asked: the input ended
  EXPECT_TRUE(buf.at_end());
  buf.Consume(1000);
  ASSERT_TRUE(buf.Fill(1, input).ok());
  EXPECT_TRUE(buf.unread().empty());
}

TEST(RefillBufferTest, ReadErrorsReachTheCaller) {
  RefillBuffer buf(64);
  auto failing = [](char*, size_t, size_t* got) {
    *got = 0;
    return Status::IOError("disk on fire");
  };
  Status s = buf.Fill(1, failing);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("disk on fire"), std::string::npos);
}

TEST(RefillBufferTest, ReadsAFile) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::fputs("hello, file", f);
  std::rewind(f);
  RefillBuffer buf(4);
  ASSERT_TRUE(buf.Fill(100, ReadFromFile(f, "tmp")).ok());
  EXPECT_EQ(buf.unread(), "hello, file");
  EXPECT_TRUE(buf.at_end());
  std::fclose(f);
}

}  // namespace
}  // namespace nsradar
