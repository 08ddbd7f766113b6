#include "inputs.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>

#include "ingest/prefetching_source.h"
#include "output.h"

namespace nsradar::cli {

std::atomic<bool> g_stop_inputs{false};

namespace {
extern "C" void OnStopSignal(int) { g_stop_inputs = true; }
}  // namespace

ingest::Format FormatOption(const std::string& text) {
  ingest::Format f;
  if (ingest::ParseFormat(text, &f)) return f;
  throw CLI::ValidationError("--format", "'" + text + "': expected one of " + ingest::FormatNames());
}

ingest::SourceOptions TrafficInputOptions::ToSourceOptions(std::unique_ptr<dns::PublicSuffixList>* list) const {
  list->reset();
  if (!psl.empty()) {
    if (Status s = dns::PublicSuffixList::Load(psl, list); !s.ok()) throw CLI::ValidationError("--psl", s.message());
  }
  ingest::SourceOptions so;
  so.psl = list->get();
  so.follow = follow;
  so.stop = &g_stop_inputs;
  so.vantage = vantage;
  return so;
}

void AddTrafficInputOptions(CLI::App* cmd, TrafficInputOptions* out, const std::string& inputs_name,
                            const std::string& inputs_help, bool offer_follow) {
  cmd->add_option(inputs_name, out->inputs, inputs_help)->required();
  cmd->add_option("--format", out->format, ingest::FormatNames())->capture_default_str();
  cmd->add_option("--duration", out->duration, "Live sources: stop after this many seconds");
  if (offer_follow) {
    cmd->add_flag("--follow,-F", out->follow, "Keep reading a log as it grows, across rotation (like tail -F)");
  }
  cmd->add_option("--psl", out->psl, "A Public Suffix List file newer than the system's, for registered domains");
  cmd->add_option_function<std::string>(
         "--vantage",
         [out](const std::string& text) {
           if (!ingest::ParseVantageChoice(text, &out->vantage)) {
             throw CLI::ValidationError("--vantage", "'" + text + "': expected client, resolver or both");
           }
         },
         "dnstap: read the client side (queries to the resolver), the resolver side (its queries to "
         "authoritative servers) or both, a resolver-side repeat of a client's query counted once")
      ->default_str(std::string(ingest::VantageChoiceName(out->vantage)));
}

namespace {

void PrintSummary(const std::string& input, const ingest::SourceStats& st, const Status& error, bool verbose) {
  fmt::print(stderr, "{}\n", ingest::InputSummary(input, st, error));
  if (verbose) {
    for (const auto& [reason, samples] : st.samples) {
      for (const auto& sample : samples) fmt::print(stderr, "  {}: {}\n", reason, sample);
    }
  }
}

}  // namespace

bool RunInputs(const std::vector<std::string>& inputs, ingest::Format format, const ingest::SourceOptions& options,
               bool verbose, const std::function<void(const ingest::DnsEvent&, bool live)>& on_event,
               const std::function<void(bool live)>& after_input) {
  size_t failed = 0;
  for (const auto& input : inputs) {
    std::unique_ptr<ingest::EventSource> source;
    const bool live = ingest::IsLiveInput(input) || options.follow;
    if (live && inputs.size() > 1) {
      throw CLI::ValidationError("inputs", "a live source (" + input + ") must be the only input");
    }
    // An input that ends is read and decoded on a core of its own while
    // this thread finds registered domains and detects or indexes (a live
    // one stays on this thread: a batch would hold its latest events back).
    ingest::SourceOptions reading = options;
    reading.registered_domains = live;
    Status s = ingest::OpenInput(input, format, reading, &source);
    if (s.ok() && !live) {
      source = ingest::NewPrefetchingSource(std::move(source),
                                            options.psl ? options.psl : &dns::PublicSuffixList::Default());
    }
    if (s.ok()) {
      if (live) fmt::print(stderr, "{}: listening; stop with Ctrl-C or SIGTERM\n", input);
      s = source->Run([&](const ingest::DnsEvent& ev) { on_event(ev, live); });
      // What was read before an input broke off still counts: its events
      // are handed on, and only the run's exit status tells of the damage.
      if (s.ok() && after_input) after_input(live);
    }
    std::fflush(stdout);
    const ingest::SourceStats none;
    const ingest::SourceStats& stats = source ? source->stats() : none;
    PrintSummary(input, stats, s, verbose);
    if (!s.ok() || !stats.input_error.ok()) ++failed;
  }
  if (failed) PrintError(fmt::format("{} of {} inputs could not be read whole", failed, inputs.size()));
  return failed == 0;
}

StopControl::StopControl(double seconds) {
  g_stop_inputs = false;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  if (seconds > 0) {
    timer_ = std::thread([seconds] {
      auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
      while (!g_stop_inputs && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      g_stop_inputs = true;
    });
  }
}

StopControl::~StopControl() {
  g_stop_inputs = true;
  if (timer_.joinable()) timer_.join();
}

}  // namespace nsradar::cli
