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

namespace nsradar::cli {
namespace {

struct ServeOptions {
  std::string api_keys;
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

// Imports every intel file of the configuration, each replacing its
// earlier indicators. Errors are printed; the pipeline keeps going.
void ImportIntel(nsdb::Store& store, const PipelineConfig& c) {
  for (const auto& file : c.intel) {
    intel::IndicatorFileOptions fo;
    fo.default_category = c.intel_category;
    fo.added = static_cast<int64_t>(std::time(nullptr));
    uint64_t shown = 0;
    fo.on_error = [&](const std::string& place, const std::string& why) {
      if (++shown <= 10) fmt::print(stderr, "{}: {}\n", place, why);
    };
    intel::ImportResult r;
    if (Status s = intel::ImportIndicators(store, file, fo, /*replace=*/true, &r); !s.ok()) {
      PrintError("intel " + s.ToString());
      continue;
    }
    fmt::print(stderr, "nsradar: intel {}: {} indicators ({}), {} lines skipped, {} replaced\n", file, r.indicators,
               r.stats.format, r.stats.errors, r.replaced);
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
  o.server.listen = c.listen;
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
        PrintError(input + ": " + s.ToString());
        return;
      }
      fmt::print(stderr, "nsradar: {}: {} events from {} records\n", input, source->stats().events,
                 source->stats().records);
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
      PrintError(s.ToString());
      rpz_dirty = true;
      return;
    }
    fmt::print(stderr, "nsradar: {}: serial {}, {} QNAME, {} NSDNAME, {} NSIP triggers\n", c.rpz_out, stats.serial,
               stats.qname, stats.nsdname, stats.nsip);
    if (!c.rpz_reload_command.empty()) {
      if (int rc = std::system(c.rpz_reload_command.c_str()); rc != 0) {
        PrintError(fmt::format("rpz_reload_command failed (status {})", rc));
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
    if (Status s = keys.Load(c.api_keys); !s.ok()) PrintError("reloading API keys: " + s.ToString());
    ImportIntel(*store, c);
    rpz_dirty = true;
  });
  fmt::print(stderr, "nsradar: pipeline on {} ({} inputs), API on port {}\n", c.store, c.inputs.size(), server.port());
  std::fflush(stderr);
  server.Run();
  g_stop_inputs = true;
  for (auto& t : inputs) t.join();
  export_rpz();
  fmt::print(stderr, "nsradar: stopped; {} alerts\n", sink.emitted());
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
  cmd->callback([cmd, o, &global] {
    if (!o->config.empty()) return RunPipeline(cmd, global, *o);
    if (o->api_keys.empty()) throw CLI::RequiredError("--api-keys");
    RunServe(global, *o);
  });
}

}  // namespace nsradar::cli
