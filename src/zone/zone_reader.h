// ZoneReader: streams the records of an RFC 1035 section 5 master file.
//
// Supported: $ORIGIN, $TTL, $INCLUDE (relative to the including file,
// depth-limited), relative names and `@`, a blank owner meaning the previous
// owner, optional TTL and class in either order, parentheses across lines,
// comments, quoted strings, `\X` and `\DDD` escapes, RFC 3597 `TYPEnnn`,
// `CLASSnnn` and `\#` rdata. Input compressed with gzip or zstd is read
// transparently.
//
// The input is first classified 64 bytes at a time (SIMD where the CPU has
// it, zone/block_scanner.h) into masks of newlines, specials and token
// boundaries. Lines without quotes, escapes, parentheses or control
// characters (a comment may end them) are split into tokens straight from
// those masks; the rest go through the full grammar's tokenizer. Lines that
// look like CZDS TLD zone files (absolute names, `owner ttl IN NS|A|AAAA
// rdata`) then take a fast path; any other record falls back to the full
// grammar, so the paths accept exactly the same language.
//
// Only the rdata the reverse-NS index needs is decoded: NS targets, A/AAAA
// addresses and the SOA serial. Other types are checked (field count, names,
// numbers, `\#` length) and returned without their rdata.
//
// Bad records are reported through ReaderOptions::on_error with file:line,
// counted and skipped. An unreadable, truncated or binary file stops the
// reader with a non-OK status(). Memory is bounded by max_record_bytes
// whatever the input: an endless line or token is an error, not growth.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "dns/address.h"
#include "util/status.h"
#include "zone/block_scanner.h"

namespace nsradar::zone {

// One record. The views stay valid until the next call to Next().
struct Record {
  std::string_view owner;  // canonical name (see dns/name.h)
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  std::string_view ns_target;  // NS: canonical name server host
  dns::Address address;        // A and AAAA
  uint32_t soa_serial = 0;     // SOA
  std::string_view file;       // the file holding the record
  uint64_t line = 0;           // the line the record starts on
};

struct Diagnostic {
  std::string file;
  uint64_t line = 0;
  std::string reason;

  std::string ToString() const { return file + ":" + std::to_string(line) + ": " + reason; }
};

struct ReaderOptions {
  std::string origin;  // initial $ORIGIN, canonical; "" is the root
  int max_include_depth = 8;
  bool allow_include = true;
  size_t max_record_bytes = 1 << 20;
  // A file that yields this many errors before its first good record is not a
  // zone file; the reader stops rather than report every line of it.
  uint64_t max_errors_before_first_record = 1000;
  std::function<void(const Diagnostic&)> on_error;  // may be empty
  // Which block classifier the reader runs (zone/block_scanner.h). Every
  // kernel gives the same records and errors; tests and benchmarks choose
  // one, everyone else leaves kAuto.
  ScanKernel kernel = ScanKernel::kAuto;
};

struct ReaderStats {
  uint64_t records = 0;
  uint64_t errors = 0;
  uint64_t lines = 0;
  uint64_t fast_path_records = 0;
};

class ZoneReader {
 public:
  static Status Open(const std::string& path, ReaderOptions options, std::unique_ptr<ZoneReader>* out);
  // Reads `data`, which the caller keeps alive, as if it were a file `name`.
  static std::unique_ptr<ZoneReader> FromMemory(std::string_view data, ReaderOptions options,
                                                std::string name = "<memory>");
  ~ZoneReader();
  ZoneReader(const ZoneReader&) = delete;
  ZoneReader& operator=(const ZoneReader&) = delete;

  // Fills *out with the next good record. Returns false at the end of input
  // or on a fatal error; status() tells which.
  bool Next(Record* out);

  const Status& status() const;
  const ReaderStats& stats() const;
  // Progress through the top-level file's raw (possibly compressed) bytes.
  uint64_t raw_offset() const;
  uint64_t raw_size() const;

 private:
  class Impl;
  explicit ZoneReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses a TTL: seconds, or BIND-style units ("1w2d3h4m5s", case-insensitive).
// Rejects values above 2^31-1 (RFC 2181 section 8).
bool ParseTtl(std::string_view text, uint32_t* out);

}  // namespace nsradar::zone
