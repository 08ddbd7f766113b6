// Inputs as users name them, for every program that reads traffic: files
// in any format (formats.h), glob patterns of files, and live sources
//
//   dnstap-socket:PATH   a Frame Streams socket resolvers stream dnstap to
//   interface:NAME       live capture on a network interface (libpcap)
//
// and the one-line summary of what an input gave.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "ingest/formats.h"
#include "ingest/source.h"
#include "util/status.h"

namespace nsradar::ingest {

// Inputs with their glob patterns ("logs/dns.log.*") expanded in order; a
// pattern matching nothing stays as written, to fail with its name.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs);

// Whether `input` names a live source (it runs until *options.stop).
bool IsLiveInput(const std::string& input);

// Opens `input`: a live source (running until *options.stop is true) or a
// file as `format` (followed like tail -F when options.follow).
Status OpenInput(const std::string& input, Format format, const SourceOptions& options,
                 std::unique_ptr<EventSource>* out);

// "<input>: N events from M records; skipped: reason=n ...; error: ...",
// for an input read whole or not (`error` is the failure of Run, else the
// input's own input_error).
std::string InputSummary(const std::string& input, const SourceStats& stats, const Status& error);

}  // namespace nsradar::ingest
