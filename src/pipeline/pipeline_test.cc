// The live pipeline as one object, without the nsradar program: a capture
// of real iodine and dns2tcp tunnels (tests/tunnels) goes in; alerts come
// out in the store, alerts_out, the RPZ and the API, with the pipeline's
// counters on /metrics; Reload and Stop work from other threads.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

#include "api/http_test_client.h"
#include "nsdb/store_test_util.h"

namespace nsradar::pipeline {
namespace {

using nsdb::testing::FileText;
using nsdb::testing::TempDir;

constexpr char kKey[] = "at_abcdefghijklmnopqrstuvwxyz012";
const char* const kTunnels[] = {"d2ttxt.test", "d2tkey.test", "iodnull.test", "iodtxt.test"};

// The alerts a pipeline tells its hook of, by domain.
class Told {
 public:
  PipelineHooks Hooks() {
    PipelineHooks hooks;
    hooks.on_alert = [this](const detect::Alert& a, const std::string&) {
      std::lock_guard lock(mu_);
      domains_.push_back(a.registered_domain);
    };
    return hooks;
  }
  size_t Count(const std::string& domain) {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count(domains_.begin(), domains_.end(), domain));
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return domains_.size();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> domains_;
};

class PipelineTest : public ::testing::Test {
 protected:
  Config BaseConfig() {
    std::ofstream(dir_.file("keys")) << kKey << "\n";
    Config c;
    c.store = dir_.file("store");
    c.api_keys = dir_.file("keys");
    c.server.listen = "127.0.0.1:0";
    c.server.threads = 2;
    c.inputs = {std::string(NSRADAR_TESTDATA) + "/detect/tunnels.pcap"};
    c.intel = {std::string(NSRADAR_TESTDATA) + "/detect/intel.csv"};
    c.alerts_out = dir_.file("alerts.jsonl");
    c.rpz_out = dir_.file("rpz.zone");
    c.rpz_interval_seconds = 0.05;
    return c;
  }
  // The base with one input instead: an empty resolver log, followed.
  Config FollowedLogConfig(const std::string& log) {
    std::ofstream(log) << "";
    Config c = BaseConfig();
    c.inputs = {log};
    c.input_format = "unbound";
    c.follow = true;
    return c;
  }
  // Waits until `done` holds (checked every 50 ms), at most 20 s.
  static bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 400; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  TempDir dir_;
};

TEST_F(PipelineTest, TunnelsInAlertsOutStoreRpzApiAndMetrics) {
  Told told;
  std::unique_ptr<Pipeline> p;
  Status s = Pipeline::Create(BaseConfig(), told.Hooks(), &p);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::thread runner([&] { p->Run(/*handle_signals=*/false); });
  api::testing::HttpClient client(p->port());
  // The capture is read whole; then its alerts are everywhere.
  ASSERT_TRUE(WaitFor([&] {
    std::string rpz = FileText(dir_.file("rpz.zone"));
    for (const char* d : kTunnels) {
      if (rpz.find(std::string("\n") + d + " CNAME .\n") == std::string::npos) return false;
    }
    return true;
  })) << FileText(dir_.file("rpz.zone"));
  std::string out = FileText(dir_.file("alerts.jsonl"));
  for (const char* d : kTunnels) {
    EXPECT_NE(out.find(std::string("\"registered_domain\":\"") + d + "\""), std::string::npos) << d;
    api::testing::HttpResult r = client.Get(std::string("/v2/alerts?domain=") + d, {{"X-API-Key", kKey}});
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"name_server_check\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(out.find("good.test"), std::string::npos);
  EXPECT_EQ(told.size(), 4u);
  // The intel feed's name server is in the RPZ too.
  EXPECT_NE(FileText(dir_.file("rpz.zone")).find("ns1.evil.test.rpz-nsdname CNAME ."), std::string::npos);

  api::testing::HttpResult m = client.Get("/metrics");
  ASSERT_EQ(m.status, 200);
  const std::string input = std::string(NSRADAR_TESTDATA) + "/detect/tunnels.pcap";
  EXPECT_NE(m.body.find("nsradar_input_up{input=\"" + input + "\"} 0"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("nsradar_alerts_total{category=\"tunneling\"} 4"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("nsradar_alerts_pending 0"), std::string::npos);
  size_t at = m.body.find("nsradar_input_events_total{input=\"" + input + "\"} ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stoull(m.body.substr(at + m.body.substr(at).find("} ") + 2)), 1000u);
  EXPECT_EQ(p->MetricsText().find("nsradar_alerts_dropped_total 0") != std::string::npos, true);

  p->Reload();  // from another thread, while running
  EXPECT_EQ(client.Get("/healthz").status, 200);
  p->Stop();
  runner.join();
  EXPECT_EQ(p->alert_counters().emitted, 4u);
}

TEST_F(PipelineTest, BadConfigurationsFailCreateNamingWhat) {
  Config c = BaseConfig();
  c.input_format = "xml";
  std::unique_ptr<Pipeline> p;
  Status s = Pipeline::Create(c, {}, &p);
  EXPECT_NE(s.message().find("input_format 'xml'"), std::string::npos) << s.ToString();
  c = BaseConfig();
  c.allowlists = {dir_.file("missing-allowlist")};
  EXPECT_NE(Pipeline::Create(c, {}, &p).message().find("missing-allowlist"), std::string::npos);
  c = BaseConfig();
  c.alerts_out = "/nonexistent-dir/alerts.jsonl";
  EXPECT_NE(Pipeline::Create(c, {}, &p).message().find("/nonexistent-dir/alerts.jsonl"), std::string::npos);
  c = BaseConfig();
  c.server.listen = "127.0.0.1:99999";
  EXPECT_FALSE(Pipeline::Create(c, {}, &p).ok());
}

// A quiet input's counters reach /metrics within seconds, not after 4096
// events: an input that only trickles must not look stalled.
TEST_F(PipelineTest, AQuietInputsCountersReachTheMetrics) {
  const std::string log = dir_.file("unbound.log");
  Config c = FollowedLogConfig(log);
  std::unique_ptr<Pipeline> p;
  ASSERT_TRUE(Pipeline::Create(c, {}, &p).ok());
  std::thread runner([&] { p->Run(/*handle_signals=*/false); });
  const std::string counter = "nsradar_input_events_total{input=\"" + log + "\"} ";
  auto counted = [&]() -> uint64_t {
    const std::string m = p->MetricsText();
    const size_t at = m.find(counter);
    return at == std::string::npos ? 0 : std::stoull(m.substr(at + counter.size()));
  };
  // One query a quarter second, as a quiet resolver logs them.
  for (int i = 0; i < 12; ++i) {
    std::ofstream(log, std::ios::app) << "[1795773528] unbound[7325:0] query: 127.0.0.1 host" << i
                                      << ".quiet.test. A IN\n[1795773528] unbound[7325:0] reply: 127.0.0.1 host" << i
                                      << ".quiet.test. A IN NOERROR 0.000000 1 58\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(WaitFor([&] { return counted() >= 6; })) << p->MetricsText();
  p->Stop();
  runner.join();
}

// An analyst's false positive reaches the running detector: a domain being
// tracked raises nothing once marked through the API, another tunnel in the
// same stream still does, and a removal brings the domain back.
TEST_F(PipelineTest, AFalsePositiveMarkReachesTheRunningDetector) {
  const std::string log = dir_.file("unbound.log");
  Config c = FollowedLogConfig(log);
  c.intel = {};
  Told told;
  auto alerted = [&](const std::string& domain) { return told.Count(domain); };
  std::unique_ptr<Pipeline> p;
  ASSERT_TRUE(Pipeline::Create(c, told.Hooks(), &p).ok());
  std::thread runner([&] { p->Run(/*handle_signals=*/false); });
  // Encoded TXT queries from one host, answered, as a tunnel client sends
  // them. The input is read in order: a domain's alert says that every
  // line before its queries was read.
  std::mt19937_64 rng(3);
  auto send = [&](const std::string& domain, int queries) {
    std::ofstream out(log, std::ios::app);
    for (int q = 0; q < queries; ++q) {
      std::string name;
      for (int i = 0; i < 50; ++i) name.push_back("abcdefghijklmnopqrstuvwxyz234567"[rng() % 32]);
      name += "." + domain + ".";
      out << "[1795773528] unbound[7325:0] query: 10.0.0.7 " << name << " TXT IN\n"
          << "[1795773528] unbound[7325:0] reply: 10.0.0.7 " << name << " TXT IN NOERROR 0.000000 0 120\n";
    }
  };
  // A few names: tracked, not alerted.
  send("marked.test", 3);
  send("sync.test", 100);
  ASSERT_TRUE(WaitFor([&] { return alerted("sync.test") == 1u; }));
  ASSERT_EQ(alerted("marked.test"), 0u);
  api::testing::HttpClient client(p->port());
  api::testing::HttpResult r = client.Post("/v2/allowlist/marked.test?reason=lab", "", "", {{"X-API-Key", kKey}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"changed\":true"), std::string::npos) << r.body;
  send("marked.test", 300);
  send("other.test", 300);
  ASSERT_TRUE(WaitFor([&] { return alerted("other.test") == 1u; }));
  EXPECT_EQ(alerted("marked.test"), 0u);
  // Unmarked, it is judged again.
  r = client.Delete("/v2/allowlist/marked.test", {{"X-API-Key", kKey}});
  ASSERT_EQ(r.status, 200) << r.body;
  send("marked.test", 100);
  EXPECT_TRUE(WaitFor([&] { return alerted("marked.test") == 1u; }));
  p->Stop();
  runner.join();
}

// An input that cannot be read is logged and counted; the pipeline and the
// other inputs go on.
TEST_F(PipelineTest, ABrokenInputLeavesTheOthersRunning) {
  Config c = BaseConfig();
  c.inputs.push_back(dir_.file("missing.pcap"));
  std::unique_ptr<Pipeline> p;
  ASSERT_TRUE(Pipeline::Create(c, {}, &p).ok());
  std::thread runner([&] { p->Run(false); });
  EXPECT_TRUE(WaitFor([&] { return p->alert_counters().emitted == 4; }));
  EXPECT_NE(p->MetricsText().find("nsradar_input_up{input=\"" + dir_.file("missing.pcap") + "\"} 0"),
            std::string::npos);
  p->Stop();
  runner.join();
}

}  // namespace
}  // namespace nsradar::pipeline
