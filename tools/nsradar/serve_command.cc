// nsradar serve: the reverse-NS HTTP API over a store, or with --config
// the whole live pipeline.
//
// Without --config the store is opened read-only and caught up with its
// writer every second, so `nsradar zone ingest` may run against the same
// store from cron while the API answers. With --config this process is the
// store's writer: it reads the configured traffic inputs, detects, keeps
// and checks alerts, imports threat intelligence (again on SIGHUP), rewrites
// the RPZ zone when anything changed, and answers the API from the same
// store (pipeline/pipeline.h, docs/pipeline.md).
#include <fmt/format.h>

#include "api/http_server.h"
#include "api/service.h"
#include "commands.h"
#include "nsdb/store.h"
#include "output.h"
#include "pipeline/pipeline.h"
#include "util/log.h"
#include "util/time.h"
#include "warehouse/hunt.h"

namespace nsradar::cli {
namespace {

struct ServeOptions {
  std::string api_keys;
  std::string log_format = "text";
  std::string log_level = "info";
  std::string log_file;
  double rate_limit = 30;
  api::ServerOptions server;
  int refresh_ms = 1000;
  size_t cache_mb = 1024;
  std::string config;
  // The warehouse the /v2/hunt endpoints query (without --config; with it,
  // the configuration's warehouse).
  std::string warehouse;
  std::string warehouse_user;
  std::string warehouse_password;
  std::string warehouse_database = "nsradar";
};

// The diagnostic log as the flags or the configuration say; reopened on
// SIGHUP with the access log, for logrotate.
void SetUpLog(const std::string& format, const std::string& level, const std::string& file) {
  LogFormat f;
  if (!ParseLogFormat(format, &f)) Fail(Status::InvalidArgument("log format '" + format + "': expected text or json"));
  LogLevel l;
  if (!ParseLogLevel(level, &l)) {
    Fail(Status::InvalidArgument("log level '" + level + "': expected debug, info, warn or error"));
  }
  SetLogFormat(f);
  SetLogLevel(l);
  if (Status s = SetLogFile(file); !s.ok()) Fail(s);
}

void RunServe(const GlobalOptions& g, const ServeOptions& o) {
  SetUpLog(o.log_format, o.log_level, o.log_file);
  api::ApiKeys keys;
  if (Status s = keys.Load(o.api_keys); !s.ok()) Fail(s);
  nsdb::StoreOptions so;
  so.read_only = true;
  so.block_cache_bytes = o.cache_mb << 20;
  std::unique_ptr<nsdb::Store> store;
  if (Status s = nsdb::Store::Open(g.store, so, &store); !s.ok()) Fail(s);

  api::Metrics metrics;
  api::ServiceOptions options{.rate_limit = o.rate_limit};
  warehouse::HuntTarget hunt;
  if (!o.warehouse.empty()) {
    Status s = warehouse::ParseEndpoints(o.warehouse, o.warehouse_user, o.warehouse_password, &hunt.shards);
    if (!s.ok()) Fail(s);
    hunt.names.database = o.warehouse_database;
    if (s = warehouse::CheckNames(hunt.names); !s.ok()) Fail(s);
    options.hunt = &hunt;
  }
  api::Service service(store.get(), &keys, &metrics, options);
  api::HttpServer server(&service, &metrics, o.server);
  if (Status s = server.Listen(); !s.ok()) Fail(s);
  server.Every(std::chrono::milliseconds(o.refresh_ms), [&store] {
    if (Status s = store->CatchUp(); !s.ok()) Log(LogLevel::kError, "serve", "catching up", {{"error", s.ToString()}});
  });
  server.HandleSignals([&keys, &o] {
    if (Status s = ReopenLogFile(); !s.ok()) {
      Log(LogLevel::kError, "serve", "reopening the log", {{"error", s.ToString()}});
    }
    // A bad file keeps the previous keys in force.
    if (Status s = keys.Load(o.api_keys); !s.ok()) {
      Log(LogLevel::kError, "serve", "reloading API keys; the previous keys stay in force", {{"error", s.ToString()}});
    } else {
      Log(LogLevel::kInfo, "serve", fmt::format("reloaded {} API keys from {}", keys.size(), o.api_keys));
    }
  });
  Log(LogLevel::kInfo, "serve",
      fmt::format("serving {} on port {} with {} API keys{}", g.store, server.port(), keys.size(),
                  o.server.tls_cert.empty() ? "" : " over TLS"));
  server.Run();
  Log(LogLevel::kInfo, "serve", "stopped");
}

void RunPipeline(CLI::App* cmd, const GlobalOptions& g, const ServeOptions& o) {
  pipeline::Config c;
  if (Status s = pipeline::LoadConfig(o.config, &c); !s.ok()) Fail(s);
  // Command-line flags override the file.
  auto given = [cmd](const char* flag) { return cmd->count(flag) > 0; };
  if (cmd->get_parent()->get_option("--store")->count()) c.store = g.store;
  if (given("--listen")) c.server.listen = o.server.listen;
  if (given("--api-keys")) c.api_keys = o.api_keys;
  if (given("--rate-limit")) c.rate_limit = o.rate_limit;
  if (given("--threads")) c.server.threads = o.server.threads;
  if (given("--max-connections")) c.server.max_connections = o.server.max_connections;
  if (given("--first-byte-timeout-ms")) c.server.first_byte_timeout = o.server.first_byte_timeout;
  if (given("--request-timeout-ms")) c.server.request_timeout = o.server.request_timeout;
  if (given("--idle-timeout-ms")) c.server.idle_timeout = o.server.idle_timeout;
  if (given("--tls-cert")) c.server.tls_cert = o.server.tls_cert;
  if (given("--tls-key")) c.server.tls_key = o.server.tls_key;
  if (given("--access-log")) c.server.access_log = o.server.access_log;
  if (given("--cache-mb")) c.cache_mb = o.cache_mb;
  if (given("--log-format")) c.log_format = o.log_format;
  if (given("--log-level")) c.log_level = o.log_level;
  if (given("--log-file")) c.log_file = o.log_file;
  SetUpLog(c.log_format, c.log_level, c.log_file);
  std::unique_ptr<pipeline::Pipeline> p;
  pipeline::PipelineHooks hooks;
  hooks.on_alert = [](const detect::Alert& a, const std::string&) {
    std::puts(pipeline::AlertLine(a).c_str());
    std::fflush(stdout);
  };
  if (Status s = pipeline::Pipeline::Create(c, std::move(hooks), &p); !s.ok()) Fail(s);
  p->Run(/*handle_signals=*/true);
}

}  // namespace

void AddServeCommand(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the reverse-NS index over HTTP (v1-compatible and v2 API)");
  cmd->add_option("--listen", o->server.listen, "ADDR:PORT ([V6]:PORT; port 0 picks one)")->capture_default_str();
  cmd->add_option("--api-keys", o->api_keys, "File of API keys, one per line; reloaded on SIGHUP");
  cmd->add_option("--config", o->config,
                  "Run the whole pipeline (inputs, detection, checks, RPZ, API) from this file; flags override it");
  cmd->add_option("--rate-limit", o->rate_limit, "Requests per second per key (0: unlimited)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", o->server.threads, "Server threads (0: one per core)")->capture_default_str();
  cmd->add_option("--max-connections", o->server.max_connections,
                  "Open connections; at the limit the oldest idle one is closed, 503 when all are busy")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  auto ms = [](std::chrono::milliseconds* out) { return [out](int64_t v) { *out = std::chrono::milliseconds(v); }; };
  cmd->add_option_function<int64_t>("--request-timeout-ms", ms(&o->server.request_timeout),
                                    "Time for a request to arrive whole (default 10000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option_function<int64_t>("--idle-timeout-ms", ms(&o->server.idle_timeout),
                                    "Keep-alive idle time before closing (default 30000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option_function<int64_t>("--first-byte-timeout-ms", ms(&o->server.first_byte_timeout),
                                    "Time for a new connection to send its first byte or finish TLS (default 5000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tls-cert", o->server.tls_cert, "Serve HTTPS: PEM certificate chain; reloaded on SIGHUP");
  cmd->add_option("--tls-key", o->server.tls_key, "PEM private key of --tls-cert; reloaded on SIGHUP");
  cmd->add_option("--access-log", o->server.access_log,
                  "JSON line per request (keys redacted) to this file, or - for stdout; reopened on SIGHUP");
  cmd->add_option("--log-format", o->log_format, "Diagnostic log: text or json (JSON lines)")->capture_default_str();
  cmd->add_option("--log-level", o->log_level, "debug, info, warn or error")->capture_default_str();
  cmd->add_option("--log-file", o->log_file, "Diagnostic log file (default: standard error); reopened on SIGHUP");
  cmd->add_option("--cache-mb", o->cache_mb,
                  "Block cache: uncompressed index pages kept in memory (the store's hot set should fit)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--refresh-ms", o->refresh_ms, "How often to pick up ingests by other processes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--warehouse", o->warehouse,
                  "ClickHouse shards the /v2/hunt endpoints query: http://[USER[:PASSWORD]@]HOST[:PORT],...");
  cmd->add_option("--warehouse-user", o->warehouse_user, "ClickHouse user where a --warehouse URL names none");
  cmd->add_option("--warehouse-password", o->warehouse_password, "Its password (better: the environment variable)")
      ->envname("NSRADAR_WAREHOUSE_PASSWORD");
  cmd->add_option("--warehouse-database", o->warehouse_database, "Database of the warehouse tables")
      ->capture_default_str();
  cmd->callback([cmd, o, &global] {
    if (!o->config.empty()) {
      if (cmd->count("--warehouse")) {
        throw CLI::ValidationError("--warehouse", "with --config the configuration's `warehouse =` applies");
      }
      return RunPipeline(cmd, global, *o);
    }
    if (o->api_keys.empty()) throw CLI::RequiredError("--api-keys");
    RunServe(global, *o);
  });
}

}  // namespace nsradar::cli
