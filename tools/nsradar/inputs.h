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

// The --format value, or a usage error naming the formats.
ingest::Format FormatOption(const std::string& text);

// What every command that reads traffic (events, ingest-traffic, detect,
// watch) takes besides its own options.
struct TrafficInputOptions {
  std::vector<std::string> inputs;
  std::string format = "auto";
  double duration = 0;  // live sources stop after this long (0: at a signal)
  bool follow = false;
  std::string psl;  // a Public Suffix List file; empty: the system's
  ingest::VantageChoice vantage = ingest::VantageChoice::kBoth;

  // The source options these select, stopping at g_stop_inputs; *psl
  // holds the --psl list they point to and must outlive them.
  ingest::SourceOptions ToSourceOptions(std::unique_ptr<dns::PublicSuffixList>* psl) const;
};

// Declares the inputs as the positional `inputs_name` (described by
// `inputs_help`) and --format, --duration, --psl, --vantage and, with
// `offer_follow`, --follow on `cmd`.
void AddTrafficInputOptions(CLI::App* cmd, TrafficInputOptions* out, const std::string& inputs_name,
                            const std::string& inputs_help, bool offer_follow);

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
