// Times as nsradar shows and accepts them: UNIX seconds in storage and APIs,
// RFC 3339 UTC for people.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nsradar {

// "2018-01-29T00:00:00Z".
std::string FormatTime(int64_t unix_seconds);

// Accepts UNIX seconds ("1517184000"), a date ("2018-01-29", midnight UTC)
// or RFC 3339 ("2018-01-29T02:00:00Z", "2018-01-29T02:00:00+01:00",
// "2018-01-29 02:00:00"; no offset means UTC).
std::optional<int64_t> ParseTime(std::string_view text);

// Seconds since the epoch of a civil UTC date and time; no validation.
int64_t UnixFromCivil(int year, unsigned month, unsigned day, int hour = 0, int minute = 0, int second = 0);

// An SOA serial of the YYYYMMDDnn convention as a time: midnight UTC of that
// date plus nn seconds, so serials of one day stay distinct and ordered.
// nullopt when the serial is not a plausible date (years 1990..2100).
std::optional<int64_t> TimeFromDateSerial(uint32_t serial);

}  // namespace nsradar
