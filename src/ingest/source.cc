#include "ingest/source.h"

#include "ingest/dnstap_source.h"
#include "ingest/log_source.h"
#include "ingest/pcap_source.h"
#include "util/byte_source.h"

namespace nsradar::ingest {

const char* FormatName(Format f) {
  switch (f) {
    case Format::kAuto:
      return "auto";
    case Format::kPcap:
      return "pcap";
    case Format::kDnstap:
      return "dnstap";
    case Format::kZeekTsv:
      return "zeek";
    case Format::kZeekJson:
      return "zeek-json";
    case Format::kSuricataEve:
      return "suricata";
    case Format::kBindLog:
      return "bind";
    case Format::kUnboundLog:
      return "unbound";
    case Format::kDnsmasqLog:
      return "dnsmasq";
    case Format::kPowerDnsLog:
      return "powerdns";
    case Format::kCoreDnsLog:
      return "coredns";
    case Format::kWindowsDnsLog:
      return "windows-dns";
  }
  return "?";
}

bool ParseFormat(std::string_view text, Format* out) {
  for (Format f : kAllFormats) {
    if (text == FormatName(f)) {
      *out = f;
      return true;
    }
  }
  return false;
}

void SourceStats::Skip(const std::string& reason, const std::string& sample, size_t max_samples) {
  ++skipped[reason];
  auto& list = samples[reason];
  if (list.size() < max_samples) list.push_back(sample);
}

void SetRegisteredDomain(const dns::PublicSuffixList& psl, DnsEvent* ev) {
  std::string_view rd = psl.RegisteredDomain(ev->qname);
  ev->registered_offset = rd.empty() ? std::string::npos : ev->qname.size() - rd.size();
}

namespace {

// Binary formats by magic number; text logs by their first lines. Both are
// looked for in the decompressed bytes, whatever the file is called.
Status Detect(const std::string& path, Format* out) {
  std::unique_ptr<ByteSource> in;
  NSRADAR_RETURN_IF_ERROR(ByteSource::Open(path, &in));
  std::string head(16 << 10, '\0');
  size_t got = 0;
  // A short or damaged file: sniff what there is; reading it reports the damage.
  (void)in->ReadFull(head.data(), head.size(), &got);
  head.resize(got);
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(head[i]); };
  *out = Format::kAuto;
  if (head.size() >= 4) {
    uint32_t magic = u8(0) << 24 | u8(1) << 16 | u8(2) << 8 | u8(3);
    if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ||
        magic == 0x0a0d0d0a) {
      *out = Format::kPcap;
      return Status::OK();
    }
    if (magic == 0) {
      *out = Format::kDnstap;  // a Frame Streams control frame's escape
      return Status::OK();
    }
  }
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < head.size() && lines.size() < 20;) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string::npos) break;  // a partial last line is not evidence
    lines.push_back(head.substr(pos, nl - pos));
    pos = nl + 1;
  }
  *out = SniffLogFormat(lines);
  return Status::OK();
}

}  // namespace

Status OpenSource(const std::string& path, Format format, const SourceOptions& options,
                  std::unique_ptr<EventSource>* out) {
  if (format == Format::kAuto) {
    if (path == "-")
      return Status::InvalidArgument("standard input: give --format (it cannot be read twice to detect it)");
    NSRADAR_RETURN_IF_ERROR(Detect(path, &format));
    if (format == Format::kAuto) {
      return Status::InvalidArgument(path + ": unknown input format (give --format; see nsradar events --help)");
    }
  }
  switch (format) {
    case Format::kPcap:
      *out = NewPcapFileSource(path, options);
      return Status::OK();
    case Format::kDnstap:
      *out = NewDnstapFileSource(path, options);
      return Status::OK();
    case Format::kAuto:
      break;
    default:
      *out = NewLogFileSource(path, format, options);
      return Status::OK();
  }
  return Status::InvalidArgument(path + ": no format");
}

}  // namespace nsradar::ingest
