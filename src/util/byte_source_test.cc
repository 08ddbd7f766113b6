#include "util/byte_source.h"

#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>

namespace nsradar {
namespace {

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

std::string Xz(const std::string& in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const uint8_t*>(in.data()),
                                    in.size(), reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

Status ReadAll(const std::string& data, std::string* out, ByteSource::Encoding* enc = nullptr) {
  auto src = ByteSource::FromMemory(data.data(), data.size());
  if (enc) *enc = src->encoding();
  out->clear();
  char buf[1000];
  for (;;) {
    size_t got = 0;
    NSRADAR_RETURN_IF_ERROR(src->Read(buf, sizeof(buf), &got));
    if (got == 0) return Status::OK();
    out->append(buf, got);
  }
}

std::string Sample() {
  std::string s;
  for (int i = 0; i < 20000; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

TEST(ByteSourceTest, PlainGzipZstdAndConcatenatedGzip) {
  const std::string text = Sample();
  std::string out;
  ByteSource::Encoding enc;
  ASSERT_TRUE(ReadAll(text, &out, &enc).ok());
  EXPECT_EQ(out, text);
  EXPECT_EQ(enc, ByteSource::Encoding::kPlain);
  ASSERT_TRUE(ReadAll(Gzip(text), &out, &enc).ok());
  EXPECT_EQ(out, text);
  EXPECT_EQ(enc, ByteSource::Encoding::kGzip);
  ASSERT_TRUE(ReadAll(Zstd(text), &out, &enc).ok());
  EXPECT_EQ(out, text);
  EXPECT_EQ(enc, ByteSource::Encoding::kZstd);
  ASSERT_TRUE(ReadAll(Gzip("first\n") + Gzip("second\n"), &out).ok());
  EXPECT_EQ(out, "first\nsecond\n");
  ASSERT_TRUE(ReadAll(Xz(text), &out, &enc).ok());
  EXPECT_EQ(out, text);
  EXPECT_EQ(enc, ByteSource::Encoding::kXz);
  ASSERT_TRUE(ReadAll(Xz("first\n") + Xz("second\n"), &out).ok());  // concatenated streams, as `xz` reads them
  EXPECT_EQ(out, "first\nsecond\n");
  ASSERT_TRUE(ReadAll(Xz(""), &out).ok());
  EXPECT_EQ(out, "");
}

TEST(ByteSourceTest, TruncatedAndCorruptStreamsAreErrors) {
  const std::string text = Sample();
  std::string gz = Gzip(text), zs = Zstd(text), out;
  Status s = ReadAll(gz.substr(0, gz.size() / 2), &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.ToString();
  s = ReadAll(zs.substr(0, zs.size() / 2), &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.ToString();
  s = ReadAll(gz + "garbage", &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("trailing garbage"), std::string::npos);
  std::string xz = Xz(text);
  s = ReadAll(xz.substr(0, xz.size() / 2), &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("xz stream truncated"), std::string::npos) << s.ToString();
  s = ReadAll(xz.substr(0, xz.size() - 1), &out);  // only the end of the stream footer missing
  EXPECT_FALSE(s.ok()) << "a cut footer read as a whole stream";
  EXPECT_FALSE(ReadAll(xz + "garbage", &out).ok());  // too short for a stream header: read as a cut stream
  s = ReadAll(xz + std::string(64, 'g'), &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("xz data error"), std::string::npos) << s.ToString();
  std::string corrupt_xz = xz;
  for (size_t i = 40; i < 80 && i < corrupt_xz.size(); ++i) corrupt_xz[i] = static_cast<char>(corrupt_xz[i] ^ 0x5a);
  EXPECT_FALSE(ReadAll(corrupt_xz, &out).ok());
  std::string corrupt = gz;
  for (size_t i = 20; i < 60 && i < corrupt.size(); ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  EXPECT_FALSE(ReadAll(corrupt, &out).ok());
}

TEST(ByteSourceTest, OpenReportsMissingFilesAndDirectories) {
  std::unique_ptr<ByteSource> src;
  Status s = ByteSource::Open("/nonexistent/zone.gz", &src);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/zone.gz"), std::string::npos);
  EXPECT_FALSE(ByteSource::Open("/tmp", &src).ok());
  auto path = std::filesystem::temp_directory_path() / ("bs-" + std::to_string(getpid()) + ".gz");
  std::ofstream(path, std::ios::binary) << Gzip("hello\n");
  ASSERT_TRUE(ByteSource::Open(path.string(), &src).ok());
  char buf[16];
  size_t got = 0;
  ASSERT_TRUE(src->Read(buf, sizeof(buf), &got).ok());
  EXPECT_EQ(std::string(buf, got), "hello\n");
  EXPECT_GT(src->raw_size(), 0u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace nsradar
