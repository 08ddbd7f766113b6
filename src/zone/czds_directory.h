// CzdsDirectory: the zone files of one day of an ICANN CZDS download, as
// `nsradar zone ingest --czds DIR` takes them.
//
// CZDS serves each TLD's zone as `<tld>.zone.gz` (older mirrors and tools
// keep `<tld>.txt.gz`, or unpack to `<tld>.zone`). The TLD named by the file
// is the zone the file must hold: the caller checks it against the SOA
// owner, so a misnamed or mixed-up file is caught rather than ingested as
// another zone's state. Anything else in the directory (the download's
// logs, checksums, partial `.tmp` files) is listed as ignored with the
// reason, never read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nsradar::zone {

struct CzdsZoneFile {
  std::string path;    // DIR/<file name>
  std::string zone;    // canonical TLD from the file name, e.g. "com", "xn--p1ai"
  uint64_t bytes = 0;  // the file's size on disk (compressed)
  // Set when the zone cannot be ingested from this listing: two files name
  // the same zone (e.g. com.zone.gz and com.txt.gz), so neither is taken.
  std::string error;
};

struct CzdsListing {
  std::vector<CzdsZoneFile> zones;   // ordered by zone name
  std::vector<std::string> ignored;  // "<file name>: <why>", in name order
  uint64_t total_bytes = 0;          // of the zones without an error
};

// The zone a CZDS file name stands for: "com.zone.gz" -> "com",
// "XN--P1AI.txt.gz" -> "xn--p1ai". Empty when the name has none of the
// accepted suffixes or its stem is not a single valid DNS label.
std::string CzdsZoneOfFileName(std::string_view file_name);

// Lists `dir` (not recursively; symbolic links to files count as files).
// Fails only when the directory itself cannot be read.
Status ListCzdsDirectory(const std::string& dir, CzdsListing* out);

}  // namespace nsradar::zone
