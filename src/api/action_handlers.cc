// Analysts' actions, which write to the store: only where this process is
// the store's writer (`serve --config`); a read-only `serve` answers 409.
// Blocks are indicators; false positives go to the store's allowlist, whose
// trail of marks and unmarks these routes also show.
#include <charconv>
#include <chrono>
#include <ctime>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "dns/name.h"
#include "dns/public_suffix.h"
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

constexpr size_t kMaxReason = 500;

constexpr std::string_view kReadOnly =
    "this server reads the store only: act from `nsradar serve --config` (the store's writer)";

// The domain of an allowlist route: a name, without wildcards, and not a
// public suffix (listing "com" would hide every domain under it).
std::string AllowlistDomain(const Call& call, std::string* name) {
  if (std::string err = NormalizeName("domain", call.path.Get("domain"), name); !err.empty()) return err;
  if (name->find('*') != std::string::npos) {
    return "domain: no wildcards; a listed name covers every name below it";
  }
  if (dns::PublicSuffixList::Default().IsPublicSuffix(*name)) {
    return "domain: " + *name + " is a public suffix; listing it would hide every domain under it";
  }
  return "";
}

// Free text for the audit trail: at most kMaxReason bytes, no control
// characters (a reason is shown in tables and logs, one line each).
std::string CheckReason(std::string_view reason) {
  if (reason.size() > kMaxReason) return "reason: at most " + std::to_string(kMaxReason) + " bytes";
  for (unsigned char c : reason) {
    if (c < 0x20 || c == 0x7f) return "reason: no control characters";
  }
  return "";
}

// "" when `alert` is the id (DOMAIN@ALERT_TIME_US) of a kept alert on `name`
// or a name below it; else the message, and *status the answer's status.
std::string CheckAlert(const Call& call, std::string_view alert, std::string_view name, int* status) {
  *status = 400;
  const size_t at = alert.rfind('@');
  if (at == std::string_view::npos) return "alert: expected DOMAIN@ALERT_TIME_US";
  std::string domain;
  if (std::string err = NormalizeName("alert", alert.substr(0, at), &domain); !err.empty()) return err;
  std::string_view digits = alert.substr(at + 1);
  int64_t time_us = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), time_us);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || time_us < 0) {
    return "alert: expected DOMAIN@ALERT_TIME_US";
  }
  if (!dns::IsAtOrBelow(domain, name)) return "alert: " + std::string(alert) + " is not on " + std::string(name);
  std::vector<nsdb::StoredAlert> alerts;
  if (Status s = call.store.Alerts(domain, SIZE_MAX, &alerts); !s.ok()) {
    *status = 500;
    return "alert: the store could not be read";
  }
  for (const auto& a : alerts) {
    if (a.alert_time_us == time_us) return "";
  }
  *status = 404;
  return "alert: no alert " + std::string(alert) + " is kept";
}

void WriteEvent(JsonWriter& w, const nsdb::AllowlistEvent& e) {
  w.BeginObject()
      .Field("domain", e.domain)
      .Field("listed", e.listed)
      .Field("time", e.time_us / 1'000'000)
      .Field("time_us", e.time_us)
      .Field("by", e.by)
      .Field("alert", e.alert)
      .Field("reason", e.reason)
      .EndObject();
}

// POST (listed) and DELETE (unlisted) /v2/allowlist/{domain}.
Response ChangeAllowlist(const Call& call, bool listed) {
  std::string name;
  if (std::string err = AllowlistDomain(call, &name); !err.empty()) return ErrorResponse(400, err);
  nsdb::AllowlistEvent e;
  e.domain = name;
  e.listed = listed;
  e.by = call.who;
  for (const auto& [key, value] : call.req.params.items()) {
    if (key == "reason") {
      if (std::string err = CheckReason(value); !err.empty()) return ErrorResponse(400, err);
      e.reason = value;
    } else if (key == "alert") {
      int status = 400;
      if (std::string err = CheckAlert(call, value, name, &status); !err.empty()) return ErrorResponse(status, err);
      e.alert = value;
    } else if (key != "apiKey") {
      return ErrorResponse(400, key + ": unknown parameter");
    }
  }
  if (call.writable_store == nullptr) return ErrorResponse(409, kReadOnly);
  e.time_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
  bool changed = false;
  if (Status s = call.writable_store->PutAllowlistEvent(&e, &changed); !s.ok()) return InternalError("allowlist", s);
  if (changed) {
    Log(LogLevel::kInfo, "audit", listed ? "domain allowlisted (false positive)" : "domain removed from the allowlist",
        {{"domain", name}, {"by", e.by}, {"alert", e.alert}, {"reason", e.reason}});
    if (call.on_store_changed) call.on_store_changed();
  } else {
    // Already so: answer with the event that made it so.
    std::vector<nsdb::AllowlistEvent> trail;
    if (Status s = call.store.AllowlistHistory(name, &trail); !s.ok()) return InternalError("allowlist", s);
    if (!trail.empty()) e = trail.back();
  }
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Field("changed", changed).Key("event");
  WriteEvent(w, e);
  w.EndObject();
  return r;
}

}  // namespace

Response HandleAllowlistMark(const Call& call) { return ChangeAllowlist(call, true); }
Response HandleAllowlistUnmark(const Call& call) { return ChangeAllowlist(call, false); }

Response HandleAllowlist(const Call& call) {
  for (const auto& [key, value] : call.req.params.items()) {
    if (key != "apiKey") return ErrorResponse(400, key + ": unknown parameter");
  }
  std::vector<nsdb::AllowlistEvent> listed;
  if (Status s = call.store.Allowlisted(&listed); !s.ok()) return InternalError("allowlist", s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject().Key("allowlist").BeginArray();
  for (const auto& e : listed) WriteEvent(w, e);
  w.EndArray().EndObject();
  return r;
}

Response HandleAllowlistDomain(const Call& call) {
  std::string name;
  if (std::string err = NormalizeName("domain", call.path.Get("domain"), &name); !err.empty()) {
    return ErrorResponse(400, err);
  }
  std::vector<nsdb::AllowlistEvent> trail;
  if (Status s = call.store.AllowlistHistory(name, &trail); !s.ok()) return InternalError("allowlist", s);
  Response r;
  JsonWriter w(&r.body);
  w.BeginObject()
      .Field("domain", name)
      .Field("listed", !trail.empty() && trail.back().listed)
      .Key("history")
      .BeginArray();
  for (const auto& e : trail) WriteEvent(w, e);
  w.EndArray().EndObject();
  return r;
}

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
  if (call.writable_store == nullptr) return ErrorResponse(409, std::string(kReadOnly) + ", or `nsradar intel import`");
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
