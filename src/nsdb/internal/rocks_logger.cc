#include "nsdb/internal/rocks_logger.h"

#include <cstdarg>
#include <cstdio>

#include "util/log.h"

namespace nsradar::nsdb {

RocksLogger::RocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}

void RocksLogger::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  LogLevel ours = level >= rocksdb::InfoLogLevel::ERROR_LEVEL  ? LogLevel::kError
                  : level >= rocksdb::InfoLogLevel::WARN_LEVEL ? LogLevel::kWarn
                                                               : LogLevel::kDebug;
  if (!LogEnabled(ours)) return;
  char line[1024];
  std::vsnprintf(line, sizeof line, format, ap);
  Log(ours, "rocksdb", line);
}

void RocksLogger::Logv(const char* format, va_list ap) { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

}  // namespace nsradar::nsdb
