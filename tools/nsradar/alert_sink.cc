#include "alert_sink.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "intel/check.h"
#include "output.h"
#include "util/time.h"

namespace nsradar::cli {

AlertSink::AlertSink(AlertSinkOptions options) : o_(std::move(options)) {
  if (!o_.out_path.empty()) {
    out_file_.reset(std::fopen(o_.out_path.c_str(), "a"));
    if (!out_file_) throw CLI::ValidationError("--out", o_.out_path + ": cannot open for appending");
  }
}

void AlertSink::Keep(const detect::Alert& a) {
  plain_.clear();
  detect::AppendAlertJson(a, detect::AlertEnvelope::kPlain, &plain_);
  if (Status st = o_.store->PutAlert({a.registered_domain, a.alert_time_us, a.category, plain_}); !st.ok()) {
    PrintError(st.ToString());  // the alert is still written out
  }
}

void AlertSink::Emit(detect::Alert& a) {
  ++emitted_;
  // Kept first, so the check counts the alert itself among its reasons;
  // then kept again with the check embedded (docs/detection.md, "Output").
  if (o_.store) {
    Keep(a);
    if (a.category != "benign-data-over-dns") {
      intel::CheckResult check;
      if (Status st = intel::CheckDomain(*o_.store, a.registered_domain, {}, &check); st.ok()) {
        intel::AppendCheckJson(check, &a.check_json);
        Keep(a);
      } else {
        PrintError(st.ToString());
      }
    }
  }
  line_.clear();
  detect::AppendAlertJson(a, o_.envelope, &line_);
  line_ += '\n';
  if (out_file_) {
    std::fputs(line_.c_str(), out_file_.get());
    std::fflush(out_file_.get());
  }
  if (o_.json_stdout) {
    std::fputs(line_.c_str(), stdout);
    std::fflush(stdout);
  } else if (o_.human_stdout) {
    fmt::print("{} {} {} {} {:.2f} {} [{}]\n", FormatTime(a.alert_time_us / 1'000'000), a.registered_domain, a.category,
               a.severity, a.score, a.clients.empty() ? "-" : a.clients[0].address.ToString(), AlertWhy(a));
    std::fflush(stdout);
  }
}

std::string AlertWhy(const detect::Alert& a) {
  std::string why;
  for (const auto& r : a.reasons) {
    if (r.threshold > 0 && r.value >= r.threshold) why += (why.empty() ? "" : ", ") + r.feature;
  }
  return why;
}

}  // namespace nsradar::cli
