// What the store's threat intelligence comes from, and the RPZ that the
// verdicts become: the web UI's intel and RPZ page.
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "util/json_writer.h"

namespace nsradar::api {
namespace {

constexpr uint64_t kDefaultTriggers = 1000;

}  // namespace

// Indicators by source (a feed's file or URL, or "analyst key:..."): counts
// by kind, and the latest time one was added (a feed's last import).
Response HandleIntelSources(const Call& call) {
  for (const auto& [key, value] : call.req.params.items()) {
    if (key != "apiKey") return ErrorResponse(400, key + ": unknown parameter");
  }
  struct Source {
    uint64_t domains = 0, name_servers = 0, addresses = 0;
    int64_t last_added = 0;
    std::map<std::string, uint64_t> categories;
  };
  std::map<std::string, Source> sources;
  Status s = call.store.ScanIndicators([&](const nsdb::Indicator& i) {
    Source& src = sources[i.source];
    switch (i.kind) {
      case nsdb::IndicatorKind::kDomain:
        ++src.domains;
        break;
      case nsdb::IndicatorKind::kNameServer:
        ++src.name_servers;
        break;
      case nsdb::IndicatorKind::kAddress:
        ++src.addresses;
        break;
    }
    src.last_added = std::max(src.last_added, i.added);
    ++src.categories[i.category];
  });
  if (!s.ok()) return InternalError("intel sources", s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Key("sources").BeginArray();
  for (const auto& [name, src] : sources) {
    w.BeginObject()
        .Field("source", name)
        .Field("domains", src.domains)
        .Field("name_servers", src.name_servers)
        .Field("addresses", src.addresses)
        .Field("last_added", src.last_added)
        .Key("categories")
        .BeginObject();
    for (const auto& [category, n] : src.categories) w.Field(category, n);
    w.EndObject().EndObject();
  }
  w.EndArray().EndObject();
  return r;
}

// The triggers as the store makes them now (what the pipeline writes at its
// next interval, with the allowlists it honours), and the serial and time
// of the file it last wrote.
Response HandleRpz(const Call& call) {
  uint64_t limit = kDefaultTriggers;
  for (const auto& [key, value] : call.req.params.items()) {
    if (key == "limit") {
      if (std::string err = ParseCountParam("limit", value, 0, nsdb::kMaxPage, &limit); !err.empty()) {
        return ErrorResponse(400, err);
      }
    } else if (key != "apiKey") {
      return ErrorResponse(400, key + ": unknown parameter");
    }
  }
  intel::RpzTriggers t;
  if (Status s = intel::CollectRpzTriggers(call.store, call.rpz, &t); !s.ok()) return InternalError("rpz", s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Field("origin", call.rpz.origin).Field("action", intel::RpzActionName(call.rpz.action));
  struct stat st {};
  if (!call.rpz_path.empty() && ::stat(call.rpz_path.c_str(), &st) == 0) {
    w.Field("file", std::filesystem::path(call.rpz_path).filename().string())
        .Field("serial", intel::ReadRpzSerial(call.rpz_path))
        .Field("written", static_cast<int64_t>(st.st_mtime));
  } else {
    // Nothing written (yet): the triggers are what `nsradar rpz export` would write.
    w.Key("file").Null().Key("serial").Null().Key("written").Null();
  }
  w.Key("counts")
      .BeginObject()
      .Field("qname", t.qname.size())
      .Field("nsdname", t.nsdname.size())
      .Field("nsip", t.nsip.size())
      .Field("allowlisted", t.allowlisted)
      .EndObject();
  bool truncated = false;
  auto list = [&](std::string_view name, const std::set<std::string>& triggers) {
    w.Key(name).BeginArray();
    uint64_t n = 0;
    for (const auto& owner : triggers) {
      if (n++ == limit) {
        truncated = true;
        break;
      }
      w.String(owner);
    }
    w.EndArray();
  };
  list("qname", t.qname);
  list("nsdname", t.nsdname);
  list("nsip", t.nsip);
  w.Field("truncated", truncated).EndObject();
  return r;
}

}  // namespace nsradar::api
