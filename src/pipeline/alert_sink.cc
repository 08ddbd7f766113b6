#include "pipeline/alert_sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "intel/check.h"
#include "util/log.h"
#include "util/time.h"

namespace nsradar::pipeline {

Status AlertSink::Open(AlertSinkOptions options, std::unique_ptr<AlertSink>* out) {
  std::unique_ptr<AlertSink> sink(new AlertSink(std::move(options)));
  if (!sink->o_.out_path.empty()) {
    sink->out_fd_ = ::open(sink->o_.out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (sink->out_fd_ < 0) {
      return Status::IOError(sink->o_.out_path + ": cannot open for appending: " + std::strerror(errno));
    }
  }
  *out = std::move(sink);
  return Status::OK();
}

AlertSink::~AlertSink() {
  std::lock_guard lock(mu_);
  RetryLocked(/*force=*/true);
  if (!pending_.empty()) {
    Log(LogLevel::kError, "alerts", "alerts not kept at shutdown", {{"count", std::to_string(pending_.size())}});
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

bool AlertSink::Keep(detect::Alert& a) {
  // Kept first, so the check counts the alert itself among its reasons;
  // then kept again with the check embedded (docs/detection.md, "Output").
  // Both writes go to the same key: doing them again is harmless.
  a.check_json.clear();
  std::string plain;
  detect::AppendAlertJson(a, detect::AlertEnvelope::kPlain, &plain);
  const std::string category(detect::CategoryName(a.category));
  Status st = o_.store->PutAlert({a.registered_domain, a.alert_time_us, category, plain});
  if (st.ok() && a.category != detect::AlertCategory::kBenignDataOverDns) {
    intel::CheckResult check;
    st = intel::CheckDomain(*o_.store, a.registered_domain, {}, &check);
    if (st.ok()) {
      intel::AppendCheckJson(check, &a.check_json);
      plain.clear();
      detect::AppendAlertJson(a, detect::AlertEnvelope::kPlain, &plain);
      st = o_.store->PutAlert({a.registered_domain, a.alert_time_us, category, plain});
    }
  }
  if (!st.ok()) {
    LogFailure("keeping an alert failed; it waits for a retry",
               {{"domain", a.registered_domain}, {"error", st.ToString()}});
  }
  return st.ok();
}

bool AlertSink::WriteLine(const std::string& line) {
  struct stat st {};
  if (::fstat(out_fd_, &st) != 0) return false;
  for (size_t off = 0; off < line.size();) {
    ssize_t n = ::write(out_fd_, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = n < 0 ? std::strerror(errno) : "short write";
      // Half a line would corrupt the file for every reader: cut it off.
      if (off > 0 && ::ftruncate(out_fd_, st.st_size) != 0) why += "; the partial line could not be cut off";
      LogFailure("writing an alert failed; it waits for a retry", {{"file", o_.out_path}, {"error", why}});
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

bool AlertSink::Deliver(Pending& p) {
  // The file only ever holds alerts the store already has: a line in it is
  // the acknowledgement that the alert is kept.
  if (o_.store && !p.kept) {
    if (!Keep(p.alert)) {
      ++counters_.store_failures;
      return false;
    }
    p.kept = true;
    if (o_.on_kept) o_.on_kept(p.alert);
  }
  if (out_fd_ >= 0 && !p.written) {
    line_.clear();
    detect::AppendAlertJson(p.alert, o_.envelope, &line_);
    line_ += '\n';
    if (!WriteLine(line_)) {
      ++counters_.file_failures;
      return false;
    }
    p.written = true;
  }
  return true;
}

void AlertSink::RetryLocked(bool force) {
  if (pending_.empty()) return;
  const auto previous = last_retry_;
  last_retry_ = std::chrono::steady_clock::now();
  if (!force && last_retry_ - previous < o_.retry_interval) {
    last_retry_ = previous;
    return;
  }
  while (!pending_.empty() && Deliver(pending_.front())) pending_.pop_front();
  if (pending_.empty()) {
    last_failure_log_ = {};
    Log(LogLevel::kInfo, "alerts", "every waiting alert is kept again");
  }
}

void AlertSink::LogFailure(std::string_view what, std::initializer_list<LogField> fields) {
  auto now = std::chrono::steady_clock::now();
  if (last_failure_log_ != std::chrono::steady_clock::time_point{} &&
      now - last_failure_log_ < std::chrono::minutes(1)) {
    return;
  }
  last_failure_log_ = now;
  Log(LogLevel::kError, "alerts", what, fields);
}

void AlertSink::Retry() {
  std::lock_guard lock(mu_);
  RetryLocked(/*force=*/false);
}

void AlertSink::Emit(detect::Alert& a) {
  std::lock_guard lock(mu_);
  ++counters_.emitted;
  RetryLocked(/*force=*/false);
  Pending p{a};
  // Behind waiting alerts a new one waits too, so the file keeps the order
  // the alerts were raised in.
  const bool delivered = pending_.empty() && Deliver(p);
  a = p.alert;
  if (!delivered) {
    if (pending_.empty()) last_retry_ = std::chrono::steady_clock::now();
    if (pending_.size() >= o_.max_pending) {
      ++counters_.dropped;
      Log(LogLevel::kError, "alerts", "alert queue full: the oldest waiting alert is dropped",
          {{"domain", pending_.front().alert.registered_domain}, {"max_pending", std::to_string(o_.max_pending)}});
      pending_.pop_front();
    }
    pending_.push_back(std::move(p));
  }
  if (o_.on_alert) {
    line_.clear();
    detect::AppendAlertJson(a, o_.envelope, &line_);
    o_.on_alert(a, line_);
  }
}

AlertSinkCounters AlertSink::counters() const {
  std::lock_guard lock(mu_);
  AlertSinkCounters c = counters_;
  c.pending = pending_.size();
  return c;
}

std::string AlertLine(const detect::Alert& a) {
  return fmt::format("{} {} {} {} {:.2f} {} [{}]", FormatTime(a.alert_time_us / 1'000'000), a.registered_domain,
                     detect::CategoryName(a.category), detect::SeverityName(a.severity), a.score,
                     a.clients.empty() ? "-" : a.clients[0].address.ToString(), AlertWhy(a));
}

std::string AlertWhy(const detect::Alert& a) {
  std::string why;
  for (const auto& r : a.reasons) {
    if (r.threshold > 0 && r.value >= r.threshold) why += (why.empty() ? "" : ", ") + r.feature;
  }
  return why;
}

}  // namespace nsradar::pipeline
