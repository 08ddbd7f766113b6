#include "zone/block_scanner.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "dns/name.h"
#include "zone/fast_name.h"

namespace nsradar::zone {
namespace {

// The masks by their definition in block_scanner.h, byte by byte.
std::vector<BlockMasks> Reference(const std::string& data, bool token_before) {
  std::vector<BlockMasks> out(data.size() / kScanBlock);
  for (size_t i = 0; i < out.size() * kScanBlock; ++i) {
    const unsigned char c = static_cast<unsigned char>(data[i]);
    const bool newline = c == '\n';
    const bool special =
        c == '"' || c == '\\' || c == '(' || c == ')' || c == ';' || (c < 0x20 && c != '\t' && !newline);
    const bool token = !newline && !special && c != ' ' && c != '\t';
    const bool before = i == 0 ? token_before : IsTokenByte(static_cast<unsigned char>(data[i - 1]));
    BlockMasks& m = out[i / kScanBlock];
    const uint64_t bit = uint64_t{1} << (i % kScanBlock);
    if (newline) m.newline |= bit;
    if (special) m.special |= bit;
    if (token != before) m.boundary |= bit;
  }
  return out;
}

void ExpectKernelsMatchReference(const std::string& data, bool token_before) {
  const std::vector<BlockMasks> want = Reference(data, token_before);
  for (ScanKernel k : SupportedScanKernels()) {
    std::vector<BlockMasks> got(want.size());
    ClassifierFor(k)(data.data(), got.size(), token_before, got.data());
    for (size_t b = 0; b < want.size(); ++b) {
      EXPECT_EQ(got[b].newline, want[b].newline) << ScanKernelName(k) << " block " << b;
      EXPECT_EQ(got[b].special, want[b].special) << ScanKernelName(k) << " block " << b;
      EXPECT_EQ(got[b].boundary, want[b].boundary) << ScanKernelName(k) << " block " << b;
    }
  }
}

TEST(BlockScannerTest, EveryByteValueInEveryPosition) {
  // Each byte value at each of the 64 positions, between token bytes and
  // between blanks, so every comparison and both sides of every boundary
  // are exercised in each lane.
  for (char fill : {'a', ' '}) {
    std::string data;
    for (int c = 0; c < 256; ++c) {
      for (size_t pos = 0; pos < kScanBlock; ++pos) {
        std::string block(kScanBlock, fill);
        block[pos] = static_cast<char>(c);
        data += block;
      }
    }
    ExpectKernelsMatchReference(data, false);
    ExpectKernelsMatchReference(data, true);
  }
}

TEST(BlockScannerTest, RandomZoneLikeText) {
  std::mt19937 rng(7);
  const std::string alphabet = "aZ9.-\t \n\r\";()\\@$*\x01\x7f\x80\xff";
  for (int round = 0; round < 50; ++round) {
    std::string data(kScanBlock * (1 + round % 7), 'x');
    for (char& c : data) c = alphabet[rng() % alphabet.size()];
    ExpectKernelsMatchReference(data, round % 2 == 0);
  }
}

TEST(BlockScannerTest, KernelNamesAndSupport) {
  for (ScanKernel k : {ScanKernel::kAuto, ScanKernel::kScalar, ScanKernel::kSse42, ScanKernel::kAvx2}) {
    EXPECT_EQ(ScanKernelFromName(ScanKernelName(k)), k);
  }
  EXPECT_FALSE(ScanKernelFromName("avx512").has_value());
  EXPECT_TRUE(ScanKernelSupported(ScanKernel::kScalar));
  EXPECT_EQ(SupportedScanKernels().front(), ScanKernel::kScalar);
  EXPECT_NE(DefaultScanKernel(), ScanKernel::kAuto);
}

// ctest runs this binary once per kernel with NSRADAR_ZONE_KERNEL set; the
// kernel it names must be the one every reader in the process uses.
TEST(BlockScannerTest, EnvironmentChoosesTheKernel) {
  const char* env = std::getenv("NSRADAR_ZONE_KERNEL");
  if (env == nullptr || *env == '\0') GTEST_SKIP() << "NSRADAR_ZONE_KERNEL not set";
  auto named = ScanKernelFromName(env);
  ASSERT_TRUE(named.has_value()) << env;
  if (!ScanKernelSupported(*named)) GTEST_SKIP() << env << " is not supported by this CPU";
  EXPECT_EQ(DefaultScanKernel(), *named);
}

// Every name parser gives dns::ParseName's result, error text included.
TEST(FastNameTest, AgreesWithParseName) {
  std::mt19937 rng(11);
  const std::string alphabets[] = {"abcxyz019-", "aBcDeF.", "ab.", "a.\\0123 @$\"();\x7f\x80\xff*_/", "..."};
  const std::string long_origin = std::string(60, 'o') + "." + std::string(60, 'p') + "." + std::string(60, 'q');
  const std::string origins[] = {"", "com", "a\\.b.example", long_origin};
  for (int round = 0; round < 20000; ++round) {
    const std::string& alphabet = alphabets[round % std::size(alphabets)];
    const size_t len = round % 3 == 0 ? rng() % 300 : rng() % 70;
    std::string text;
    for (size_t i = 0; i < len; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
    if (round % 5 == 0) text += ".";
    for (const std::string& origin : origins) {
      std::string want = "prefix";
      const char* want_err = dns::ParseName(text, origin, &want);
      for (ScanKernel k : SupportedScanKernels()) {
        std::string got = "prefix";
        const char* err = NameParserFor(k)(text, origin, dns::WireLength(origin), &got);
        ASSERT_EQ(err == nullptr, want_err == nullptr) << ScanKernelName(k) << " " << text << " in " << origin;
        if (err) {
          EXPECT_STREQ(err, want_err) << text;
        } else {
          EXPECT_EQ(got, want) << ScanKernelName(k) << " " << text << " in " << origin;
        }
      }
    }
  }
}

TEST(FastNameTest, LabelAndNameLimitsAtTheEdges) {
  for (size_t label : {62, 63, 64}) {
    for (size_t labels : {1, 2, 3, 4, 5}) {
      std::string text;
      for (size_t i = 0; i < labels; ++i) text += std::string(label, 'A' + static_cast<char>(i)) + ".";
      for (bool absolute : {true, false}) {
        std::string t = absolute ? text : text.substr(0, text.size() - 1);
        for (const std::string origin : {"", "x", "com"}) {
          std::string want;
          const char* want_err = dns::ParseName(t, origin, &want);
          for (ScanKernel k : SupportedScanKernels()) {
            std::string got;
            const char* err = NameParserFor(k)(t, origin, dns::WireLength(origin), &got);
            EXPECT_EQ(err == nullptr, want_err == nullptr) << t;
            if (!err) {
              EXPECT_EQ(got, want);
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace nsradar::zone
