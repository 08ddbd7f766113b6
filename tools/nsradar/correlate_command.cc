// nsradar correlate: the central evaluator over the warehouse's evidence
// table (docs/warehouse.md, "One detection across sensors"). A command of
// its own rather than a role of `serve`: it reads no traffic, serves no API
// and needs no store, and a deployment runs one of it beside the cluster,
// while every sensor runs serve.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "commands.h"
#include "detect/allowlist.h"
#include "pipeline/alert_sink.h"
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
};

uint32_t NowSeconds() {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void Run(const CorrelateOptions& o) {
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
  so.out_path = o.alerts_out;
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

void AddCorrelateCommand(CLI::App& app, const GlobalOptions& /*global*/) {
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
  cmd->callback([o] { Run(*o); });
}

}  // namespace nsradar::cli
