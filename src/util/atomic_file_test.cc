#include "util/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace nsradar {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ReplaceFile, ReplacesWholeOrNotAtAll) {
  const std::string dir = std::filesystem::temp_directory_path() / ("nsradar-atomic-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/zone";
  ASSERT_TRUE(ReplaceFile(path, "first\n").ok());
  EXPECT_EQ(Read(path), "first\n");
  ASSERT_TRUE(ReplaceFile(path, "second, longer\n").ok());
  EXPECT_EQ(Read(path), "second, longer\n");
  {
    // A disk that fills up mid-write (EFBIG past the file size limit).
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    getrlimit(RLIMIT_FSIZE, &saved);
    rlimit low = saved;
    low.rlim_cur = 4;
    setrlimit(RLIMIT_FSIZE, &low);
    Status s = ReplaceFile(path, std::string(1000, 'x'));
    setrlimit(RLIMIT_FSIZE, &saved);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(path + ".tmp: cannot write: File too large"), std::string::npos) << s.message();
  }
  EXPECT_EQ(Read(path), "second, longer\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  Status missing = ReplaceFile(dir + "/no/such/dir/zone", "x");
  EXPECT_NE(missing.message().find("cannot create"), std::string::npos) << missing.message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nsradar
