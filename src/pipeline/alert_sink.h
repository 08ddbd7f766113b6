// AlertSink: where alerts go once the detector raises them, for detect,
// watch and the live pipeline: kept in the store with their name server
// check embedded, appended to a JSON-lines file, and handed to a callback
// (the programs print them).
//
// Nothing is lost quietly. An alert the store or the file cannot take (a
// full disk, an I/O error) waits in a queue and is tried again at the next
// Emit or Retry, at most once a second, oldest first, so the file keeps the
// order alerts were raised in. The queue is bounded (max_pending); beyond
// it the oldest alert is dropped, counted and logged. A line that could not
// be written whole is cut off again, so the file never holds half a line.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "detect/alert_json.h"
#include "detect/detector.h"
#include "nsdb/store.h"
#include "util/log.h"
#include "util/status.h"

namespace nsradar::pipeline {

struct AlertSinkOptions {
  nsdb::Store* store = nullptr;  // not owned; alerts are kept and checked when set
  std::string out_path;          // appended to when set
  detect::AlertEnvelope envelope = detect::AlertEnvelope::kPlain;
  // Called once per alert, after the first attempt to keep it, with the
  // alert as written to out_path (check included when it could be made).
  std::function<void(const detect::Alert& alert, const std::string& json_line)> on_alert;
  // Called, under the sink's lock, each time the store takes an alert: at
  // Emit, or later at a retry (what reads alerts from the store, such as the
  // RPZ export, must look again then).
  std::function<void(const detect::Alert& alert)> on_kept;
  size_t max_pending = 10000;
  std::chrono::milliseconds retry_interval{1000};
};

struct AlertSinkCounters {
  uint64_t emitted = 0;
  uint64_t pending = 0;         // waiting for the store or the file
  uint64_t dropped = 0;         // pushed out of a full queue
  uint64_t store_failures = 0;  // failed attempts
  uint64_t file_failures = 0;
};

class AlertSink {
 public:
  // Fails naming out_path when the file cannot be opened for appending.
  static Status Open(AlertSinkOptions options, std::unique_ptr<AlertSink>* out);
  ~AlertSink();

  // Checks and keeps `alert` (filling its check_json), then writes it out.
  void Emit(detect::Alert& alert);
  // Tries the waiting alerts again (when retry_interval has passed).
  void Retry();
  AlertSinkCounters counters() const;

 private:
  struct Pending {
    detect::Alert alert;
    bool kept = false;
    bool written = false;
  };

  explicit AlertSink(AlertSinkOptions options) : o_(std::move(options)) {}
  // Does what is left to do for `p`; false when it must wait.
  bool Deliver(Pending& p);
  bool Keep(detect::Alert& alert);
  bool WriteLine(const std::string& line);
  void RetryLocked(bool force);
  // Logs a failure: the first of a run of failures, then once a minute.
  void LogFailure(std::string_view what, std::initializer_list<LogField> fields);

  const AlertSinkOptions o_;
  int out_fd_ = -1;
  mutable std::mutex mu_;  // guards everything below
  std::deque<Pending> pending_;
  std::chrono::steady_clock::time_point last_retry_{};
  std::chrono::steady_clock::time_point last_failure_log_{};
  AlertSinkCounters counters_;
  std::string line_;
};

// One line a person reads: "TIME DOMAIN CATEGORY SEVERITY SCORE CLIENT [WHY]".
std::string AlertLine(const detect::Alert& alert);
// The thresholds an alert crossed, for a table cell or a log line.
std::string AlertWhy(const detect::Alert& alert);

}  // namespace nsradar::pipeline
