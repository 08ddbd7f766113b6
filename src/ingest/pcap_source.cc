#include "ingest/pcap_source.h"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>

#include "ingest/capture_file_reader.h"
#include "ingest/dns_message.h"
#include "ingest/internal/ip_defrag.h"
#include "ingest/internal/query_matcher.h"
#include "ingest/internal/tcp_reassembly.h"
#include "util/byte_source.h"

namespace nsradar::ingest {
namespace {

inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         p[3];
}

constexpr int kLinkTypeSll2 = 276;  // DLT_LINUX_SLL2, absent from older headers
constexpr int kLinkTypeRaw = 101;   // LINKTYPE_RAW: raw IP in files, DLT_RAW (12) in libpcap

}  // namespace

class PacketDecoder::Impl {
 public:
  Impl(const SourceOptions& options, SourceStats* stats)
      : options_(options),
        psl_(options.psl ? *options.psl : dns::PublicSuffixList::Default()),
        stats_(stats),
        matcher_(options.match_timeout_us, options.max_pending_queries),
        tcp_(options.max_tcp_flows) {}

  void Packet(int link_type, int64_t ts_us, const uint8_t* p, size_t caplen, size_t wire_len, const EventSink& sink) {
    ++stats_->records;
    ts_us_ = ts_us;
    sink_ = &sink;
    (void)wire_len;  // a short snap length shows up as an IP length beyond the captured bytes
    uint16_t ethertype = 0;
    size_t off = 0;
    switch (link_type) {
      case DLT_EN10MB: {
        if (caplen < 14) return Skip("short_link_header", "");
        ethertype = Get16(p + 12);
        off = 14;
        while ((ethertype == 0x8100 || ethertype == 0x88a8) && caplen >= off + 4) {
          ethertype = Get16(p + off + 2);
          off += 4;
        }
        break;
      }
      case DLT_LINUX_SLL:
        if (caplen < 16) return Skip("short_link_header", "");
        ethertype = Get16(p + 14);
        off = 16;
        break;
      case kLinkTypeSll2:
        if (caplen < 20) return Skip("short_link_header", "");
        ethertype = Get16(p);
        off = 20;
        break;
      case DLT_NULL:
      case DLT_LOOP: {
        if (caplen < 4) return Skip("short_link_header", "");
        uint32_t family;
        std::memcpy(&family, p, 4);
        if (link_type == DLT_LOOP) family = Get32(p);
        if (family > 0xffff) family = __builtin_bswap32(family);  // written on a host of the other byte order
        ethertype = family == 2 ? 0x0800 : (family == 24 || family == 28 || family == 30) ? 0x86dd : 0;
        off = 4;
        break;
      }
      case DLT_RAW:
      case kLinkTypeRaw:
      case DLT_IPV4:
      case DLT_IPV6:
        if (caplen < 1) return Skip("short_link_header", "");
        ethertype = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
        break;
      default:
        return Skip("unsupported_link_type", fmt::format("link type {}", link_type));
    }
    if (ethertype == 0x0800) return Ipv4(p + off, caplen - off);
    if (ethertype == 0x86dd) return Ipv6(p + off, caplen - off);
    Skip("not_ip", "");
  }

  void Finish(const EventSink& sink) {
    sink_ = &sink;
    matcher_.Flush(&event_, [this](DnsEvent& ev) { Emit(ev); });
  }

 private:
  void Skip(const char* reason, const std::string& detail) {
    stats_->Skip(reason, fmt::format("packet {}: {}", stats_->records, detail), options_.max_samples);
  }

  void Emit(DnsEvent& ev) {
    if (options_.registered_domains) SetRegisteredDomain(psl_, &ev);
    ++stats_->events;
    (*sink_)(ev);
  }

  void Ipv4(const uint8_t* p, size_t n) {
    if (n < 20 || (p[0] >> 4) != 4) return Skip("bad_ipv4_header", "");
    size_t ihl = (p[0] & 15) * 4;
    size_t total = Get16(p + 2);
    if (ihl < 20 || total < ihl || total > n) return Skip("bad_ipv4_header", fmt::format("length {}", total));
    dns::Address src, dst;
    src.family = dst.family = 4;
    std::memcpy(src.bytes.data(), p + 12, 4);
    std::memcpy(dst.bytes.data(), p + 16, 4);
    uint16_t frag = Get16(p + 6);
    bool more = frag & 0x2000;
    size_t frag_off = static_cast<size_t>(frag & 0x1fff) * 8;
    if (more || frag_off) {
      Fragment f{src, dst, Get16(p + 4), p[9], frag_off, more, p + ihl, total - ihl, ts_us_};
      return Defrag(f);
    }
    TransportLayer(p[9], src, dst, p + ihl, total - ihl);
  }

  void Ipv6(const uint8_t* p, size_t n) {
    if (n < 40 || (p[0] >> 4) != 6) return Skip("bad_ipv6_header", "");
    size_t len = Get16(p + 4);
    if (40 + len > n) return Skip("bad_ipv6_header", fmt::format("payload length {}", len));
    dns::Address src, dst;
    src.family = dst.family = 6;
    std::memcpy(src.bytes.data(), p + 8, 16);
    std::memcpy(dst.bytes.data(), p + 24, 16);
    uint8_t next = p[6];
    const uint8_t* q = p + 40;
    size_t rest = len;
    for (int hops = 0; hops < 8; ++hops) {
      if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
        if (rest < 8 || rest < (static_cast<size_t>(q[1]) + 1) * 8) return Skip("bad_ipv6_header", "extension");
        size_t ext = (static_cast<size_t>(q[1]) + 1) * 8;
        next = q[0];
        q += ext;
        rest -= ext;
        continue;
      }
      if (next == 44) {  // fragment
        if (rest < 8) return Skip("bad_ipv6_header", "fragment header");
        uint16_t offm = Get16(q + 2);
        Fragment f{src,   dst,      Get32(q + 4), q[0], static_cast<size_t>(offm & 0xfff8), (offm & 1) != 0,
                   q + 8, rest - 8, ts_us_};
        return Defrag(f);
      }
      return TransportLayer(next, src, dst, q, rest);
    }
    Skip("bad_ipv6_header", "too many extension headers");
  }

  void Defrag(const Fragment& f) {
    const char* reason = nullptr;
    switch (defrag_.Add(f, &reassembled_, &reason)) {
      case IpDefrag::Result::kIncomplete:
        return;
      case IpDefrag::Result::kDropped:
        return Skip(reason, "");
      case IpDefrag::Result::kComplete: {
        std::string whole = std::move(reassembled_);
        TransportLayer(f.protocol, f.src, f.dst, reinterpret_cast<const uint8_t*>(whole.data()), whole.size());
        reassembled_ = std::move(whole);
      }
    }
  }

  bool IsDnsPort(uint16_t port) const {
    return std::find(options_.dns_ports.begin(), options_.dns_ports.end(), port) != options_.dns_ports.end();
  }

  void TransportLayer(uint8_t proto, const dns::Address& src, const dns::Address& dst, const uint8_t* p, size_t n) {
    if (proto == 17) {
      if (n < 8) return Skip("short_udp_header", "");
      uint16_t sport = Get16(p), dport = Get16(p + 2);
      size_t len = Get16(p + 4);
      if (len < 8 || len > n) return Skip("bad_udp_length", fmt::format("length {}", len));
      if (!IsDnsPort(sport) && !IsDnsPort(dport)) return Skip("not_dns_port", "");
      PacketInfo info{ts_us_, src, dst, sport, dport, Transport::kUdp, static_cast<uint32_t>(len - 8), std::nullopt};
      return Message(info, p + 8, len - 8);
    }
    if (proto == 6) {
      if (n < 20) return Skip("short_tcp_header", "");
      size_t hl = (p[12] >> 4) * 4;
      if (hl < 20 || hl > n) return Skip("short_tcp_header", "");
      uint16_t sport = Get16(p), dport = Get16(p + 2);
      if (!IsDnsPort(sport) && !IsDnsPort(dport)) return Skip("not_dns_port", "");
      uint8_t flags = p[13];
      TcpSegment s{src,    dst,    sport, dport, Get32(p + 4), (flags & 2) != 0, (flags & 1) != 0, (flags & 4) != 0,
                   p + hl, n - hl, ts_us_};
      tcp_.Add(
          s,
          [&](const uint8_t* msg, size_t len) {
            PacketInfo info{ts_us_, src, dst, sport, dport, Transport::kTcp, static_cast<uint32_t>(len), std::nullopt};
            Message(info, msg, len);
          },
          [&](const char* reason) { Skip(reason, ""); });
      return;
    }
    Skip("not_udp_or_tcp", fmt::format("protocol {}", proto));
  }

  void Message(const PacketInfo& info, const uint8_t* p, size_t n) {
    DnsParseError e = ParseDnsMessage(p, n, true, &message_);
    if (e != DnsParseError::kNone && message_.qname.empty() && message_.qdcount > 0) {
      return Skip(DnsParseErrorName(e), fmt::format("{} bytes", n));
    }
    if (e == DnsParseError::kShortHeader || e == DnsParseError::kNoQuestion) {
      return Skip(DnsParseErrorName(e), fmt::format("{} bytes", n));
    }
    if (e != DnsParseError::kNone) Skip(DnsParseErrorName(e), "records after the question (question kept)");
    if (message_.opcode != 0) return Skip("dns_not_a_query", fmt::format("opcode {}", message_.opcode));
    matcher_.Add(info, message_, &event_, [this](DnsEvent& ev) { Emit(ev); });
  }

  const SourceOptions& options_;
  const dns::PublicSuffixList& psl_;
  SourceStats* stats_;
  QueryMatcher matcher_;
  TcpReassembly tcp_;
  IpDefrag defrag_;
  DnsMessage message_;
  DnsEvent event_;
  std::string reassembled_;
  int64_t ts_us_ = 0;
  const EventSink* sink_ = nullptr;
};

PacketDecoder::PacketDecoder(const SourceOptions& options, SourceStats* stats)
    : impl_(std::make_unique<Impl>(options, stats)) {}
PacketDecoder::~PacketDecoder() = default;
void PacketDecoder::Packet(int link_type, int64_t ts_us, const uint8_t* data, size_t caplen, size_t wire_len,
                           const EventSink& sink) {
  impl_->Packet(link_type, ts_us, data, caplen, wire_len, sink);
}
void PacketDecoder::Finish(const EventSink& sink) { impl_->Finish(sink); }

namespace {

class CaptureFileSource : public EventSource {
 public:
  CaptureFileSource(std::string path, const SourceOptions& options) : path_(std::move(path)), options_(options) {}

  Status Run(const EventSink& sink) override {
    std::unique_ptr<ByteSource> in;
    NSRADAR_RETURN_IF_ERROR(ByteSource::Open(path_, &in));
    CaptureFileReader reader(in.get(), path_, [this](const char* reason, uint64_t offset, const std::string& detail) {
      stats_.Skip(reason, fmt::format("{} at byte {}: {}", path_, offset, detail), options_.max_samples);
    });
    PacketDecoder decoder(options_, &stats_);
    CapturedPacket packet;
    for (;;) {
      bool got = false;
      // Damage that ends the file is counted by the reader; what was read
      // before it stands, and the run is told through input_error.
      if (Status s = reader.Next(&packet, &got); !s.ok()) {
        stats_.input_error = s;
        break;
      }
      if (!got) break;
      decoder.Packet(packet.link_type, packet.ts_us, packet.data, packet.caplen, packet.wire_len, sink);
    }
    decoder.Finish(sink);
    return Status::OK();
  }

 private:
  std::string path_;
  SourceOptions options_;
};

class PcapLiveSource : public EventSource {
 public:
  PcapLiveSource(std::string interface, std::string filter, const SourceOptions& options, const std::atomic<bool>* stop)
      : interface_(std::move(interface)), filter_(std::move(filter)), options_(options), stop_(stop) {}

  Status Run(const EventSink& sink) override {
    char err[PCAP_ERRBUF_SIZE] = {0};
    pcap_t* raw = pcap_create(interface_.c_str(), err);
    if (!raw) return Status::IOError(interface_ + ": " + err);
    std::unique_ptr<pcap_t, void (*)(pcap_t*)> handle(raw, pcap_close);
    pcap_set_snaplen(raw, 65535);
    pcap_set_timeout(raw, 100);
    pcap_set_immediate_mode(raw, 1);
    if (pcap_activate(raw) < 0) return Status::IOError(interface_ + ": cannot capture: " + pcap_geterr(raw));
    std::string filter = filter_;
    if (filter.empty()) {
      for (uint16_t port : options_.dns_ports) {
        filter += (filter.empty() ? "" : " or ") + fmt::format("port {}", port);
      }
      filter = "(" + filter + ") or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44";  // fragments too
    }
    bpf_program prog;
    if (pcap_compile(raw, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(raw, &prog) != 0) {
      return Status::InvalidArgument("--filter '" + filter + "': " + pcap_geterr(raw));
    }
    pcap_freecode(&prog);
    const int link_type = pcap_datalink(raw);
    PacketDecoder decoder(options_, &stats_);
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    for (;;) {
      int rc = pcap_next_ex(raw, &hdr, &data);
      if (rc == 1) {
        int64_t ts = static_cast<int64_t>(hdr->ts.tv_sec) * 1'000'000 + hdr->ts.tv_usec;
        decoder.Packet(link_type, ts, data, hdr->caplen, hdr->len, sink);
        continue;
      }
      if (rc == 0) {  // timeout
        if (stop_ && stop_->load()) break;
        continue;
      }
      if (rc == PCAP_ERROR_BREAK) break;
      // The interface went away: what was captured stands; the rest is reported.
      stats_.input_error = Status::IOError(interface_ + ": " + pcap_geterr(raw));
      stats_.Skip("pcap_read_error", stats_.input_error.message(), options_.max_samples);
      break;
    }
    decoder.Finish(sink);
    return Status::OK();
  }

 private:
  std::string interface_, filter_;
  SourceOptions options_;
  const std::atomic<bool>* stop_;
};

}  // namespace

std::unique_ptr<EventSource> NewPcapFileSource(const std::string& path, const SourceOptions& options) {
  return std::make_unique<CaptureFileSource>(path, options);
}

std::unique_ptr<EventSource> NewPcapLiveSource(const std::string& interface, const std::string& filter,
                                               const SourceOptions& options, const std::atomic<bool>* stop) {
  return std::make_unique<PcapLiveSource>(interface, filter, options, stop);
}

}  // namespace nsradar::ingest
