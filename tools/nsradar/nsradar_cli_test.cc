// The nsradar program as users run it: real processes, real files, exit
// codes, table and JSON output, and the messages bad input gets.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

struct Result {
  int code;
  std::string out, err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nsradar-cli-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }

  Result Run(const std::string& args) {
    std::string err_file = (dir_ / "stderr").string();
    std::string cmd =
        std::string(NSRADAR_BINARY) + " --store " + (dir_ / "store").string() + " " + args + " 2>" + err_file;
    Result r;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
    int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(err_file);
    std::stringstream ss;
    ss << e.rdbuf();
    r.err = ss.str();
    return r;
  }

  fs::path dir_;
};

const char* kZone1 =
    "com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. 2024010100 1800 900 604800 86400\n"
    "alpha.com.\t172800\tin\tns\tns1.shared.net.\n"
    "beta.com.\t172800\tin\tns\tns1.shared.net.\n"
    "gamma.com.\t172800\tin\tns\tns1.shared.net.\n"
    "gamma.com.\t172800\tin\tns\tns1.gamma.com.\n"
    "ns1.gamma.com.\t172800\tin\ta\t192.0.2.53\n";
const char* kZone2 =
    "com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. 2024010200 1800 900 604800 86400\n"
    "alpha.com.\t172800\tin\tns\tns1.shared.net.\n"
    "delta.com.\t172800\tin\tns\tns1.shared.net.\n"
    "gamma.com.\t172800\tin\tns\tns1.gamma.com.\n"
    "ns1.gamma.com.\t172800\tin\ta\t192.0.2.53\n";

TEST_F(CliTest, IngestAndQuery) {
  std::string z1 = Write("com-1.zone", kZone1), z2 = Write("com-2.zone", kZone2);
  Result r = Run("zone ingest " + z1 + " " + z2);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("zone com at 2024-01-01T00:00:00Z (serial)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("zone com at 2024-01-02T00:00:00Z (serial)"), std::string::npos) << r.out;

  r = Run("--json ns domains ns1.shared.net");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("total":4)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"({"name":"alpha.com","first_seen":1704067200,"last_seen":1704153600,"active":true)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(R"({"name":"beta.com","first_seen":1704067200,"last_seen":1704067200,"active":false)"),
            std::string::npos)
      << r.out;

  // Names are normalised: case and the trailing dot do not matter.
  r = Run("ns domains NS1.Shared.NET. --limit 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("alpha.com"), std::string::npos);
  EXPECT_NE(r.out.find("next page: --from beta.com"), std::string::npos) << r.out;
  r = Run("ns domains ns1.shared.net --from beta.com --limit 2");
  EXPECT_EQ(r.out.find("alpha.com"), std::string::npos);
  EXPECT_NE(r.out.find("delta.com"), std::string::npos);

  r = Run("--json ns domains ns1.shared.net --active --since 2024-01-02");
  EXPECT_NE(r.out.find(R"("total":2)"), std::string::npos) << r.out;

  r = Run("--json domain history gamma.com");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("name_servers":["ns1.gamma.com"])"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("event":"ns_removed","name_servers":["ns1.shared.net"])"), std::string::npos) << r.out;

  r = Run("--json ns ips ns1.gamma.com");
  EXPECT_NE(r.out.find(R"("address":"192.0.2.53")"), std::string::npos) << r.out;
  r = Run("--json ip hosts 192.0.2.53");
  EXPECT_NE(r.out.find(R"("name":"ns1.gamma.com")"), std::string::npos) << r.out;
  r = Run("--json ns list shared.net");
  EXPECT_NE(r.out.find(R"({"name":"ns1.shared.net","domains":4,"active":2})"), std::string::npos) << r.out;
  r = Run("--json stats");
  EXPECT_NE(r.out.find(R"("snapshots":2)"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadInputGetsClearErrors) {
  std::string bad = Write("bad.zone", std::string(kZone1) + "broken.com.\t172800\tin\tns\t(\n");
  Result r = Run("zone ingest --observed-at 2024-01-01 " + bad);
  EXPECT_EQ(r.code, 0) << r.err;  // a bad record is reported and skipped
  EXPECT_NE(r.err.find("bad.zone:7: unterminated parenthesis"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 bad records"), std::string::npos) << r.out;

  std::string binary = Write("binary.zone", std::string("\x1f\x8b\x08\x00garbage", 11));
  r = Run("zone ingest " + binary);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("binary.zone"), std::string::npos) << r.err;

  r = Run("zone ingest " + (dir_ / "missing.zone").string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("missing.zone"), std::string::npos) << r.err;

  r = Run("ns domains 'bad..name'");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("not a valid domain name: empty label"), std::string::npos) << r.err;

  r = Run("zone ingest --observed-at yesterday " + bad);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("is not a time"), std::string::npos) << r.err;

  r = Run("domain history nothere.com");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("nothere.com."), std::string::npos) << r.err;
}

TEST_F(CliTest, EmptyOrShrunkenSnapshotsAreRefused) {
  std::string full = Write("full.zone", kZone1);
  ASSERT_EQ(Run("zone ingest " + full).code, 0);
  std::string empty = Write("empty.zone", "");
  Result r = Run("zone ingest --zone com --observed-at 2024-02-01 " + empty);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("empty.zone: not ingested: it holds no delegation"), std::string::npos) << r.err;
  std::string partial = Write("partial.zone", "alpha.com.\t60\tin\tns\tns1.shared.net.\n");
  r = Run("zone ingest --zone com --observed-at 2024-02-01 " + partial);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("a truncated or partial file?"), std::string::npos) << r.err;
  r = Run("--json ns domains ns1.shared.net --active");
  EXPECT_NE(r.out.find(R"("total":3)"), std::string::npos) << r.out;  // nothing was removed
  r = Run("zone ingest --allow-shrink --zone com --observed-at 2024-02-01 " + partial);
  EXPECT_EQ(r.code, 0) << r.err;
  r = Run("--json ns domains ns1.shared.net --active");
  EXPECT_NE(r.out.find(R"("total":1)"), std::string::npos) << r.out;
}

TEST_F(CliTest, QueriesNeedAStore) {
  Result r = Run("stats");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("no nsradar store"), std::string::npos) << r.err;
}

}  // namespace
