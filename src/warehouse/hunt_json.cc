#include "warehouse/hunt_json.h"

#include <fmt/format.h>

#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::warehouse {

namespace {

void WriteEvent(const HuntEvent& e, JsonWriter* w) {
  w->BeginObject()
      .Field("ts", e.ts)
      .Field("usec", e.usec)
      .Field("time", FormatMicros(e.ts * 1'000'000 + e.usec))
      .Field("sensor", e.sensor)
      .Field("client", e.client)
      .Field("qname", e.qname)
      .Field("qtype", e.qtype)
      .Field("rcode", e.rcode)
      .Field("query_size", e.query_size)
      .Field("response_size", e.response_size)
      .Field("batch_seq", e.batch_seq)
      .Field("batch_row", e.batch_row)
      .EndObject();
}

// "next_cursor": null on the last page.
void WriteNextCursor(const std::string& cursor, JsonWriter* w) {
  w->Key("next_cursor");
  if (cursor.empty()) {
    w->Null();
  } else {
    w->String(cursor);
  }
}

}  // namespace

std::string FormatMicros(int64_t unix_micros) {
  std::string t = FormatTime(unix_micros / 1'000'000);  // "...:SSZ"
  t.insert(t.size() - 1, fmt::format(".{:06}", unix_micros % 1'000'000));
  return t;
}

std::string EventsJson(const EventsPage& page) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("registered_domain", page.registered_domain).Key("events").BeginArray();
  for (const HuntEvent& e : page.events) WriteEvent(e, &w);
  w.EndArray();
  WriteNextCursor(page.next_cursor, &w);
  w.EndObject();
  return out;
}

std::string ClientsJson(const ClientsAnswer& answer) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("registered_domain", answer.registered_domain).Key("clients").BeginArray();
  for (const HuntClient& c : answer.clients) {
    w.BeginObject()
        .Field("client", c.client)
        .Field("first_seen", FormatMicros(c.first_seen_usec))
        .Field("last_seen", FormatMicros(c.last_seen_usec))
        .Field("first_seen_usec", c.first_seen_usec)
        .Field("last_seen_usec", c.last_seen_usec)
        .Field("queries", c.queries)
        .Field("bytes", c.bytes)
        .Key("sensors")
        .BeginArray();
    for (const std::string& s : c.sensors) w.String(s);
    w.EndArray().EndObject();
  }
  w.EndArray().Field("truncated", answer.truncated).EndObject();
  return out;
}

std::string TimelineJson(const TimelineAnswer& answer) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("registered_domain", answer.registered_domain).Key("minutes").BeginArray();
  for (const TimelinePoint& p : answer.minutes) {
    w.BeginObject()
        .Field("minute", p.minute)
        .Field("time", FormatTime(p.minute))
        .Field("queries", p.queries)
        .Field("subdomains", p.subdomains)
        .Field("bytes", p.bytes)
        .EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string FirstSeenJson(const FirstSeenAnswer& answer) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("registered_domain", answer.registered_domain).Key("first");
  if (answer.found) {
    WriteEvent(answer.first, &w);
  } else {
    w.Null();
  }
  w.EndObject();
  return out;
}

std::string ObservationsJson(const ObservationsPage& page) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("registered_domain", page.registered_domain).Key("observations").BeginArray();
  for (const HuntObservation& o : page.observations) {
    w.BeginObject()
        .Field("rrname", o.rrname)
        .Field("rrtype", o.rrtype)
        .Field("rdata", o.rdata)
        .Field("first_seen", o.first_seen)
        .Field("last_seen", o.last_seen)
        .Field("first_seen_time", FormatTime(o.first_seen))
        .Field("last_seen_time", FormatTime(o.last_seen))
        .Field("count", o.count)
        .Key("sensors")
        .BeginArray();
    for (const std::string& s : o.sensors) w.String(s);
    w.EndArray().EndObject();
  }
  w.EndArray();
  WriteNextCursor(page.next_cursor, &w);
  w.EndObject();
  return out;
}

std::string TopJson(const TopRequest& request, const TopAnswer& answer) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("from", request.window.from).Field("to", request.window.to).Key("domains").BeginArray();
  for (const TopDomain& d : answer.domains) {
    w.BeginObject()
        .Field("registered_domain", d.registered_domain)
        .Field("subdomain_bytes", d.subdomain_bytes)
        .Field("subdomains", d.subdomains)
        .Field("queries", d.queries)
        .Field("clients", d.clients)
        .EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

}  // namespace nsradar::warehouse
