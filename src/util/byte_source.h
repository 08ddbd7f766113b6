// ByteSource: a sequential stream of bytes from a file, decompressed on the
// fly when the file is gzip (one or more members), zstd or xz (one or more
// streams). The format is
// detected from the first bytes, never from the file name, so a `.gz` that is
// really plain text still reads.
//
// Reads are bounded by the caller's buffer: no call allocates in proportion
// to the input. A compressed stream that ends early is an error, not a quiet
// end of file, so a truncated download is never taken for a whole zone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/status.h"

namespace nsradar {

class ByteSource {
 public:
  enum class Encoding { kPlain, kGzip, kZstd, kXz };

  virtual ~ByteSource() = default;

  // Opens `path` ("-" is standard input) and detects its encoding.
  static Status Open(const std::string& path, std::unique_ptr<ByteSource>* out);
  // Wraps an in-memory buffer the caller keeps alive (tests and fuzzers).
  static std::unique_ptr<ByteSource> FromMemory(const char* data, size_t size);

  // Reads up to `n` decompressed bytes into `buf`. Sets *got to the count;
  // *got == 0 with an OK status means end of stream.
  virtual Status Read(char* buf, size_t n, size_t* got) = 0;
  // Reads until `n` bytes or the end of the stream; *got < n only at the end.
  Status ReadFull(char* buf, size_t n, size_t* got);
  // Appends the rest of the stream to *out: for inputs small enough to hold
  // whole (host lists, indicator lists).
  Status ReadAll(std::string* out);

  // Bytes of the underlying (compressed) input consumed so far and its total
  // size when known (0 otherwise), for progress reporting.
  virtual uint64_t raw_offset() const = 0;
  virtual uint64_t raw_size() const = 0;
  virtual Encoding encoding() const = 0;
};

}  // namespace nsradar
