// Pipeline: nsradar's live product in one object, as `serve --config` runs
// it. Traffic inputs (one thread each) feed one detector; its alerts go
// through an AlertSink (kept in the store, checked against the index,
// appended to alerts_out); threat intelligence is imported at start and on
// Reload; the RPZ zone is rewritten whenever alerts or intelligence
// changed; and the HTTP API answers from the same store, with the
// pipeline's own counters on /metrics. docs/pipeline.md.
//
// Ownership: the Pipeline owns the store, the detector, the sink, the
// inputs' threads and the HTTP server. Create() does everything that can
// fail on a bad configuration (open, load, bind), so a started pipeline
// only meets the failures of running: those are logged and counted, and
// the pipeline goes on.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "detect/detector.h"
#include "pipeline/alert_sink.h"
#include "pipeline/config.h"
#include "util/status.h"

namespace nsradar::pipeline {

struct PipelineHooks {
  // Each alert as raised, with its JSON line (the programs print them).
  std::function<void(const detect::Alert& alert, const std::string& json_line)> on_alert;
};

class Pipeline {
 public:
  static Status Create(const Config& config, PipelineHooks hooks, std::unique_ptr<Pipeline>* out);
  ~Pipeline();

  // The API's port, bound by Create.
  uint16_t port() const;

  // Starts the inputs and serves until Stop(), or, with `handle_signals`,
  // SIGTERM or SIGINT (SIGHUP: Reload). Returns once the API has closed,
  // the inputs have ended and the RPZ has been written a last time.
  void Run(bool handle_signals);
  // Thread-safe; Run returns soon after.
  void Stop();
  // Reloads the API keys, the TLS certificate and the intelligence files,
  // reopens the logs and rewrites the RPZ.
  void Reload();

  // The pipeline's counters in the Prometheus text format: per input
  // (events, records, skips by reason, whether it runs), alerts by category
  // and how many wait or were dropped, RPZ writes, detector state.
  std::string MetricsText() const;
  AlertSinkCounters alert_counters() const;

  class Impl;

 private:
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nsradar::pipeline
