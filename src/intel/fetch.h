// Indicator lists published over HTTP: `nsradar intel import URL` and the
// pipeline's `intel = URL` fetch them with a plain HTTP/1.1 GET (Boost.Beast),
// then read them like files. https is not supported (no TLS client here).
#pragma once

#include <string>

#include "intel/indicator_file.h"
#include "util/status.h"

namespace nsradar::intel {

inline bool IsUrl(const std::string& s) { return s.starts_with("http://") || s.starts_with("https://"); }

// Downloads `url` (http://HOST[:PORT]/PATH) into the file `path`. Fails on
// anything but a 200 answer, on a body over `max_bytes`, and after
// `timeout_seconds` in all; the error names the URL.
Status FetchUrl(const std::string& url, const std::string& path, size_t max_bytes = 256u << 20,
                int timeout_seconds = 30);

// ReadIndicatorFile for a file or a URL (downloaded to a temporary file
// first); the source defaults to the URL itself.
Status ReadIndicators(const std::string& file_or_url, IndicatorFileOptions options, std::vector<nsdb::Indicator>* out,
                      IndicatorFileStats* stats);

}  // namespace nsradar::intel
