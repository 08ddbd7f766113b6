// A store and an HttpServer over it for tests, on an ephemeral port of
// 127.0.0.1, with one API key (kFixtureKey).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <thread>

#include "api/alert_stream.h"
#include "api/http_server.h"
#include "nsdb/store_test_util.h"

namespace nsradar::api::testing {

inline constexpr char kFixtureKey[] = "at_abcdefghijklmnopqrstuvwxyz012";

// A store and a server over it on an ephemeral port, running on its own
// thread until the test ends.
class ServerFixture {
 public:
  ServerFixture(ServerOptions so = {}, double rate = 0, AlertStream* alert_stream = nullptr) {
    nsdb::StoreOptions o;
    EXPECT_TRUE(nsdb::Store::Open(dir_.file("store"), o, &store_).ok());
    {
      std::ofstream f(dir_.file("keys"));
      f << kFixtureKey << "\n";
    }
    EXPECT_TRUE(keys_.Load(dir_.file("keys")).ok());
    service_ = std::make_unique<Service>(store_.get(), &keys_, &metrics_,
                                         ServiceOptions{.rate_limit = rate, .alert_stream = alert_stream});
    so.listen = "127.0.0.1:0";
    so.threads = 2;
    server_ = std::make_unique<HttpServer>(service_.get(), &metrics_, so);
    Status s = server_->Listen();
    EXPECT_TRUE(s.ok()) << s.ToString();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~ServerFixture() { StopAndJoin(); }

  void StopAndJoin() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }

  void Ingest(const std::string& text, int64_t t) {
    nsdb::IngestResult r;
    Status s = store_->IngestSnapshot(nsdb::testing::SnapshotFromText(text), t, "test", &r);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  uint16_t port() const { return server_->port(); }
  HttpServer& server() { return *server_; }
  const nsdb::testing::TempDir& dir() const { return dir_; }
  nsdb::Store& store() { return *store_; }
  Metrics& metrics() { return metrics_; }

 private:
  nsdb::testing::TempDir dir_;
  std::unique_ptr<nsdb::Store> store_;
  ApiKeys keys_;
  Metrics metrics_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

}  // namespace nsradar::api::testing
