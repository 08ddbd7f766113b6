// The input formats nsradar reads, in one table (formats.cc) that drives
// everything about them: the names --format takes and errors list, the
// order auto-detection tries them in, and how a file of each is opened.
//
// Adding a text log format: its LineFormat in a file of its own (see
// internal/log_formats.h), a Format value below and one row of the table; the
// fuzzers, --format and detection follow from the row.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ingest/source.h"

namespace nsradar::ingest {

class LineFormat;

enum class Format {
  kAuto,
  kPcap,
  kDnstap,
  kZeekTsv,
  kZeekJson,
  kSuricataEve,
  kBindLog,
  kUnboundLog,
  kDnsmasqLog,
  kPowerDnsLog,
  kCoreDnsLog,
  kWindowsDnsLog,
};

struct FormatInfo {
  Format format;
  std::string_view name;         // as --format takes it
  std::string_view description;  // for help texts
  // Auto-detection, on the decompressed start of a file: binary formats by
  // their first bytes (`head`), text logs by any of their first lines.
  // Exactly one of the two is set.
  bool (*head_matches)(std::string_view head);
  bool (*line_matches)(std::string_view line);
  // Binary formats open their own source; text logs give the parser of a
  // line, which the shared log reader drives. Exactly one is set.
  std::unique_ptr<EventSource> (*open)(const std::string& path, const SourceOptions& options);
  std::unique_ptr<LineFormat> (*new_line_format)();
};

// Every format but kAuto, in detection order.
std::span<const FormatInfo> Formats();
// The row of `f`; null for kAuto.
const FormatInfo* FindFormat(Format f);
// "auto", "pcap", ...; ParseFormat accepts exactly these names.
std::string_view FormatName(Format f);
bool ParseFormat(std::string_view text, Format* out);
// "auto, pcap, dnstap, ..." for help texts and errors.
std::string FormatNames();

// The format of a file starting with `head` (decompressed), or kAuto.
Format SniffFormat(std::string_view head);

// Opens `path` ("-": standard input, which needs a format) as `format`,
// detecting the format from the first bytes when it is kAuto.
Status OpenSource(const std::string& path, Format format, const SourceOptions& options,
                  std::unique_ptr<EventSource>* out);

}  // namespace nsradar::ingest
