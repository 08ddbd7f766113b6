#include "nsdb/json.h"

#include "nsdb/cursor.h"

namespace nsradar::nsdb {
namespace {

// The cursor of the page after the one ending at `last`, or null.
void WriteNextCursor(bool more, const std::string* last, JsonWriter& w) {
  w.Key("next_cursor");
  if (more && last != nullptr) {
    w.String(EncodeCursor(*last));
  } else {
    w.Null();
  }
}

// The one spelling of when something was seen, for every kind of row.
void WriteSeenFields(int64_t first_seen, int64_t last_seen, JsonWriter& w) {
  w.Field("first_seen", first_seen).Field("last_seen", last_seen);
}

// A glue row under its host ("address") or under its address ("name").
void WriteGlueRow(std::string_view key, std::string_view value, const GlueRow& row, JsonWriter& w) {
  w.BeginObject().Field(key, value);
  WriteSeenFields(row.first_seen, row.last_seen, w);
  w.EndObject();
}

}  // namespace

void WriteDomainRowJson(const DomainRow& row, JsonWriter& w) {
  w.BeginObject().Field("name", row.name);
  WriteSeenFields(row.first_seen, row.last_seen, w);
  w.Field("active", row.active).Field("kind", zone::DomainKindName(row.kind)).Field("zone", row.zone);
  w.Field("observed", row.observed).EndObject();
}

void WriteDomainPageJson(std::string_view ns, const DomainPage& page, JsonWriter& w) {
  w.BeginObject().Field("ns", ns).Field("total", page.total).Field("count", page.rows.size());
  w.Key("domains").BeginArray();
  for (const auto& row : page.rows) WriteDomainRowJson(row, w);
  w.EndArray();
  WriteNextCursor(page.more, page.rows.empty() ? nullptr : &page.rows.back().name, w);
  w.EndObject();
}

void WriteNsCountFields(const NsCounts& counts, JsonWriter& w) {
  w.Field("domain_count", counts.total).Field("active_count", counts.active);
}

void WriteNsPageJson(std::string_view suffix, const std::vector<NsRow>& rows, bool more, JsonWriter& w) {
  w.BeginObject().Field("suffix", suffix).Key("name_servers").BeginArray();
  for (const auto& row : rows) {
    w.BeginObject().Field("name", row.name);
    WriteNsCountFields(row.counts, w);
    w.EndObject();
  }
  w.EndArray();
  WriteNextCursor(more, rows.empty() ? nullptr : &rows.back().name, w);
  w.EndObject();
}

void WriteAddressesField(const std::vector<GlueRow>& rows, JsonWriter& w) {
  w.Key("addresses").BeginArray();
  for (const auto& row : rows) WriteGlueRow("address", row.address.ToString(), row, w);
  w.EndArray();
}

void WriteHostAddressesJson(std::string_view host, const std::vector<GlueRow>& rows, JsonWriter& w) {
  w.BeginObject().Field("ns", host);
  WriteAddressesField(rows, w);
  w.EndObject();
}

void WriteAddressHostsJson(const dns::Address& address, const std::vector<GlueRow>& rows, JsonWriter& w) {
  w.BeginObject().Field("address", address.ToString()).Key("name_servers").BeginArray();
  for (const auto& row : rows) WriteGlueRow("name", row.host, row, w);
  w.EndArray().EndObject();
}

void WriteDomainJson(const DomainInfo& info, JsonWriter& w) {
  w.BeginObject().Field("domain", info.name).Field("zone", info.zone).Field("kind", zone::DomainKindName(info.kind));
  w.Key("name_servers").BeginArray();
  for (const auto& ns : info.current()) w.String(ns);
  w.EndArray().Key("edges").BeginArray();
  for (const auto& e : info.edges) {
    w.BeginObject().Field("ns", e.ns);
    WriteSeenFields(e.first_seen, e.last_seen, w);
    w.Field("active", e.active).Field("observed", e.observed).EndObject();
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
