// AccessLog: one JSON line per answered HTTP request, for operators and
// their log shippers:
//
//   {"time":"2026-12-01T18:30:39.120Z","client":"127.0.0.1:50412","method":"GET",
//    "path":"/api/v1?apiKey=REDACTED&ns=ns1.example.net","status":200,"bytes":5120,
//    "ms":0.41,"tls":false}
//
// API keys never reach the log: the values of key parameters (apiKey, key,
// api_key, any case) are replaced by REDACTED, and no header is logged.
// Lines are buffered and written by Flush() (the server calls it every
// second and at shutdown) or when the buffer passes 64 KiB. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nsradar::api {

struct AccessRecord {
  std::string_view client;  // "ADDR:PORT"
  std::string_view method;
  std::string_view target;  // as received, before redaction
  int status = 0;
  uint64_t bytes = 0;  // body bytes sent
  double ms = 0;       // from the request's first byte to the answer's last
  bool tls = false;
};

class AccessLog {
 public:
  ~AccessLog();

  // "-" is standard output; anything else a file opened for appending.
  Status Open(const std::string& path);
  // Reopens the file after rotation; a failure keeps the old descriptor.
  Status Reopen();
  bool enabled() const { return fd_ >= 0; }

  void Write(const AccessRecord& r);
  void Flush();

 private:
  void FlushLocked();

  std::mutex mu_;  // guards everything below
  std::string path_;
  int fd_ = -1;
  std::string buffer_;
};

// `target` with the values of key parameters replaced by REDACTED.
std::string RedactTarget(std::string_view target);

}  // namespace nsradar::api
