#include "ingest/source.h"

#include <fstream>

#include "ingest/dnstap_source.h"
#include "ingest/pcap_source.h"

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
  }
  return "?";
}

bool ParseFormat(std::string_view text, Format* out) {
  for (Format f : {Format::kAuto, Format::kPcap, Format::kDnstap, Format::kZeekTsv, Format::kZeekJson}) {
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

Format Detect(const std::string& head) {
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(head[i]); };
  if (head.size() >= 4) {
    uint32_t magic = u8(0) << 24 | u8(1) << 16 | u8(2) << 8 | u8(3);
    if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ||
        magic == 0x0a0d0d0a) {
      return Format::kPcap;
    }
    if (magic == 0) return Format::kDnstap;  // a Frame Streams control frame's escape
  }
  if (head.starts_with("#separator")) return Format::kZeekTsv;
  if (head.starts_with("{")) return Format::kZeekJson;
  return Format::kAuto;
}

}  // namespace

Status OpenSource(const std::string& path, Format format, const SourceOptions& options,
                  std::unique_ptr<EventSource>* out) {
  if (format == Format::kAuto) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError(path + ": cannot open");
    std::string head(64, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    format = Detect(head);
    if (format == Format::kAuto) {
      return Status::InvalidArgument(path + ": unknown input format (give --format: pcap, dnstap, zeek, zeek-json)");
    }
  }
  switch (format) {
    case Format::kPcap:
      *out = NewPcapFileSource(path, options);
      return Status::OK();
    case Format::kDnstap:
      *out = NewDnstapFileSource(path, options);
      return Status::OK();
    default:
      return Status::InvalidArgument(path + ": format " + FormatName(format) + " is not supported yet");
  }
}

}  // namespace nsradar::ingest
