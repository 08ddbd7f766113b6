#include "util/time.h"

#include <gtest/gtest.h>

namespace nsradar {
namespace {

TEST(TimeTest, FormatsAndParsesRfc3339) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(1517184000), "2018-01-29T00:00:00Z");
  EXPECT_EQ(FormatTime(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(ParseTime("2018-01-29T00:00:00Z"), 1517184000);
  EXPECT_EQ(ParseTime("2018-01-29"), 1517184000);
  EXPECT_EQ(ParseTime("2018-01-29 02:00:00"), 1517191200);
  EXPECT_EQ(ParseTime("2018-01-29T03:00:00+01:00"), 1517191200);
  EXPECT_EQ(ParseTime("2018-01-29T03:00:00-23:59"), 1517191200 + 3600 + 23 * 3600 + 59 * 60);
  EXPECT_EQ(ParseTime("2018-01-29T02:00:00.250Z"), 1517191200);
  EXPECT_EQ(ParseTime("1517184000"), 1517184000);
  for (int64_t t : {0L, 86399L, 1600000000L, 4102444800L}) EXPECT_EQ(ParseTime(FormatTime(t)), t);
}

TEST(TimeTest, RejectsMalformedTimes) {
  for (const char* bad : {"", "2018-13-01", "2018-02-30", "2019-02-29", "2018-01-29T25:00:00Z", "yesterday",
                          "2018-01-29T00:00:00Zjunk", "12x", "2018-01-29T00:00:00+99:99", "2018-01-29T00:00:00+24:00",
                          "2018-01-29T00:00:00-00:60", "2018-01-29T00:00:00+1:00"}) {
    EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
  }
}

TEST(TimeTest, DateSerials) {
  EXPECT_EQ(TimeFromDateSerial(2018012900), 1517184000);
  EXPECT_EQ(TimeFromDateSerial(2018012901), 1517184001);
  EXPECT_FALSE(TimeFromDateSerial(1700000000).has_value());  // a UNIX-time serial
  EXPECT_FALSE(TimeFromDateSerial(2018023000).has_value());  // February 30th
  EXPECT_FALSE(TimeFromDateSerial(42).has_value());
}

}  // namespace
}  // namespace nsradar
