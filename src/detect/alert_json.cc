#include "detect/alert_json.h"

#include <fmt/format.h>

#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::detect {
namespace {

// A host "suddenly" sends encoded names when fewer than 5% of its queries
// to other domains looked encoded before it met this one, over a baseline
// of at least this many queries. Not zero: ordinary browsing meets some
// hashed names (ad frames, CDN objects); on the benign corpus a host that
// browsed for six hours had 2 of 91.
constexpr uint64_t kMinBaselineQueries = 20;

std::string Rfc3339Micros(int64_t us) {
  std::string t = FormatTime(us / 1'000'000);  // "...:SSZ"
  t.insert(t.size() - 1, fmt::format(".{:06d}", us % 1'000'000));
  return t;
}

void WritePlain(const Alert& a, JsonWriter& w) {
  w.BeginObject().Field("registered_domain", a.registered_domain).Field("category", CategoryName(a.category));
  if (!a.benign_category.empty()) w.Field("benign_category", a.benign_category);
  w.Field("severity", SeverityName(a.severity))
      .Field("score", a.score)
      .Field("first_seen", FormatTime(a.first_seen_us / 1'000'000))
      .Field("last_seen", FormatTime(a.last_seen_us / 1'000'000))
      .Field("alert_time", Rfc3339Micros(a.alert_time_us))
      .Field("alert_time_us", a.alert_time_us);
  w.Key("clients").BeginArray();
  for (const auto& c : a.clients) {
    const bool has_baseline = c.host_queries_before >= kMinBaselineQueries;
    w.BeginObject()
        .Field("address", c.address.ToString())
        .Field("queries", c.queries)
        .Field("first_seen", FormatTime(c.first_seen_us / 1'000'000));
    w.Key("baseline")
        .BeginObject()
        .Field("host_first_seen", FormatTime(c.host_first_seen_us / 1'000'000))
        .Field("queries_before", c.host_queries_before)
        .Field("encoded_before", c.host_encoded_before);
    if (has_baseline) {
      w.Field("new_behaviour", c.host_encoded_before * 20 < c.host_queries_before);
    }
    w.EndObject().EndObject();
  }
  w.EndArray().Key("reasons").BeginArray();
  for (const auto& r : a.reasons) {
    w.BeginObject().Field("feature", r.feature).Field("value", r.value).Field("threshold", r.threshold);
    if (!r.detail.empty()) w.Field("detail", r.detail);
    w.EndObject();
  }
  w.EndArray().Key("samples").BeginArray();
  for (const auto& s : a.samples) w.String(s);
  w.EndArray();
  if (!a.check_json.empty()) w.Key("name_server_check").Raw(a.check_json);
  w.EndObject();
}

// EVE's alert.severity: 1 is the most severe.
int EveSeverity(const Alert& a) {
  switch (a.severity) {
    case Severity::kHigh:
      return 1;
    case Severity::kMedium:
      return 2;
    case Severity::kInfo:
      return 3;
  }
  return 3;
}

}  // namespace

bool ParseAlertEnvelope(std::string_view text, AlertEnvelope* out) {
  if (text == "plain")
    *out = AlertEnvelope::kPlain;
  else if (text == "eve")
    *out = AlertEnvelope::kEve;
  else if (text == "ecs")
    *out = AlertEnvelope::kEcs;
  else
    return false;
  return true;
}

void AppendAlertJson(const Alert& a, AlertEnvelope envelope, std::string* out) {
  JsonWriter w(out);
  const std::string client = a.clients.empty() ? "" : a.clients[0].address.ToString();
  const std::string signature = "nsradar " + std::string(CategoryName(a.category)) + " via DNS: " + a.registered_domain;
  switch (envelope) {
    case AlertEnvelope::kPlain:
      WritePlain(a, w);
      return;
    case AlertEnvelope::kEve:
      w.BeginObject()
          .Field("timestamp", Rfc3339Micros(a.alert_time_us))
          .Field("event_type", "alert")
          .Field("src_ip", client)
          .Field("proto", "UDP")
          .Field("app_proto", "dns");
      w.Key("alert")
          .BeginObject()
          .Field("action", "allowed")
          .Field("signature", signature)
          .Field("category", CategoryName(a.category))
          .Field("severity", EveSeverity(a))
          .EndObject();
      w.Key("dns").BeginObject().Key("queries").BeginArray();
      for (const auto& s : a.samples) w.BeginObject().Field("rrname", s).EndObject();
      w.EndArray().EndObject();
      break;
    case AlertEnvelope::kEcs:
      w.BeginObject().Field("@timestamp", Rfc3339Micros(a.alert_time_us));
      w.Key("event")
          .BeginObject()
          .Field("kind", "alert")
          .Key("category")
          .BeginArray()
          .String("network")
          .String("intrusion_detection")
          .EndArray()
          .Field("severity", 4 - EveSeverity(a))
          .Field("risk_score", a.score * 100)
          .Field("start", Rfc3339Micros(a.first_seen_us))
          .Field("end", Rfc3339Micros(a.last_seen_us))
          .EndObject();
      w.Key("rule").BeginObject().Field("name", signature).Field("category", CategoryName(a.category)).EndObject();
      w.Key("source").BeginObject().Field("ip", client).EndObject();
      w.Key("dns").BeginObject().Key("question").BeginObject().Field("registered_domain", a.registered_domain);
      if (!a.samples.empty()) w.Field("name", a.samples[0]);
      w.EndObject().EndObject();
      break;
  }
  w.Key("nsradar");
  WritePlain(a, w);
  w.EndObject();
}

}  // namespace nsradar::detect
