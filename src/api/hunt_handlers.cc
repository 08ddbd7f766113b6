// The /v2/hunt endpoints: forensics over the ClickHouse warehouse
// (warehouse/hunt.h) when serve has one configured, in the JSON shapes of
// warehouse/hunt_json.h. Without a warehouse every one answers 503 saying
// so. Bad parameters are 400s naming the parameter; an error of the
// warehouse is a 502 carrying ClickHouse's message.
#include <ctime>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "warehouse/hunt.h"
#include "warehouse/hunt_json.h"

namespace nsradar::api {
namespace {

// The query parameters every hunt endpoint reads.
struct HuntParams {
  warehouse::TimeWindow window;
  uint64_t limit = 0;  // 0: the endpoint's default
  std::string cursor;
};

// Reads from, to, limit and cursor (those the endpoint takes); `span` > 0
// makes the default window that many seconds before `to` (now), else the
// whole history. An error message or "".
std::string ReadParams(const Request& req, int64_t span, uint64_t max_limit, bool cursor, HuntParams* p) {
  std::optional<int64_t> from, to;
  for (const auto& [key, value] : req.params.items()) {
    std::string err;
    if (key == "from") {
      err = ParseTimeParam(key, value, &from);
    } else if (key == "to") {
      err = ParseTimeParam(key, value, &to);
    } else if (key == "limit" && max_limit > 0) {
      err = ParseCountParam(key, value, 1, max_limit, &p->limit);
    } else if (key == "cursor" && cursor) {
      p->cursor = value;
    } else if (key != "apiKey") {
      err = "unknown parameter: " + key;
    }
    if (!err.empty()) return err;
  }
  if (span > 0) {
    p->window.to = to.value_or((std::time(nullptr) / 60 + 1) * 60);
    p->window.from = from.value_or(p->window.to - span);
  } else {
    p->window.from = from.value_or(0);
    p->window.to = to.value_or(warehouse::TimeWindow::kEndOfTime);
  }
  return "";
}

// The endpoint's answer: 503 without a warehouse, else `run`'s document or
// its error.
template <typename Run>
Response Hunt(const Call& call, int64_t span, uint64_t max_limit, bool cursor, Run run) {
  if (call.hunt.shards.empty()) {
    return ErrorResponse(503,
                         "no warehouse: this server hunts only when its configuration names one "
                         "(warehouse = URL[,URL...]; docs/warehouse.md)");
  }
  HuntParams p;
  if (std::string err = ReadParams(call.req, span, max_limit, cursor, &p); !err.empty()) {
    return ErrorResponse(400, err);
  }
  Response r;
  Status s = run(p, &r.body);
  if (s.code() == Status::Code::kInvalidArgument) return ErrorResponse(400, s.message());
  if (!s.ok()) return ErrorResponse(502, "the warehouse: " + s.message());
  return r;
}

}  // namespace

Response HandleHuntEvents(const Call& call) {
  return Hunt(call, 0, warehouse::kMaxEventsPage, true, [&](const HuntParams& p, std::string* out) {
    warehouse::EventsPage page;
    warehouse::EventsRequest req{std::string(call.path.Get("domain")), p.window, p.limit ? p.limit : 100, p.cursor};
    NSRADAR_RETURN_IF_ERROR(warehouse::HuntEvents(call.hunt, req, &page));
    *out = warehouse::EventsJson(page);
    return Status::OK();
  });
}

Response HandleHuntObservations(const Call& call) {
  return Hunt(call, 0, warehouse::kMaxObservationsPage, true, [&](const HuntParams& p, std::string* out) {
    warehouse::ObservationsPage page;
    warehouse::ObservationsRequest req{std::string(call.path.Get("domain")), p.window, p.limit ? p.limit : 100,
                                       p.cursor};
    NSRADAR_RETURN_IF_ERROR(warehouse::HuntObservations(call.hunt, req, &page));
    *out = warehouse::ObservationsJson(page);
    return Status::OK();
  });
}

Response HandleHuntClients(const Call& call) {
  return Hunt(call, 0, warehouse::kMaxClients, false, [&](const HuntParams& p, std::string* out) {
    warehouse::ClientsAnswer a;
    warehouse::ClientsRequest req{std::string(call.path.Get("domain")), p.window, p.limit ? p.limit : 1000};
    NSRADAR_RETURN_IF_ERROR(warehouse::HuntClients(call.hunt, req, &a));
    *out = warehouse::ClientsJson(a);
    return Status::OK();
  });
}

Response HandleHuntTimeline(const Call& call) {
  return Hunt(call, 86400, 0, false, [&](const HuntParams& p, std::string* out) {
    warehouse::TimelineAnswer a;
    NSRADAR_RETURN_IF_ERROR(warehouse::HuntTimeline(call.hunt, {std::string(call.path.Get("domain")), p.window}, &a));
    *out = warehouse::TimelineJson(a);
    return Status::OK();
  });
}

Response HandleHuntFirstSeen(const Call& call) {
  return Hunt(call, 0, 0, false, [&](const HuntParams& p, std::string* out) {
    warehouse::FirstSeenAnswer a;
    NSRADAR_RETURN_IF_ERROR(warehouse::HuntFirstSeen(call.hunt, std::string(call.path.Get("domain")), p.window, &a));
    *out = warehouse::FirstSeenJson(a);
    return Status::OK();
  });
}

Response HandleHuntTop(const Call& call) {
  return Hunt(call, 3600, warehouse::kMaxTop, false, [&](const HuntParams& p, std::string* out) {
    warehouse::TopRequest req{p.window, p.limit ? p.limit : 20};
    warehouse::TopAnswer a;
    NSRADAR_RETURN_IF_ERROR(warehouse::HuntTop(call.hunt, req, &a));
    *out = warehouse::TopJson(req, a);
    return Status::OK();
  });
}

}  // namespace nsradar::api
