#include "ingest/inputs.h"

#include <fmt/format.h>
#include <glob.h>

#include "ingest/internal/dnstap_socket.h"
#include "ingest/pcap_source.h"

namespace nsradar::ingest {
namespace {

constexpr std::string_view kDnstapSocket = "dnstap-socket:";
constexpr std::string_view kInterface = "interface:";

}  // namespace

std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    glob_t g{};
    if (!IsLiveInput(in) && in.find_first_of("*?[") != std::string::npos && glob(in.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    } else {
      out.push_back(in);
    }
    globfree(&g);
  }
  return out;
}

bool IsLiveInput(const std::string& input) { return input.starts_with(kDnstapSocket) || input.starts_with(kInterface); }

Status OpenInput(const std::string& input, Format format, const SourceOptions& options,
                 std::unique_ptr<EventSource>* out) {
  if (input.starts_with(kDnstapSocket)) {
    if (input.size() == kDnstapSocket.size()) return Status::InvalidArgument(input + ": no socket path");
    *out = NewDnstapSocketSource(input.substr(kDnstapSocket.size()), options, options.stop);
    return Status::OK();
  }
  if (input.starts_with(kInterface)) {
    if (input.size() == kInterface.size()) return Status::InvalidArgument(input + ": no interface name");
    *out = NewPcapLiveSource(input.substr(kInterface.size()), "", options, options.stop);
    return Status::OK();
  }
  return OpenSource(input, format, options, out);
}

std::string InputSummary(const std::string& input, const SourceStats& stats, const Status& error) {
  std::string line = fmt::format("{}: {} events from {} records", input, stats.events, stats.records);
  if (!stats.skipped.empty()) {
    line += "; skipped:";
    for (const auto& [reason, n] : stats.skipped) line += fmt::format(" {}={}", reason, n);
  }
  const Status& failure = error.ok() ? stats.input_error : error;
  if (!failure.ok()) line += "; error: " + failure.ToString();
  return line;
}

}  // namespace nsradar::ingest
