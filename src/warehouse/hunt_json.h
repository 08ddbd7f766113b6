// The hunt answers (hunt.h) as the JSON documents that `nsradar hunt
// --json` prints and the /v2/hunt endpoints return, one shape for both
// (documented in api/openapi.json). Times are UNIX seconds with an RFC 3339
// twin for people ("time": "2026-11-27T09:58:54.064000Z").
#pragma once

#include <cstdint>
#include <string>

#include "warehouse/hunt.h"

namespace nsradar::warehouse {

// "2026-11-27T09:58:54.064000Z".
std::string FormatMicros(int64_t unix_micros);

std::string EventsJson(const EventsPage& page);
std::string ClientsJson(const ClientsAnswer& answer);
std::string TimelineJson(const TimelineAnswer& answer);
std::string FirstSeenJson(const FirstSeenAnswer& answer);
std::string TopJson(const TopRequest& request, const TopAnswer& answer);
std::string ObservationsJson(const ObservationsPage& page);

}  // namespace nsradar::warehouse
