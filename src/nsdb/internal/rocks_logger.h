// RocksLogger: RocksDB's informational log routed into nsradar's own log
// (util/log.h) instead of a LOG file in the store's directory.
//
// Why not RocksDB's file logger: on a full disk its failed write trips an
// assertion that Debian's librocksdb keeps, aborting the whole process
// (seen with librocksdb 7.8.3: WritableFileWriter's
// `sync_without_flush_called_`). nsradar must survive a full disk; a log
// line that cannot be written is simply lost. RocksDB's warnings and errors
// become nsradar warnings and errors; its chatter becomes debug lines.
#pragma once

#include <rocksdb/env.h>

namespace nsradar::nsdb {

class RocksLogger : public rocksdb::Logger {
 public:
  RocksLogger();
  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  void Logv(const char* format, va_list ap) override;
};

}  // namespace nsradar::nsdb
