// Analysts' actions, which write to the store: only where this process is
// the store's writer (`serve --config`); a read-only `serve` answers 409.
#include <ctime>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "util/json_writer.h"
#include "util/log.h"

namespace nsradar::api {
namespace {

// A category as an indicator file's: 1-32 lower-case letters, digits, '-'.
bool IsCategory(std::string_view c) {
  if (c.empty() || c.size() > 32) return false;
  for (char ch : c) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  }
  return true;
}

}  // namespace

Response HandleBlock(const Call& call) {
  std::string name;
  if (std::string err = NormalizeName("domain", call.path.Get("domain"), &name); !err.empty()) {
    return ErrorResponse(400, err);
  }
  std::string category = "blocked";
  for (const auto& [key, value] : call.req.params.items()) {
    if (key == "category") {
      if (!IsCategory(value)) return ErrorResponse(400, "category: expected 1-32 of a-z, 0-9 and '-'");
      category = value;
    } else if (key != "apiKey") {
      return ErrorResponse(400, key + ": unknown parameter");
    }
  }
  if (call.writable_store == nullptr) {
    return ErrorResponse(409,
                         "this server reads the store only: block from `nsradar serve --config` (the store's "
                         "writer) or with `nsradar intel import`");
  }
  // The indicator is the audit record: who (the key's id) and when.
  nsdb::Indicator ind{.kind = nsdb::IndicatorKind::kDomain,
                      .value = name,
                      .category = category,
                      .source = "analyst " + std::string(call.who),
                      .added = static_cast<int64_t>(std::time(nullptr))};
  if (Status s = call.writable_store->PutIndicators({ind}); !s.ok()) return InternalError("block", s);
  Log(LogLevel::kInfo, "audit", "domain blocked", {{"domain", name}, {"category", category}, {"by", call.who}});
  if (call.on_store_changed) call.on_store_changed();
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject()
      .Field("domain", ind.value)
      .Field("category", ind.category)
      .Field("source", ind.source)
      .Field("added", ind.added)
      .EndObject();
  return r;
}

}  // namespace nsradar::api
