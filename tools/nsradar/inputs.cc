#include "inputs.h"

#include <fmt/format.h>
#include <glob.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>

#include "ingest/dnstap_socket.h"
#include "ingest/pcap_source.h"
#include "output.h"

namespace nsradar::cli {

std::atomic<bool> g_stop_inputs{false};

namespace {
extern "C" void OnStopSignal(int) { g_stop_inputs = true; }
}  // namespace

std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    glob_t g{};
    if (in.find_first_of("*?[") != std::string::npos && glob(in.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    } else {
      out.push_back(in);
    }
    globfree(&g);
  }
  return out;
}

std::unique_ptr<dns::PublicSuffixList> LoadPublicSuffixList(const std::string& path) {
  if (path.empty()) return nullptr;
  std::unique_ptr<dns::PublicSuffixList> list;
  if (Status s = dns::PublicSuffixList::Load(path, &list); !s.ok()) throw CLI::ValidationError("--psl", s.message());
  return list;
}

Status OpenInput(const std::string& input, ingest::Format format, const ingest::SourceOptions& options,
                 std::unique_ptr<ingest::EventSource>* out, bool* live) {
  *live = true;
  if (input.starts_with("dnstap-socket:")) {
    *out = ingest::NewDnstapSocketSource(input.substr(14), options, &g_stop_inputs);
    return Status::OK();
  }
  if (input.starts_with("interface:")) {
    *out = ingest::NewPcapLiveSource(input.substr(10), "", options, &g_stop_inputs);
    return Status::OK();
  }
  *live = false;
  return ingest::OpenSource(input, format, options, out);
}

ingest::Format FormatOption(const std::string& text) {
  ingest::Format f;
  if (ingest::ParseFormat(text, &f)) return f;
  std::string names;
  for (ingest::Format k : ingest::kAllFormats) names += std::string(names.empty() ? "" : ", ") + ingest::FormatName(k);
  throw CLI::ValidationError("--format", "'" + text + "': expected one of " + names);
}

namespace {

// "<input>: N events from M records; skipped: reason=n ...; error: ..." on
// stderr, for every input, read whole or not.
void PrintSummary(const std::string& input, const ingest::SourceStats& st, const Status& error, bool verbose) {
  std::string line = fmt::format("{}: {} events from {} records", input, st.events, st.records);
  if (!st.skipped.empty()) {
    line += "; skipped:";
    for (const auto& [reason, n] : st.skipped) line += fmt::format(" {}={}", reason, n);
  }
  if (!error.ok()) line += "; error: " + error.ToString();
  fmt::print(stderr, "{}\n", line);
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
    bool live = false;
    Status s = OpenInput(input, format, options, &source, &live);
    live |= options.follow;
    if (live && inputs.size() > 1) {
      throw CLI::ValidationError("inputs", "a live source (" + input + ") must be the only input");
    }
    if (s.ok()) {
      if (live) fmt::print(stderr, "{}: listening; stop with Ctrl-C or SIGTERM\n", input);
      s = source->Run([&](const ingest::DnsEvent& ev) { on_event(ev, live); });
      // What was read before an input broke off still counts: its events
      // are handed on, and only the run's exit status tells of the damage.
      if (s.ok() && after_input) after_input(live);
      if (s.ok()) s = source->stats().input_error;
    }
    std::fflush(stdout);
    PrintSummary(input, source ? source->stats() : ingest::SourceStats{}, s, verbose);
    if (!s.ok()) ++failed;
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
