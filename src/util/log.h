// Log: the diagnostic log of nsradar's long-running programs, one line per
// event, as text or as JSON lines for log shippers:
//
//   2026-12-01T18:30:39.120Z warn api: internal error id=5f1c02aa what="..."
//   {"time":"2026-12-01T18:30:39.120Z","level":"warn","component":"api",
//    "msg":"internal error","id":"5f1c02aa","what":"..."}
//
// Process-wide and thread-safe: a line is written with one write(2), so
// lines of concurrent threads never interleave, and nothing is buffered
// that a crash could lose. The destination is standard error unless
// SetLogFile names a file, which ReopenLogFile reopens after rotation.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nsradar {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
// "debug", "info", "warn", "error".
const char* LogLevelName(LogLevel level);
bool ParseLogLevel(std::string_view text, LogLevel* out);

enum class LogFormat { kText, kJson };
bool ParseLogFormat(std::string_view text, LogFormat* out);

struct LogField {
  std::string_view key;
  std::string_view value;
};

// Lines below `level` are dropped (default kInfo); format default kText.
void SetLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
// Appends to `path` from now on ("" or "-": standard error).
Status SetLogFile(const std::string& path);
// Reopens the file named by SetLogFile (after logrotate moved it).
Status ReopenLogFile();
bool LogEnabled(LogLevel level);

void Log(LogLevel level, std::string_view component, std::string_view message,
         std::initializer_list<LogField> fields = {});

// An identifier for one failure, to answer a client with while the details
// (paths, store errors) go only to the log.
std::string NewErrorId();

}  // namespace nsradar
