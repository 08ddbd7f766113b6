#include "ingest/dnstap_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/name.h"
#include "ingest/dns_message.h"
#include "ingest/internal/dnstap_proto.h"
#include "ingest/internal/query_matcher.h"
#include "util/byte_source.h"
#include "util/hash.h"
#include "util/refill_buffer.h"

namespace nsradar::ingest {
namespace {

constexpr size_t kMaxFrame = 1 << 20;
constexpr uint64_t kMaxSeconds = 1ULL << 40;  // beyond any real clock; keeps microseconds in range
constexpr uint32_t kControlStart = 2, kControlStop = 3;

using namespace dnstap;  // MessageType

// A protobuf wire-format reader over one message's bytes.
class ProtoReader {
 public:
  ProtoReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool done() const { return p_ == end_; }
  // Reads the next field's tag; false at the end or on malformed input
  // (then failed() is true).
  bool Next(uint32_t* field, uint32_t* wire_type) {
    if (p_ == end_) return false;
    uint64_t tag;
    if (!Varint(&tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff) return Fail();
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return true;
  }
  bool Varint(uint64_t* v) {
    if (p_ != end_ && *p_ < 0x80) {  // tags, types, ports' high bytes aside: most varints are one byte
      *v = *p_++;
      return true;
    }
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail();
      uint8_t b = *p_++;
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return Fail();
  }
  bool Bytes(const uint8_t** data, size_t* size) {
    uint64_t len;
    if (!Varint(&len) || len > static_cast<uint64_t>(end_ - p_)) return Fail();
    *data = p_;
    *size = static_cast<size_t>(len);
    p_ += len;
    return true;
  }
  bool Fixed32(uint32_t* v) {
    if (end_ - p_ < 4) return Fail();
    std::memcpy(v, p_, 4);  // little-endian on the wire, as on x86-64 and arm64
    p_ += 4;
    return true;
  }
  bool Skip(uint32_t wire_type) {
    uint64_t v;
    const uint8_t* d;
    size_t n;
    switch (wire_type) {
      case 0:
        return Varint(&v);
      case 1:
        if (end_ - p_ < 8) return Fail();
        p_ += 8;
        return true;
      case 2:
        return Bytes(&d, &n);
      case 5:
        if (end_ - p_ < 4) return Fail();
        p_ += 4;
        return true;
      default:
        return Fail();
    }
  }
  bool failed() const { return failed_; }

 private:
  bool Fail() {
    failed_ = true;
    return false;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool failed_ = false;
};

struct DnstapMessage {
  uint32_t type = 0;
  uint32_t family = 0, protocol = 0;
  const uint8_t* query_address = nullptr;
  size_t query_address_size = 0;
  const uint8_t* response_address = nullptr;
  size_t response_address_size = 0;
  uint32_t query_port = 0, response_port = 0;
  uint64_t query_sec = 0, response_sec = 0;
  uint32_t query_nsec = 0, response_nsec = 0;
  const uint8_t* query_message = nullptr;
  size_t query_message_size = 0;
  const uint8_t* response_message = nullptr;
  size_t response_message_size = 0;
  const uint8_t* query_zone = nullptr;
  size_t query_zone_size = 0;
};

// One switch over the whole tag (field number and wire type, one byte for
// every field of Message): a field of a known number but another wire type
// is skipped as an unknown one, as protobuf's parsers do.
bool ParseMessage(const uint8_t* p, size_t n, DnstapMessage* m) {
  constexpr auto Tag = [](uint32_t field, uint32_t wire_type) { return field << 3 | wire_type; };
  ProtoReader r(p, n);
  uint64_t tag, v;
  while (!r.done()) {
    if (!r.Varint(&tag)) return false;
    bool ok;
    switch (tag) {
      case Tag(1, 0):
        ok = r.Varint(&v);
        m->type = static_cast<uint32_t>(v);
        break;
      case Tag(2, 0):
        ok = r.Varint(&v);
        m->family = static_cast<uint32_t>(v);
        break;
      case Tag(3, 0):
        ok = r.Varint(&v);
        m->protocol = static_cast<uint32_t>(v);
        break;
      case Tag(4, 2):
        ok = r.Bytes(&m->query_address, &m->query_address_size);
        break;
      case Tag(5, 2):
        ok = r.Bytes(&m->response_address, &m->response_address_size);
        break;
      case Tag(6, 0):
        ok = r.Varint(&v);
        m->query_port = static_cast<uint32_t>(v);
        break;
      case Tag(7, 0):
        ok = r.Varint(&v);
        m->response_port = static_cast<uint32_t>(v);
        break;
      case Tag(8, 0):
        ok = r.Varint(&m->query_sec);
        break;
      case Tag(9, 5):
        ok = r.Fixed32(&m->query_nsec);
        break;
      case Tag(10, 2):
        ok = r.Bytes(&m->query_message, &m->query_message_size);
        break;
      case Tag(11, 2):
        ok = r.Bytes(&m->query_zone, &m->query_zone_size);
        break;
      case Tag(12, 0):
        ok = r.Varint(&m->response_sec);
        break;
      case Tag(13, 5):
        ok = r.Fixed32(&m->response_nsec);
        break;
      case Tag(14, 2):
        ok = r.Bytes(&m->response_message, &m->response_message_size);
        break;
      default:
        ok = (tag >> 3) != 0 && (tag >> 3) <= 0x1fffffff && r.Skip(static_cast<uint32_t>(tag & 7));
    }
    if (!ok) return false;
  }
  return true;
}

bool ToAddress(const uint8_t* p, size_t n, dns::Address* out) {
  if (n != 4 && n != 16) return false;
  out->family = n == 4 ? 4 : 6;
  out->bytes = {};
  std::memcpy(out->bytes.data(), p, n);
  return true;
}

bool IsUnspecified(const dns::Address& a) {
  for (uint8_t b : a.bytes) {
    if (b) return false;
  }
  return true;
}

// Echoes (DnsEvent::echo): a resolver-side event is one when, from 5 s
// before it to 2 s after it, the same sensor logged
//   - a client-side query for its name or a name below it: the query it
//     repeats upstream, or one QNAME minimisation steps towards; or
//   - a resolver-side query for a name below it, when its own answer was
//     empty (a referral or NODATA): a minimisation step towards that name.
// Either way another event carries its name whole: counting it again would
// count the same query twice. The events wait those 2 s of stream time
// before they are told, in time order: dnstap writers log the messages of
// different threads out of order (BIND writes a client's query up to about
// a second after the resolver-side messages it caused).
constexpr int64_t kEchoBeforeUs = 5'000'000;
constexpr int64_t kHoldUs = 2'000'000;
constexpr size_t kMaxHeld = 1 << 15;  // events; beyond, the oldest is told early

// Names queries asked lately, per sensor, each filed under the query's name
// and its ancestors (or its ancestors only), with the latest time. Keys are
// 64-bit hashes of (sensor, name), so memory is bounded by the entry count
// whatever the names and identities.
class RecentNames {
 public:
  static constexpr size_t kMaxEntries = 1 << 16;

  // Files `qname` (when `itself`) and its ancestors at ts_us.
  void Add(uint64_t sensor, std::string_view qname, bool itself, int64_t ts_us) {
    newest_us_ = std::max(newest_us_, ts_us);
    // The root is every name's ancestor: a query for it (priming) is
    // nobody's echo.
    for (std::string_view name = itself ? qname : dns::Parent(qname); !name.empty(); name = dns::Parent(name)) {
      const uint64_t key = Key(sensor, name);
      int64_t& latest = latest_us_[key];
      latest = std::max(latest, ts_us);
      order_.emplace_back(key, ts_us);
    }
    // Entries leave oldest first: before the window of every event still
    // held, or over the bound.
    while (!order_.empty() &&
           (order_.size() > kMaxEntries || order_.front().second < newest_us_ - kEchoBeforeUs - kHoldUs)) {
      auto it = latest_us_.find(order_.front().first);
      if (it != latest_us_.end() && it->second <= order_.front().second) latest_us_.erase(it);
      order_.pop_front();
    }
  }
  // Whether `sensor` filed `qname` from 5 s before ts_us on. Asked once
  // nothing later than ts_us + 2 s has been filed (events are told before
  // the message that ends their wait files its names), so the latest time
  // alone answers for the whole window.
  bool Covers(uint64_t sensor, std::string_view qname, int64_t ts_us) const {
    if (qname.empty()) return false;
    auto it = latest_us_.find(Key(sensor, qname));
    return it != latest_us_.end() && it->second >= ts_us - kEchoBeforeUs;
  }

 private:
  static uint64_t Key(uint64_t sensor, std::string_view name) {
    return HashBytes(name) ^ (sensor * 0x9e3779b97f4a7c15ULL);
  }
  std::unordered_map<uint64_t, int64_t> latest_us_;
  std::deque<std::pair<uint64_t, int64_t>> order_;
  int64_t newest_us_ = 0;
};

// Client-side query names of a stream that has shown no resolver-side
// message yet. Filing a name and its ancestors in RecentNames costs more than
// decoding the message, and only resolver-side events ever ask: a
// client-only stream, the usual one, keeps the latest names here instead and
// files them when the first resolver-side message comes (BIND logs a
// client's query after the resolver-side messages it caused, so those must
// still be found then). Bounded like RecentNames; the slots' strings keep
// their capacity, so after the first laps nothing is allocated.
class ClientNameBacklog {
 public:
  static constexpr size_t kMaxNames = 1 << 13;

  void Remember(uint64_t sensor, std::string_view qname, int64_t ts_us) {
    if (slots_.size() < kMaxNames) slots_.emplace_back();
    Slot& s = slots_[next_ % slots_.size()];
    ++next_;
    s.sensor = sensor;
    s.ts_us = ts_us;
    s.qname.assign(qname);
  }
  // Files the remembered names, oldest first, and forgets them.
  void MoveTo(RecentNames* names) {
    const size_t n = slots_.size();
    for (size_t i = 0; i < n; ++i) {
      const Slot& s = slots_[(next_ + i) % n];
      names->Add(s.sensor, s.qname, /*itself=*/true, s.ts_us);
    }
    slots_ = {};
    next_ = 0;
  }

 private:
  struct Slot {
    uint64_t sensor = 0;
    int64_t ts_us = 0;
    std::string qname;
  };
  std::vector<Slot> slots_;
  size_t next_ = 0;  // the slot written next; once full, the oldest
};

Transport ToTransport(uint32_t protocol) {
  switch (protocol) {
    case 1:
    case 5:
      return Transport::kUdp;
    case 2:
    case 6:
      return Transport::kTcp;
    case 3:
      return Transport::kDot;
    case 4:
      return Transport::kDoh;
    case 7:
      return Transport::kDoq;
  }
  return Transport::kUnknown;
}

}  // namespace

class DnstapDecoder::Impl {
 public:
  Impl(const SourceOptions& options, SourceStats* stats)
      : options_(options),
        psl_(options.psl ? *options.psl : dns::PublicSuffixList::Default()),
        stats_(stats),
        client_matcher_(options.match_timeout_us, options.max_pending_queries),
        resolver_matcher_(options.match_timeout_us, options.max_pending_queries) {}

  void Frame(const uint8_t* data, size_t size, const EventSink& sink) {
    ++stats_->records;
    sink_ = &sink;
    ProtoReader r(data, size);
    uint32_t field, wt;
    const uint8_t* message = nullptr;
    size_t message_size = 0;
    const uint8_t* identity = nullptr;
    size_t identity_size = 0;
    while (r.Next(&field, &wt)) {
      bool ok = (wt == 2 && field == 14)  ? r.Bytes(&message, &message_size)
                : (wt == 2 && field == 1) ? r.Bytes(&identity, &identity_size)
                                          : r.Skip(wt);
      if (!ok) break;
    }
    if (r.failed()) return Skip("dnstap_bad_protobuf", fmt::format("{} bytes", size));
    if (!message) return Skip("dnstap_no_message", "");
    DnstapMessage m;
    if (!ParseMessage(message, message_size, &m)) return Skip("dnstap_bad_protobuf", "in Message");
    sensor_.assign(reinterpret_cast<const char*>(identity), identity ? identity_size : 0);
    sensor_hash_ = HashBytes(sensor_);

    // The querying side of every type is in query_address: the client, the
    // stub, the tool, or for RESOLVER_* and FORWARDER_* the resolver itself.
    bool query;
    Vantage vantage = Vantage::kClient;
    switch (m.type) {
      case kClientQuery:
      case kAuthQuery:
      case kStubQuery:
      case kToolQuery:
        query = true;
        break;
      case kClientResponse:
      case kAuthResponse:
      case kStubResponse:
      case kToolResponse:
        query = false;
        break;
      case kResolverQuery:
      case kForwarderQuery:
        query = true;
        vantage = Vantage::kResolver;
        break;
      case kResolverResponse:
      case kForwarderResponse:
        query = false;
        vantage = Vantage::kResolver;
        break;
      default:
        return Skip("dnstap_unknown_message_type", fmt::format("type {}", m.type));
    }
    const bool resolver = vantage == Vantage::kResolver;
    if (options_.vantage == (resolver ? VantageChoice::kClient : VantageChoice::kResolver)) {
      return Skip(resolver ? "dnstap_resolver_side" : "dnstap_client_side", "");
    }
    const uint8_t* wire = query ? m.query_message : m.response_message;
    size_t wire_size = query ? m.query_message_size : m.response_message_size;
    if (!wire) return Skip("dnstap_no_dns_message", query ? "query" : "response");
    PacketInfo p;
    dns::Address client, server;
    if (!ToAddress(m.query_address, m.query_address_size, &client)) client = dns::Address();
    if (!ToAddress(m.response_address, m.response_address_size, &server)) server = dns::Address();
    // A resolver sending from a wildcard socket reports its unbound address
    // (BIND: 0.0.0.0), which is no host (event.h).
    if (resolver && client.family && IsUnspecified(client)) client = dns::Address();
    if (resolver && m.query_zone) {
      size_t consumed = 0;
      zone_.clear();
      if (dns::ParseWireName(m.query_zone, m.query_zone_size, &consumed, &zone_) || consumed != m.query_zone_size) {
        Skip("dnstap_bad_query_zone", fmt::format("frame {} (message kept without its zone)", stats_->records));
      } else {
        p.bailiwick = zone_;
      }
    }
    uint64_t sec = query ? m.query_sec : (m.response_sec ? m.response_sec : m.query_sec);
    uint32_t nsec = query ? m.query_nsec : (m.response_sec ? m.response_nsec : m.query_nsec);
    if (sec > kMaxSeconds || nsec >= 1'000'000'000) return Skip("dnstap_bad_time", fmt::format("{}.{:09d}", sec, nsec));
    p.ts_us = static_cast<int64_t>(sec) * 1'000'000 + nsec / 1000;
    newest_us_ = std::max(newest_us_, p.ts_us);
    ReleaseHeld(newest_us_ - kHoldUs);
    p.transport = ToTransport(m.protocol);
    p.size = static_cast<uint32_t>(wire_size);
    if (query) {
      p.src = client;
      p.sport = static_cast<uint16_t>(m.query_port);
      p.dst = server;
      p.dport = static_cast<uint16_t>(m.response_port);
    } else {
      p.src = server;
      p.sport = static_cast<uint16_t>(m.response_port);
      p.dst = client;
      p.dport = static_cast<uint16_t>(m.query_port);
    }
    DnsParseError e = ParseDnsMessage(wire, wire_size, true, &dns_);
    if (dns_.qname.empty() && e != DnsParseError::kNone) {
      return Skip(DnsParseErrorName(e), fmt::format("frame {}", stats_->records));
    }
    if (e != DnsParseError::kNone) Skip(DnsParseErrorName(e), "records after the question (question kept)");
    if (dns_.qr == query) {
      // The DNS header disagrees with the dnstap type; trust the header.
      Skip("dnstap_type_mismatch", fmt::format("frame {}", stats_->records));
    }
    if (resolver && !resolver_seen_) {
      resolver_seen_ = true;
      client_backlog_.MoveTo(&client_names_);
    }
    if (!dns_.qr && resolver) {
      resolver_names_below_.Add(sensor_hash_, dns_.qname, /*itself=*/false, p.ts_us);
    } else if (!dns_.qr && options_.vantage == VantageChoice::kBoth) {
      if (resolver_seen_) {
        client_names_.Add(sensor_hash_, dns_.qname, /*itself=*/true, p.ts_us);
      } else {
        client_backlog_.Remember(sensor_hash_, dns_.qname, p.ts_us);
      }
    }
    // Each side pairs in its own table: a resolver's upstream ids and ports
    // have nothing to do with its clients'.
    if (resolver) {
      resolver_matcher_.Add(p, dns_, &event_, [this](DnsEvent& ev) { Emit(ev, Vantage::kResolver); });
    } else {
      client_matcher_.Add(p, dns_, &event_, [this](DnsEvent& ev) { Emit(ev, Vantage::kClient); });
    }
  }

  void Finish(const EventSink& sink) {
    sink_ = &sink;
    client_matcher_.Flush(&event_, [this](DnsEvent& ev) { Emit(ev, Vantage::kClient); });
    resolver_matcher_.Flush(&event_, [this](DnsEvent& ev) { Emit(ev, Vantage::kResolver); });
    ReleaseHeld(INT64_MAX);
  }

 private:
  void Skip(const char* reason, const std::string& detail) {
    stats_->Skip(reason, fmt::format("frame {}: {}", stats_->records, detail), options_.max_samples);
  }
  void Emit(DnsEvent& ev, Vantage vantage) {
    ev.sensor = sensor_;
    ev.vantage = vantage;
    if (vantage == Vantage::kResolver) {
      if (held_.size() >= kMaxHeld) Tell(held_.begin());
      held_.emplace(ev.ts_us, ev);
      return;
    }
    Deliver(ev);
  }
  // Tells and delivers the held events of times up to `until`.
  void ReleaseHeld(int64_t until) {
    while (!held_.empty() && held_.begin()->first <= until) Tell(held_.begin());
  }
  void Tell(std::multimap<int64_t, DnsEvent>::iterator it) {
    DnsEvent& ev = it->second;
    const uint64_t sensor = HashBytes(ev.sensor);
    const bool step = ev.has_response && ev.rcode == 0 && ev.answers.empty();
    ev.echo = client_names_.Covers(sensor, ev.qname, ev.ts_us) ||
              (step && resolver_names_below_.Covers(sensor, ev.qname, ev.ts_us));
    if (!ev.echo || options_.keep_echoes) {
      Deliver(ev);
    } else {
      Skip("dnstap_resolver_echo", ev.qname);
    }
    held_.erase(it);
  }
  void Deliver(DnsEvent& ev) {
    if (options_.registered_domains) SetRegisteredDomain(psl_, &ev);
    ++stats_->events;
    (*sink_)(ev);
  }

  const SourceOptions& options_;
  const dns::PublicSuffixList& psl_;
  SourceStats* stats_;
  QueryMatcher client_matcher_, resolver_matcher_;
  // Client-side queries' names and ancestors; resolver-side queries'
  // ancestors only (a name below is another step, the same name is not).
  RecentNames client_names_, resolver_names_below_;
  ClientNameBacklog client_backlog_;       // client_names_' entries until resolver_seen_
  bool resolver_seen_ = false;             // a resolver-side message came
  std::multimap<int64_t, DnsEvent> held_;  // resolver-side events waiting kHoldUs, by time
  int64_t newest_us_ = 0;                  // the latest message time seen
  DnsMessage dns_;
  DnsEvent event_;
  std::string sensor_;
  uint64_t sensor_hash_ = 0;
  std::string zone_;  // the current message's query_zone, canonical
  const EventSink* sink_ = nullptr;
};

DnstapDecoder::DnstapDecoder(const SourceOptions& options, SourceStats* stats)
    : impl_(std::make_unique<Impl>(options, stats)) {}
DnstapDecoder::~DnstapDecoder() = default;
void DnstapDecoder::Frame(const uint8_t* data, size_t size, const EventSink& sink) { impl_->Frame(data, size, sink); }
void DnstapDecoder::Finish(const EventSink& sink) { impl_->Finish(sink); }

namespace {

uint32_t BigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint32_t>(u[0]) << 24 | static_cast<uint32_t>(u[1]) << 16 | static_cast<uint32_t>(u[2]) << 8 |
         u[3];
}

class DnstapFileSource : public EventSource {
 public:
  DnstapFileSource(std::string path, const SourceOptions& options) : path_(std::move(path)), options_(options) {}

  Status Run(const EventSink& sink) override {
    std::unique_ptr<ByteSource> in;
    NSRADAR_RETURN_IF_ERROR(ByteSource::Open(path_, &in));
    DnstapDecoder decoder(options_, &stats_);
    // Frames are taken out of large reads of the input, in place: one Read
    // per 256 KiB rather than two or three per frame, and no copy of a frame
    // that lies within one read.
    RefillBuffer reader(256 << 10);
    auto read = [&in](char* dst, size_t n, size_t* got) { return in->Read(dst, n, got); };
    uint64_t offset = 0;
    bool started = false;
    // Damage that ends the file: counted, and the run told; the frames before it stand.
    auto broken = [&](const char* reason, const std::string& detail) {
      std::string where = fmt::format("{} at byte {}: {}", path_, offset, detail);
      stats_.Skip(reason, where, options_.max_samples);
      stats_.input_error = Status::Corruption(where);
    };
    for (;;) {
      Status s = reader.Fill(4, read);
      if (!s.ok()) {
        broken("read_error", s.message());
        break;
      }
      if (reader.unread().size() == 0) break;
      if (reader.unread().size() < 4) {
        broken("dnstap_truncated_frame", "end of file");
        break;
      }
      uint32_t len = BigEndian32(reader.unread().data());
      reader.Consume(4);
      offset += 4;
      bool control = len == 0;
      if (control) {
        s = reader.Fill(4, read);
        if (!s.ok() || reader.unread().size() < 4) {
          broken(s.ok() ? "dnstap_truncated_frame" : "read_error",
                 s.ok() ? "control frame length cut short" : s.message());
          break;
        }
        len = BigEndian32(reader.unread().data());
        reader.Consume(4);
        offset += 4;
      }
      if (len > kMaxFrame) {
        // The stream cannot be resynchronised past a corrupt length.
        broken("dnstap_frame_too_large", fmt::format("{} bytes", len));
        break;
      }
      s = reader.Fill(len, read);
      if (!s.ok()) {
        broken("read_error", s.message());
        break;
      }
      if (reader.unread().size() < len) {
        broken("dnstap_truncated_frame", fmt::format("{} of {} bytes", reader.unread().size(), len));
        break;
      }
      const char* frame = reader.unread().data();
      reader.Consume(len);
      offset += len;
      if (control) {
        if (len < 4) {
          stats_.Skip("dnstap_bad_control_frame", fmt::format("{} at byte {}", path_, offset), options_.max_samples);
          continue;
        }
        const uint32_t type = BigEndian32(frame);
        if (type == kControlStart) started = true;
        if (type == kControlStop) break;
        continue;
      }
      if (!started) {
        return Status::InvalidArgument(path_ + ": not a Frame Streams file (no START control frame)");
      }
      decoder.Frame(reinterpret_cast<const uint8_t*>(frame), len, sink);
    }
    decoder.Finish(sink);
    return Status::OK();
  }

 private:
  std::string path_;
  SourceOptions options_;
};

}  // namespace

std::unique_ptr<EventSource> NewDnstapFileSource(const std::string& path, const SourceOptions& options) {
  return std::make_unique<DnstapFileSource>(path, options);
}

}  // namespace nsradar::ingest
