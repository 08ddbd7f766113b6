// The v2 JSON endpoints that answer with one document.
#include <fmt/format.h>

#include <ctime>

#include "api/cursor.h"
#include "api/params.h"
#include "api/service.h"
#include "dns/address.h"
#include "intel/check.h"
#include "nsdb/json.h"
#include "util/json_writer.h"

namespace nsradar::api {
namespace {

Response StoreError(const Status& s) {
  return s.IsNotFound() ? ErrorResponse(404, s.message()) : InternalError("store", s);
}

// Reads the filters of /v2/ns/{ns}/domains into *q; an error message or "".
std::string ReadDomainFilters(const Request& req, nsdb::DomainQuery* q) {
  for (const auto& [key, value] : req.params.items()) {
    std::string err;
    if (key == "cursor") {
      if (!DecodeCursor(value, &q->after)) err = "cursor: not a cursor this API returned";
    } else if (key == "limit") {
      uint64_t n = 0;
      err = ParseCountParam(key, value, 1, nsdb::kMaxPage, &n);
      q->limit = n;
    } else if (key == "first_seen_after") {
      err = ParseTimeParam(key, value, &q->first_seen_after);
    } else if (key == "first_seen_before") {
      err = ParseTimeParam(key, value, &q->first_seen_before);
    } else if (key == "last_seen_after") {
      err = ParseTimeParam(key, value, &q->last_seen_after);
    } else if (key == "last_seen_before") {
      err = ParseTimeParam(key, value, &q->last_seen_before);
    } else if (key == "kind") {
      if (!nsdb::ParseKindFilter(value, &q->kind)) err = "kind: expected registered, subdomain, suffix or all";
    } else if (key == "active") {
      err = ParseBoolParam(key, value, &q->active_only);
    } else if (key != "apiKey") {
      err = fmt::format("{}: unknown parameter", key);
    }
    if (!err.empty()) return err;
  }
  return "";
}

}  // namespace

Response HandleNsDomains(const nsdb::Store& store, const Request& req, std::string_view ns) {
  nsdb::DomainQuery q;
  if (std::string err = NormalizeName("ns", ns, &q.ns); !err.empty()) return ErrorResponse(400, err);
  if (std::string err = ReadDomainFilters(req, &q); !err.empty()) return ErrorResponse(400, err);
  nsdb::DomainPage page;
  if (Status s = store.DomainsOnNs(q, &page); !s.ok()) return StoreError(s);
  Response r;
  r.body.reserve(128 + page.rows.size() * 140);
  JsonWriter w(&r.body);
  w.BeginObject().Field("ns", q.ns).Field("total", page.total).Field("count", page.rows.size());
  w.Key("domains").BeginArray();
  for (const auto& row : page.rows) {
    w.BeginObject()
        .Field("name", row.name)
        .Field("first_seen", row.first_seen)
        .Field("last_seen", row.last_seen)
        .Field("active", row.active)
        .Field("kind", zone::DomainKindName(row.kind))
        .Field("zone", row.zone)
        .Field("observed", row.observed)
        .EndObject();
  }
  w.EndArray().Key("next_cursor");
  if (page.more) {
    w.String(EncodeCursor(page.rows.back().name));
  } else {
    w.Null();
  }
  w.EndObject();
  return r;
}

Response HandleNsCounts(const nsdb::Store& store, std::string_view ns) {
  std::string host;
  if (std::string err = NormalizeName("ns", ns, &host); !err.empty()) return ErrorResponse(400, err);
  nsdb::NsCounts c;
  if (Status s = store.Counts(host, &c); !s.ok()) return StoreError(s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Field("ns", host).Field("domain_count", c.total).Field("active_count", c.active).EndObject();
  return r;
}

namespace {

void WriteGlue(JsonWriter& w, const nsdb::GlueRow& g, bool host) {
  w.BeginObject();
  if (host) {
    w.Field("name", g.host);
  } else {
    w.Field("address", g.address.ToString());
  }
  w.Field("first_seen", g.first_seen).Field("last_seen", g.last_seen).EndObject();
}

}  // namespace

Response HandleNsAddresses(const nsdb::Store& store, std::string_view ns) {
  std::string host;
  if (std::string err = NormalizeName("ns", ns, &host); !err.empty()) return ErrorResponse(400, err);
  std::vector<nsdb::GlueRow> rows;
  if (Status s = store.HostAddresses(host, &rows); !s.ok()) return StoreError(s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Field("ns", host).Key("addresses").BeginArray();
  for (const auto& g : rows) WriteGlue(w, g, false);
  w.EndArray().EndObject();
  return r;
}

Response HandleAddressHosts(const nsdb::Store& store, std::string_view address) {
  auto addr = dns::Address::Parse(address);
  if (!addr) return ErrorResponse(400, "address: not an IPv4 or IPv6 address");
  std::vector<nsdb::GlueRow> rows;
  if (Status s = store.AddressHosts(*addr, &rows); !s.ok()) return StoreError(s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Field("address", addr->ToString()).Key("name_servers").BeginArray();
  for (const auto& g : rows) WriteGlue(w, g, true);
  w.EndArray().EndObject();
  return r;
}

Response HandleNameServers(const nsdb::Store& store, const Request& req) {
  std::string suffix, after;
  uint64_t limit = 100;
  for (const auto& [key, value] : req.params.items()) {
    std::string err;
    if (key == "suffix") {
      err = NormalizeName(key, value, &suffix);
    } else if (key == "cursor") {
      if (!DecodeCursor(value, &after)) err = "cursor: not a cursor this API returned";
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
  if (Status s = store.NameServersUnder(suffix, after, limit, &rows, &more); !s.ok()) return StoreError(s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Field("suffix", suffix).Key("name_servers").BeginArray();
  for (const auto& row : rows) {
    w.BeginObject()
        .Field("name", row.name)
        .Field("domain_count", row.counts.total)
        .Field("active_count", row.counts.active)
        .EndObject();
  }
  w.EndArray().Key("next_cursor");
  if (more) {
    w.String(EncodeCursor(rows.back().name));
  } else {
    w.Null();
  }
  w.EndObject();
  return r;
}

Response HandleDomain(const nsdb::Store& store, std::string_view domain) {
  std::string name;
  if (std::string err = NormalizeName("domain", domain, &name); !err.empty()) return ErrorResponse(400, err);
  nsdb::DomainInfo info;
  if (Status s = store.Domain(name, &info); !s.ok()) return StoreError(s);
  if (info.edges.empty()) return ErrorResponse(404, "domain: " + name + " is not in the index");
  Response r;
  JsonWriter w(&r.body);
  nsdb::WriteDomainJson(info, w);
  return r;
}

Response HandleStats(const nsdb::Store& store) {
  nsdb::StoreStats st;
  if (Status s = store.Stats(&st); !s.ok()) return StoreError(s);
  Response r;
  JsonWriter w(&r.body);
  nsdb::WriteStatsJson(st, w);
  return r;
}

Response HandleMetrics(const nsdb::Store& store, const Metrics& metrics) {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  metrics.Render(&r.body);
  nsdb::StoreStats st;
  if (store.Stats(&st).ok()) {
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
  return r;
}

}  // namespace nsradar::api

namespace nsradar::api {

Response HandleCheck(const nsdb::Store& store, std::string_view domain) {
  std::string name;
  if (std::string err = NormalizeName("domain", domain, &name); !err.empty()) return ErrorResponse(400, err);
  intel::CheckResult result;
  if (Status s = intel::CheckDomain(store, name, {}, &result); !s.ok()) return StoreError(s);
  Response r;
  intel::AppendCheckJson(result, &r.body);
  return r;
}

Response HandleAlerts(const nsdb::Store& store, const Request& req) {
  std::string name;
  if (auto d = req.params.Get("domain")) {
    if (std::string err = NormalizeName("domain", *d, &name); !err.empty()) return ErrorResponse(400, err);
  }
  std::vector<nsdb::StoredAlert> alerts;
  if (Status s = store.Alerts(name, 1000, &alerts); !s.ok()) return StoreError(s);
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
