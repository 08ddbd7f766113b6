// Alerts as JSON lines for SOC pipelines: the plain nsradar object, or the
// same wrapped in a Suricata EVE-style (`event_type: alert`) or Elastic
// Common Schema-style envelope, so existing pipelines can route it without a
// custom parser. The plain object is always present under "nsradar" in the
// envelopes: nothing is lost by choosing one.
#pragma once

#include <string>
#include <string_view>

#include "detect/detector.h"

namespace nsradar::detect {

enum class AlertEnvelope { kPlain, kEve, kEcs };

// "plain", "eve" or "ecs"; false for anything else.
bool ParseAlertEnvelope(std::string_view text, AlertEnvelope* out);

// Appends one JSON object (no newline) describing `alert`.
void AppendAlertJson(const Alert& alert, AlertEnvelope envelope, std::string* out);

}  // namespace nsradar::detect
