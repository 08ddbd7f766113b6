// The v2 JSON endpoints that answer with one document.
#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "dns/address.h"
#include "dns/name.h"
#include "intel/check.h"
#include "nsdb/cursor.h"
#include "nsdb/json.h"
#include "nsdb/suffix_filter.h"
#include "util/json_writer.h"

namespace nsradar::api {
namespace {

Response StoreError(const Status& s) {
  return s.IsNotFound() ? ErrorResponse(404, s.message()) : InternalError("store", s);
}

// A 200 answer of the document `write` writes, in a body of `reserve` bytes
// to begin with.
template <typename Write>
Response JsonAnswer(Write write, size_t reserve = 0) {
  Response r;
  r.body.reserve(reserve);
  JsonWriter w(&r.body);
  write(w);
  return r;
}

// The name in the path's {param}, canonical, into *out; "" or the error.
std::string PathName(const Call& call, std::string_view param, std::string* out) {
  return NormalizeName(param, call.path.Get(param), out);
}

}  // namespace

std::string ReadDomainFilter(std::string_view key, std::string_view value, nsdb::DomainQuery* q) {
  std::string err;
  if (key == "cursor") {
    if (!nsdb::DecodeCursor(value, &q->after)) err = "cursor: not a cursor this API returned";
  } else if (key == "first_seen_after") {
    err = ParseTimeParam(key, value, &q->first_seen_after);
  } else if (key == "first_seen_before") {
    err = ParseTimeParam(key, value, &q->first_seen_before);
  } else if (key == "last_seen_after") {
    err = ParseTimeParam(key, value, &q->last_seen_after);
  } else if (key == "last_seen_before") {
    err = ParseTimeParam(key, value, &q->last_seen_before);
  } else if (key == "kind") {
    if (!nsdb::ParseKindFilter(value, &q->kind)) err = "kind: expected " + nsdb::KindFilterNames();
  } else if (key == "active") {
    err = ParseBoolParam(key, value, &q->active_only);
  } else if (key == "suffix") {
    if (std::string why = nsdb::ParseSuffixFilter(value, &q->suffix); !why.empty()) err = "suffix: " + why;
  } else if (key != "apiKey") {
    err = fmt::format("{}: unknown parameter", key);
  }
  return err;
}

Response HandleNsDomains(const Call& call) {
  nsdb::DomainQuery q;
  if (std::string err = PathName(call, "ns", &q.ns); !err.empty()) return ErrorResponse(400, err);
  for (const auto& [key, value] : call.req.params.items()) {
    std::string err;
    if (key == "limit") {
      uint64_t n = 0;
      err = ParseCountParam(key, value, 1, nsdb::kMaxPage, &n);
      q.limit = n;
    } else {
      err = ReadDomainFilter(key, value, &q);
    }
    if (!err.empty()) return ErrorResponse(400, err);
  }
  nsdb::DomainPage page;
  const auto started = std::chrono::steady_clock::now();
  if (Status s = call.store.DomainsOnNs(q, &page); !s.ok()) return StoreError(s);
  Response r =
      JsonAnswer([&](JsonWriter& w) { nsdb::WriteDomainPageJson(q.ns, page, w); }, 128 + page.rows.size() * 140);
  // The store's read and the JSON, for the browser's Resource Timing (the
  // web UI's first rows are measured with it: docs/benchmarks.md).
  r.headers.emplace_back(
      "Server-Timing",
      fmt::format("page;dur={:.2f}",
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count()));
  return r;
}

Response HandleNsCounts(const Call& call) {
  std::string host;
  if (std::string err = PathName(call, "ns", &host); !err.empty()) return ErrorResponse(400, err);
  nsdb::NsCounts c;
  if (Status s = call.store.Counts(host, &c); !s.ok()) return StoreError(s);
  return JsonAnswer([&](JsonWriter& w) {
    w.BeginObject().Field("ns", host);
    nsdb::WriteNsCountFields(c, w);
    w.EndObject();
  });
}

// Linear in the host's domain count (nsdb::Store::NsSnapshotCounts).
Response HandleNsHistory(const Call& call) {
  std::string host;
  if (std::string err = PathName(call, "ns", &host); !err.empty()) return ErrorResponse(400, err);
  std::vector<nsdb::NsSnapshotCount> points;
  if (Status s = call.store.NsSnapshotCounts(host, &points); !s.ok()) return StoreError(s);
  return JsonAnswer([&](JsonWriter& w) {
    w.BeginObject().Field("ns", host).Key("snapshots").BeginArray();
    for (const auto& p : points) {
      w.BeginObject()
          .Field("time", p.time)
          .Field("domains", p.domains)
          .Field("added", p.added)
          .Field("removed", p.removed)
          .EndObject();
    }
    w.EndArray().EndObject();
  });
}

Response HandleNsAddresses(const Call& call) {
  std::string host;
  if (std::string err = PathName(call, "ns", &host); !err.empty()) return ErrorResponse(400, err);
  std::vector<nsdb::GlueRow> rows;
  if (Status s = call.store.HostAddresses(host, &rows); !s.ok()) return StoreError(s);
  return JsonAnswer([&](JsonWriter& w) { nsdb::WriteHostAddressesJson(host, rows, w); });
}

Response HandleAddressHosts(const Call& call) {
  auto addr = dns::Address::Parse(call.path.Get("address"));
  if (!addr) return ErrorResponse(400, "address: not an IPv4 or IPv6 address");
  std::vector<nsdb::GlueRow> rows;
  if (Status s = call.store.AddressHosts(*addr, &rows); !s.ok()) return StoreError(s);
  return JsonAnswer([&](JsonWriter& w) { nsdb::WriteAddressHostsJson(*addr, rows, w); });
}

Response HandleNameServers(const Call& call) {
  std::string suffix, after;
  uint64_t limit = 100;
  for (const auto& [key, value] : call.req.params.items()) {
    std::string err;
    if (key == "suffix") {
      err = NormalizeName(key, value, &suffix);
    } else if (key == "cursor") {
      if (!nsdb::DecodeCursor(value, &after)) err = "cursor: not a cursor this API returned";
    } else if (key == "limit") {
      err = ParseCountParam(key, value, 1, nsdb::kMaxPage, &limit);
    } else if (key != "apiKey") {
      err = fmt::format("{}: unknown parameter", key);
    }
    if (!err.empty()) return ErrorResponse(400, err);
  }
  if (suffix.empty()) return ErrorResponse(400, "suffix: required (name servers at or below this name)");
  std::vector<nsdb::NsRow> rows;
  bool more = false;
  if (Status s = call.store.NameServersUnder(suffix, after, limit, &rows, &more); !s.ok()) return StoreError(s);
  return JsonAnswer([&](JsonWriter& w) { nsdb::WriteNsPageJson(suffix, rows, more, w); });
}

Response HandleDomain(const Call& call) {
  std::string name;
  if (std::string err = PathName(call, "domain", &name); !err.empty()) return ErrorResponse(400, err);
  nsdb::DomainInfo info;
  if (Status s = call.store.Domain(name, &info); !s.ok()) return StoreError(s);
  if (info.edges.empty()) return ErrorResponse(404, "domain: " + name + " is not in the index");
  return JsonAnswer([&](JsonWriter& w) { nsdb::WriteDomainJson(info, w); });
}

Response HandleStats(const Call& call) {
  nsdb::StoreStats st;
  if (Status s = call.store.Stats(&st); !s.ok()) return StoreError(s);
  return JsonAnswer([&](JsonWriter& w) { nsdb::WriteStatsJson(st, w); });
}

Response HandleMetrics(const Call& call) {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  call.metrics.Render(&r.body);
  nsdb::StoreStats st;
  if (call.store.Stats(&st).ok()) {
    int64_t newest = 0;
    for (const auto& z : st.zone_list) newest = std::max(newest, z.latest());
    auto o = std::back_inserter(r.body);
    fmt::format_to(o,
                   "# HELP nsradar_store_disk_bytes Bytes the store occupies on disk.\n"
                   "# TYPE nsradar_store_disk_bytes gauge\nnsradar_store_disk_bytes {}\n"
                   "# HELP nsradar_store_edges (name server, domain) pairs in the index.\n"
                   "# TYPE nsradar_store_edges gauge\nnsradar_store_edges {}\n"
                   "# HELP nsradar_store_active_edges Pairs present in their zone's latest snapshot.\n"
                   "# TYPE nsradar_store_active_edges gauge\nnsradar_store_active_edges {}\n"
                   "# HELP nsradar_store_zones Zones in the index.\n"
                   "# TYPE nsradar_store_zones gauge\nnsradar_store_zones {}\n",
                   st.disk_bytes, st.edges, st.active_edges, st.zones);
    if (newest > 0) {
      fmt::format_to(o,
                     "# HELP nsradar_ingest_lag_seconds Age of the newest data: now minus the latest snapshot "
                     "time.\n# TYPE nsradar_ingest_lag_seconds gauge\nnsradar_ingest_lag_seconds {}\n",
                     static_cast<int64_t>(std::time(nullptr)) - newest);
    }
  }
  if (call.extra_metrics) call.extra_metrics(&r.body);
  return r;
}

Response HandleCheck(const Call& call) {
  std::string name;
  if (std::string err = PathName(call, "domain", &name); !err.empty()) return ErrorResponse(400, err);
  intel::CheckResult result;
  if (Status s = intel::CheckDomain(call.store, name, {}, &result); !s.ok()) return StoreError(s);
  Response r;
  intel::AppendCheckJson(result, &r.body);
  return r;
}

Response HandleAlerts(const Call& call) {
  std::string name;
  if (auto d = call.req.params.Get("domain")) {
    if (std::string err = NormalizeName("domain", *d, &name); !err.empty()) return ErrorResponse(400, err);
  }
  std::vector<nsdb::StoredAlert> alerts;
  if (Status s = call.store.Alerts(name, 1000, &alerts); !s.ok()) return StoreError(s);
  // Each alert's JSON is kept as the detector wrote it: the answer embeds it.
  Response r;
  r.body = "{\"alerts\":[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (i) r.body += ',';
    r.body += alerts[i].json;
  }
  r.body += "]}";
  return r;
}

}  // namespace nsradar::api
