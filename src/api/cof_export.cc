// GET /v2/export/cof[?ns=NAME]: the index in the Passive DNS Common Output
// Format (draft-dulaunoy-dnsop-passive-dns-cof), one JSON object per line,
// streamed from a resumable scan so the export never sits in memory whole.
//
// Each (name server, domain) pair is an NS record: rrname the domain, rdata
// the name server. Pairs that zone files hold carry zone_time_first and
// zone_time_last, as the draft asks; pairs only passive DNS saw carry
// time_first and time_last alone. (A pair known to both spans both.)
#include <fmt/format.h>

#include <memory>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "util/json_writer.h"

namespace nsradar::api {
namespace {

constexpr size_t kRowsPerChunk = 2000;

void WriteCof(const nsdb::EdgeRow& e, std::string* out) {
  JsonWriter w(out);
  w.BeginObject()
      .Field("rrname", e.domain)
      .Field("rrtype", "NS")
      .Field("rdata", e.ns)
      .Field("time_first", e.first_seen)
      .Field("time_last", e.last_seen);
  if (e.from_zone) w.Field("zone_time_first", e.first_seen).Field("zone_time_last", e.last_seen);
  w.EndObject();
  out->push_back('\n');
}

}  // namespace

Response HandleCofExport(const Call& call) {
  auto scan = std::make_shared<nsdb::EdgeScan>();
  scan->limit = kRowsPerChunk;
  for (const auto& [key, value] : call.req.params.items()) {
    std::string err;
    if (key == "ns") {
      err = NormalizeName(key, value, &scan->ns);
    } else if (key != "apiKey") {
      err = fmt::format("{}: unknown parameter", key);
    }
    if (!err.empty()) return ErrorResponse(400, err);
  }
  Response r;
  r.content_type = "application/x-ndjson";
  r.stream = [&store = call.store, scan, rows = std::vector<nsdb::EdgeRow>()](std::string* chunk) mutable {
    if (Status s = store.ScanEdges(*scan, &rows); !s.ok()) {
      // The status line is long gone: say so in-band, in a line no COF
      // reader mistakes for a record.
      AppendInternalErrorLine("cof export", s, chunk);
      return false;
    }
    for (const auto& e : rows) WriteCof(e, chunk);
    if (rows.size() < scan->limit) return false;
    scan->after_ns = rows.back().ns;
    scan->after_domain = rows.back().domain;
    return true;
  };
  return r;
}

}  // namespace nsradar::api
