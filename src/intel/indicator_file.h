// Threat-intelligence lists as people publish them, into nsdb::Indicators.
//
// Formats, recognised per file:
//   - RPZ zones (a master file with an SOA): every owner below the zone's
//     apex is an indicator: NAME and *.NAME are domains, NAME.rpz-nsdname a
//     name server, PREFIX.ADDR.rpz-nsip and .rpz-ip an address (IPv4 /32
//     and IPv6 /128 only; a wider prefix is reported and skipped);
//   - CSV: `INDICATOR,CATEGORY[,SOURCE]` or `INDICATOR,TYPE,CATEGORY[,SOURCE]`
//     with TYPE one of domain, ns, ip; a header row is skipped;
//   - hosts files: `0.0.0.0 NAME [NAME...]` (127.0.0.1 and :: too);
//   - plain lists: one name or address per line.
// `#` and `;` start comments. Addresses are address indicators; names are
// domains unless the CSV says ns or `default_kind` is kNameServer.
//
// A bad line is reported as file:line and skipped, never fatal; an
// unreadable file is an error. Memory is the indicators themselves.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "nsdb/store.h"
#include "util/status.h"

namespace nsradar::intel {

struct IndicatorFileOptions {
  std::string default_category = "malicious";
  std::string source;  // defaults to the file name
  nsdb::IndicatorKind default_kind = nsdb::IndicatorKind::kDomain;
  int64_t added = 0;  // UNIX seconds stamped on every indicator
  std::function<void(const std::string& place, const std::string& reason)> on_error;  // may be empty
};

struct IndicatorFileStats {
  uint64_t lines = 0, indicators = 0, errors = 0;
  std::string format;  // rpz, csv, hosts, list
};

Status ReadIndicatorFile(const std::string& path, const IndicatorFileOptions& options,
                         std::vector<nsdb::Indicator>* out, IndicatorFileStats* stats);

}  // namespace nsradar::intel
