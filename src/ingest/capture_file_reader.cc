#include "ingest/capture_file_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "ingest/event.h"

namespace nsradar::ingest {
namespace {

// Magic numbers as a host-order load of the first four bytes sees them.
constexpr uint32_t kPcapMicros = 0xa1b2c3d4, kPcapNanos = 0xa1b23c4d;
constexpr uint32_t kPcapngSection = 0x0a0d0d0a;  // the same in both byte orders
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;

// pcapng block types.
constexpr uint32_t kInterfaceDescription = 1, kObsoletePacket = 2, kSimplePacket = 3, kNameResolution = 4,
                   kInterfaceStatistics = 5, kEnhancedPacket = 6, kSystemdJournal = 9, kDecryptionSecrets = 10,
                   kCustomCopiable = 0x00000bad, kCustomNotCopiable = 0x40000bad;
// Interface Description Block options.
constexpr uint16_t kEndOfOptions = 0, kTsResol = 9, kTsOffset = 14;

constexpr uint32_t kMaxPcapRecord = 256u << 10;  // libpcap's largest snapshot length

__extension__ typedef unsigned __int128 Uint128;

uint32_t Swap32(uint32_t v) { return __builtin_bswap32(v); }

}  // namespace

CaptureFileReader::CaptureFileReader(ByteSource* in, std::string name, SkipFn skip)
    : in_(in), name_(std::move(name)), skip_(std::move(skip)) {}

uint32_t CaptureFileReader::U32(const uint8_t* p) const {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped_ ? Swap32(v) : v;
}

uint16_t CaptureFileReader::U16(const uint8_t* p) const {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return swapped_ ? static_cast<uint16_t>(v >> 8 | v << 8) : v;
}

Status CaptureFileReader::Read(void* dst, size_t n, size_t* got) {
  Status s = in_->ReadFull(static_cast<char*>(dst), n, got);
  offset_ += *got;
  if (!s.ok()) return Fail("read_error", offset_, s.message());
  return Status::OK();
}

Status CaptureFileReader::ReadBlock(size_t n, size_t* got) {
  *got = 0;
  while (*got < n) {
    const size_t chunk = std::min<size_t>(n - *got, 64 << 10);
    block_.resize(*got + chunk);
    size_t k = 0;
    NSRADAR_RETURN_IF_ERROR(Read(block_.data() + *got, chunk, &k));
    *got += k;
    if (k < chunk) break;
  }
  return Status::OK();
}

Status CaptureFileReader::Fail(const char* reason, uint64_t offset, const std::string& detail) {
  skip_(reason, offset, detail);
  return Status::Corruption(fmt::format("{} at byte {}: {}", name_, offset, detail));
}

// Units since the epoch at the interface's resolution, plus its offset in
// seconds, as clamped microseconds: 128 bits hold any 64-bit count times 10^6.
int64_t CaptureFileReader::Micros(uint64_t units, const Interface& itf) const {
  const uint64_t seconds = units / itf.units_per_second;
  const auto fraction_us =
      static_cast<int64_t>(Uint128{units % itf.units_per_second} * 1'000'000 / itf.units_per_second);
  const int64_t offset = std::clamp<int64_t>(itf.offset_seconds, -kMaxEventSeconds, kMaxEventSeconds);
  const int64_t whole = static_cast<int64_t>(std::min<uint64_t>(seconds, kMaxEventSeconds)) + offset;
  if (whole < 0) return 0;
  if (whole >= kMaxEventSeconds) return kMaxEventSeconds * 1'000'000;
  return whole * 1'000'000 + fraction_us;
}

Status CaptureFileReader::Start() {
  started_ = true;
  uint8_t head[4];
  size_t got = 0;
  NSRADAR_RETURN_IF_ERROR(Read(head, 4, &got));
  if (got < 4) return Fail("capture_truncated", 0, fmt::format("{} bytes: no capture file header", got));
  uint32_t magic;
  std::memcpy(&magic, head, 4);
  if (magic == kPcapngSection) {
    pcapng_ = true;
    return Status::OK();
  }
  swapped_ = magic == Swap32(kPcapMicros) || magic == Swap32(kPcapNanos);
  if (swapped_) magic = Swap32(magic);
  if (magic != kPcapMicros && magic != kPcapNanos) {
    return Fail("capture_not_a_capture", 0, fmt::format("magic {:08x} is neither pcap nor pcapng", magic));
  }
  nanoseconds_ = magic == kPcapNanos;
  uint8_t rest[20];
  NSRADAR_RETURN_IF_ERROR(Read(rest, sizeof rest, &got));
  if (got < sizeof rest) return Fail("capture_truncated", 4, "pcap file header cut short");
  // version(2+2) thiszone(4) sigfigs(4) snaplen(4) network(4); the top bits
  // of network may carry the FCS length, the link type is the low 16.
  pcap_link_type_ = static_cast<int>(U32(rest + 16) & 0xffff);
  return Status::OK();
}

Status CaptureFileReader::Next(CapturedPacket* out, bool* got) {
  *got = false;
  if (!started_) {
    NSRADAR_RETURN_IF_ERROR(Start());
    if (pcapng_) {
      // The section header's first four bytes are already read.
      uint8_t first12[12];
      std::memcpy(first12, &kPcapngSection, 4);
      size_t n = 0;
      NSRADAR_RETURN_IF_ERROR(Read(first12 + 4, 8, &n));
      if (n < 8) return Fail("capture_truncated", 0, "pcapng section header cut short");
      NSRADAR_RETURN_IF_ERROR(SectionHeader(first12));
    }
  }
  return pcapng_ ? NextPcapng(out, got) : NextPcap(out, got);
}

Status CaptureFileReader::NextPcap(CapturedPacket* out, bool* got) {
  const uint64_t at = offset_;
  uint8_t h[16];
  size_t n = 0;
  NSRADAR_RETURN_IF_ERROR(Read(h, sizeof h, &n));
  if (n == 0) return Status::OK();
  if (n < sizeof h) return Fail("capture_truncated", at, fmt::format("record header cut short ({} of 16 bytes)", n));
  const uint32_t caplen = U32(h + 8);
  // Past this no later record can be found: the lengths are the only framing.
  if (caplen > kMaxPcapRecord) return Fail("pcap_bad_record", at, fmt::format("record length {}", caplen));
  NSRADAR_RETURN_IF_ERROR(ReadBlock(caplen, &n));
  if (n < caplen) return Fail("capture_truncated", at, fmt::format("record cut short ({} of {} bytes)", n, caplen));
  const uint64_t fraction = std::min<uint32_t>(U32(h + 4), nanoseconds_ ? 999'999'999 : 999'999);
  out->ts_us =
      static_cast<int64_t>(U32(h)) * 1'000'000 + static_cast<int64_t>(nanoseconds_ ? fraction / 1000 : fraction);
  out->link_type = pcap_link_type_;
  out->interface = 0;
  out->data = block_.data();
  out->caplen = caplen;
  out->wire_len = std::max(U32(h + 12), caplen);
  out->offset = at;
  *got = true;
  return Status::OK();
}

// Reads the rest of a section header whose first 12 bytes (type, length,
// byte-order magic) are `first12`, and starts a new section.
Status CaptureFileReader::SectionHeader(const uint8_t* first12) {
  const uint64_t at = offset_ - 12;
  uint32_t bom;
  std::memcpy(&bom, first12 + 8, 4);
  if (bom != kByteOrderMagic && bom != Swap32(kByteOrderMagic)) {
    return Fail("pcapng_bad_section", at, fmt::format("byte-order magic {:08x}", bom));
  }
  swapped_ = bom != kByteOrderMagic;
  const uint32_t length = U32(first12 + 4);
  if (length < 28 || length % 4 != 0 || length > kMaxBlock) {
    return Fail("pcapng_bad_block_length", at, fmt::format("section header of {} bytes", length));
  }
  size_t n = 0;
  NSRADAR_RETURN_IF_ERROR(ReadBlock(length - 12, &n));
  if (n < length - 12) return Fail("capture_truncated", at, "section header cut short");
  if (U32(block_.data() + n - 4) != length) {
    return Fail("pcapng_bad_block_length", at, "section header's trailing length differs");
  }
  const uint16_t major = U16(block_.data());
  if (major != 1) return Fail("pcapng_bad_section", at, fmt::format("version {}", major));
  interfaces_.clear();  // interface ids count from 0 again in each section
  return Status::OK();
}

void CaptureFileReader::InterfaceDescription(const uint8_t* body, size_t size, uint64_t offset) {
  Interface itf;
  itf.link_type = U16(body);
  // Options: code(2) length(2) value padded to 4 bytes, until end-of-options
  // or the end of the body.
  size_t pos = 8;
  while (pos + 4 <= size) {
    const uint16_t code = U16(body + pos), len = U16(body + pos + 2);
    pos += 4;
    if (code == kEndOfOptions) break;
    if (len > size - pos) {
      skip_("pcapng_bad_option", offset, fmt::format("option {} of {} bytes past its block", code, len));
      break;
    }
    const uint8_t* value = body + pos;
    if (code == kTsResol && len >= 1) {
      // 10^-n seconds, or 2^-n when the top bit is set; finer than what
      // 64 bits count is damage: the default stays.
      const unsigned exponent = value[0] & 0x7f;
      const bool binary = value[0] & 0x80;
      if (binary ? exponent <= 63 : exponent <= 19) {
        uint64_t units = 1;
        for (unsigned k = 0; k < exponent; ++k) units *= binary ? 2 : 10;
        itf.units_per_second = units;
      } else {
        skip_("pcapng_bad_option", offset, fmt::format("if_tsresol {:#04x}", value[0]));
      }
    } else if (code == kTsOffset && len == 8) {
      uint64_t v;
      std::memcpy(&v, value, 8);
      if (swapped_) v = __builtin_bswap64(v);
      itf.offset_seconds = static_cast<int64_t>(v);
    }
    pos += std::min<size_t>((static_cast<size_t>(len) + 3) & ~size_t{3}, size - pos);
  }
  interfaces_.push_back(itf);
}

Status CaptureFileReader::NextPcapng(CapturedPacket* out, bool* got) {
  for (;;) {
    const uint64_t at = offset_;
    uint8_t head[12];  // type, length, and the section header's byte-order magic
    size_t n = 0;
    NSRADAR_RETURN_IF_ERROR(Read(head, 8, &n));
    if (n == 0) return Status::OK();
    if (n < 8) return Fail("capture_truncated", at, fmt::format("block header cut short ({} of 8 bytes)", n));
    uint32_t type;
    std::memcpy(&type, head, 4);
    if (type == kPcapngSection) {
      NSRADAR_RETURN_IF_ERROR(Read(head + 8, 4, &n));
      if (n < 4) return Fail("capture_truncated", at, "section header cut short");
      NSRADAR_RETURN_IF_ERROR(SectionHeader(head));
      continue;
    }
    type = U32(head);
    const uint32_t length = U32(head + 4);
    // A wrong length loses the place of every later block: nothing after it
    // can be trusted.
    if (length < 12 || length % 4 != 0 || length > kMaxBlock) {
      return Fail("pcapng_bad_block_length", at, fmt::format("block type {:#x} of {} bytes", type, length));
    }
    const size_t size = length - 12;  // the body, between the two lengths
    NSRADAR_RETURN_IF_ERROR(ReadBlock(size + 4, &n));
    if (n < size + 4) {
      return Fail("capture_truncated", at,
                  fmt::format("block type {:#x} cut short ({} of {} bytes)", type, n + 8, length));
    }
    if (U32(block_.data() + size) != length) {
      return Fail(
          "pcapng_bad_block_length", at,
          fmt::format("block type {:#x}: trailing length {} differs from {}", type, U32(block_.data() + size), length));
    }
    const uint8_t* body = block_.data();
    switch (type) {
      case kInterfaceDescription:
        if (size < 8) {
          skip_("pcapng_bad_block", at, "interface description shorter than 8 bytes");
          interfaces_.push_back(Interface{.link_type = -1});  // later interfaces keep their ids
          continue;
        }
        InterfaceDescription(body, size, at);
        continue;
      case kEnhancedPacket:
      case kObsoletePacket: {
        if (size < 20) {
          skip_("pcapng_bad_block", at, fmt::format("packet block of {} bytes", length));
          continue;
        }
        const uint32_t id = type == kEnhancedPacket ? U32(body) : U16(body);
        const uint32_t caplen = U32(body + 12);
        if (id >= interfaces_.size()) {
          skip_("pcapng_unknown_interface", at, fmt::format("interface {} of {} described", id, interfaces_.size()));
          continue;
        }
        if (caplen > size - 20) {
          skip_("pcapng_bad_packet_length", at, fmt::format("{} bytes captured in a {}-byte block", caplen, length));
          continue;
        }
        const Interface& itf = interfaces_[id];
        out->ts_us = last_ts_us_ = Micros(uint64_t{U32(body + 4)} << 32 | U32(body + 8), itf);
        out->link_type = itf.link_type;
        out->interface = id;
        out->data = body + 20;
        out->caplen = caplen;
        out->wire_len = std::max(U32(body + 16), caplen);
        out->offset = at;
        *got = true;
        return Status::OK();
      }
      case kSimplePacket: {
        if (size < 4) {
          skip_("pcapng_bad_block", at, fmt::format("simple packet block of {} bytes", length));
          continue;
        }
        if (interfaces_.empty()) {
          skip_("pcapng_unknown_interface", at, "simple packet block before any interface");
          continue;
        }
        const uint32_t wire = U32(body);
        out->ts_us = last_ts_us_;
        out->link_type = interfaces_[0].link_type;
        out->interface = 0;
        out->data = body + 4;
        out->caplen = std::min<size_t>(wire, size - 4);  // the rest of the block is padding
        out->wire_len = wire;
        out->offset = at;
        *got = true;
        return Status::OK();
      }
      case kNameResolution:
      case kInterfaceStatistics:
      case kSystemdJournal:
      case kDecryptionSecrets:
      case kCustomCopiable:
      case kCustomNotCopiable:
        continue;  // known, and nothing to decode
      default:
        skip_("pcapng_unknown_block", at, fmt::format("block type {:#x}", type));
        continue;
    }
  }
}

}  // namespace nsradar::ingest
