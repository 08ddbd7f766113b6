// Running traffic inputs (ingest/inputs.h) for the commands that read them
// (events, ingest-traffic, detect, watch), with a summary line per input on
// standard error; live sources run until SIGINT/SIGTERM or --duration.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dns/public_suffix.h"
#include "ingest/inputs.h"
#include "util/status.h"

namespace CLI {
class App;
}

namespace nsradar::cli {

// Set by SIGINT/SIGTERM and by the duration timer; live sources poll it.
extern std::atomic<bool> g_stop_inputs;

// The list in `path`, or null (the default list) for an empty path; throws
// a usage error naming --psl when the file cannot be read.
std::unique_ptr<dns::PublicSuffixList> LoadPublicSuffixList(const std::string& path);

// The --format value, or a usage error naming the formats.
ingest::Format FormatOption(const std::string& text);

// --vantage on a command that reads traffic: which sides of a resolver's
// dnstap to read into *out (both unless given).
void AddVantageOption(CLI::App* cmd, ingest::VantageChoice* out);

// Runs every input in turn through `on_event` (`live` for live sources and
// followed files), then `after_input`; prints each input's summary line to
// stderr (events, records, skips by reason, and the error if any), and with
// `verbose` the samples of what was skipped. A live input must be the only
// one. An input that cannot be opened, or that breaks off (unreadable,
// truncated, damaged), does not stop the others: the events read before the
// damage count, and the result is false, for the program to exit non-zero.
bool RunInputs(const std::vector<std::string>& inputs, ingest::Format format, const ingest::SourceOptions& options,
               bool verbose, const std::function<void(const ingest::DnsEvent&, bool live)>& on_event,
               const std::function<void(bool live)>& after_input = nullptr);

// Installs the stop signals and, when seconds > 0, a timer that stops live
// inputs after that long; the timer ends when the object does.
class StopControl {
 public:
  explicit StopControl(double seconds);
  ~StopControl();

 private:
  std::thread timer_;
};

}  // namespace nsradar::cli
