// GET /v2/alerts/stream: the live alerts as server-sent events
// (alert_stream.h), where this process raises them.
#include "api/alert_stream.h"
#include "api/internal/handlers.h"
#include "api/internal/params.h"

namespace nsradar::api {

Response HandleAlertStream(const Call& call) {
  for (const auto& [key, value] : call.req.params.items()) {
    if (key != "apiKey") return ErrorResponse(400, key + ": unknown parameter");
  }
  if (call.alert_stream == nullptr) {
    return ErrorResponse(404,
                         "this server raises no alerts: live alerts come from `nsradar serve --config`; "
                         "poll /v2/alerts");
  }
  return call.alert_stream->Subscribe(call.req.last_event_id);
}

}  // namespace nsradar::api
