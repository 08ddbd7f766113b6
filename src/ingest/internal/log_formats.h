// The LineFormat of each text log, one file each; private to ingest.
#pragma once

#include <memory>
#include <string>

#include "ingest/internal/log_source.h"

namespace nsradar::ingest {

std::unique_ptr<LineFormat> NewZeekTsvFormat();
std::unique_ptr<LineFormat> NewJsonLogFormat();  // Zeek JSON and Suricata EVE
std::unique_ptr<LineFormat> NewBindQueryLogFormat();
std::unique_ptr<LineFormat> NewUnboundLogFormat();
std::unique_ptr<LineFormat> NewDnsmasqLogFormat();
std::unique_ptr<LineFormat> NewPowerDnsLogFormat();
std::unique_ptr<LineFormat> NewCoreDnsLogFormat();
std::unique_ptr<LineFormat> NewWindowsDnsLogFormat();

// Whether `line` looks like a line of that format (for auto-detection).
bool LooksLikeZeekTsv(std::string_view line);
bool LooksLikeSuricataEve(std::string_view line);
bool LooksLikeZeekJson(std::string_view line);
bool LooksLikeBindQueryLog(std::string_view line);
bool LooksLikeUnboundLog(std::string_view line);
bool LooksLikeDnsmasqLog(std::string_view line);
bool LooksLikePowerDnsLog(std::string_view line);
bool LooksLikeCoreDnsLog(std::string_view line);
bool LooksLikeWindowsDnsLog(std::string_view line);

// Syslog-style "Nov 27 05:39:25" (no year: the latest such time not after
// `now`); UNIX microseconds, or -1.
int64_t ParseSyslogTime(std::string_view text, int64_t now_us);

}  // namespace nsradar::ingest
