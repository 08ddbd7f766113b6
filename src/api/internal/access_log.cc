#include "api/internal/access_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::api {
namespace {

constexpr size_t kFlushAt = 64 << 10;

bool IsKeyParameter(std::string_view name) {
  auto lower_equals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
      if (c != b[i]) return false;
    }
    return true;
  };
  return lower_equals(name, "apikey") || lower_equals(name, "key") || lower_equals(name, "api_key");
}

Status OpenForAppend(const std::string& path, int* fd) {
  if (path == "-") {
    *fd = ::dup(STDOUT_FILENO);
  } else {
    *fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  }
  if (*fd < 0) return Status::IOError("access log " + path + ": " + std::strerror(errno));
  return Status::OK();
}

}  // namespace

std::string RedactTarget(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view rest = target.substr(q + 1);
  for (;;) {
    size_t amp = rest.find('&');
    std::string_view item = rest.substr(0, amp);
    size_t eq = item.find('=');
    // Parameter names arrive percent-encoded at worst as "apiKey"; a name
    // spelled with escapes is not a key the service would accept either.
    if (eq != std::string_view::npos && IsKeyParameter(item.substr(0, eq))) {
      out.append(item.substr(0, eq + 1)).append("REDACTED");
    } else {
      out.append(item);
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    rest.remove_prefix(amp + 1);
  }
  return out;
}

AccessLog::~AccessLog() {
  std::lock_guard lock(mu_);
  FlushLocked();
  if (fd_ >= 0) ::close(fd_);
}

Status AccessLog::Open(const std::string& path) {
  int fd;
  NSRADAR_RETURN_IF_ERROR(OpenForAppend(path, &fd));
  std::lock_guard lock(mu_);
  FlushLocked();
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  path_ = path;
  return Status::OK();
}

Status AccessLog::Reopen() {
  std::lock_guard lock(mu_);
  if (fd_ < 0 || path_ == "-") return Status::OK();
  int fd;
  NSRADAR_RETURN_IF_ERROR(OpenForAppend(path_, &fd));
  FlushLocked();
  ::close(fd_);
  fd_ = fd;
  return Status::OK();
}

void AccessLog::Write(const AccessRecord& r) {
  auto now = std::chrono::system_clock::now();
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string time = FormatTime(ms / 1000);
  time.insert(time.size() - 1, fmt::format(".{:03}", ms % 1000));
  std::string line;
  JsonWriter w(&line);
  w.BeginObject()
      .Field("time", time)
      .Field("client", r.client)
      .Field("method", r.method)
      .Field("path", RedactTarget(r.target))
      .Field("status", r.status)
      .Field("bytes", r.bytes)
      .Field("ms", static_cast<double>(static_cast<int64_t>(r.ms * 1000)) / 1000)
      .Field("tls", r.tls)
      .EndObject();
  line.push_back('\n');
  std::lock_guard lock(mu_);
  if (fd_ < 0) return;
  buffer_ += line;
  if (buffer_.size() >= kFlushAt) FlushLocked();
}

void AccessLog::Flush() {
  std::lock_guard lock(mu_);
  FlushLocked();
}

void AccessLog::FlushLocked() {
  // A full disk drops lines rather than stalling request threads; the
  // buffer never grows past one flush's worth.
  for (size_t off = 0; fd_ >= 0 && off < buffer_.size();) {
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace nsradar::api
