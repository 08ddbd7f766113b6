#include "zone/czds_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace nsradar::zone {
namespace {

namespace fs = std::filesystem;

TEST(CzdsDirectory, FileNamesGiveTheirTld) {
  EXPECT_EQ(CzdsZoneOfFileName("com.zone.gz"), "com");
  EXPECT_EQ(CzdsZoneOfFileName("XN--P1AI.txt.gz"), "xn--p1ai");
  EXPECT_EQ(CzdsZoneOfFileName("net.zone"), "net");
  EXPECT_EQ(CzdsZoneOfFileName("a1-b.zone.gz"), "a1-b");
  for (const char* other : {"com.zone.gz.md5", "com.gz", "com.txt", ".zone.gz", "co.uk.zone.gz", "-x.zone", "x-.zone",
                            "a_b.zone", "com.zone.gz.tmp", "README"}) {
    EXPECT_EQ(CzdsZoneOfFileName(other), "") << other;
  }
  EXPECT_EQ(CzdsZoneOfFileName(std::string(63, 'a') + ".zone"), std::string(63, 'a'));
  EXPECT_EQ(CzdsZoneOfFileName(std::string(64, 'a') + ".zone"), "");
}

TEST(CzdsDirectory, ListsZonesIgnoresTheRestAndRefusesTwoFilesForOneZone) {
  const fs::path dir = fs::temp_directory_path() / ("nsradar-czds-list-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sub.zone.gz");  // a directory, whatever its name
  auto write = [&](const std::string& name, size_t bytes) { std::ofstream(dir / name) << std::string(bytes, 'x'); };
  write("net.zone.gz", 10);
  write("ORG.txt.gz", 7);
  write("info.zone", 0);
  write("biz.zone.gz", 3);
  write("biz.zone", 4);
  write("net.zone.gz.md5", 1);
  write("download.log", 1);

  CzdsListing l;
  ASSERT_TRUE(ListCzdsDirectory(dir.string(), &l).ok());
  ASSERT_EQ(l.zones.size(), 4u);
  EXPECT_EQ(l.zones[0].zone, "biz");
  EXPECT_NE(l.zones[0].error.find("more than one file for zone biz: biz.zone biz.zone.gz"), std::string::npos)
      << l.zones[0].error;
  EXPECT_EQ(l.zones[1].zone, "info");
  EXPECT_EQ(l.zones[1].bytes, 0u);
  EXPECT_EQ(l.zones[2].zone, "net");
  EXPECT_EQ(l.zones[2].path, (dir / "net.zone.gz").string());
  EXPECT_EQ(l.zones[2].bytes, 10u);
  EXPECT_EQ(l.zones[3].zone, "org");
  EXPECT_TRUE(l.zones[3].error.empty());
  EXPECT_EQ(l.total_bytes, 17u);  // not the refused biz files
  ASSERT_EQ(l.ignored.size(), 3u);
  EXPECT_EQ(l.ignored[0].rfind("download.log: not named", 0), 0u) << l.ignored[0];
  EXPECT_EQ(l.ignored[1].rfind("net.zone.gz.md5: not named", 0), 0u) << l.ignored[1];
  EXPECT_EQ(l.ignored[2], "sub.zone.gz: not a regular file");

  Status s = ListCzdsDirectory((dir / "missing").string(), &l);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nsradar::zone
