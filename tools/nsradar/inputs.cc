#include "inputs.h"

#include <glob.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>

#include "ingest/dnstap_socket.h"
#include "ingest/pcap_source.h"

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
