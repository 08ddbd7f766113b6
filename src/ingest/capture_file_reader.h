// CaptureFileReader: the packets of a capture file, classic pcap or pcapng,
// read by hand from a ByteSource, so gzip, zstd and xz captures read the same.
//
// Why not libpcap: it refuses a pcapng whose interfaces have different link
// types, and those are what mergecap and `tcpdump -i any` setups write
// (Ethernet beside Linux cooked SLL/SLL2). Here each packet carries its own
// interface's link type.
//
// pcap: both byte orders, the microsecond and the nanosecond magic. pcapng:
// any number of sections of either byte order, any number of interfaces,
// each with its if_tsresol (powers of 10 and of 2) and if_tsoffset; Enhanced,
// Simple and the obsolete Packet Blocks; every other block is passed over.
//
// Invariants: every length is checked against the block holding it and
// against kMaxBlock before anything is read, and a block's buffer grows only
// as its bytes arrive, so memory stays below both the largest block allowed
// and the input's size; every call consumes input (no hang). Times are
// clamped to [0, kMaxEventSeconds].
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/byte_source.h"
#include "util/status.h"

namespace nsradar::ingest {

struct CapturedPacket {
  int64_t ts_us = 0;
  int link_type = 0;              // LINKTYPE_* of the packet's interface (tcpdump.org/linktypes.html)
  uint32_t interface = 0;         // pcapng interface id; 0 in a pcap file
  const uint8_t* data = nullptr;  // valid until the next call of Next
  size_t caplen = 0, wire_len = 0;
  uint64_t offset = 0;  // of its record or block, in the decompressed file
};

class CaptureFileReader {
 public:
  // pcapng blocks and pcap records larger than this are taken as damage: the
  // largest snapshot length libpcap writes is 256 KiB.
  static constexpr uint32_t kMaxBlock = 16u << 20;

  // Told of each damaged or unusable record or block: a reason for the
  // counters, its offset in the decompressed file, and what was wrong.
  using SkipFn = std::function<void(const char* reason, uint64_t offset, const std::string& detail)>;

  // `in` must outlive the reader; `name` names the file in messages.
  CaptureFileReader(ByteSource* in, std::string name, SkipFn skip);

  // Reads the next packet into *out; *got is false at the end of the file.
  // A block that can be stepped over (an unknown interface, a packet longer
  // than its block, an unknown block type) is reported through `skip` and
  // passed. Damage that loses the file's framing (a truncated or impossible
  // length, a read or decompression error) is reported through `skip` too,
  // and returned as the error that ends the file: packets before it stand.
  Status Next(CapturedPacket* out, bool* got);

 private:
  struct Interface {
    int link_type = 0;
    uint64_t units_per_second = 1'000'000;
    int64_t offset_seconds = 0;
  };

  Status Start();
  Status NextPcap(CapturedPacket* out, bool* got);
  Status NextPcapng(CapturedPacket* out, bool* got);
  Status SectionHeader(const uint8_t* first12);
  void InterfaceDescription(const uint8_t* body, size_t size, uint64_t offset);
  // Reads exactly n bytes into `dst`; *got < n only at the end of the file.
  Status Read(void* dst, size_t n, size_t* got);
  // The same into block_, grown as the bytes arrive.
  Status ReadBlock(size_t n, size_t* got);
  // Reports damage that ends the file and returns it as the error.
  Status Fail(const char* reason, uint64_t offset, const std::string& detail);
  uint32_t U32(const uint8_t* p) const;
  uint16_t U16(const uint8_t* p) const;
  int64_t Micros(uint64_t units, const Interface& itf) const;

  ByteSource* in_;
  std::string name_;
  SkipFn skip_;
  bool started_ = false;
  bool pcapng_ = false;
  bool swapped_ = false;  // the file's (or section's) byte order is not the host's
  bool nanoseconds_ = false;
  int pcap_link_type_ = 0;
  uint64_t offset_ = 0;                // bytes read so far
  int64_t last_ts_us_ = 0;             // Simple Packet Blocks carry no time: they take the last one
  std::vector<Interface> interfaces_;  // of the current pcapng section
  std::vector<uint8_t> block_;
};

}  // namespace nsradar::ingest
