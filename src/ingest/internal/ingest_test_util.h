// Builders for the ingest tests and fuzz seeds: DNS messages and packets by
// hand, pcap files written through libpcap, and pcapng and pcap bytes laid
// out by hand (libpcap writes neither several link types nor the other byte
// order).
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ingest/internal/dnstap_proto.h"

namespace nsradar::ingest::testing {

// A DNS message assembled field by field.
class MessageBuilder {
 public:
  MessageBuilder(uint16_t id, bool response, uint8_t rcode = 0) {
    Put16(id);
    Put16(static_cast<uint16_t>((response ? 0x8180 : 0x0100) | rcode));
    Put16(1);
    Put16(0);
    Put16(0);
    Put16(0);
  }
  MessageBuilder& Question(const std::string& name, uint16_t type) {
    Name(name);
    Put16(type);
    Put16(1);
    return *this;
  }
  // An answer whose owner is a pointer to the question name (offset 12).
  MessageBuilder& AnswerA(uint32_t ttl, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    Put16(0xc00c);
    Put16(1);
    Put16(1);
    Put32(ttl);
    Put16(4);
    bytes_ += {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)};
    Bump(6);
    return *this;
  }
  MessageBuilder& Raw(const std::string& raw) {
    bytes_ += raw;
    return *this;
  }
  // A record with its owner written out, in the section whose count is at
  // `count_offset`: kAnswer, kAuthority or kAdditional.
  static constexpr size_t kAnswer = 6, kAuthority = 8, kAdditional = 10;
  MessageBuilder& Record(size_t count_offset, const std::string& owner, uint16_t type, const std::string& rdata,
                         uint32_t ttl = 300) {
    Name(owner);
    Put16(type);
    Put16(1);
    Put32(ttl);
    Put16(static_cast<uint16_t>(rdata.size()));
    bytes_ += rdata;
    Bump(count_offset);
    return *this;
  }
  // Wire form of a dotted name ("" is the root).
  static std::string WireName(const std::string& dotted) {
    MessageBuilder b;
    b.Name(dotted);
    return b.bytes_;
  }
  void Bump(size_t count_offset) {
    uint16_t v = static_cast<uint16_t>(static_cast<uint8_t>(bytes_[count_offset]) << 8 |
                                       static_cast<uint8_t>(bytes_[count_offset + 1]));
    ++v;
    bytes_[count_offset] = static_cast<char>(v >> 8);
    bytes_[count_offset + 1] = static_cast<char>(v);
  }
  void Name(const std::string& dotted) {
    size_t start = 0;
    while (start < dotted.size()) {
      size_t dot = dotted.find('.', start);
      if (dot == std::string::npos) dot = dotted.size();
      bytes_.push_back(static_cast<char>(dot - start));
      bytes_ += dotted.substr(start, dot - start);
      start = dot + 1;
    }
    bytes_.push_back('\0');
  }
  void Put16(uint16_t v) {
    bytes_.push_back(static_cast<char>(v >> 8));
    bytes_.push_back(static_cast<char>(v));
  }
  void Put32(uint32_t v) {
    Put16(static_cast<uint16_t>(v >> 16));
    Put16(static_cast<uint16_t>(v));
  }
  const std::string& bytes() const { return bytes_; }

 private:
  MessageBuilder() = default;
  std::string bytes_;
};

using namespace ::nsradar::ingest::dnstap;  // MessageType, as testing::kClientQuery

// One dnstap frame (a serialized dnstap.Dnstap holding a Message), encoded
// by hand as the schema says, for messages no real server sends.
struct DnstapFrame {
  std::string identity;
  uint32_t type = kClientQuery;
  std::string query_address, response_address;  // 4 or 16 bytes
  uint16_t query_port = 0, response_port = 53;
  int64_t time_us = 0;  // of the query for query types, else of the response
  std::string dns;      // the DNS message
  bool has_zone = false;
  std::string zone;  // query_zone, wire form

  std::string Encode() const {
    std::string m;
    Varint(&m, 1, type);
    Varint(&m, 2, query_address.size() == 16 ? 2 : 1);
    Varint(&m, 3, 1);
    Bytes(&m, 4, query_address);
    Bytes(&m, 5, response_address);
    Varint(&m, 6, query_port);
    Varint(&m, 7, response_port);
    const bool query = type % 2 == 1;
    Varint(&m, query ? 8 : 12, static_cast<uint64_t>(time_us / 1'000'000));
    Fixed32(&m, query ? 9 : 13, static_cast<uint32_t>(time_us % 1'000'000 * 1000));
    if (has_zone) Bytes(&m, 11, zone);
    Bytes(&m, query ? 10 : 14, dns);
    std::string frame;
    if (!identity.empty()) Bytes(&frame, 1, identity);
    Varint(&frame, 15, 1);  // Dnstap.Type MESSAGE
    Bytes(&frame, 14, m);
    return frame;
  }
  static std::string V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)};
  }

 private:
  static void Raw(std::string* out, uint64_t v) {
    do {
      out->push_back(static_cast<char>((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
      v >>= 7;
    } while (v);
  }
  static void Varint(std::string* out, uint32_t field, uint64_t v) {
    Raw(out, field << 3);
    Raw(out, v);
  }
  static void Bytes(std::string* out, uint32_t field, const std::string& bytes) {
    Raw(out, field << 3 | 2);
    Raw(out, bytes.size());
    *out += bytes;
  }
  static void Fixed32(std::string* out, uint32_t field, uint32_t v) {
    Raw(out, field << 3 | 5);
    for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
  }
};

inline void Append16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v >> 8));
  s->push_back(static_cast<char>(v));
}

// An IPv4 packet (no link header) carrying `payload` with protocol `proto`;
// frag_field is the flags/fragment-offset word.
inline std::string Ipv4(uint32_t src, uint32_t dst, uint8_t proto, const std::string& payload, uint16_t id = 1,
                        uint16_t frag_field = 0, uint16_t total_override = 0) {
  std::string p;
  p.push_back(0x45);
  p.push_back(0);
  Append16(&p, total_override ? total_override : static_cast<uint16_t>(20 + payload.size()));
  Append16(&p, id);
  Append16(&p, frag_field);
  p.push_back(64);
  p.push_back(static_cast<char>(proto));
  Append16(&p, 0);
  for (uint32_t a : {src, dst}) {
    for (int i = 3; i >= 0; --i) p.push_back(static_cast<char>(a >> (i * 8)));
  }
  return p + payload;
}

inline std::string Udp(uint16_t sport, uint16_t dport, const std::string& payload) {
  std::string u;
  Append16(&u, sport);
  Append16(&u, dport);
  Append16(&u, static_cast<uint16_t>(8 + payload.size()));
  Append16(&u, 0);
  return u + payload;
}

inline std::string Tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const std::string& payload) {
  std::string t;
  Append16(&t, sport);
  Append16(&t, dport);
  Append16(&t, static_cast<uint16_t>(seq >> 16));
  Append16(&t, static_cast<uint16_t>(seq));
  Append16(&t, 0);
  Append16(&t, 0);
  t.push_back(0x50);  // 20-byte header
  t.push_back(static_cast<char>(flags));
  Append16(&t, 65535);
  Append16(&t, 0);
  Append16(&t, 0);
  return t + payload;
}

// A pcap file of raw-IP packets (DLT_RAW), written by libpcap itself.
class PcapWriter {
 public:
  PcapWriter(const std::string& path, int link_type = DLT_RAW) {
    dead_ = pcap_open_dead(link_type, 65535);
    dumper_ = pcap_dump_open(dead_, path.c_str());
  }
  ~PcapWriter() { Close(); }
  void Add(int64_t ts_us, const std::string& packet) {
    pcap_pkthdr h{};
    h.ts.tv_sec = ts_us / 1'000'000;
    h.ts.tv_usec = ts_us % 1'000'000;
    h.caplen = h.len = static_cast<uint32_t>(packet.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, reinterpret_cast<const u_char*>(packet.data()));
  }
  void Close() {
    if (dumper_) pcap_dump_close(dumper_);
    if (dead_) pcap_close(dead_);
    dumper_ = nullptr;
    dead_ = nullptr;
  }

 private:
  pcap_t* dead_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
};

// An Ethernet frame (zero addresses) carrying an IPv4 packet.
inline std::string Ethernet(const std::string& ip_packet) {
  return std::string(12, '\0') + std::string("\x08\x00", 2) + ip_packet;
}

// Capture file bytes in a chosen byte order.
class CaptureBytes {
 public:
  explicit CaptureBytes(bool big_endian) : big_(big_endian) {}
  void U16(uint16_t v) {
    for (int i = 0; i < 2; ++i) bytes_.push_back(static_cast<char>(v >> (big_ ? 8 - 8 * i : 8 * i)));
  }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<char>(v >> (big_ ? 24 - 8 * i : 8 * i)));
  }
  void U64(uint64_t v) {
    U32(static_cast<uint32_t>(big_ ? v >> 32 : v));
    U32(static_cast<uint32_t>(big_ ? v : v >> 32));
  }
  void Raw(const std::string& s) { bytes_ += s; }
  void Pad() {
    while (bytes_.size() % 4) bytes_.push_back('\0');
  }
  void set_big_endian(bool big) { big_ = big; }
  std::string& bytes() { return bytes_; }

 private:
  bool big_;
  std::string bytes_;
};

// A pcapng file block by block (pcapng spec, IETF draft-ietf-opsawg-pcapng).
class PcapngBuilder {
 public:
  // A Section Header Block; the blocks after it use its byte order.
  PcapngBuilder& Section(bool big_endian) {
    big_ = big_endian;
    out_.set_big_endian(big_endian);
    CaptureBytes body(big_endian);
    body.U32(0x1a2b3c4d);
    body.U16(1);
    body.U16(0);
    body.U64(~uint64_t{0});  // section length unknown
    return Block(0x0a0d0d0a, body.bytes());
  }
  // An Interface Description Block; `tsresol` < 0 leaves the option out.
  PcapngBuilder& Interface(uint16_t link_type, int tsresol = -1, int64_t tsoffset = 0) {
    CaptureBytes body(big_);
    body.U16(link_type);
    body.U16(0);
    body.U32(65535);
    if (tsresol >= 0) {
      body.U16(9);
      body.U16(1);
      body.Raw(std::string(1, static_cast<char>(tsresol)));
      body.Pad();
    }
    if (tsoffset) {
      body.U16(14);
      body.U16(8);
      body.U64(static_cast<uint64_t>(tsoffset));
    }
    body.U32(0);  // end of options
    return Block(1, body.bytes());
  }
  PcapngBuilder& Enhanced(uint32_t interface, uint64_t ts, const std::string& packet) {
    CaptureBytes body(big_);
    body.U32(interface);
    return PacketBlock(6, &body, ts, packet);
  }
  // The obsolete Packet Block: a 16-bit interface id and a drops count.
  PcapngBuilder& Obsolete(uint16_t interface, uint64_t ts, const std::string& packet) {
    CaptureBytes body(big_);
    body.U16(interface);
    body.U16(0);
    return PacketBlock(2, &body, ts, packet);
  }
  PcapngBuilder& Simple(const std::string& packet) {
    CaptureBytes body(big_);
    body.U32(static_cast<uint32_t>(packet.size()));
    body.Raw(packet);
    body.Pad();
    return Block(3, body.bytes());
  }
  // Any block: type, body (padded here), and both lengths.
  PcapngBuilder& Block(uint32_t type, std::string body) {
    while (body.size() % 4) body.push_back('\0');
    out_.U32(type);
    out_.U32(static_cast<uint32_t>(body.size() + 12));
    out_.Raw(body);
    out_.U32(static_cast<uint32_t>(body.size() + 12));
    return *this;
  }
  std::string& bytes() { return out_.bytes(); }

 private:
  // The rest of an Enhanced or obsolete Packet Block after the interface id.
  PcapngBuilder& PacketBlock(uint32_t type, CaptureBytes* body, uint64_t ts, const std::string& packet) {
    body->U32(static_cast<uint32_t>(ts >> 32));
    body->U32(static_cast<uint32_t>(ts));
    body->U32(static_cast<uint32_t>(packet.size()));
    body->U32(static_cast<uint32_t>(packet.size()));
    body->Raw(packet);
    return Block(type, body->bytes());
  }

  bool big_ = false;
  CaptureBytes out_{false};
};

}  // namespace nsradar::ingest::testing
