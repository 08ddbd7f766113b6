// nsradar correlate: the central evaluator over the warehouse's evidence
// table (docs/warehouse.md, "One detection across sensors"). A command of
// its own rather than a role of `serve`: it reads no traffic and serves no
// API, and a deployment runs one of it beside the cluster, while every
// sensor runs serve.
//
// With --rpz it also writes the central alerts as a Response Policy Zone,
// the pipeline's way (intel::ExportRpz): the zone is made from a store
// (--store), which keeps the central alerts across restarts (the state file
// only remembers which domains were alerted, not the alerts the zone is
// made of), and whose analysts' allowlist, threat intelligence and name
// server index apply as they do to a sensor's zone.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "commands.h"
#include "detect/allowlist.h"
#include "intel/ns_oracle.h"
#include "intel/rpz.h"
#include "nsdb/store.h"
#include "pipeline/alert_sink.h"
#include "util/enum_names.h"
#include "util/log.h"
#include "warehouse/clickhouse_sink.h"
#include "warehouse/correlator.h"
#include "warehouse/writer.h"

namespace nsradar::cli {
namespace {

struct CorrelateOptions : WarehouseConnection {
  std::string name;
  std::string state = "./nsradar-correlator.state";
  std::string spool;  // default: STATE-spool
  std::string alerts_out;
  std::vector<std::string> allowlists;
  double interval_seconds = 5;
  int lateness_seconds = 60;
  int rebuild_seconds = 600;
  bool no_fingerprints = false;
  int polls = 0;  // 0: until SIGTERM/SIGINT
  std::string rpz, rpz_origin = "rpz.nsradar", rpz_action = "nxdomain", rpz_reload;
};

// The central RPZ: rewritten after a poll in which the store took an alert
// (and once at start, so that the file exists and follows the store).
class CentralRpz {
 public:
  CentralRpz(const nsdb::Store* store, intel::RpzOptions options, std::string path, std::string reload)
      : store_(store), options_(std::move(options)), path_(std::move(path)), reload_(std::move(reload)) {}
  void MarkDirty() { dirty_ = true; }
  void Export() {
    if (!dirty_.exchange(false)) return;
    if (Status s = intel::ExportRpzAndReload(*store_, options_, path_, reload_); !s.ok()) {
      Log(LogLevel::kError, "rpz", "writing the RPZ failed; retrying after the next poll", {{"error", s.ToString()}});
      dirty_ = true;
    }
  }

 private:
  const nsdb::Store* store_;
  const intel::RpzOptions options_;
  const std::string path_, reload_;
  std::atomic<bool> dirty_{true};  // set by the sink's on_kept, under its lock
};

uint32_t NowSeconds() {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void Run(const GlobalOptions& g, const CorrelateOptions& o) {
  const std::vector<warehouse::Endpoint> shards = WarehouseShards(o);
  if (Status s = warehouse::CheckNames(o.names); !s.ok()) Fail(s);
  std::string name = o.name;
  if (name.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) == 0) name = fmt::format("{}-correlator", host);
  }
  detect::Allowlist allow = detect::Allowlist::BuiltIn();
  for (const auto& path : o.allowlists) {
    if (Status s = allow.LoadFile(path, "allowlisted"); !s.ok()) Fail(s);
  }
  intel::RpzOptions rpz_options;
  if (!o.rpz.empty()) {
    rpz_options.origin = NameArgument(o.rpz_origin, "--rpz-origin");
    if (!intel::ParseRpzAction(o.rpz_action, &rpz_options.action)) {
      throw CLI::ValidationError("--rpz-action", "'" + o.rpz_action + "': expected " + NamesOf(intel::kRpzActionNames));
    }
    rpz_options.allowlist = &allow;
  }
  // A store keeps the central alerts (and the RPZ is made from it); its
  // index weighs the name servers, as a sensor's does.
  std::unique_ptr<nsdb::Store> store;
  std::unique_ptr<intel::StoreNameServerOracle> name_servers;
  if (g.store_given || !o.rpz.empty()) {
    if (Status s = nsdb::Store::Open(g.store, nsdb::StoreOptions(), &store); !s.ok()) Fail(s);
    name_servers = std::make_unique<intel::StoreNameServerOracle>(store.get());
  }
  std::unique_ptr<CentralRpz> rpz;
  if (!o.rpz.empty()) rpz = std::make_unique<CentralRpz>(store.get(), rpz_options, o.rpz, o.rpz_reload);

  // SIGTERM and SIGINT end the loop between polls; blocked before the
  // writer's threads start, so that they inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Alerts go to the warehouse's alerts table as this correlator's (the
  // writer's spool makes each row exactly once) and, as the pipeline's do,
  // through an AlertSink to the alerts file and standard output.
  warehouse::WriterOptions wo;
  wo.sensor = name;
  wo.batch_rows = 1000;
  wo.batch_age = std::chrono::milliseconds(200);
  wo.spool_dir = o.spool.empty() ? o.state + "-spool" : o.spool;
  std::unique_ptr<warehouse::Writer> writer;
  if (Status s = warehouse::Writer::Open(wo, warehouse::NewClickHouseSink(shards, o.names), &writer); !s.ok()) Fail(s);
  pipeline::AlertSinkOptions so;
  so.store = store.get();
  so.out_path = o.alerts_out;
  if (rpz) so.on_kept = [&rpz](const detect::Alert&) { rpz->MarkDirty(); };
  so.on_alert = [&writer](const detect::Alert& a, const std::string& line) {
    writer->AddAlert(a, line);
    fmt::print("{}\n", pipeline::AlertLine(a));
    std::fflush(stdout);
  };
  std::unique_ptr<pipeline::AlertSink> sink;
  if (Status s = pipeline::AlertSink::Open(std::move(so), &sink); !s.ok()) Fail(s);

  warehouse::CorrelatorOptions co;
  co.name = name;
  co.state_path = o.state;
  co.lateness = std::chrono::seconds(o.lateness_seconds);
  co.rebuild = std::chrono::seconds(o.rebuild_seconds);
  co.detector.fingerprints = !o.no_fingerprints;
  co.detector.name_servers = name_servers.get();
  co.allowlist = std::move(allow);
  std::unique_ptr<warehouse::Correlator> correlator;
  if (Status s = warehouse::Correlator::Open(
          co, warehouse::NewClickHouseEvidenceReader(shards, o.names), [&sink](detect::Alert& a) { sink->Emit(a); },
          NowSeconds(), &correlator);
      !s.ok()) {
    Fail(s);
  }
  writer->Start();
  Log(LogLevel::kInfo, "correlate",
      fmt::format("evaluating the evidence of {} shard(s) every {} s as '{}'", shards.size(), o.interval_seconds,
                  name));
  bool failing = false;
  for (int n = 0; o.polls == 0 || n < o.polls; ++n) {
    const auto started = std::chrono::steady_clock::now();
    if (Status s = correlator->Poll(); !s.ok()) {
      if (!failing) Log(LogLevel::kError, "correlate", "reading the evidence failed", {{"error", s.ToString()}});
      failing = true;
    } else if (failing) {
      Log(LogLevel::kInfo, "correlate", "reading the evidence again");
      failing = false;
    }
    sink->Retry();
    if (rpz) rpz->Export();
    const auto c = correlator->counters();
    Log(LogLevel::kDebug, "correlate",
        fmt::format("poll {}: {} rows read, {} fed, {} alerts, watermark {}", c.polls, c.rows_read, c.rows_fed,
                    c.alerts, c.watermark),
        {{"ms", std::to_string(
                    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                        .count())}});
    if (o.polls != 0 && n + 1 == o.polls) break;
    const auto wait = std::chrono::duration<double>(o.interval_seconds);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    timespec timeout{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    if (sigtimedwait(&stop_signals, nullptr, &timeout) > 0) break;
  }
  writer->Stop();  // what is in memory goes to the spool, sent at the next start
  const auto c = correlator->counters();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const int64_t cpu_ms =
      (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
  Log(LogLevel::kInfo, "correlate",
      fmt::format("stopped: {} polls, {} evidence rows read, {} fed, {} alerts, {} ms of CPU", c.polls, c.rows_read,
                  c.rows_fed, c.alerts, cpu_ms));
}

}  // namespace

void AddCorrelateCommand(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<CorrelateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "correlate", "Evaluate all sensors' evidence in the warehouse centrally and alert once per domain");
  AddWarehouseConnectionOptions(cmd, o.get());
  cmd->add_option("--name", o->name, "This correlator's name in the alerts table (default: HOST-correlator)");
  cmd->add_option("--state", o->state, "The watermark and the domains alerted, kept across restarts")
      ->capture_default_str();
  cmd->add_option("--spool", o->spool, "Spool of the alerts for the warehouse (default: STATE-spool)");
  cmd->add_option("--alerts-out", o->alerts_out, "Append each alert as a JSON line to this file");
  cmd->add_option("--allowlist", o->allowlists, "Allowlist files, as the sensors' (repeatable)");
  cmd->add_option("--interval", o->interval_seconds, "Seconds between polls")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--lateness", o->lateness_seconds, "Rows arriving up to this many seconds late are still read")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_option("--rebuild", o->rebuild_seconds, "Seconds of evidence re-read at start to rebuild the state")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  cmd->add_flag("--no-fingerprints", o->no_fingerprints, "Ignore tool marks (detect by traffic alone)");
  cmd->add_option("--polls", o->polls, "Stop after this many polls (0: at SIGTERM or SIGINT)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--rpz", o->rpz,
                  "Write the central alerts as a Response Policy Zone to this file (made from --store, which keeps "
                  "them)");
  cmd->add_option("--rpz-origin", o->rpz_origin, "The zone's name, as the resolvers load it")->capture_default_str();
  cmd->add_option("--rpz-action", o->rpz_action, "nxdomain, nodata or drop")->capture_default_str();
  cmd->add_option("--rpz-reload-command", o->rpz_reload,
                  "Run after each write, e.g. 'rndc reload rpz.nsradar' or 'unbound-control auth_zone_reload ...'");
  cmd->callback([o, &global] { Run(global, *o); });
}

}  // namespace nsradar::cli
