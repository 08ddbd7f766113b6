// The configuration file of serve --config: every key, and errors that name
// file:line.
#include "pipeline/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "nsdb/store_test_util.h"

namespace nsradar::pipeline {
namespace {

using nsdb::testing::TempDir;

std::string Write(const TempDir& dir, const std::string& text) {
  std::string path = dir.file("nsradar.conf");
  std::ofstream(path) << text;
  return path;
}

TEST(Config, EveryKeyReachesItsField) {
  TempDir dir;
  Config c;
  Status s = LoadConfig(Write(dir,
                              "# a comment\n"
                              "store = /var/lib/nsradar   # trailing comment\n"
                              "cache_mb = 64\n"
                              "listen = [::1]:8443\n"
                              "api_keys = /etc/nsradar/keys\n"
                              "rate_limit = 2.5\n"
                              "threads = 3\n"
                              "max_connections = 99\n"
                              "first_byte_timeout_ms = 1500\n"
                              "request_timeout_ms = 2500\n"
                              "idle_timeout_ms = 3500\n"
                              "tls_cert = /etc/nsradar/cert.pem\n"
                              "tls_key = /etc/nsradar/key.pem\n"
                              "access_log = -\n"
                              "log_format = json\n"
                              "log_level = warn\n"
                              "log_file = /var/log/nsradar.log\n"
                              "input = dnstap-socket:/run/nsradar/dnstap.sock\n"
                              "input = /var/log/named/query.log\n"
                              "input_format = bind\n"
                              "follow = yes\n"
                              "fingerprints = no\n"
                              "vantage = resolver\n"
                              "allowlist = a.txt\n"
                              "alerts_out = /var/log/nsradar/alerts.jsonl\n"
                              "envelope = ecs\n"
                              "intel = https://feeds.example/list.csv\n"
                              "intel_category = c2\n"
                              "intel_ca_file = /etc/ssl/internal.pem\n"
                              "rpz_out = /etc/bind/rpz.zone\n"
                              "rpz_origin = rpz.example\n"
                              "rpz_action = drop\n"
                              "rpz_reload_command = rndc reload rpz.example\n"
                              "rpz_interval_seconds = 0.5\n"),
                        &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.store, "/var/lib/nsradar");
  EXPECT_EQ(c.cache_mb, 64u);
  EXPECT_EQ(c.server.listen, "[::1]:8443");
  EXPECT_EQ(c.api_keys, "/etc/nsradar/keys");
  EXPECT_DOUBLE_EQ(c.rate_limit, 2.5);
  EXPECT_EQ(c.server.threads, 3);
  EXPECT_EQ(c.server.max_connections, 99u);
  EXPECT_EQ(c.server.first_byte_timeout.count(), 1500);
  EXPECT_EQ(c.server.request_timeout.count(), 2500);
  EXPECT_EQ(c.server.idle_timeout.count(), 3500);
  EXPECT_EQ(c.server.tls_cert, "/etc/nsradar/cert.pem");
  EXPECT_EQ(c.server.tls_key, "/etc/nsradar/key.pem");
  EXPECT_EQ(c.server.access_log, "-");
  EXPECT_EQ(c.log_format, "json");
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.log_file, "/var/log/nsradar.log");
  EXPECT_EQ(c.inputs, (std::vector<std::string>{"dnstap-socket:/run/nsradar/dnstap.sock", "/var/log/named/query.log"}));
  EXPECT_EQ(c.input_format, "bind");
  EXPECT_TRUE(c.follow);
  EXPECT_FALSE(c.fingerprints);
  EXPECT_EQ(c.vantage, ingest::VantageChoice::kResolver);
  EXPECT_EQ(c.allowlists, std::vector<std::string>{"a.txt"});
  EXPECT_EQ(c.alerts_out, "/var/log/nsradar/alerts.jsonl");
  EXPECT_EQ(c.envelope, "ecs");
  EXPECT_EQ(c.intel, std::vector<std::string>{"https://feeds.example/list.csv"});
  EXPECT_EQ(c.intel_category, "c2");
  EXPECT_EQ(c.intel_ca_file, "/etc/ssl/internal.pem");
  EXPECT_EQ(c.rpz_out, "/etc/bind/rpz.zone");
  EXPECT_EQ(c.rpz_origin, "rpz.example");
  EXPECT_EQ(c.rpz_action, intel::RpzAction::kDrop);
  EXPECT_EQ(c.rpz_reload_command, "rndc reload rpz.example");
  EXPECT_DOUBLE_EQ(c.rpz_interval_seconds, 0.5);
}

TEST(Config, TheWarehouseKeys) {
  TempDir dir;
  Config c;
  ASSERT_TRUE(LoadConfig(Write(dir, "api_keys = k\nstore = /data/nsr\n"), &c).ok());
  EXPECT_TRUE(c.warehouse.empty());
  EXPECT_TRUE(c.sensor.empty());
  Status s = LoadConfig(Write(dir,
                              "api_keys = k\n"
                              "store = /data/nsr\n"
                              "warehouse = http://ch1:8123,http://bob:own@ch2\n"
                              "warehouse_user = writer\n"
                              "warehouse_password = s3cret\n"
                              "warehouse_database = dns\n"
                              "warehouse_batch_rows = 1000\n"
                              "warehouse_batch_ms = 250\n"
                              "warehouse_spool_mb = 64\n"),
                        &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(c.warehouse.size(), 2u);
  EXPECT_EQ(c.warehouse[0].host, "ch1");
  EXPECT_EQ(c.warehouse[0].user, "writer");  // given after the URLs
  EXPECT_EQ(c.warehouse[0].password, "s3cret");
  EXPECT_EQ(c.warehouse[1].user, "bob");  // the URL's own wins
  EXPECT_EQ(c.warehouse[1].password, "own");
  EXPECT_EQ(c.warehouse_database, "dns");
  EXPECT_EQ(c.warehouse_batch_rows, 1000u);
  EXPECT_EQ(c.warehouse_batch_age.count(), 250);
  EXPECT_EQ(c.warehouse_spool_mb, 64u);
  EXPECT_EQ(c.warehouse_spool, "/data/nsr-warehouse-spool");
  EXPECT_FALSE(c.sensor.empty());  // the host's name
  // The password from the environment when the file has none.
  setenv("NSRADAR_WAREHOUSE_PASSWORD", "from-env", 1);
  Config e;
  s = LoadConfig(Write(dir, "api_keys = k\nwarehouse = http://ch1\nsensor = site-a\nwarehouse_spool = /sp\n"), &e);
  unsetenv("NSRADAR_WAREHOUSE_PASSWORD");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(e.warehouse[0].password, "from-env");
  EXPECT_EQ(e.sensor, "site-a");
  EXPECT_EQ(e.warehouse_spool, "/sp");
}

TEST(Config, ErrorsNameFileLineAndKey) {
  TempDir dir;
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"api_keys = k\ncolour = blue\n", ":2: unknown key 'colour'"},
      {"api_keys = k\nrpz_interval_seconds = soon\n", ":2: rpz_interval_seconds: expected a number"},
      {"just words\n", ":1: expected 'key = value'"},
      {"listen = 127.0.0.1:0\n", ": api_keys is required"},
      {"api_keys = k\nmax_connections = 0\n", ":2: max_connections: expected a whole number"},
      {"api_keys = k\nmax_connections = -5\n", ":2: max_connections: expected a whole number"},
      {"api_keys = k\nthreads = 99999999999999999999\n", ":2: threads: expected a whole number"},
      {"api_keys = k\n\n\nidle_timeout_ms = 0\n", ":4: idle_timeout_ms: expected milliseconds"},
      {"api_keys = k\nrequest_timeout_ms = 1e3\n", ":2: request_timeout_ms: expected milliseconds"},
      {"api_keys = k\nfollow = maybe\n", ":2: follow: expected true or false"},
      {"api_keys = k\nvantage = upstream\n", ":2: vantage: expected client, resolver or both"},
      {"api_keys = k\nrpz_action = block\n", ":2: rpz_action: expected nxdomain, nodata or drop"},
      {"api_keys = k\n\nwarehouse = ftp://u:pw@ch1\n", ":3: warehouse: --warehouse URL 1 'ftp://***@ch1'"},
      {"api_keys = k\nwarehouse = http://ch1,\n", ":2: warehouse: --warehouse URL 2"},
      {"api_keys = k\nwarehouse_batch_rows = 0\n", ":2: warehouse_batch_rows: expected a whole number"},
      {"api_keys = k\nwarehouse_batch_ms = 0\n", ":2: warehouse_batch_ms: expected milliseconds"},
  };
  for (const Case& c : cases) {
    Config config;
    std::string path = Write(dir, c.text);
    Status s = LoadConfig(path, &config);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.message().find(path + c.error), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("pw"), std::string::npos) << s.message();  // no password
  }
  Config config;
  Status missing = LoadConfig(dir.file("missing.conf"), &config);
  EXPECT_NE(missing.message().find("missing.conf: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace nsradar::pipeline
