// nsradar serve: the reverse-NS HTTP API over a store, or with --config
// the whole live pipeline.
//
// Without --config the store is opened read-only and caught up with its
// writer every second, so `nsradar zone ingest` may run against the same
// store from cron while the API answers. With --config this process is the
// store's writer: it reads the configured traffic inputs, detects, keeps
// and checks alerts, imports threat intelligence (again on SIGHUP), rewrites
// the RPZ zone when anything changed, and answers the API from the same
// store (docs/pipeline.md).
#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "alert_sink.h"
#include "api/http_server.h"
#include "api/service.h"
#include "commands.h"
#include "detect/detector.h"
#include "inputs.h"
#include "intel/import.h"
#include "intel/rpz.h"
#include "nsdb/store.h"
#include "pipeline_config.h"
#include "util/log.h"

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
};

[[noreturn]] void Fail(const Status& s) {
  PrintError(s.ToString());
  throw CLI::RuntimeError(1);
}

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

void ReopenLog() {
  if (Status s = ReopenLogFile(); !s.ok())
    Log(LogLevel::kError, "serve", "reopening the log", {{"error", s.ToString()}});
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
  api::Service service(store.get(), &keys, &metrics, api::ServiceOptions{.rate_limit = o.rate_limit});
  api::HttpServer server(&service, &metrics, o.server);
  if (Status s = server.Listen(); !s.ok()) Fail(s);
  server.Every(std::chrono::milliseconds(o.refresh_ms), [&store] {
    if (Status s = store->CatchUp(); !s.ok()) Log(LogLevel::kError, "serve", "catching up", {{"error", s.ToString()}});
  });
  server.HandleSignals([&keys, &o] {
    ReopenLog();
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

// Imports every intel file of the configuration, each replacing its
// earlier indicators. Errors are printed; the pipeline keeps going.
void ImportIntel(nsdb::Store& store, const PipelineConfig& c) {
  for (const auto& file : c.intel) {
    intel::IndicatorFileOptions fo;
    fo.default_category = c.intel_category;
    fo.added = static_cast<int64_t>(std::time(nullptr));
    uint64_t shown = 0;
    fo.on_error = [&](const std::string& place, const std::string& why) {
      if (++shown <= 10) Log(LogLevel::kWarn, "intel", why, {{"place", place}});
    };
    intel::ImportResult r;
    intel::FetchOptions fetch;
    fetch.ca_file = c.intel_ca_file;
    if (Status s = intel::ImportIndicators(store, file, fo, /*replace=*/true, &r, fetch); !s.ok()) {
      Log(LogLevel::kError, "intel", "import failed", {{"error", s.ToString()}});
      continue;
    }
    Log(LogLevel::kInfo, "intel",
        fmt::format("{}: {} indicators ({}), {} lines skipped, {} replaced", file, r.indicators, r.stats.format,
                    r.stats.errors, r.replaced));
  }
}

void RunPipeline(CLI::App* cmd, const GlobalOptions& g, ServeOptions o) {
  PipelineConfig c;
  if (Status s = LoadPipelineConfig(o.config, &c); !s.ok()) Fail(s);
  // Command-line flags override the file.
  if (cmd->get_parent()->get_option("--store")->count()) c.store = g.store;
  if (cmd->count("--listen")) c.listen = o.server.listen;
  if (cmd->count("--api-keys")) c.api_keys = o.api_keys;
  if (cmd->count("--rate-limit")) c.rate_limit = o.rate_limit;
  if (cmd->count("--tls-cert")) c.tls_cert = o.server.tls_cert;
  if (cmd->count("--tls-key")) c.tls_key = o.server.tls_key;
  if (cmd->count("--access-log")) c.access_log = o.server.access_log;
  if (cmd->count("--log-format")) c.log_format = o.log_format;
  if (cmd->count("--log-level")) c.log_level = o.log_level;
  if (cmd->count("--log-file")) c.log_file = o.log_file;
  SetUpLog(c.log_format, c.log_level, c.log_file);
  o.server.listen = c.listen;
  o.server.tls_cert = c.tls_cert;
  o.server.tls_key = c.tls_key;
  o.server.access_log = c.access_log;
  const ingest::Format format = FormatOption(c.input_format);
  detect::AlertEnvelope envelope;
  if (!detect::ParseAlertEnvelope(c.envelope, &envelope)) {
    Fail(Status::InvalidArgument(o.config + ": envelope '" + c.envelope + "': expected plain, eve or ecs"));
  }
  detect::Allowlist allow = detect::Allowlist::BuiltIn();
  for (const auto& path : c.allowlists) {
    if (Status s = allow.LoadFile(path, "allowlisted"); !s.ok()) Fail(s);
  }
  api::ApiKeys keys;
  if (Status s = keys.Load(c.api_keys); !s.ok()) Fail(s);
  nsdb::StoreOptions so;
  so.block_cache_bytes = o.cache_mb << 20;
  std::unique_ptr<nsdb::Store> store;
  if (Status s = nsdb::Store::Open(c.store, so, &store); !s.ok()) Fail(s);
  ImportIntel(*store, c);

  std::atomic<bool> rpz_dirty = !c.rpz_out.empty();
  std::mutex detect_mu;  // the detector and the sink serve every input thread
  detect::Detector detector({}, allow);
  AlertSink sink({.store = store.get(), .out_path = c.alerts_out, .envelope = envelope, .human_stdout = true});
  g_stop_inputs = false;
  ingest::SourceOptions source_options;
  source_options.stop = &g_stop_inputs;
  source_options.follow = c.follow;
  std::vector<std::thread> inputs;
  for (const auto& input : ExpandInputs(c.inputs)) {
    inputs.emplace_back([&, input] {
      std::unique_ptr<ingest::EventSource> source;
      bool live = false;
      Status s = OpenInput(input, format, source_options, &source, &live);
      std::vector<detect::Alert> fresh;
      if (s.ok()) {
        s = source->Run([&](const ingest::DnsEvent& ev) {
          std::lock_guard lock(detect_mu);
          detector.Add(ev, &fresh);
          for (auto& a : fresh) {
            sink.Emit(a);
            rpz_dirty = true;
          }
          fresh.clear();
        });
      }
      if (!s.ok()) {
        Log(LogLevel::kError, "input", "input failed", {{"input", input}, {"error", s.ToString()}});
        return;
      }
      Log(LogLevel::kInfo, "input",
          fmt::format("{}: {} events from {} records", input, source->stats().events, source->stats().records));
    });
  }

  intel::RpzOptions rpz;
  rpz.origin = c.rpz_origin;
  rpz.action = c.rpz_action;
  rpz.allowlist = &allow;
  auto export_rpz = [&] {
    if (c.rpz_out.empty() || !rpz_dirty.exchange(false)) return;
    intel::RpzStats stats;
    if (Status s = intel::ExportRpz(*store, rpz, c.rpz_out, &stats); !s.ok()) {
      Log(LogLevel::kError, "rpz", "writing the RPZ failed; retrying", {{"error", s.ToString()}});
      rpz_dirty = true;
      return;
    }
    Log(LogLevel::kInfo, "rpz",
        fmt::format("{}: serial {}, {} QNAME, {} NSDNAME, {} NSIP triggers", c.rpz_out, stats.serial, stats.qname,
                    stats.nsdname, stats.nsip));
    if (!c.rpz_reload_command.empty()) {
      if (int rc = std::system(c.rpz_reload_command.c_str()); rc != 0) {
        Log(LogLevel::kError, "rpz", fmt::format("rpz_reload_command failed (status {})", rc));
      }
    }
  };

  api::Metrics metrics;
  api::Service service(store.get(), &keys, &metrics, api::ServiceOptions{.rate_limit = c.rate_limit});
  api::HttpServer server(&service, &metrics, o.server);
  if (Status s = server.Listen(); !s.ok()) {
    g_stop_inputs = true;
    for (auto& t : inputs) t.join();
    Fail(s);
  }
  server.Every(std::chrono::milliseconds(static_cast<int64_t>(std::max(0.05, c.rpz_interval_seconds) * 1000)),
               export_rpz);
  server.HandleSignals([&] {
    ReopenLog();
    if (Status s = keys.Load(c.api_keys); !s.ok()) {
      Log(LogLevel::kError, "serve", "reloading API keys; the previous keys stay in force", {{"error", s.ToString()}});
    }
    ImportIntel(*store, c);
    rpz_dirty = true;
  });
  Log(LogLevel::kInfo, "serve",
      fmt::format("pipeline on {} ({} inputs), API on port {}", c.store, c.inputs.size(), server.port()));
  server.Run();
  g_stop_inputs = true;
  for (auto& t : inputs) t.join();
  export_rpz();
  Log(LogLevel::kInfo, "serve", fmt::format("stopped; {} alerts", sink.emitted()));
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
  cmd->callback([cmd, o, &global] {
    if (!o->config.empty()) return RunPipeline(cmd, global, *o);
    if (o->api_keys.empty()) throw CLI::RequiredError("--api-keys");
    RunServe(global, *o);
  });
}

}  // namespace nsradar::cli
