// The nsradar program as users run it: real processes, real files, exit
// codes, table and JSON output, and the messages bad input gets.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

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

  // --suffix keeps the domains at or below a name, label by label, as the
  // API's suffix parameter does (the same parser): one of four here.
  r = Run("--json ns domains ns1.shared.net --suffix BETA.com.");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("total":1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("name":"beta.com")"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("alpha.com"), std::string::npos) << r.out;
  r = Run("--json ns domains ns1.shared.net --suffix com");
  EXPECT_NE(r.out.find(R"("total":4)"), std::string::npos) << r.out;
  r = Run("--json ns domains ns1.shared.net --suffix eta.com");  // a string suffix of beta.com, not a label one
  EXPECT_NE(r.out.find(R"("total":0)"), std::string::npos) << r.out;

  r = Run("--json domain history gamma.com");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("name_servers":["ns1.gamma.com"])"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("event":"ns_removed","name_servers":["ns1.shared.net"])"), std::string::npos) << r.out;

  // --json writes the v2 API's shapes (docs/api.md).
  r = Run("--json ns ips ns1.gamma.com");
  EXPECT_EQ(r.out, R"({"ns":"ns1.gamma.com","addresses":[{"address":"192.0.2.53","first_seen":1704067200,)"
                   R"("last_seen":1704153600}]})"
                   "\n");
  r = Run("--json ip hosts 192.0.2.53");
  EXPECT_EQ(r.out, R"({"address":"192.0.2.53","name_servers":[{"name":"ns1.gamma.com","first_seen":1704067200,)"
                   R"("last_seen":1704153600}]})"
                   "\n");
  r = Run("--json ns list shared.net");
  EXPECT_EQ(r.out,
            R"({"suffix":"shared.net","name_servers":[{"name":"ns1.shared.net","domain_count":4,"active_count":2}],)"
            R"("next_cursor":null})"
            "\n");
  r = Run("--json stats");
  EXPECT_NE(r.out.find(R"("snapshots":2)"), std::string::npos) << r.out;
}

// The next_cursor of a --json page; "" on the last page.
std::string NextCursor(const std::string& page) {
  size_t at = page.find(R"("next_cursor":")");
  if (at == std::string::npos) return "";
  at += 15;
  return page.substr(at, page.find('"', at) - at);
}

// A --json page's next_cursor continues the walk with --cursor.
TEST_F(CliTest, JsonPagesWalkWithTheirCursor) {
  ASSERT_EQ(Run("zone ingest " + Write("com-1.zone", kZone1) + " " + Write("com-2.zone", kZone2)).code, 0);
  std::vector<std::string> names;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    Result r = Run("--json ns domains ns1.shared.net --limit 3" + (cursor.empty() ? "" : " --cursor " + cursor));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find(R"("total":4,)"), std::string::npos) << r.out;
    for (size_t at = 0; (at = r.out.find(R"({"name":")", at)) != std::string::npos;) {
      at += 9;
      names.push_back(r.out.substr(at, r.out.find('"', at) - at));
    }
    cursor = NextCursor(r.out);
    if (cursor.empty()) {
      EXPECT_NE(r.out.find(R"("next_cursor":null})"), std::string::npos) << r.out;
      break;
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"alpha.com", "beta.com", "delta.com", "gamma.com"}));

  ASSERT_EQ(
      Run("zone ingest " + Write("net.zone",
                                 "net.\t900\tin\tsoa\ta.gtld-servers.net. h.net. 2024010100 1800 900 604800 86400\n"
                                 "a.net.\t60\tin\tns\tns1.x.net.\nb.net.\t60\tin\tns\tns2.x.net.\n"))
          .code,
      0);
  Result r = Run("--json ns list x.net --limit 1");
  ASSERT_NE(r.out.find(R"({"name":"ns1.x.net")"), std::string::npos) << r.out;
  ASSERT_NE(NextCursor(r.out), "") << r.out;
  r = Run("--json ns list x.net --cursor " + NextCursor(r.out));
  EXPECT_NE(r.out.find(R"("name_servers":[{"name":"ns2.x.net","domain_count":1,"active_count":1}],"next_cursor":null)"),
            std::string::npos)
      << r.out;
  for (const auto& [args, message] :
       std::vector<std::pair<std::string, std::string>>{{"--cursor not-a-cursor", "is not a next_cursor nsradar gave"},
                                                        {"--cursor x --from alpha.com", "excludes"}}) {
    r = Run("ns domains ns1.shared.net " + args);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
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
  for (const auto& [suffix, message] :
       std::vector<std::pair<std::string, std::string>>{{"''", "--suffix: empty name"},
                                                        {".", "--suffix: the root holds every domain"},
                                                        {"a..com", "--suffix: 'a..com' is not a valid name"},
                                                        {"'a b.com'", "--suffix: byte 0x20 at position 1"}}) {
    r = Run("ns domains ns1.shared.net --suffix " + suffix);
    EXPECT_NE(r.code, 0) << suffix;
    EXPECT_NE(r.err.find(message), std::string::npos) << suffix << ": " << r.err;
  }

  r = Run("zone ingest --observed-at yesterday " + bad);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("is not a time"), std::string::npos) << r.err;

  r = Run("domain history nothere.com");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("nothere.com."), std::string::npos) << r.err;

  // A negative count is refused as given, not wrapped to 2^64 - 1 ("all").
  for (const char* limit : {"-1", "1.5", "ten", "0"}) {
    r = Run(std::string("alerts --limit ") + limit);
    EXPECT_NE(r.code, 0) << limit;
    EXPECT_NE(r.err.find(std::string("--limit: '") + limit + "' is not a whole number of at least 1"),
              std::string::npos)
        << r.err;
  }
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

// One HTTP/1.0 GET to 127.0.0.1:port; the status code and body, or 0.
std::pair<int, std::string> HttpGet(int port, const std::string& target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {0, ""};
  }
  std::string req = "GET " + target + " HTTP/1.0\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return {0, ""};
  }
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, n);
  close(fd);
  if (resp.size() < 12) return {0, ""};
  size_t body = resp.find("\r\n\r\n");
  return {std::stoi(resp.substr(9, 3)), body == std::string::npos ? "" : resp.substr(body + 4)};
}

// `nsradar serve` as a child process on an ephemeral port.
class ServeProcess {
 public:
  ServeProcess(const fs::path& dir, const std::string& keys) : log_(dir / "serve.log") {
    std::string store = (dir / "store").string();
    std::vector<std::string> args = {NSRADAR_BINARY, "--store",  store,         "serve",        "--api-keys",
                                     keys,           "--listen", "127.0.0.1:0", "--refresh-ms", "100"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(posix_spawn(&pid_, NSRADAR_BINARY, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::string text = Log();
      size_t at = text.find(" on port ");
      if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + 9);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_NE(port_, 0) << Log();
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string Log() const {
    std::ifstream f(log_);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  // Sends `sig` and waits up to `wait` for the exit code; -1 if still running.
  int Signal(int sig, std::chrono::milliseconds wait) {
    kill(pid_, sig);
    if (sig == SIGHUP) return -1;
    for (auto end = std::chrono::steady_clock::now() + wait; std::chrono::steady_clock::now() < end;) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  int port() const { return port_; }

 private:
  fs::path log_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// Polls `target` until its answer satisfies `want`, for up to 5 s.
bool Eventually(int port, const std::string& target, const std::function<bool(int, const std::string&)>& want) {
  for (int i = 0; i < 100; ++i) {
    auto [code, body] = HttpGet(port, target);
    if (want(code, body)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_F(CliTest, ServeFollowsIngestsReloadsKeysAndStopsGracefully) {
  const std::string key_a = "at_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", key_b = "at_bbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  ASSERT_EQ(Run("zone ingest " + Write("z1.zone", kZone1)).code, 0);
  std::string keys = Write("keys", key_a + "\n");
  ServeProcess serve(dir_, keys);
  ASSERT_NE(serve.port(), 0);
  auto [code, body] = HttpGet(serve.port(), "/api/v1?apiKey=" + key_a + "&ns=ns1.shared.net");
  EXPECT_EQ(code, 200);
  EXPECT_NE(body.find(R"("name":"beta.com")"), std::string::npos) << body;
  EXPECT_EQ(body.find("delta.com"), std::string::npos);

  // Another process ingests into the same store while the API serves it.
  ASSERT_EQ(Run("zone ingest " + Write("z2.zone", kZone2)).code, 0);
  EXPECT_TRUE(Eventually(serve.port(), "/api/v1?apiKey=" + key_a + "&ns=ns1.shared.net",
                         [](int c, const std::string& b) { return c == 200 && b.find("delta.com") != b.npos; }));

  // SIGHUP swaps the keys; a broken file afterwards keeps the last good set.
  Write("keys", key_b + "\n");
  serve.Signal(SIGHUP, {});
  EXPECT_TRUE(Eventually(serve.port(), "/api/v1?apiKey=" + key_a + "&ns=ns1.shared.net",
                         [](int c, const std::string&) { return c == 403; }));
  EXPECT_EQ(HttpGet(serve.port(), "/api/v1?apiKey=" + key_b + "&ns=ns1.shared.net").first, 200);
  Write("keys", key_b + "\nnot-a-key\n");
  serve.Signal(SIGHUP, {});
  EXPECT_TRUE(Eventually(serve.port(), "/healthz", [&](int, const std::string&) {
    return serve.Log().find("keys:2: not an API key") != std::string::npos;
  })) << serve.Log();
  EXPECT_EQ(HttpGet(serve.port(), "/api/v1?apiKey=" + key_b + "&ns=ns1.shared.net").first, 200);

  EXPECT_EQ(serve.Signal(SIGTERM, std::chrono::seconds(5)), 0);
  EXPECT_NE(serve.Log().find("stopped"), std::string::npos);
}

TEST_F(CliTest, ServeRefusesBadSetup) {
  ASSERT_EQ(Run("zone ingest " + Write("z1.zone", kZone1)).code, 0);
  Result r = Run("serve --api-keys " + Write("keys", "at_short\n") + " --listen 127.0.0.1:0");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("keys:1: not an API key"), std::string::npos) << r.err;
  r = Run("serve --api-keys " + Write("keys2", "at_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n") + " --listen nowhere");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--listen nowhere"), std::string::npos) << r.err;
}

// A real Unbound streams dnstap into `nsradar events dnstap-socket:...`
// (the Frame Streams handshake included) while dig queries it on loopback.
TEST_F(CliTest, UnboundStreamsDnstapIntoTheSocket) {
  if (system("command -v unbound >/dev/null && command -v dig >/dev/null") != 0) {
    FAIL() << "unbound and dig are needed (scripts/install-deps.sh installs them)";
  }
  std::string sock = (dir_ / "dnstap.sock").string();
  std::string conf = Write("unbound.conf",
                           "server:\n  interface: 127.0.10.31\n  port: 53\n  username: \"\"\n"
                           "  chroot: \"\"\n  directory: \"" +
                               dir_.string() + "\"\n  pidfile: \"" + (dir_ / "unbound.pid").string() +
                               "\"\n  use-syslog: no\n  logfile: \"" + (dir_ / "unbound.log").string() +
                               "\"\n  access-control: 127.0.0.0/8 allow\n"
                               "  module-config: \"iterator\"\n"
                               "  local-zone: \"good.test.\" static\n"
                               "  local-data: \"www.good.test. 300 IN A 192.0.2.10\"\n"
                               "dnstap:\n  dnstap-enable: yes\n  dnstap-socket-path: \"" +
                               sock +
                               "\"\n  dnstap-send-identity: yes\n  dnstap-identity: \"cli-test\"\n"
                               "  dnstap-log-client-query-messages: yes\n"
                               "  dnstap-log-client-response-messages: yes\n");
  std::string out = (dir_ / "events.json").string();
  std::string events_cmd = std::string(NSRADAR_BINARY) + " --json events dnstap-socket:" + sock + " --duration 20 > " +
                           out + " 2> " + (dir_ / "events.err").string() + " & echo $!";
  FILE* p = popen(events_cmd.c_str(), "r");
  int events_pid = 0;
  ASSERT_EQ(std::fscanf(p, "%d", &events_pid), 1);
  pclose(p);
  for (int i = 0; i < 100 && !fs::exists(sock); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(sock));
  std::string unbound_cmd = "unbound -d -c " + conf + " >/dev/null 2>&1 & echo $!";
  p = popen(unbound_cmd.c_str(), "r");
  int unbound_pid = 0;
  ASSERT_EQ(std::fscanf(p, "%d", &unbound_pid), 1);
  pclose(p);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  for (const char* name : {"www.good.test", "aGVsbG8.x1.good.test", "www.good.test"}) {
    std::string dig = std::string("dig @127.0.10.31 +tries=1 +time=2 ") + name + " A >/dev/null";
    EXPECT_EQ(system(dig.c_str()), 0);
  }
  // Unbound's dnstap thread sends in batches about once a second.
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  kill(unbound_pid, SIGTERM);
  waitpid(unbound_pid, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(events_pid, SIGTERM);
  for (int i = 0; i < 100 && kill(events_pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(kill(events_pid, 0), 0) << "nsradar events did not stop on SIGTERM";
  std::ifstream in(out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto slurp = [](const fs::path& f) {
    std::ifstream i(f);
    std::stringstream ss;
    ss << i.rdbuf();
    return ss.str();
  };
  ASSERT_EQ(lines.size(), 3u) << slurp(dir_ / "events.err") << slurp(dir_ / "unbound.log");
  EXPECT_NE(lines[0].find(R"("qname":"www.good.test")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("rcode":"NOERROR")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("data":"192.0.2.10")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("sensor":"cli-test")"), std::string::npos);
  EXPECT_NE(lines[1].find(R"("qname":"agvsbg8.x1.good.test","qname_raw":"aGVsbG8.x1.good.test")"), std::string::npos)
      << lines[1];
  EXPECT_NE(lines[1].find(R"("rcode":"NXDOMAIN")"), std::string::npos);
  EXPECT_NE(lines[1].find(R"("registered_domain":"good.test")"), std::string::npos);
  EXPECT_FALSE(fs::exists(sock));  // removed on the way out
}

// Passive DNS from a real capture: the NS answer Unbound gave becomes an
// edge of the index, visible beside zone data, and a second run only
// extends it.
TEST_F(CliTest, IngestTrafficAddsObservedEdges) {
  ASSERT_EQ(Run("zone ingest " + Write("z1.zone", kZone1)).code, 0);
  std::string pcap = std::string(NSRADAR_TESTDATA) + "/ingest/unbound.pcap";
  Result r = Run("ingest-traffic " + pcap);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1 new (name server, domain) pairs"), std::string::npos) << r.out;
  r = Run("ingest-traffic " + pcap);
  EXPECT_NE(r.out.find("0 new (name server, domain) pairs, 1 seen again"), std::string::npos) << r.out;
  r = Run("--json ns domains ns1.good.test");
  EXPECT_NE(r.out.find(R"("name":"good.test")"), std::string::npos) << r.out;
  r = Run("--json domain history good.test");
  EXPECT_NE(r.out.find(R"("observed":true)"), std::string::npos) << r.out;
  r = Run("--json ns domains ns1.shared.net");  // zone data untouched
  EXPECT_NE(r.out.find(R"("name":"alpha.com")"), std::string::npos) << r.out;
}

// The lines of testdata/ingest/resolver-side.counts under `key`, without
// it: what tshark and dnstap-read counted when the resolver-side fixtures
// were recorded (make-ingest-fixtures.sh resolver-side).
std::vector<std::string> ResolverSideCounts(const std::string& key) {
  std::ifstream in(std::string(NSRADAR_TESTDATA) + "/ingest/resolver-side.counts");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(key + " ")) out.push_back(line.substr(key.size() + 1));
  }
  EXPECT_FALSE(out.empty()) << key;
  return out;
}

// Passive DNS from resolver-side dnstap of a real BIND and a real PowerDNS
// Recursor iterating from a fake root: ingest-traffic learns every
// delegation their referrals carry (zone cut, name servers, glue) as tshark
// listed them from the capture of the resolvers' upstream link. BIND's
// client side alone teaches nothing: its answers carry no authority section.
TEST_F(CliTest, IngestTrafficLearnsDelegationsFromResolverSideReferrals) {
  const std::string fixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";
  Result r = Run("ingest-traffic --vantage client " + fixtures + "bind-resolver.dnstap");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0 new (name server, domain) pairs, 0 seen again; 0 new name server addresses"),
            std::string::npos)
      << r.out;
  for (const std::string name : {"bind", "pdns"}) {
    r = Run("ingest-traffic " + fixtures + name + "-resolver.dnstap");
    ASSERT_EQ(r.code, 0) << r.err;
    for (const std::string& d : ResolverSideCounts(name + ".delegation")) {
      const std::string zone = d.substr(0, d.find(' ')), ns = d.substr(d.find(' ') + 1);
      r = Run("--json ns domains " + ns);
      EXPECT_NE(r.out.find(R"({"name":")" + zone + R"(",)"), std::string::npos) << d << ": " << r.out;
      EXPECT_NE(r.out.find(R"("observed":true)"), std::string::npos) << r.out;
    }
    for (const std::string& g : ResolverSideCounts(name + ".glue")) {
      const std::string host = g.substr(0, g.find(' ')), address = g.substr(g.find(' ') + 1);
      r = Run("--json ns ips " + host);
      EXPECT_NE(r.out.find(R"("address":")" + address + R"(")"), std::string::npos) << g << ": " << r.out;
    }
  }
  // Only what the referrals and the servers' own answers name.
  r = Run("--json ns domains ns1.evil.test");
  EXPECT_NE(r.out.find(R"("total":2)"), std::string::npos) << r.out;  // exfil.test and evil.test
}

// detect reads resolver-side dnstap. BIND's two sides: each of the 64
// tunnel-like queries counts once, from the client that sent it (its
// resolver-side echo is left out and counted in the summary). BIND's
// resolver side alone and PowerDNS's (which sends nothing else): the
// resolver is the querying host, and QNAME minimisation's steps are echoes
// too, so the tunnel's names still dominate its domain.
TEST_F(CliTest, DetectReadsResolverSideDnstap) {
  const std::string fixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";
  const std::string bind = fixtures + "bind-resolver.dnstap", pdns = fixtures + "pdns-resolver.dnstap";
  struct Case {
    std::string args, top_client, echoes;
  };
  for (const Case& c : {Case{bind, "10.53.0.100", ResolverSideCounts("bind.echoes.both").at(0)},
                        Case{"--vantage resolver " + bind, "", ResolverSideCounts("bind.echoes.resolver").at(0)},
                        Case{pdns, "10.53.0.11", ResolverSideCounts("pdns.echoes").at(0)}}) {
    SCOPED_TRACE(c.args);
    Result r = Run("--json detect " + c.args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_NE(r.out.find(R"("registered_domain":"exfil.test")"), std::string::npos) << r.out;
    if (!c.top_client.empty()) {
      EXPECT_NE(r.out.find(R"("address":")" + c.top_client + R"(")"), std::string::npos) << r.out;
    }
    EXPECT_NE(r.err.find("dnstap_resolver_echo=" + c.echoes), std::string::npos) << r.err;
  }
  Result r = Run("detect --vantage upstream " + bind);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--vantage"), std::string::npos) << r.err;
}

// events shows both sides, echoes marked, and the resolver side's
// bailiwick and glue.
TEST_F(CliTest, EventsShowsTheResolverSide) {
  const std::string fixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";
  Result r = Run("--json events " + fixtures + "bind-resolver.dnstap");
  ASSERT_EQ(r.code, 0) << r.err;
  auto count = [&](const std::string& text) {
    size_t n = 0;
    for (size_t at = r.out.find(text); at != std::string::npos; at = r.out.find(text, at + 1)) ++n;
    return std::to_string(n);
  };
  EXPECT_EQ(count(R"("vantage":"client")"), ResolverSideCounts("bind.dnstap.CQ").at(0));
  EXPECT_EQ(count(R"("vantage":"resolver")"), ResolverSideCounts("bind.dnstap.RQ").at(0));
  EXPECT_EQ(count(R"("echo":true)"), ResolverSideCounts("bind.echoes.both").at(0));
  EXPECT_NE(r.out.find(R"("glue":[{"name":"a.nic.test","type":"A","ttl":86400,"data":"10.53.0.2"}])"),
            std::string::npos);
  EXPECT_NE(r.out.find(R"("bailiwick":"test")"), std::string::npos);
  r = Run("events --vantage resolver " + fixtures + "pdns-resolver.dnstap");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("  resolver  10.53.0.11"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  echo      10.53.0.11"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("  client  "), std::string::npos) << r.out;
}

// A pcapng of three link types (mergecap of Ethernet, SLL and SLL2 captures)
// and compressed captures read like plain ones. tshark counted the
// transactions when the fixtures were made (make-ingest-fixtures.sh captures):
// 18 queries, each answered, in multilink.pcapng; 11 in unbound.pcap.
TEST_F(CliTest, EventsReadsMultiLinkAndCompressedCaptures) {
  const std::string fixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";
  for (const auto& [file, events] : std::vector<std::pair<std::string, long>>{{"multilink.pcapng", 18},
                                                                              {"multilink.pcapng.xz", 18},
                                                                              {"multilink.pcapng.zst", 18},
                                                                              {"unbound.pcap.gz", 11}}) {
    Result r = Run("--json events " + fixtures + file);
    EXPECT_EQ(r.code, 0) << file << ": " << r.err;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), events) << file;
    EXPECT_NE(r.err.find(file + ": " + std::to_string(events) + " events from "), std::string::npos) << r.err;
  }
}

// An input that cannot be read whole (missing, truncated, damaged) fails the
// run, after the others are read; every input gets its summary line.
TEST_F(CliTest, InputsThatBreakOffFailTheRunAfterTheOthers) {
  const std::string fixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";
  std::ifstream in(fixtures + "unbound.pcap", std::ios::binary);
  std::stringstream whole;
  whole << in.rdbuf();
  // capinfos: 30 packets; the cut falls inside the last (a 98-byte response).
  std::string cut = Write("cut.pcap", whole.str().substr(0, whole.str().size() - 25));
  std::ifstream xz_in(fixtures + "unbound.dnstap.xz", std::ios::binary);
  std::stringstream xz;
  xz << xz_in.rdbuf();
  std::string cut_xz = Write("cut.dnstap.xz", xz.str().substr(0, xz.str().size() / 2));
  const std::string good = fixtures + "unbound.pcap", missing = (dir_ / "missing.pcap").string();

  Result r = Run("--json events " + good + " " + cut + " " + missing + " " + cut_xz);
  EXPECT_EQ(r.code, 1) << r.err;
  // unbound.pcap's 11, and the cut copy's 11 (the last query without its response).
  EXPECT_GE(std::count(r.out.begin(), r.out.end(), '\n'), 22) << r.out;
  EXPECT_NE(r.err.find(good + ": 11 events from 30 records\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cut + ": 11 events from 29 records; skipped: capture_truncated=1; error: corruption: " + cut +
                       " at byte "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(missing + ": 0 events from 0 records; error: I/O error: " + missing), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cut_xz + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("xz stream truncated"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 of 4 inputs could not be read whole"), std::string::npos) << r.err;

  r = Run("events " + good);  // the same good input alone is a success
  EXPECT_EQ(r.code, 0) << r.err;

  // ingest-traffic stores what it read, then fails.
  r = Run("ingest-traffic " + cut + " " + good);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("22 events"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("capture_truncated=1"), std::string::npos) << r.err;
  r = Run("--json ns domains ns1.good.test");
  EXPECT_NE(r.out.find(R"("name":"good.test")"), std::string::npos) << r.out;

  // detect alerts on the tunnels it read, then fails.
  r = Run("--json detect " + std::string(NSRADAR_TESTDATA) + "/detect/tunnels.pcap " + missing);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("\"registered_domain\":\"iodnull.test\""), std::string::npos);
  EXPECT_NE(r.err.find("1 of 2 inputs could not be read whole"), std::string::npos) << r.err;
}

// --follow reads a log as it grows and across rotation, like tail -F.
TEST_F(CliTest, FollowReadsAcrossRotation) {
  std::ifstream in(std::string(NSRADAR_TESTDATA) + "/ingest/unbound.log");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l + "\n");
  ASSERT_EQ(lines.size(), 24u);
  auto join = [&](size_t from, size_t to) {
    std::string s;
    for (size_t i = from; i < to; ++i) s += lines[i];
    return s;
  };
  std::string log = Write("dns.log", join(0, 12));
  std::string out = (dir_ / "out.json").string();
  std::string cmd = std::string(NSRADAR_BINARY) + " --json events --follow --format unbound " + log +
                    " --duration 3 > " + out + " 2>/dev/null &";
  ASSERT_EQ(system(cmd.c_str()), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  std::ofstream(log, std::ios::app) << join(12, 18);  // grows
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  fs::rename(log, log + ".1");  // rotated: renamed, then a new file
  Write("dns.log", join(18, 24));
  for (int i = 0; i < 100; ++i) {  // the --duration ends it
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (system(("pgrep -f 'events --follow --format unbound " + log + "' >/dev/null").c_str()) != 0) break;
  }
  std::ifstream result(out);
  size_t events = 0;
  for (std::string l; std::getline(result, l);) events += l.find("\"qname\"") != std::string::npos;
  EXPECT_EQ(events, 11u);
}

// Real iodine and dns2tcp tunnels recorded by tests/tunnels/run.sh: batch
// detection keeps its alerts in the store, `alerts` reads them back, and
// the envelopes wrap them.
TEST_F(CliTest, DetectKeepsAlertsInTheStore) {
  const std::string pcap = std::string(NSRADAR_TESTDATA) + "/detect/tunnels.pcap";
  Result r = Run("--json detect --store " + (dir_ / "store").string() + " " + pcap);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* d : {"d2ttxt.test", "d2tkey.test", "iodnull.test", "iodtxt.test"}) {
    EXPECT_NE(r.out.find(std::string("\"registered_domain\":\"") + d + "\""), std::string::npos) << d;
  }
  EXPECT_EQ(r.out.find("good.test"), std::string::npos);
  // Each alert embeds its name server check.
  EXPECT_NE(r.out.find("\"name_server_check\":{\"domain\":\"d2ttxt.test\",\"verdict\":\"suspicious\""),
            std::string::npos)
      << r.out;
  r = Run("--json alerts");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4);
  r = Run("alerts iodnull.test");
  EXPECT_NE(r.out.find("iodnull.test  tunneling"), std::string::npos) << r.out;
  r = Run("--json detect --envelope ecs " + pcap);
  EXPECT_NE(r.out.find("\"dns\":{\"question\":{\"registered_domain\":\"d2ttxt.test\""), std::string::npos);
  r = Run("detect --envelope xml " + pcap);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--envelope"), std::string::npos) << r.err;
  std::string bad_allow = Write("allow.txt", "ok.example\nnot a name at all\n");
  r = Run("detect --allowlist " + bad_allow + " " + pcap);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("allow.txt:2"), std::string::npos) << r.err;
}

// --psl changes what detect groups by: a list that makes the tunnel's
// domain a public suffix spreads its names over as many registered domains
// (none of which alerts on its own), and leaves the other tunnels alone.
TEST_F(CliTest, DetectTakesAPublicSuffixList) {
  const std::string pcap = std::string(NSRADAR_TESTDATA) + "/detect/tunnels.pcap";
  std::string psl = Write("psl.dat", "// ===BEGIN PRIVATE DOMAINS===\ntest\nd2ttxt.test\n");
  Result r = Run("--json detect --psl " + psl + " " + pcap);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("\"registered_domain\":\"d2ttxt.test\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"registered_domain\":\"iodnull.test\""), std::string::npos) << r.out;
  r = Run("detect --psl " + (dir_ / "missing.dat").string() + " " + pcap);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--psl"), std::string::npos) << r.err;
}

// watch raises the alert while the log is still being written.
TEST_F(CliTest, WatchAlertsWhileTheLogGrows) {
  std::string log = Write("unbound.log", "");
  std::string out = (dir_ / "alerts.out").string();
  std::string cmd = std::string(NSRADAR_BINARY) + " --json watch --format unbound " + log + " --duration 20 > " + out +
                    " 2>/dev/null & echo $!";
  FILE* p = popen(cmd.c_str(), "r");
  int pid = 0;
  ASSERT_EQ(fscanf(p, "%d", &pid), 1);
  pclose(p);
  const char* b32 = "abcdefghijklmnopqrstuvwxyz234567";
  uint64_t x = 88172645463325252ull;
  bool alerted = false;
  int written = 0;
  for (; written < 400 && !alerted; ++written) {
    std::string label;
    for (int i = 0; i < 50; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      label.push_back(b32[x % 32]);
    }
    std::ofstream(log, std::ios::app) << "Nov 27 05:39:25 unbound[15070:0] query: 10.0.0.66 " << label
                                      << ".leak.example. TXT IN\n"
                                      << "Nov 27 05:39:25 unbound[15070:0] reply: 10.0.0.66 " << label
                                      << ".leak.example. TXT IN NXDOMAIN 0.000629 0 58\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream result(out);
    std::stringstream ss;
    ss << result.rdbuf();
    alerted = ss.str().find("\"registered_domain\":\"leak.example\"") != std::string::npos;
  }
  kill(pid, SIGTERM);
  EXPECT_TRUE(alerted) << "no alert after " << written << " lines";
  EXPECT_LT(written, 200);  // within the few dozen queries the bars need, not at the end
}

// The name server check, threat intelligence and RPZ commands on a store
// that knows the tunnel domain's delegation from a zone file.
TEST_F(CliTest, CheckIntelAndRpz) {
  std::string zone = Write("test.zone",
                           "test.\t60\tIN\tSOA\ta.test. h.test. 2024010100 1 1 1 1\n"
                           "d2ttxt.test.\t60\tIN\tNS\tns1.d2ttxt.test.\n"
                           "ns1.d2ttxt.test.\t60\tIN\tA\t127.0.10.2\n"
                           "unrelated.test.\t60\tIN\tNS\tns1.evil.test.\n");
  ASSERT_EQ(Run("zone ingest --observed-at 2026-11-01 " + zone).code, 0);
  const std::string pcap = std::string(NSRADAR_TESTDATA) + "/detect/tunnels.pcap";
  ASSERT_EQ(Run("detect --store " + (dir_ / "store").string() + " " + pcap).code, 0);
  Result r = Run("check d2ttxt.test");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("d2ttxt.test.: suspicious"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("self-hosted inside the domain"), std::string::npos) << r.out;
  std::string intel = Write("intel.csv",
                            "indicator,type,category,source\n"
                            "ns1.evil.test,ns,c2,vendor\n"
                            "not a name,ns,c2\n");
  r = Run("intel import " + intel);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("intel.csv:3"), std::string::npos) << r.err;  // the bad line, by place
  EXPECT_NE(r.err.find("1 indicators (csv)"), std::string::npos) << r.err;
  r = Run("--json check unrelated.test");
  EXPECT_NE(r.out.find("\"verdict\":\"malicious\""), std::string::npos) << r.out;
  const std::string rpz = (dir_ / "out.rpz").string();
  r = Run("rpz export --out " + rpz + " --reload-command true");
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(rpz);
  std::stringstream text;
  text << in.rdbuf();
  for (const char* line : {"\nd2ttxt.test CNAME .\n", "\n*.d2ttxt.test CNAME .\n",
                           "\nns1.d2ttxt.test.rpz-nsdname CNAME .\n", "\nns1.evil.test.rpz-nsdname CNAME .\n"}) {
    EXPECT_NE(text.str().find(line), std::string::npos) << line << " in\n" << text.str();
  }
  r = Run("rpz export --out " + rpz + " --reload-command false");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--reload-command"), std::string::npos) << r.err;
  r = Run("intel import " + (dir_ / "missing.txt").string());
  EXPECT_NE(r.code, 0);
}

// serve --config refuses a bad configuration, naming the place.
TEST_F(CliTest, PipelineConfigErrorsNameTheirPlace) {
  std::string keys = Write("keys", "at_abcdefghijklmnopqrstuvwxyz012\n");
  Result r = Run("serve --config " + Write("a.conf", "api_keys = " + keys + "\nlisten = 127.0.0.1:0\ncolour = blue\n"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("a.conf:3: unknown key 'colour'"), std::string::npos) << r.err;
  r = Run("serve --config " + Write("b.conf", "api_keys = " + keys + "\nrpz_interval_seconds = soon\n"));
  EXPECT_NE(r.err.find("b.conf:2: rpz_interval_seconds: expected a number"), std::string::npos) << r.err;
  r = Run("serve --config " + Write("c.conf", "just words\n"));
  EXPECT_NE(r.err.find("c.conf:1: expected 'key = value'"), std::string::npos) << r.err;
  r = Run("serve --config " + Write("d.conf", "listen = 127.0.0.1:0\n"));
  EXPECT_NE(r.err.find("api_keys is required"), std::string::npos) << r.err;
  r = Run("serve --config " + (dir_ / "missing.conf").string());
  EXPECT_NE(r.err.find("missing.conf: cannot open"), std::string::npos) << r.err;
  r = Run("serve --listen 127.0.0.1:0");  // without --config, the key file is still required
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--api-keys"), std::string::npos) << r.err;
}

// zone ingest --czds: a CZDS download in one command, a summary per zone,
// the failed zones named on standard error and in the exit code, no
// progress output unless asked (-v) or on a terminal.
TEST_F(CliTest, CzdsDirectoryIngestSummarisesEachZone) {
  fs::create_directories(dir_ / "czds");
  auto gzip = [&](const std::string& name, const std::string& text) {
    gzFile f = gzopen((dir_ / "czds" / name).c_str(), "wb");
    ASSERT_NE(f, nullptr);
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
  };
  gzip("com.zone.gz", kZone1);
  gzip("net.zone.gz", std::string(kZone1).replace(0, 3, "org"));  // a .com file with one SOA owner changed
  Write("czds/README", "not a zone\n");
  const std::string czds = (dir_ / "czds").string();
  Result r = Run("zone ingest --czds " + czds + " --observed-at 2024-01-01");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("ZONE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("com"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("committed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 zones at 2024-01-01T00:00:00Z: 1 committed, 1 failed, 0 not run"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("note: " + czds + "/README: not named"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: zone net: " + czds + "/net.zone.gz: the SOA owner is org., not net."), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("error: 1 of 2 zones failed: net"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ETA"), std::string::npos) << "progress without a terminal or -v: " << r.err;
  r = Run("--json ns domains ns1.shared.net");
  EXPECT_NE(r.out.find("gamma.com"), std::string::npos) << r.out;

  fs::remove(dir_ / "czds" / "net.zone.gz");
  r = Run("--json zone ingest -v --czds " + czds + " --observed-at 2024-01-01");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one JSON document: " << r.out;
  EXPECT_NE(
      r.out.find(R"("zone":"com","file":")" + czds + R"(/com.zone.gz","status":"committed","replaced_existing":true)"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(R"("peak_rss_bytes":)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("zones 0/1"), std::string::npos) << "-v shows the progress: " << r.err;

  r = Run("zone ingest --czds " + czds + " " + Write("x.zone", kZone1));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
  r = Run("zone ingest --czds " + (dir_ / "nothere").string());
  EXPECT_NE(r.code, 0);
  r = Run("zone ingest");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--czds"), std::string::npos) << r.err;
}

}  // namespace
