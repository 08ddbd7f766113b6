// Indicator lists into the store, from files or from http(s):// URLs, for
// `nsradar intel import` and the pipeline's `intel` keys alike. URLs are
// fetched with an HTTP/1.1 GET (Boost.Beast; OpenSSL for https, TLS 1.2+,
// the server's certificate verified against the system's CA store and the
// URL's host), following redirects, then read like files.
#pragma once

#include <string>

#include "intel/indicator_file.h"
#include "nsdb/store.h"
#include "util/status.h"

namespace nsradar::intel {

inline bool IsUrl(const std::string& s) { return s.starts_with("http://") || s.starts_with("https://"); }

struct FetchOptions {
  size_t max_bytes = 256u << 20;
  int timeout_seconds = 30;  // per request, connection and TLS included
  int max_redirects = 5;     // https never redirects to http
  std::string ca_file;       // PEM bundle trusted instead of the system's store
};

// Downloads `url` (http(s)://HOST[:PORT]/PATH) into the file `path`. Fails
// on anything but a 200 answer after redirects, on a body over max_bytes,
// on a certificate that does not verify, and after the timeout; the error
// names the URL.
Status FetchUrl(const std::string& url, const std::string& path, const FetchOptions& options = {});

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
                        ImportResult* result, const FetchOptions& fetch = {});

}  // namespace nsradar::intel
