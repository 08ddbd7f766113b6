// The SQL of the hunt queries (hunt.h), apart from running them so that
// tests can hold what reaches the server: inputs checked, names and
// strings only as SqlString literals, numbers formatted by us.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"
#include "warehouse/hunt.h"

namespace nsradar::warehouse {

// The domain a hunt is about, checked: `name` in canonical form (it may
// contain ' or \, which DNS allows) and the registered domain whose rows
// hold it. Errors name the parameter `domain`.
struct HuntDomain {
  std::string name;
  std::string registered;
};
Status CheckHuntDomain(std::string_view text, HuntDomain* out);

// from < to, both within [0, TimeWindow::kEndOfTime]; when max_seconds > 0
// the window may be at most that long. Errors name `from`/`to`.
Status CheckWindow(const TimeWindow& window, int64_t max_seconds);

// 1..max; errors name `limit`.
Status CheckLimit(uint64_t limit, uint64_t max);

// The position after an event, as text a client can hand back: decimal
// ts, usec, batch_seq and batch_row, then the sensor in hex, joined by '-'.
std::string EncodeCursor(const HuntEvent& last);
// Errors name `cursor`.
Status DecodeCursor(std::string_view text, HuntEvent* position);
// The position after an observation: rrname in hex, rrtype in decimal,
// rdata in hex, joined by '-'. Errors name `cursor`.
std::string EncodeObservationCursor(const HuntObservation& last);
Status DecodeObservationCursor(std::string_view text, HuntObservation* position);

// The statements, for arguments already checked.
std::string EventsSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window, uint64_t limit,
                      const HuntEvent* after);
std::string ClientsSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window, uint64_t limit);
std::string TimelineSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window);
std::string FirstSeenSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window);
std::string TopSql(const SchemaNames& names, const TimeWindow& window, uint64_t limit);
std::string ObservationsSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window,
                            uint64_t limit, const HuntObservation* after);

// The columns the events and first-seen statements select, in order.
inline constexpr size_t kEventColumns = 11;
inline constexpr size_t kObservationColumns = 7;

}  // namespace nsradar::warehouse
