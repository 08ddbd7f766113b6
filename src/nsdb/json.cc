#include "nsdb/json.h"

namespace nsradar::nsdb {

void WriteDomainJson(const DomainInfo& info, JsonWriter& w) {
  w.BeginObject().Field("domain", info.name).Field("zone", info.zone).Field("kind", zone::DomainKindName(info.kind));
  w.Key("name_servers").BeginArray();
  for (const auto& ns : info.current()) w.String(ns);
  w.EndArray().Key("edges").BeginArray();
  for (const auto& e : info.edges) {
    w.BeginObject()
        .Field("ns", e.ns)
        .Field("first_seen", e.first_seen)
        .Field("last_seen", e.last_seen)
        .Field("active", e.value.active())
        .Field("observed", e.observed)
        .EndObject();
  }
  w.EndArray().Key("history").BeginArray();
  for (const auto& ev : info.history) {
    w.BeginObject().Field("time", ev.time).Field("event", DomainEventName(ev.type)).Key("name_servers");
    w.BeginArray();
    for (const auto& ns : ev.name_servers) w.String(ns);
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
}

void WriteStatsJson(const StoreStats& st, JsonWriter& w) {
  w.BeginObject()
      .Field("zones", st.zones)
      .Field("snapshots", st.snapshots)
      .Field("edges", st.edges)
      .Field("active_edges", st.active_edges)
      .Field("domains", st.domains)
      .Field("name_servers", st.name_servers)
      .Field("glue", st.glue)
      .Field("disk_bytes", st.disk_bytes)
      .Key("zone_list")
      .BeginArray();
  for (const auto& z : st.zone_list) {
    w.BeginObject()
        .Field("name", z.name)
        .Field("snapshots", z.snapshots.size())
        .Field("first", z.snapshots.empty() ? 0 : z.snapshots.front().observed_at)
        .Field("latest", z.latest())
        .EndObject();
  }
  w.EndArray().EndObject();
}

}  // namespace nsradar::nsdb
