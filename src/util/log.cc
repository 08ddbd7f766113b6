#include "util/log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <random>

#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};

// The destination: descriptor 2 or a file opened for appending. Lines go
// out under the mutex so a reopen never races a write.
struct Destination {
  std::mutex mu;
  int fd = STDERR_FILENO;
  std::string path;
};
Destination& Dest() {
  static Destination d;
  return d;
}

std::string NowText() {
  auto now = std::chrono::system_clock::now();
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string t = FormatTime(ms / 1000);  // "...:SSZ"
  t.insert(t.size() - 1, fmt::format(".{:03}", ms % 1000));
  return t;
}

// Text values are quoted when they hold anything that would make the line
// ambiguous to split.
void AppendTextValue(std::string_view v, std::string* out) {
  bool plain = !v.empty() && v.find_first_of(" \"=\\\n\r\t") == std::string_view::npos;
  if (plain) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') out->push_back('\\');
    if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

Status OpenAppend(const std::string& path, int* fd) {
  *fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (*fd < 0) return Status::IOError("log file " + path + ": " + std::strerror(errno));
  return Status::OK();
}

}  // namespace

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LogLevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

bool ParseLogFormat(std::string_view text, LogFormat* out) {
  if (text == "text") {
    *out = LogFormat::kText;
  } else if (text == "json") {
    *out = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

void SetLogLevel(LogLevel level) { g_level = level; }
void SetLogFormat(LogFormat format) { g_format = format; }
bool LogEnabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

Status SetLogFile(const std::string& path) {
  int fd = STDERR_FILENO;
  if (!path.empty() && path != "-") NSRADAR_RETURN_IF_ERROR(OpenAppend(path, &fd));
  Destination& d = Dest();
  std::lock_guard lock(d.mu);
  if (d.fd != STDERR_FILENO) ::close(d.fd);
  d.fd = fd;
  d.path = fd == STDERR_FILENO ? "" : path;
  return Status::OK();
}

Status ReopenLogFile() {
  Destination& d = Dest();
  std::lock_guard lock(d.mu);
  if (d.path.empty()) return Status::OK();
  int fd;
  NSRADAR_RETURN_IF_ERROR(OpenAppend(d.path, &fd));
  ::close(d.fd);
  d.fd = fd;
  return Status::OK();
}

void Log(LogLevel level, std::string_view component, std::string_view message, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  std::string line;
  if (g_format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    JsonWriter w(&line);
    w.BeginObject().Field("time", NowText()).Field("level", LogLevelName(level));
    w.Field("component", component).Field("msg", message);
    for (const LogField& f : fields) w.Field(f.key, f.value);
    w.EndObject();
  } else {
    line = fmt::format("{} {} {}: {}", NowText(), LogLevelName(level), component, message);
    for (const LogField& f : fields) {
      line.push_back(' ');
      line.append(f.key);
      line.push_back('=');
      AppendTextValue(f.value, &line);
    }
  }
  line.push_back('\n');
  Destination& d = Dest();
  std::lock_guard lock(d.mu);
  // A full disk or a closed stderr loses the line; logging must never stop
  // the program, so the result is deliberately not acted upon.
  for (size_t off = 0; off < line.size();) {
    ssize_t n = ::write(d.fd, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

std::string NewErrorId() {
  static std::atomic<uint64_t> counter{std::random_device{}()};
  uint64_t x = counter.fetch_add(0x9E3779B97F4A7C15ull, std::memory_order_relaxed);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return fmt::format("{:08x}", static_cast<uint32_t>(x));
}

}  // namespace nsradar
