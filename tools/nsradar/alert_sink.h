// Where alerts go once the detector raises them, for detect, watch and the
// serve pipeline: kept in the store with their name server check embedded,
// appended to a JSON-lines file, printed as JSON lines or one human line
// each. Not thread-safe: callers serialise Emit.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "detect/alert_json.h"
#include "detect/detector.h"
#include "nsdb/store.h"

namespace nsradar::cli {

struct AlertSinkOptions {
  nsdb::Store* store = nullptr;  // not owned; alerts are kept and checked when set
  std::string out_path;          // appended to when set
  detect::AlertEnvelope envelope = detect::AlertEnvelope::kPlain;
  bool json_stdout = false;   // each alert as a JSON line on standard output
  bool human_stdout = false;  // each alert as one line on standard output
};

class AlertSink {
 public:
  // Throws a usage error naming --out when the file cannot be opened.
  explicit AlertSink(AlertSinkOptions options);
  // Checks and keeps `alert` (filling its check_json), then writes it out.
  void Emit(detect::Alert& alert);
  uint64_t emitted() const { return emitted_; }

 private:
  void Keep(const detect::Alert& alert);

  AlertSinkOptions o_;
  std::unique_ptr<FILE, int (*)(FILE*)> out_file_{nullptr, &std::fclose};
  std::string line_, plain_;
  uint64_t emitted_ = 0;
};

// The thresholds an alert crossed, for a table cell or a log line.
std::string AlertWhy(const detect::Alert& alert);

}  // namespace nsradar::cli
