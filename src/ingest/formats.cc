#include "ingest/formats.h"

#include <cstdint>
#include <vector>

#include "ingest/dnstap_source.h"
#include "ingest/internal/log_formats.h"
#include "ingest/internal/log_source.h"
#include "ingest/pcap_source.h"
#include "util/byte_source.h"

namespace nsradar::ingest {
namespace {

uint32_t FirstWord(std::string_view head) {
  if (head.size() < 4) return 1;  // no format starts with fewer bytes
  auto u8 = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(head[i])); };
  return u8(0) << 24 | u8(1) << 16 | u8(2) << 8 | u8(3);
}

// pcap in either byte order, micro- or nanosecond, and pcapng's section header.
bool IsCapture(std::string_view head) {
  uint32_t m = FirstWord(head);
  return m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a;
}
// A Frame Streams file starts with a control frame, whose escape is 0.
bool IsFrameStream(std::string_view head) { return FirstWord(head) == 0; }

// The table. Detection tries rows in this order, so a format whose lines
// another format's test would also accept comes first (Suricata's EVE
// before Zeek's JSON).
constexpr FormatInfo kFormats[] = {
    {Format::kPcap, "pcap", "pcap or pcapng capture", IsCapture, nullptr, NewPcapFileSource, nullptr},
    {Format::kDnstap, "dnstap", "dnstap Frame Streams file", IsFrameStream, nullptr, NewDnstapFileSource, nullptr},
    {Format::kZeekTsv, "zeek", "Zeek dns.log (TSV)", nullptr, LooksLikeZeekTsv, nullptr, NewZeekTsvFormat},
    {Format::kSuricataEve, "suricata", "Suricata EVE JSON", nullptr, LooksLikeSuricataEve, nullptr, NewJsonLogFormat},
    {Format::kZeekJson, "zeek-json", "Zeek dns.log (JSON)", nullptr, LooksLikeZeekJson, nullptr, NewJsonLogFormat},
    {Format::kBindLog, "bind", "BIND query log", nullptr, LooksLikeBindQueryLog, nullptr, NewBindQueryLogFormat},
    {Format::kUnboundLog, "unbound", "Unbound log (log-queries/log-replies)", nullptr, LooksLikeUnboundLog, nullptr,
     NewUnboundLogFormat},
    {Format::kDnsmasqLog, "dnsmasq", "dnsmasq or Pi-hole log", nullptr, LooksLikeDnsmasqLog, nullptr,
     NewDnsmasqLogFormat},
    {Format::kPowerDnsLog, "powerdns", "PowerDNS Recursor structured log", nullptr, LooksLikePowerDnsLog, nullptr,
     NewPowerDnsLogFormat},
    {Format::kCoreDnsLog, "coredns", "CoreDNS log plugin", nullptr, LooksLikeCoreDnsLog, nullptr, NewCoreDnsLogFormat},
    {Format::kWindowsDnsLog, "windows-dns", "Windows DNS debug log", nullptr, LooksLikeWindowsDnsLog, nullptr,
     NewWindowsDnsLogFormat},
};

}  // namespace

std::span<const FormatInfo> Formats() { return kFormats; }

const FormatInfo* FindFormat(Format f) {
  for (const FormatInfo& row : kFormats) {
    if (row.format == f) return &row;
  }
  return nullptr;
}

std::string_view FormatName(Format f) {
  const FormatInfo* row = FindFormat(f);
  return row ? row->name : "auto";
}

bool ParseFormat(std::string_view text, Format* out) {
  if (text == "auto") {
    *out = Format::kAuto;
    return true;
  }
  for (const FormatInfo& row : kFormats) {
    if (text == row.name) {
      *out = row.format;
      return true;
    }
  }
  return false;
}

std::string FormatNames() {
  std::string names = "auto";
  for (const FormatInfo& row : kFormats) names.append(", ").append(row.name);
  return names;
}

Format SniffFormat(std::string_view head) {
  for (const FormatInfo& row : kFormats) {
    if (row.head_matches && row.head_matches(head)) return row.format;
  }
  // Text: the first lines in turn, each against every log format; a
  // partial last line is not evidence.
  size_t lines = 0;
  for (size_t pos = 0; pos < head.size() && lines < 20; ++lines) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) break;
    std::string_view line = head.substr(pos, nl - pos);
    for (const FormatInfo& row : kFormats) {
      if (row.line_matches && row.line_matches(line)) return row.format;
    }
    pos = nl + 1;
  }
  return Format::kAuto;
}

Status OpenSource(const std::string& path, Format format, const SourceOptions& options,
                  std::unique_ptr<EventSource>* out) {
  if (format == Format::kAuto) {
    if (path == "-") {
      return Status::InvalidArgument("standard input: give --format (it cannot be read twice to detect it)");
    }
    std::unique_ptr<ByteSource> in;
    NSRADAR_RETURN_IF_ERROR(ByteSource::Open(path, &in));
    std::string head(16 << 10, '\0');
    size_t got = 0;
    // A short or damaged file: sniff what there is; reading it reports the damage.
    in->ReadFull(head.data(), head.size(), &got).IgnoreError();
    head.resize(got);
    format = SniffFormat(head);
    if (format == Format::kAuto) {
      return Status::InvalidArgument(path + ": unknown input format (give --format; see nsradar events --help)");
    }
  }
  const FormatInfo* row = FindFormat(format);
  if (!row) return Status::InvalidArgument(path + ": no such input format");
  *out = row->open ? row->open(path, options) : NewLogFileSource(path, row->new_line_format(), options);
  return Status::OK();
}

}  // namespace nsradar::ingest
