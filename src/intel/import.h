// Indicator lists into the store, from files or from http:// URLs, for
// `nsradar intel import` and the pipeline's `intel` keys alike. URLs are
// fetched with a plain HTTP/1.1 GET (Boost.Beast), then read like files;
// https is not supported (no TLS client here).
#pragma once

#include <string>

#include "intel/indicator_file.h"
#include "nsdb/store.h"
#include "util/status.h"

namespace nsradar::intel {

inline bool IsUrl(const std::string& s) { return s.starts_with("http://") || s.starts_with("https://"); }

// Downloads `url` (http://HOST[:PORT]/PATH) into the file `path`. Fails on
// anything but a 200 answer, on a body over `max_bytes`, and after
// `timeout_seconds` in all; the error names the URL.
Status FetchUrl(const std::string& url, const std::string& path, size_t max_bytes = 256u << 20,
                int timeout_seconds = 30);

struct ImportResult {
  std::string source;  // options.source, else the URL or the file's name
  uint64_t indicators = 0;
  uint64_t replaced = 0;  // earlier indicators of the source dropped
  IndicatorFileStats stats;
};

// Reads the list (a URL is downloaded to a temporary file first) and writes
// its indicators in one atomic write; with `replace`, the source's earlier
// indicators go in the same write, so a list re-imported, even empty,
// replaces itself.
Status ImportIndicators(nsdb::Store& store, const std::string& file_or_url, IndicatorFileOptions options, bool replace,
                        ImportResult* result);

}  // namespace nsradar::intel
