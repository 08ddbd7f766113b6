#include "util/json_writer.h"

#include <gtest/gtest.h>

namespace nsradar {
namespace {

TEST(JsonWriterTest, NestedContainersAndCommas) {
  std::string out;
  JsonWriter j(&out);
  j.BeginObject().Field("a", 1).Key("b").BeginArray().Int(-2).String("x").Bool(true).Null().EndArray();
  j.Field("c", "d").Key("e").BeginObject().EndObject().EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[-2,"x",true,null],"c":"d","e":{}})");
}

TEST(JsonWriterTest, EscapesAndInvalidUtf8) {
  std::string out;
  JsonWriter(&out).String("q\"b\\n\n\t\x01 \xc3\xa9 \xff end");
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\n\\t\\u0001 \xc3\xa9 \\ufffd end\"");
}

// The word-at-a-time scan stops exactly where a byte-by-byte one does: every
// byte value at every position of strings of 0 to 24 bytes, among plain
// neighbours.
TEST(JsonWriterTest, PlainPrefixStopsAtTheFirstByteToEscape) {
  auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; };
  for (size_t size = 0; size <= 24; ++size) {
    std::string s(size, 'a');
    EXPECT_EQ(JsonPlainPrefix(s), size);
    for (size_t at = 0; at < size; ++at) {
      for (int c = 0; c < 256; ++c) {
        s[at] = static_cast<char>(c);
        EXPECT_EQ(JsonPlainPrefix(s), plain(static_cast<unsigned char>(c)) ? size : at)
            << size << " " << at << " " << c;
      }
      s[at] = 'a';
    }
  }
  // After a stop byte the rest does not matter.
  EXPECT_EQ(JsonPlainPrefix("abcdefgh\"ijklmnop\x01"), 8u);
  EXPECT_EQ(JsonPlainPrefix("ns1.example.com"), 15u);
}

// Names escaped in several pieces (plain runs between escapes, longer
// than a word) come out as a byte-by-byte escape would write them.
TEST(JsonWriterTest, EscapesRunsLongerThanAWord) {
  std::string out;
  AppendJsonEscaped(
      "abcdefghijk\"lmnopqrstu\\vwxyz0123456\n\xc3\xa9"
      "abcdefghij",
      &out);
  EXPECT_EQ(out,
            "abcdefghijk\\\"lmnopqrstu\\\\vwxyz0123456\\n\xc3\xa9"
            "abcdefghij");
}

TEST(JsonWriterTest, NonFiniteDoublesBecomeNull) {
  std::string out;
  JsonWriter(&out).BeginArray().Double(1.5).Double(1.0 / 0.0).EndArray();
  EXPECT_EQ(out, "[1.5,null]");
}

}  // namespace
}  // namespace nsradar
