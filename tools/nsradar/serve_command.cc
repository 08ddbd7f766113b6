// nsradar serve: the reverse-NS HTTP API over a store.
//
// The store is opened read-only and caught up with its writer every second,
// so `nsradar zone ingest` may run against the same store from cron while
// the API answers.
#include <fmt/format.h>

#include "api/http_server.h"
#include "api/service.h"
#include "commands.h"
#include "nsdb/store.h"

namespace nsradar::cli {
namespace {

struct ServeOptions {
  std::string api_keys;
  double rate_limit = 30;
  api::ServerOptions server;
  int refresh_ms = 1000;
  size_t cache_mb = 1024;
};

[[noreturn]] void Fail(const Status& s) {
  PrintError(s.ToString());
  throw CLI::RuntimeError(1);
}

void RunServe(const GlobalOptions& g, const ServeOptions& o) {
  api::ApiKeys keys;
  if (Status s = keys.Load(o.api_keys); !s.ok()) Fail(s);
  nsdb::StoreOptions so;
  so.read_only = true;
  so.block_cache_bytes = o.cache_mb << 20;
  std::unique_ptr<nsdb::Store> store;
  if (Status s = nsdb::Store::Open(g.store, so, &store); !s.ok()) Fail(s);

  api::Metrics metrics;
  api::Service service(store.get(), &keys, &metrics, api::ServiceOptions{.rate_limit = o.rate_limit});
  api::HttpServer server(&service, &metrics, o.server);
  if (Status s = server.Listen(); !s.ok()) Fail(s);
  server.Every(std::chrono::milliseconds(o.refresh_ms), [&store] {
    if (Status s = store->CatchUp(); !s.ok()) PrintError(s.ToString());
  });
  server.HandleSignals([&keys, &o] {
    // A bad file keeps the previous keys in force.
    if (Status s = keys.Load(o.api_keys); !s.ok()) {
      PrintError("reloading API keys: " + s.ToString());
    } else {
      fmt::print(stderr, "nsradar: reloaded {} API keys from {}\n", keys.size(), o.api_keys);
    }
  });
  fmt::print(stderr, "nsradar: serving {} on port {} with {} API keys\n", g.store, server.port(), keys.size());
  std::fflush(stderr);
  server.Run();
  fmt::print(stderr, "nsradar: stopped\n");
}

}  // namespace

void AddServeCommand(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the reverse-NS index over HTTP (v1-compatible and v2 API)");
  cmd->add_option("--listen", o->server.listen, "ADDR:PORT ([V6]:PORT; port 0 picks one)")->capture_default_str();
  cmd->add_option("--api-keys", o->api_keys, "File of API keys, one per line; reloaded on SIGHUP")->required();
  cmd->add_option("--rate-limit", o->rate_limit, "Requests per second per key (0: unlimited)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", o->server.threads, "Server threads (0: one per core)")->capture_default_str();
  cmd->add_option("--max-connections", o->server.max_connections, "Open connections before answering 503")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  auto ms = [](std::chrono::milliseconds* out) { return [out](int64_t v) { *out = std::chrono::milliseconds(v); }; };
  cmd->add_option_function<int64_t>("--request-timeout-ms", ms(&o->server.request_timeout),
                                    "Time for a request to arrive whole (default 10000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option_function<int64_t>("--idle-timeout-ms", ms(&o->server.idle_timeout),
                                    "Keep-alive idle time before closing (default 30000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--cache-mb", o->cache_mb,
                  "Block cache: uncompressed index pages kept in memory (the store's hot set should fit)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--refresh-ms", o->refresh_ms, "How often to pick up ingests by other processes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([o, &global] { RunServe(global, *o); });
}

}  // namespace nsradar::cli
