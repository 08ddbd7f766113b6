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

TEST(JsonWriterTest, NonFiniteDoublesBecomeNull) {
  std::string out;
  JsonWriter(&out).BeginArray().Double(1.5).Double(1.0 / 0.0).EndArray();
  EXPECT_EQ(out, "[1.5,null]");
}

}  // namespace
}  // namespace nsradar
