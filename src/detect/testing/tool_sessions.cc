#include "detect/testing/tool_sessions.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <random>
#include <string_view>

#include "dns/public_suffix.h"
#include "dns/rr_type.h"
#include "ingest/dns_message.h"
#include "ingest/source.h"

namespace nsradar::detect::testing {
namespace {

using Bytes = std::string;  // raw bytes

constexpr uint16_t kNULL = 10, kKEY = 25, kPRIVATE = 65399;  // PRIVATE: iodine's private type

// ---------------------------------------------------------------------------
// Encodings. Every tool here encodes the same way, each with its own
// alphabet: groups of `bits` bits, most significant first, the last group
// filled up with zero bits, no padding characters.

std::string PackBits(std::string_view data, int bits, std::string_view alphabet) {
  std::string out;
  out.reserve((data.size() * 8 + bits - 1) / bits);
  uint32_t acc = 0;
  int have = 0;
  const uint32_t mask = (1u << bits) - 1;
  for (unsigned char c : data) {
    acc = (acc << 8) | c;
    have += 8;
    while (have >= bits) {
      have -= bits;
      out.push_back(alphabet[(acc >> have) & mask]);
    }
  }
  if (have > 0) out.push_back(alphabet[(acc << (bits - have)) & mask]);
  return out;
}

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // RFC 4648
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Hex(std::string_view b) { return PackBits(b, 4, kHex); }

// Splits `s` into pieces of at most `n` bytes.
std::vector<std::string> Chop(std::string_view s, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); i += n) out.emplace_back(s.substr(i, n));
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

void Put16(Bytes* b, uint16_t v) {
  b->push_back(static_cast<char>(v >> 8));
  b->push_back(static_cast<char>(v));
}
void Put32(Bytes* b, uint32_t v) {
  Put16(b, static_cast<uint16_t>(v >> 16));
  Put16(b, static_cast<uint16_t>(v));
}
Bytes Be16(uint16_t v) {
  Bytes b;
  Put16(&b, v);
  return b;
}
Bytes Be32(uint32_t v) {
  Bytes b;
  Put32(&b, v);
  return b;
}
Bytes Le32(uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t Below(uint64_t n) { return gen_() % n; }
  uint16_t U16() { return static_cast<uint16_t>(gen_()); }
  uint32_t U32() { return static_cast<uint32_t>(gen_()); }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  Bytes Random(size_t n) {
    Bytes b(n, '\0');
    for (char& c : b) c = static_cast<char>(gen_());
    return b;
  }
  std::string Pick(std::string_view alphabet, size_t n) {
    std::string s(n, ' ');
    for (char& c : s) c = alphabet[Below(alphabet.size())];
    return s;
  }

 private:
  std::mt19937_64 gen_;
};

// ---------------------------------------------------------------------------
// DNS messages. A session builds the query and the response each tool and
// its server would put on the wire and reads them back with the ingest
// parser, so an event holds exactly what a capture of those packets would.

struct Rr {
  uint16_t type = 0;
  uint32_t ttl = 0;
  Bytes rdata;
};

// `name` holds the labels' bytes separated by dots (no tool here puts a dot
// byte inside a label).
void PutName(Bytes* b, std::string_view name) {
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    b->push_back(static_cast<char>(dot - start));
    b->append(name.substr(start, dot - start));
    start = dot + 1;
  }
  b->push_back('\0');
}
Bytes WireName(std::string_view name) {
  Bytes b;
  PutName(&b, name);
  return b;
}

Rr ARecord(uint32_t ttl, uint32_t address) { return {dns::rr::kA, ttl, Be32(address)}; }
Rr TxtRecord(uint32_t ttl, const std::vector<std::string>& strings) {
  Rr r{dns::rr::kTXT, ttl, {}};
  for (const std::string& s : strings) {
    r.rdata.push_back(static_cast<char>(s.size()));
    r.rdata += s;
  }
  return r;
}

struct Reply {
  int rcode = 0;
  std::vector<Rr> answers;
};

struct Query {
  int64_t ts_us = 0;
  std::string name;
  uint16_t qtype = 0;
  uint16_t id = 0;
  uint16_t port = 0;
  bool edns = false;  // an OPT record (EDNS0, 4096-byte UDP size) in the query and so in the answer
};

Bytes Message(const Query& q, const Reply* reply) {
  Bytes m;
  Put16(&m, q.id);
  Put16(&m, reply ? static_cast<uint16_t>(0x8180 | reply->rcode) : 0x0100);  // QR RD RA rcode / RD
  Put16(&m, 1);
  Put16(&m, reply ? static_cast<uint16_t>(reply->answers.size()) : 0);
  Put16(&m, 0);
  Put16(&m, q.edns ? 1 : 0);
  PutName(&m, q.name);
  Put16(&m, q.qtype);
  Put16(&m, dns::rrclass::kIN);
  if (reply) {
    for (const Rr& r : reply->answers) {
      Put16(&m, 0xc00c);  // the question's name
      Put16(&m, r.type);
      Put16(&m, dns::rrclass::kIN);
      Put32(&m, r.ttl);
      Put16(&m, static_cast<uint16_t>(r.rdata.size()));
      m += r.rdata;
    }
  }
  if (q.edns) m += std::string_view("\0\0\x29\x10\0\0\0\0\0\0\0", 11);
  return m;
}

class Session {
 public:
  Session(const SessionContext& ctx, uint64_t tool) : ctx_(ctx), rng_(ctx.seed * 0x9e3779b97f4a7c15ULL + tool) {}
  Rng& rng() { return rng_; }
  const SessionContext& ctx() const { return ctx_; }
  void set_server(const dns::Address& server) { server_ = server; }

  // One transaction; `reply` null: the query went unanswered.
  void Add(const Query& q, const Reply* reply) {
    ingest::DnsEvent& ev = events_.emplace_back();
    const Bytes query = Message(q, nullptr);
    ingest::DnsMessage m;
    ingest::ParseDnsMessage(reinterpret_cast<const uint8_t*>(query.data()), query.size(), false, &m);
    ev.ts_us = q.ts_us;
    ev.client = ctx_.client;
    ev.server = server_ ? *server_ : ctx_.resolver;
    ev.client_port = q.port;
    ev.server_port = 53;
    ev.transport = ingest::Transport::kUdp;
    ev.qname = m.qname;
    ev.qname_raw = m.qname_raw;
    ev.qtype = m.qtype;
    ev.qclass = m.qclass;
    ev.id = m.id;
    ev.has_query = true;
    ev.query_size = static_cast<uint32_t>(query.size());
    if (reply) {
      const Bytes response = Message(q, reply);
      ingest::ParseDnsMessage(reinterpret_cast<const uint8_t*>(response.data()), response.size(), true, &m);
      ev.has_response = true;
      ev.rcode = m.rcode;
      ev.answers = m.answers;
      ev.response_size = static_cast<uint32_t>(response.size());
    }
    ingest::SetRegisteredDomain(dns::PublicSuffixList::Default(), &ev);
  }

  // Transactions of concurrent workers may be added out of order.
  std::vector<ingest::DnsEvent> Finish() {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const ingest::DnsEvent& a, const ingest::DnsEvent& b) { return a.ts_us < b.ts_us; });
    return std::move(events_);
  }

 private:
  SessionContext ctx_;
  Rng rng_;
  std::optional<dns::Address> server_;
  std::vector<ingest::DnsEvent> events_;
};

// ---------------------------------------------------------------------------
// dnscat2.
//
// Follows iagox86/dnscat2: doc/protocol.md (the SYN/MSG/FIN/ENC packets, the
// encrypted form header + 6-byte signature + 2-byte nonce + encrypted body,
// the DNS transport and its answers per type), the client's
// tunnel_drivers/driver_dns.c (lowercase hex in labels of 60 characters,
// "dnscat." before it or the domain after it, MAX_DNSCAT_LENGTH, a query type
// drawn per query), tunnel_drivers/driver_dns.h (DEFAULT_TYPES "TXT,CNAME,MX"),
// controller/session.c (ENC|INIT, then SYN, then MSG; random session id and
// ISN; the next poll right away when data moved, else after packet_delay,
// 1000 ms; FIN "Stream closed"), dnscat.c (a command session named
// "command (<hostname>)"), and the server's tunnel_drivers/driver_dns.rb (the
// answers' encodings and lengths, TTL 60) and libs/dnser.rb (MX preference 10).
// Assumed: idle polls 1000-1050 ms apart (the client's select loop ticks
// every 50 ms); the server sends its data as fast as the client polls; the
// server's SYN options and FIN reason; no pre-shared secret (no ENC|AUTH).

constexpr uint8_t kDnscatSyn = 0x00, kDnscatMsg = 0x01, kDnscatFin = 0x02, kDnscatEnc = 0x03;

class Dnscat2 {
 public:
  Dnscat2(const SessionContext& ctx, const Dnscat2Options& o) : s_(ctx, 1), o_(o) {
    if (o.prefix_mode) s_.set_server(o.server);
  }

  std::vector<ingest::DnsEvent> Run() {
    Rng& rng = s_.rng();
    session_ = static_cast<uint16_t>(rng.Below(0xffff));
    uint16_t my_seq = static_cast<uint16_t>(rng.Below(0xffff)), their_seq = rng.U16();
    port_ = static_cast<uint16_t>(32768 + rng.Below(28000));
    int64_t t = s_.ctx().start_us;
    const int64_t rtt = s_.ctx().rtt_us;

    if (o_.encrypted) {  // ENC|INIT: subtype 0, flags 0, the public key's x and y
      Exchange(t, Packet(kDnscatEnc, Be16(0) + Be16(0) + rng.Random(64)),
               [&](size_t) { return Packet(kDnscatEnc, Be16(0) + Be16(0) + rng.Random(64)); });
      t += rtt;
    }
    const Bytes name = "command (DESKTOP-" + rng.Pick("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 7) + ")";
    Exchange(t, Seal(Packet(kDnscatSyn, Be16(my_seq) + Be16(0x0021) + name + '\0'), &my_nonce_),
             [&](size_t) { return Seal(Packet(kDnscatSyn, Be16(their_seq) + Be16(0x0021)), &their_nonce_); });
    t += rtt;  // the SYN's answer lets the client send at once

    size_t up = o_.bytes_up, down = o_.bytes_down;
    int64_t last_data = t;
    while (up > 0 || down > 0 || t - last_data < o_.idle_us) {
      const size_t n_up = std::min(up, ClientRoom() - kMsgHeader);
      size_t n_down = 0;
      const uint16_t seq = my_seq, ack = their_seq;
      Exchange(
          t, Seal(Packet(kDnscatMsg, Be16(seq) + Be16(ack) + rng.Random(n_up)), &my_nonce_), [&](size_t server_room) {
            n_down = std::min(down, server_room - kMsgHeader);
            return Seal(Packet(kDnscatMsg, Be16(ack) + Be16(static_cast<uint16_t>(seq + n_up)) + rng.Random(n_down)),
                        &their_nonce_);
          });
      my_seq = static_cast<uint16_t>(my_seq + n_up);
      their_seq = static_cast<uint16_t>(their_seq + n_down);
      up -= n_up;
      down -= n_down;
      if (n_up > 0 || n_down > 0) {
        last_data = t;
        t += rtt;
      } else {
        t += o_.delay_us + rng.Between(0, 50'000);
      }
    }
    if (o_.close) {
      Exchange(t, Seal(Packet(kDnscatFin, Bytes("Stream closed") + '\0'), &my_nonce_),
               [&](size_t) { return Seal(Packet(kDnscatFin, Bytes("Stream closed") + '\0'), &their_nonce_); });
    }
    return s_.Finish();
  }

 private:
  static constexpr size_t kMsgHeader = 9;  // packet id, type, session id, seq, ack
  static constexpr size_t kSealing = 8;    // signature and nonce

  Bytes Packet(uint8_t type, const Bytes& body) {
    return Be16(static_cast<uint16_t>(s_.rng().Below(0xffff))) + static_cast<char>(type) + Be16(session_) + body;
  }
  // Encrypted packets keep their 5-byte header in clear; the body becomes
  // Salsa20 output, indistinguishable here from random bytes.
  Bytes Seal(const Bytes& packet, uint16_t* nonce) {
    if (!o_.encrypted) return packet;
    return packet.substr(0, 5) + s_.rng().Random(6) + Be16((*nonce)++) + s_.rng().Random(packet.size() - 5);
  }
  size_t Sealing() const { return o_.encrypted ? kSealing : 0; }
  // MAX_DNSCAT_LENGTH: what a query name holds, less the sealing.
  size_t ClientRoom() const { return 127 - (o_.prefix_mode ? 6 : o_.domain.size()) - 1 - 5 - Sealing(); }
  // The server's get_max_length for the query type, less the sealing.
  size_t ServerRoom(uint16_t qtype) const {
    const size_t domain_length = o_.prefix_mode ? 7 : o_.domain.size() + 1;
    switch (qtype) {
      case dns::rr::kA:
        return 64 * 3 - 1 - Sealing();
      case dns::rr::kAAAA:
        return 16 * 15 - 1 - Sealing();
      case dns::rr::kTXT:
        return 241 / 2 - Sealing();
      default:  // CNAME, MX: the domain comes back too
        return 241 / 2 - domain_length - Sealing();
    }
  }

  std::string QueryName(const Bytes& packet) const {
    const std::string labels = Join(Chop(Hex(packet), 60), ".");
    return o_.prefix_mode ? "dnscat." + labels : labels + "." + o_.domain;
  }

  Reply Answer(uint16_t qtype, const Bytes& packet) {
    const uint32_t ttl = 60;
    Reply r;
    const std::string suffix = o_.prefix_mode ? "dnscat" : o_.domain;
    switch (qtype) {
      case dns::rr::kTXT:
        r.answers.push_back(TxtRecord(ttl, {Hex(packet)}));
        break;
      case dns::rr::kCNAME:
      case dns::rr::kMX: {
        const std::string host = o_.prefix_mode ? suffix + "." + Join(Chop(Hex(packet), 63), ".")
                                                : Join(Chop(Hex(packet), 63), ".") + "." + suffix;
        r.answers.push_back({qtype, ttl, (qtype == dns::rr::kMX ? Be16(10) : Bytes()) + WireName(host)});
        break;
      }
      default: {  // A, AAAA: a sequence byte, then the length-prefixed packet, padded with 0xff
        const size_t chunk = qtype == dns::rr::kA ? 3 : 15;
        const int max_records = qtype == dns::rr::kA ? 64 : 16;
        uint32_t seq = static_cast<uint32_t>(s_.rng().Below(255 - max_records - 1));
        for (std::string part : Chop(static_cast<char>(packet.size()) + packet, chunk)) {
          part.resize(chunk, '\xff');
          r.answers.push_back({qtype, ttl, static_cast<char>(++seq) + part});
        }
      }
    }
    return r;
  }

  // One query of a client packet and its answer, the server's packet made
  // by `answer` from the room the drawn query type leaves it.
  template <typename ServerPacket>
  void Exchange(int64_t t, const Bytes& client_packet, ServerPacket answer) {
    const uint16_t qtype = o_.qtypes[s_.rng().Below(o_.qtypes.size())];
    const Bytes server_packet = answer(ServerRoom(qtype));
    const Reply reply = Answer(qtype, server_packet);
    s_.Add({t, QueryName(client_packet), qtype, s_.rng().U16(), port_, false}, &reply);
  }

  Session s_;
  Dnscat2Options o_;
  uint16_t session_ = 0, port_ = 0, my_nonce_ = 0, their_nonce_ = 0;
};

// ---------------------------------------------------------------------------
// DNSExfiltrator.
//
// Follows Arno0x/DNSExfiltrator: dnsExfiltrator.cs (Main: the file zipped in
// memory under its own name, RC4 with the password, Base64URL or, with -b32,
// Base32, both without padding; r= and l= taken only below 255 and 63; the
// chunk size arithmetic and nbChunks = length / chunkMaxSize + 1; the first
// request "init.<Base32 of '<file name>|<nbChunks>'>.base32|base64.<domain>"
// in upper-case Base32 whatever the data encoding; then "<chunk index>.<data
// labels>.<domain>", one request at a time, each waiting for its answer, t=
// ms apart; DnsQuery_W with DNS_TYPE_TXT and DNS_QUERY_BYPASS_CACHE) and
// dnsexfiltrator.py (answers: TXT "OK" to init, the chunk number to a chunk).
// The init message carries the number of chunks, not the file size. The file
// name is Path.GetFileName of a file that must exist, so the tool always
// sends one; an empty `file_name` gives what the same code sends for an
// empty one ("|<nbChunks>"). An init label over 63 characters (file names
// of about 36 bytes and more) is refused by DnsQuery_W before anything is
// sent, and the tool stops: the session is empty. A chunk size of 0 throws
// before the init request, a negative one after it.
// Assumed: ZipArchive's layout (30 + name + data + 46 + name + 22 bytes,
// no data descriptor) and that the file does not compress (zlib stores it,
// 5 bytes per 16 KiB block); Windows' source port and id random per query.

std::vector<ingest::DnsEvent> Exfiltrate(const SessionContext& ctx, const DnsExfiltratorOptions& o) {
  Session s(ctx, 2);
  Rng& rng = s.rng();
  const int request_max = o.request_max_size < 255 ? o.request_max_size : 255;
  const int label_max = o.label_max_size < 63 ? o.label_max_size : 63;
  const size_t stored = o.file_size + 5 * std::max<size_t>(1, (o.file_size + 16383) / 16384);
  const Bytes ciphertext = rng.Random(30 + o.file_name.size() + stored + 46 + o.file_name.size() + 22);
  const std::string data = PackBits(ciphertext, o.base32 ? 5 : 6, o.base32 ? kBase32 : kBase64Url);

  const int bytes_left = request_max - 10 - (static_cast<int>(o.domain.size()) + 2);
  const int full_labels = bytes_left / (label_max + 1);
  const int smallest_label = bytes_left % (label_max + 1) - 1;
  const int chunk_max = full_labels * label_max + smallest_label;
  if (chunk_max == 0) return {};
  const int chunks = static_cast<int>(data.size()) / chunk_max + 1;

  const std::string init = PackBits(o.file_name + "|" + std::to_string(chunks), 5, kBase32);
  if (init.size() > 63) return {};
  int64_t t = ctx.start_us;
  auto request = [&](const std::string& name, const std::string& answer) {
    const Reply reply{0, {TxtRecord(0, {answer})}};
    s.Add({t, name, dns::rr::kTXT, rng.U16(), static_cast<uint16_t>(49152 + rng.Below(16384)), false}, &reply);
    t += ctx.rtt_us + o.throttle_us;
  };
  request("init." + init + (o.base32 ? ".base32." : ".base64.") + o.domain, "OK");
  if (chunk_max < 0) return s.Finish();
  int index = 0;
  for (size_t i = 0; i < data.size(); i += static_cast<size_t>(chunk_max), ++index) {
    const std::string chunk = data.substr(i, static_cast<size_t>(chunk_max));
    request(std::to_string(index) + "." + Join(Chop(chunk, static_cast<size_t>(label_max)), ".") + "." + o.domain,
            std::to_string(index));
  }
  return s.Finish();
}

// ---------------------------------------------------------------------------
// Cobalt Strike DNS Beacon.
//
// Follows, the beacon being closed source, what is public: Fortra's Cobalt
// Strike manual (DNS Beacon: data channels `mode dns`, `mode dns6`,
// `mode dnstxt`, TXT by default; a beacon checks in, sending its metadata,
// only when tasked; the malleable dns-beacon options and defaults dns_idle
// 0.0.0.0, dns_max_txt 252, dns_sleep 0, maxdns 255, beacon "", get_A
// "cdn.", get_AAAA "www6.", get_TXT "api.", put_metadata "www.",
// put_output "post."); the format strings public YARA rules and the default
// 4.4 profile list from beacon.dll ("cdn.%x%x.%s", "www6.%x%x.%s",
// "api.%x%x.%s", "%s.1%x.%x%x.%s" and "%s.<N>%08x....%x%x.%s" for N data
// labels of up to 7 32-bit words, the first of 5 words when there are 4);
// Didier Stevens' cs-parse-traffic.py (DidierStevens/Beta), which decodes
// real DNS Beacon traffic: the ping is an A query for the beacon id in hex,
// its answer XOR dns_idle is 0 when idle, else 240-255 with bit 0 "send
// metadata" and bits 1-3 the channel (0 A, 2 TXT, 4 AAAA); transfers name
// "<prefix><counter><transfer id>.<beacon id>.<domain>", counter 0 first;
// a download's first answer is an A record holding the size XOR dns_idle,
// then 4-byte A, 16-byte AAAA or base64 TXT pieces; an upload's first name
// carries "1<size in hex>", the next ones "<N><hex words>"; metadata and
// callbacks are AES (16-byte blocks) with a 16-byte HMAC; Fox-IT's "Hunting
// for beacons" (2020): jitter draws each sleep uniformly from
// [sleep * (1 - jitter), sleep].
// Assumed: beacon ids random with the bits 0x4b2 set that cs-parse-traffic
// checks for; counters count queries (1, 2, ...); transfer ids random; each
// upload query takes the longest format that fits maxdns (and DNS's 253
// characters) and the words left; uploads are A queries answered dns_idle;
// metadata is 128 bytes (one RSA-1024 block); a task is a 16-byte-padded AES
// body of 16 + its argument bytes with a 16-byte HMAC, and output is sent as
// a 4-byte length and an AES body of 12 + its bytes, padded, with a 16-byte
// HMAC; the Windows resolver's source port and id new for every query.

class Beacon {
 public:
  Beacon(const SessionContext& ctx, const CobaltStrikeDnsOptions& o) : s_(ctx, 3), o_(o) {}

  std::vector<ingest::DnsEvent> Run() {
    Rng& rng = s_.rng();
    id_ = PrintHex((rng.U32() & 0x7ffffffe) | 0x4b2);
    t_ = s_.ctx().start_us;
    bool metadata_sent = false;
    for (int i = 0; i < o_.checkins; ++i) {
      const bool tasked = std::find(o_.task_checkins.begin(), o_.task_checkins.end(), i) != o_.task_checkins.end();
      const uint32_t mode = o_.channel == BeaconChannel::kA ? 0 : o_.channel == BeaconChannel::kTxt ? 2 : 4;
      const uint32_t signal = tasked ? 0xf0 | mode | (metadata_sent ? 0 : 1) : 0;
      Ask(o_.beacon + id_ + "." + o_.domain, dns::rr::kA, {ARecord(1, o_.dns_idle ^ signal)});
      if (tasked) {
        if (!metadata_sent) Upload(o_.put_metadata, rng.Random(128));
        metadata_sent = true;
        Download(rng.Random(Padded(16 + o_.task_bytes) + 16));
        if (o_.output_bytes > 0) {
          const size_t body = Padded(12 + o_.output_bytes) + 16;
          Upload(o_.put_output, Be32(static_cast<uint32_t>(body)) + rng.Random(body));
        }
      }
      t_ += o_.sleep_us - rng.Between(0, o_.sleep_us * o_.jitter_percent / 100);
    }
    return s_.Finish();
  }

 private:
  static size_t Padded(size_t n) { return (n + 15) / 16 * 16; }
  static std::string PrintHex(uint32_t v) {  // printf's %x
    std::string h = Hex(Be32(v));
    return h.substr(std::min(h.find_first_not_of('0'), h.size() - 1));
  }

  // dns_sleep comes before every request.
  void Ask(const std::string& name, uint16_t qtype, std::vector<Rr> answers) {
    t_ += o_.dns_sleep_us;
    const Reply reply{0, std::move(answers)};
    s_.Add({t_, name, qtype, s_.rng().U16(), static_cast<uint16_t>(49152 + s_.rng().Below(16384)), false}, &reply);
    t_ += s_.ctx().rtt_us;
  }
  std::string Tail(uint32_t counter, const std::string& transfer) const {
    return "." + PrintHex(counter) + transfer + "." + id_ + "." + o_.domain;
  }

  void Download(const Bytes& data) {
    const std::string transfer = PrintHex(s_.rng().U32());
    const std::string& prefix = o_.channel == BeaconChannel::kA     ? o_.get_a
                                : o_.channel == BeaconChannel::kTxt ? o_.get_txt
                                                                    : o_.get_aaaa;
    Ask(prefix.substr(0, prefix.size() - 1) + Tail(0, transfer), dns::rr::kA,
        {ARecord(1, static_cast<uint32_t>(data.size()) ^ o_.dns_idle)});
    const size_t piece = o_.channel == BeaconChannel::kA      ? 4
                         : o_.channel == BeaconChannel::kAAAA ? 16
                                                              : o_.dns_max_txt / 4 * 3;
    uint32_t counter = 0;
    for (std::string part : Chop(data, piece)) {
      const std::string name = prefix.substr(0, prefix.size() - 1) + Tail(++counter, transfer);
      if (o_.channel == BeaconChannel::kTxt) {
        std::string text = PackBits(part, 6, kBase64);
        text.resize((text.size() + 3) / 4 * 4, '=');
        Ask(name, dns::rr::kTXT, {TxtRecord(1, {text})});
      } else {
        part.resize(piece, '\0');
        const uint16_t qtype = o_.channel == BeaconChannel::kA ? dns::rr::kA : dns::rr::kAAAA;
        Ask(name, qtype, {{qtype, 1, part}});
      }
    }
  }

  // Word counts of the data labels of each upload format, longest first.
  static constexpr std::array<std::array<int, 4>, 12> kFormats = {{{5, 7, 7, 7},
                                                                   {7, 7, 7, 0},
                                                                   {7, 7, 0, 0},
                                                                   {6, 6, 0, 0},
                                                                   {5, 5, 0, 0},
                                                                   {7, 0, 0, 0},
                                                                   {6, 0, 0, 0},
                                                                   {5, 0, 0, 0},
                                                                   {4, 0, 0, 0},
                                                                   {3, 0, 0, 0},
                                                                   {2, 0, 0, 0},
                                                                   {1, 0, 0, 0}}};

  void Upload(const std::string& prefix, const Bytes& data) {
    const std::string transfer = PrintHex(s_.rng().U32());
    const std::string head = prefix.substr(0, prefix.size() - 1);
    Ask(head + ".1" + PrintHex(static_cast<uint32_t>(data.size())) + Tail(0, transfer), dns::rr::kA,
        {ARecord(1, o_.dns_idle)});
    const std::string words = Hex(data);  // 8 hex digits a word; uploads are whole words
    uint32_t counter = 0;
    for (size_t at = 0; at < words.size();) {
      const std::string tail = Tail(++counter, transfer);
      size_t taken = 0;
      for (const auto& format : kFormats) {
        std::vector<std::string> labels;
        size_t take = 0;
        for (int n : format) take += 8 * static_cast<size_t>(n);
        if (at + take > words.size()) continue;
        for (size_t from = at; int n : format) {
          if (n > 0) labels.push_back(words.substr(from, 8 * static_cast<size_t>(n)));
          from += 8 * static_cast<size_t>(n);
        }
        const std::string name = head + "." + std::to_string(labels.size()) + Join(labels, ".") + tail;
        if (name.size() > std::min<size_t>(static_cast<size_t>(o_.maxdns), 253)) continue;
        Ask(name, dns::rr::kA, {ARecord(1, o_.dns_idle)});
        taken = take;
        break;
      }
      if (taken == 0) return;  // not even one word fits maxdns: the beacon cannot upload
      at += taken;
    }
  }

  Session s_;
  CobaltStrikeDnsOptions o_;
  std::string id_;
  int64_t t_ = 0;
};

// ---------------------------------------------------------------------------
// Sliver DNS C2.
//
// Follows BishopFox/sliver: implant/sliver/transports/dnsclient/dnsclient.go
// (SessionInit: a TOTP message for the DNS session id, 4 NOP fingerprints per
// resolver answered with their CRC32, the INIT key exchange over TXT;
// SplitBuffer and joinSubdataToParent: protobuf DNSMessage in Sliver's
// Base32, as many bytes as fit subdataSpace, labels of 63; WriteEnvelope:
// DATA_FROM_IMPLANT over A, 2 workers per resolver; ReadEnvelope: a POLL over
// TXT, the MANIFEST's size fetched in DATA_TO_IMPLANT pieces of 182 bytes,
// then CLEAR over A; message ids msgCount<<24 | session id),
// transports/session.go (dnsConnect: a poll, then 250 ms), protobuf/dnspb/
// dns.proto (fields and type numbers), encoders/base32.go and
// util/encoders/base64.go (alphabets), implant/sliver/cryptography
// (AgeKeyExToServer: a 32-byte key digest, then age of an HMAC and the key
// with its "age-encryption.org/v1\n-> X25519 " prefix cut; ChaCha20-Poly1305
// with a 12-byte nonce over gzip), and server/c2/dns.go (TTL 0; session ids
// with non-zero first and last bytes; TXT answers in Sliver's Base64 in
// strings of 254; an empty TXT record while a message is incomplete or no
// envelope waits; CRC32 answers to A queries).
// Assumed: one resolver; gzip adds 23 bytes to incompressible data (header,
// trailer, one stored block); the age stanza of one X25519 recipient; the
// operator's tasks arriving between polls.

constexpr std::string_view kSliverBase32 = "ab1c2d3e4f5g6h7j8k9m0npqrtuvwxyz";
constexpr std::string_view kSliverBase64 = "a0b2c5def6hijklmnopqr_st-uvwxyzA1B3C4DEFGHIJKLM7NO9PQR8ST+UVWXYZ";
enum SliverType : uint32_t {
  kNop = 0,
  kTotp = 1,
  kInit = 2,
  kPoll = 3,
  kManifest = 6,
  kToImplant = 7,
  kFromImplant = 8,
  kClear = 9
};

void PutVarint(Bytes* b, uint64_t v) {
  while (v >= 0x80) {
    b->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  b->push_back(static_cast<char>(v));
}

struct SliverMessage {
  uint32_t type = 0, id = 0, start = 0, stop = 0, size = 0;
  Bytes data;
  // proto3: fields at their zero value are left out.
  Bytes Encode() const {
    Bytes b;
    const std::array<uint32_t, 5> fields = {type, id, start, stop, size};
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == 0) continue;
      b.push_back(static_cast<char>((i + 1) << 3));
      PutVarint(&b, fields[i]);
    }
    if (!data.empty()) {
      b.push_back(static_cast<char>(6 << 3 | 2));
      PutVarint(&b, data.size());
      b += data;
    }
    return b;
  }
};

uint32_t Crc32(const Bytes& b) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size())));
}

class Sliver {
 public:
  Sliver(const SessionContext& ctx, const SliverDnsOptions& o) : s_(ctx, 4), o_(o) {
    const size_t parent = o.domain.size() + 2;  // ".<domain>."
    space_ = 254 - parent - (1 + (254 - parent) / 64);
  }

  std::vector<ingest::DnsEvent> Run() {
    Rng& rng = s_.rng();
    t_ = s_.ctx().start_us;
    uint32_t assigned = 0;
    while ((assigned & 0xff) == 0 || (assigned >> 24) == 0) assigned = rng.U32();
    session_ = assigned & 0x00ffffff;
    Ask(Encode(SliverMessage{kTotp, 0, 0, 0, 0, {}}.Encode()), dns::rr::kA, AReply(Le32(assigned)));
    for (int i = 0; i < 4; ++i) {
      const Bytes nop = SliverMessage{kNop, session_, 0, 0, 0, rng.Random(8)}.Encode();
      Ask(Encode(nop), dns::rr::kA, AReply(Le32(Crc32(nop))));
    }
    // INIT: the key exchange; the last piece's answer is the session id
    // sealed with the new key.
    const auto init = Split(SliverMessage{kInit, NextId(), 0, 0, 264, {}}, rng.Random(264));
    for (size_t i = 0; i < init.size(); ++i) {
      Ask(init[i].first, dns::rr::kTXT, i + 1 < init.size() ? Txt({}) : Txt(rng.Random(Sealed(4))));
    }
    Send(o_.register_bytes);
    int task = 0;
    int64_t end = o_.tasks == 0 ? t_ + o_.idle_us : 0;
    for (int poll = 1; end == 0 || t_ < end; ++poll) {
      const Bytes nonce = rng.Random(8);
      if (task < o_.tasks && poll % o_.polls_between_tasks == 0) {
        Receive(nonce, Sealed(o_.task_bytes));
        Send(o_.result_bytes);
        if (++task == o_.tasks) end = t_ + o_.idle_us;
      } else {
        Ask(Encode(SliverMessage{kPoll, session_, 0, 0, 0, nonce}.Encode()), dns::rr::kTXT, Txt({}));
      }
      t_ += 250'000;
    }
    return s_.Finish();
  }

 private:
  static constexpr int kWorkers = 2;

  // ChaCha20-Poly1305 over gzip: nonce, gzip's additions, tag.
  static size_t Sealed(size_t n) { return 12 + n + 23 + 16; }
  uint32_t NextId() { return (++msg_count_ % 255) << 24 | session_; }

  std::string Join63(const std::string& subdata) const { return Join(Chop(subdata, 63), ".") + "." + o_.domain; }
  std::string Encode(const Bytes& message) const { return Join63(PackBits(message, 5, kSliverBase32)); }
  static Reply AReply(const Bytes& four) { return {0, {{dns::rr::kA, 0, four}}}; }
  static Reply Txt(const Bytes& message) {
    if (message.empty()) return {0, {TxtRecord(0, {})}};
    return {0, {TxtRecord(0, Chop(PackBits(message, 6, kSliverBase64), 254))}};
  }

  // SplitBuffer, step for step: each query's name and the message it carries.
  std::vector<std::pair<std::string, Bytes>> Split(SliverMessage msg, const Bytes& data) const {
    std::vector<std::pair<std::string, Bytes>> names;
    size_t start = 0, stop = 0, last_len = 0;
    while (stop < data.size()) {
      msg.start = static_cast<uint32_t>(start);
      stop += last_len == 0 ? space_ / 2 - 1 : last_len - 4;
      if (data.size() <= stop) stop = data.size() - 1;
      std::string encoded;
      Bytes message;
      while (encoded.size() < space_ - 1 && stop < data.size()) {
        ++stop;
        msg.data = data.substr(start, stop - start);
        message = msg.Encode();
        encoded = PackBits(message, 5, kSliverBase32);
      }
      last_len = msg.data.size();
      names.emplace_back(Join63(encoded), message);
      start = stop;
    }
    return names;
  }

  void Ask(const std::string& name, uint16_t qtype, const Reply& reply) {
    s_.Add({t_, name, qtype, s_.rng().U16(), s_.rng().U16(), false}, &reply);
    t_ += s_.ctx().rtt_us;
  }
  // The workers' queries: kWorkers at a time.
  void Parallel(const std::vector<std::pair<std::string, Reply>>& work, uint16_t qtype) {
    for (size_t i = 0; i < work.size(); ++i) {
      const int64_t at =
          t_ + static_cast<int64_t>(i / kWorkers) * s_.ctx().rtt_us + static_cast<int64_t>(i % kWorkers) * 300;
      s_.Add({at, work[i].first, qtype, s_.rng().U16(), s_.rng().U16(), false}, &work[i].second);
    }
    t_ += static_cast<int64_t>((work.size() + kWorkers - 1) / kWorkers) * s_.ctx().rtt_us;
  }

  // WriteEnvelope of `plaintext` bytes.
  void Send(size_t plaintext) {
    const Bytes ciphertext = s_.rng().Random(Sealed(plaintext));
    std::vector<std::pair<std::string, Reply>> work;
    SliverMessage msg{kFromImplant, NextId(), 0, 0, static_cast<uint32_t>(ciphertext.size()), {}};
    for (const auto& [name, message] : Split(msg, ciphertext)) work.emplace_back(name, AReply(Le32(Crc32(message))));
    Parallel(work, dns::rr::kA);
  }
  // ReadEnvelope when the server holds an envelope of `size` bytes.
  void Receive(const Bytes& nonce, size_t size) {
    const uint32_t id = (++server_count_ % 255) << 24 | session_;
    Ask(Encode(SliverMessage{kPoll, session_, 0, 0, 0, nonce}.Encode()), dns::rr::kTXT,
        Txt(SliverMessage{kManifest, id, 0, 0, static_cast<uint32_t>(size), {}}.Encode()));
    std::vector<std::pair<std::string, Reply>> work;
    for (uint32_t start = 0; start < size; start += 182) {
      const uint32_t stop = std::min<uint32_t>(start + 182, static_cast<uint32_t>(size));
      work.emplace_back(Encode(SliverMessage{kToImplant, id, start, stop, 0, {}}.Encode()),
                        Txt(SliverMessage{0, 0, start, 0, 0, s_.rng().Random(stop - start)}.Encode()));
    }
    Parallel(work, dns::rr::kTXT);
    const Bytes clear = SliverMessage{kClear, id, 0, 0, 0, s_.rng().Random(8)}.Encode();
    Ask(Encode(clear), dns::rr::kA, AReply(Le32(Crc32(clear))));
  }
  Session s_;
  SliverDnsOptions o_;
  size_t space_ = 0;
  uint32_t session_ = 0, msg_count_ = 0, server_count_ = 0;
  int64_t t_ = 0;
};

// ---------------------------------------------------------------------------
// iodine.
//
// Follows yarrick/iodine 0.7: doc/proto_00000502.txt (the handshake
// requests: v version, l login, i server address, y downstream codec check,
// z upstream codec bounce, s and o codec and option switches, r fragment
// size probe, n fragment size, p ping; their answers) and src/client.c
// (client_handshake's order: query type autodetection NULL, PRIVATE, TXT
// with 1, 2 and 3 s timeouts; version, login, raw UDP attempt, EDNS0 check,
// the Base128 and Base64 bounce patterns, codec and lazy switches, the
// binary search of the downstream fragment size from 768, each probe tried
// 3 times; send_query's DNS ids 7727 apart; the cache-miss counter
// rand_seed, +1 a request, as 2 bytes or 3 Base32 characters; the pings of
// client_tunnel every selecttimeout, 4 s in lazy mode), src/encoding.c
// (build_hostname: room = 255 - topdomain - 8, less a dot every 57
// characters), src/base32.c, base64.c, base128.c (alphabets, bit order, what
// an encoder emits when out of room), src/encoding.h (DOWNCODECCHECK1) and
// src/iodined.c (answers to the handshake; an 'o' answered in its new codec).
// NULL and PRIVATE answers carry raw bytes, TXT answers a codec letter and
// the encoded bytes in strings of up to 255.
// Assumed: the answers' TTL 0; a path that does not keep 8-bit bytes
// answers SERVFAIL to a name or codec check holding them; a lowercasing
// path lowercases the bounced name; a probe larger than the path carries
// goes unanswered; the raw UDP login (not DNS) takes its 4 attempts, 10 s,
// when it fails; the login answer's addresses; the pings' answers carry
// no data.

constexpr std::string_view kIodineBase32 = "abcdefghijklmnopqrstuvwxyz012345";
constexpr std::string_view kIodineBase64 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789+";
constexpr std::string_view kIodineBase64u = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789_";
constexpr std::string_view kIodineBase128 =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "\274\275\276\277\300\301\302\303\304\305\306\307\310\311\312\313\314\315\316\317\320\321\322\323\324\325\326"
    "\327\330\331\332\333\334\335\336\337\340\341\342\343\344\345\346\347\350\351\352\353\354\355\356\357\360\361"
    "\362\363\364\365\366\367\370\371\372\373\374\375";
constexpr std::string_view kDowncodecCheck1(
    "\000\000\000\000\377\377\377\377\125\125\125\125\252\252\252\252\201\143\310\322\307\174\262\027\137\117\316\311"
    "\111\055\122\041\141\251\161\040\045\263\006\163\346\330\104\060\171\120\127\277",
    48);

struct IodineCodec {
  int bits;
  std::string_view alphabet;
  std::string_view name;
};
constexpr IodineCodec kIodineCodecs[] = {{5, kIodineBase32, "Base32"},
                                         {6, kIodineBase64, "Base64"},
                                         {6, kIodineBase64u, "Base64u"},
                                         {7, kIodineBase128, "Base128"}};

// An encoder with room for `room` characters: the characters of the whole
// bytes that fit, and the bits of the next byte the last of them holds.
std::string IodineEncode(std::string_view data, const IodineCodec& codec, size_t room) {
  std::string out = PackBits(data, codec.bits, codec.alphabet);
  if (out.size() <= room) return out;
  size_t n = room;
  auto whole_bytes = [&](size_t chars) { return chars * static_cast<size_t>(codec.bits) / 8; };
  while (n > 0 && whole_bytes(n - 1) == whole_bytes(n)) --n;  // a last character completing no byte is useless
  out.resize(n);
  return out;
}

class Iodine {
 public:
  Iodine(const SessionContext& ctx, const IodineOptions& o) : s_(ctx, 5), o_(o) {}

  std::vector<ingest::DnsEvent> Run() {
    Rng& rng = s_.rng();
    t_ = s_.ctx().start_us;
    port_ = static_cast<uint16_t>(32768 + rng.Below(28000));
    chunk_id_ = rng.U16();
    cmc_ = rng.U16();
    qtype_ = o_.qtype;
    if (qtype_ == 0) Autodetect();
    Ask(Packet('v', Be32(0x00000502) + Cmc2()), Bytes("VACK") + rng.Random(4) + '\0');
    Ask(Packet('l', Bytes(1, '\0') + rng.Random(16) + Cmc2()), Bytes("10.53.0.1-10.53.0.2-1130-27"));
    if (o_.raw_mode) {
      Ask(Handshake({'i', Base32(0)}), Bytes("I") + Be32(0xcb007105));
      if (o_.raw_udp_reaches_server) return s_.Finish();  // the tunnel goes on outside DNS
      t_ += 10'000'000;
    }
    edns_ = true;
    Ask(Handshake({'y', qtype_ == kNULL ? 'r' : 't', Base32(1)}), Down(kDowncodecCheck1, qtype_ == kNULL ? 'R' : 'T'));
    UpstreamCodec();
    char down = o_.downstream_codec;
    if (down == 0) down = DownstreamAutodetect();
    if (down != ' ') {
      static constexpr std::string_view kNames = "TBase32 SBase64 UBase64u VBase128 RRaw";
      const size_t at = kNames.find(down) + 1;
      down_ = down;  // iodined switches before it answers, in the new codec
      Ask(Handshake({'o', Base32(0), static_cast<char>(down - 'A' + 'a')}),
          Bytes(kNames.substr(at, kNames.find(' ', at) - at)));
    }
    if (o_.lazy) Ask(Handshake({'o', Base32(0), 'l'}), Bytes("Lazy"));
    const int fragsize = ProbeFragsize();
    if (fragsize <= 2) return s_.Finish();  // "found no accepted fragment size": iodine exits
    Ask(Packet('n', Bytes(1, '\0') + Be16(static_cast<uint16_t>(fragsize - 2)) + Cmc2()),
        Be16(static_cast<uint16_t>(fragsize - 2)));
    for (int i = 0; i < o_.pings; ++i) {
      const int64_t next = t_ + (o_.lazy ? 4'000'000 : 1'000'000);
      Ask(Packet('p', Bytes(2, '\0') + Cmc2()), Bytes(2, '\0'));
      t_ = next;
    }
    return s_.Finish();
  }

 private:
  static char Base32(int v) { return kIodineBase32[static_cast<size_t>(v) & 31]; }
  bool RawType() const { return qtype_ == kNULL || qtype_ == kPRIVATE; }
  bool PathPasses(uint16_t qtype) const { return o_.path_passes_null || (qtype != kNULL && qtype != kPRIVATE); }
  Bytes Cmc2() { return Be16(cmc_++); }
  // send_handshake_query: the prefix, 3 Base32 characters of the counter.
  std::string Handshake(const std::string& prefix) {
    const uint16_t c = cmc_++;
    return prefix + Base32(c >> 10) + Base32(c >> 5) + Base32(c) + "." + o_.topdomain;
  }
  size_t Room() const {
    const size_t room = 255 - o_.topdomain.size() - 8;
    return room - room / 57;
  }
  // send_packet: the command and build_hostname's Base32 of the data.
  std::string Packet(char command, const Bytes& data) const {
    return command + Join(Chop(IodineEncode(data, kIodineCodecs[0], Room()), 57), ".") + "." + o_.topdomain;
  }

  // The server's answer: raw in NULL and PRIVATE, else a letter and the
  // bytes in `codec`.
  Reply Down(std::string_view payload, char codec) const {
    if (RawType()) return {0, {{qtype_, 0, Bytes(payload)}}};
    std::string text(1, static_cast<char>(codec - 'A' + 'a'));
    if (codec == 'R') {
      text += payload;
    } else {
      const int index = codec == 'T' ? 0 : codec == 'S' ? 1 : codec == 'U' ? 2 : 3;
      text += PackBits(payload, kIodineCodecs[index].bits, kIodineCodecs[index].alphabet);
    }
    return {0, {TxtRecord(0, Chop(text, 255))}};
  }
  Reply Down(std::string_view payload) const { return Down(payload, down_); }

  void Send(const std::string& name, const Reply* reply, int64_t wait_us) {
    chunk_id_ = static_cast<uint16_t>(chunk_id_ + 7727);
    if (chunk_id_ == 0) chunk_id_ = 7727;
    s_.Add({t_, name, qtype_, chunk_id_, port_, edns_}, reply);
    t_ += reply ? s_.ctx().rtt_us : wait_us;
  }
  void Ask(const std::string& name, const Reply& reply) { Send(name, &reply, 0); }
  void Ask(const std::string& name, std::string_view payload) {
    const Reply reply = Down(payload);
    Send(name, &reply, 0);
  }
  void Servfail(const std::string& name) {
    const Reply reply{2, {}};
    Send(name, &reply, 0);
  }

  void Autodetect() {
    static constexpr std::array<uint16_t, 3> kOrder = {kNULL, kPRIVATE, dns::rr::kTXT};  // TXT always passes
    size_t highest = kOrder.size();
    for (int64_t timeout = 1; timeout <= 3 && highest != 0; ++timeout) {
      for (size_t i = 0; i < highest; ++i) {
        qtype_ = kOrder[i];
        const std::string name = Handshake({'y', RawType() ? 'r' : 't', Base32(1)});
        if (!PathPasses(qtype_)) {
          Send(name, nullptr, timeout * 1'000'000);
          continue;
        }
        Ask(name, Down(kDowncodecCheck1, RawType() ? 'R' : 'T'));
        highest = i;
        break;
      }
    }
    qtype_ = kOrder[highest];
  }

  // The 'z' bounces of the Base128 and Base64 patterns, then 's'.
  void UpstreamCodec() {
    static constexpr std::array<std::string_view, 5> kBase128Patterns = {
        "aA-Aaahhh-Drink-mal-ein-J\344germeister-", "aA-La-fl\373te-na\357ve-fran\347aise-est-retir\351-\340-Cr\350te",
        "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ",
        "aA0123456789\274\275\276\277\300\301\302\303\304\305\306\307\310\311\312\313\314\315\316\317",
        "aA\320\321\322\323\324\325\326\327\330\331\332\333\334\335\336\337\340\341\342\343\344\345\346\347\350\351"
        "\352\353\354\355\356\357\360\361\362\363\364\365\366\367\370\371\372\373\374\375"};
    auto bounce = [&](std::string_view pattern) {
      const uint16_t c = cmc_++;
      std::string subdomain = std::string{'z', Base32(c >> 10), Base32(c >> 5), Base32(c)} + std::string(pattern);
      const std::string name = subdomain + "." + o_.topdomain;
      if (!o_.path_keeps_case) {
        for (char& ch : subdomain) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      Ask(name, Down(subdomain + ".", 'T'));  // the lowest codec of the query type
    };
    if (!o_.path_keeps_case) return bounce(kBase128Patterns[0]);  // "changed to lowercase": Base32 stays
    int bits = 7;
    if (o_.path_keeps_8bit) {
      for (std::string_view pattern : kBase128Patterns) bounce(pattern);
    } else {
      const uint16_t c = cmc_++;
      Servfail(std::string{'z', Base32(c >> 10), Base32(c >> 5), Base32(c)} + std::string(kBase128Patterns[0]) + "." +
               o_.topdomain);
      bounce("aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ+0129-");
      bits = 6;
    }
    up_ = bits == 7 ? 3 : 1;
    Ask(Handshake({'s', Base32(0), Base32(bits)}), Bytes(kIodineCodecs[up_].name));
  }

  // handshake_downenc_autodetect; only TXT has a choice.
  char DownstreamAutodetect() {
    if (RawType()) return ' ';
    auto check = [&](char codec, bool passes) {
      const std::string name = Handshake({'y', static_cast<char>(codec - 'A' + 'a'), Base32(1)});
      if (passes) {
        Ask(name, Down(kDowncodecCheck1, codec));
      } else {
        Servfail(name);
      }
      return passes;
    };
    check('S', true);
    if (!check('V', o_.path_keeps_8bit)) return 'S';
    return qtype_ == dns::rr::kTXT && check('R', o_.path_keeps_8bit) ? 'R' : 'V';
  }

  // handshake_autoprobe_fragsize's binary search.
  int ProbeFragsize() {
    int proposed = 768, range = 768, max_fragsize = 0;
    while (range > 0 && (range >= 8 || max_fragsize < 300)) {
      for (int i = 0; i < 3; ++i) {
        const uint16_t c = cmc_++;
        Bytes probe(256, static_cast<char>(std::max(1, c & 0xff)));
        probe[1] = static_cast<char>(std::max(1, c >> 8));
        const std::string name =
            std::string{'r', Base32((proposed >> 10) & 1), Base32(proposed >> 5), Base32(proposed), 'd'} +
            Join(Chop(IodineEncode(probe, kIodineCodecs[up_], Room()), 57), ".") + "." + o_.topdomain;
        if (proposed > o_.path_max_fragsize) {
          Send(name, nullptr, 1'000'000);
          continue;
        }
        Bytes answer = Be16(static_cast<uint16_t>(proposed)) + '\153';
        for (uint8_t v = static_cast<uint8_t>(s_.rng().U16()); answer.size() < static_cast<size_t>(proposed);
             v += 107) {
          answer.push_back(static_cast<char>(v));
        }
        Ask(name, Down(answer));
        max_fragsize = proposed;
        break;
      }
      range >>= 1;
      proposed += max_fragsize == proposed ? range : -range;
    }
    return max_fragsize;
  }

  Session s_;
  IodineOptions o_;
  int64_t t_ = 0;
  uint16_t port_ = 0, chunk_id_ = 0, cmc_ = 0, qtype_ = 0;
  bool edns_ = false;
  size_t up_ = 0;    // upstream codec, an index of kIodineCodecs
  char down_ = 'T';  // the server's downstream codec for TXT
};

// ---------------------------------------------------------------------------
// dns2tcp.
//
// Follows dns2tcp 0.5.2 (alex-sector/dns2tcp): client/session.c
// (create_session: "=auth" with a packet asking for a challenge, then the
// HMAC-SHA1 of the challenge in upper-case hex), client/auth.c
// (list_resources: "=resource"; connect_resource: "=connect" and the
// resource's name), client/requests.c (the name: Base64 of the 7-byte
// packet and its data, the subdomain marker, the domain; transceive_query
// reads the answer into the request's buffer, so the second "=auth" packet
// starts with the answer's DNS header: the session id written over its id,
// the flags where ack_seq was, the question count where seq was), common/
// dns.c (dns_encode: labels of at most 63), common/base64.c (standard
// alphabet, no padding), common/includes/packet.h and dns.h (packet layout
// and types, "=auth.", "=resource.", "=connect."), common/mycrypto.c
// (challenge of 16 upper-case letters and digits), client/queue.c (NOPs as
// the idle polls, acks trailing the sequence numbers by WINDOW_SIZE, 24),
// client/options.c (compression off unless -c) and server/rr.c (each answer
// an index letter 'A', 'B', ... and Base64; TXT dns_encode'd into strings of
// 63 and an empty one, KEY raw; TTL 3).
// Assumed: the resource list's entries as configured on the server.

class Dns2tcp {
 public:
  Dns2tcp(const SessionContext& ctx, const Dns2tcpOptions& o) : s_(ctx, 6), o_(o) {}

  std::vector<ingest::DnsEvent> Run() {
    Rng& rng = s_.rng();
    t_ = s_.ctx().start_us;
    port_ = static_cast<uint16_t>(32768 + rng.Below(28000));
    const uint16_t session = static_cast<uint16_t>(1 + rng.Below(0xffff));
    const uint16_t seq = rng.U16();
    const char flags = o_.compression ? 0x40 : 0;  // USE_COMPRESS
    Ask(Name(Be16(0) + Be16(0) + Be16(seq) + flags, "=auth"),
        {Be16(session) + Be16(0) + Be16(seq) + '\0' + rng.Pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16)});
    const Bytes reused = Be16(session) + Be16(0x8180) + Be16(1) + '\0';
    Ask(Name(reused + PackBits(rng.Random(20), 4, "0123456789ABCDEF"), "=auth"), {reused});
    const Bytes simple = Be16(session) + Be16(rng.U16()) + Be16(rng.U16()) + '\0';
    if (o_.resource.empty()) {
      std::vector<Bytes> list;
      for (const std::string& r : o_.server_resources) list.push_back(simple + r);
      Ask(Name(simple, "=resource"), list);
      return s_.Finish();
    }
    Ask(Name(simple + o_.resource, "=connect"), {simple});
    for (int i = 1; i <= o_.polls; ++i) {
      const uint16_t n = static_cast<uint16_t>(i);
      const uint16_t ack = n > 24 ? static_cast<uint16_t>(n - 24) : 0;
      const int64_t next = t_ + o_.poll_interval_us;
      Ask(Name(Be16(session) + Be16(ack) + Be16(n) + '\x04', ""), {Be16(session) + Be16(0) + Be16(n) + '\x10'});
      t_ = next;
    }
    return s_.Finish();
  }

 private:
  std::string Name(const Bytes& packet, std::string_view marker) const {
    return Join(Chop(PackBits(packet, 6, kBase64), 63), ".") + (marker.empty() ? "" : ".") + std::string(marker) + "." +
           o_.domain;
  }
  void Ask(const std::string& name, const std::vector<Bytes>& answers) {
    Reply reply;
    for (size_t i = 0; i < answers.size(); ++i) {
      const std::string text = static_cast<char>('A' + i) + PackBits(answers[i], 6, kBase64);
      if (o_.qtype == kKEY) {
        reply.answers.push_back({kKEY, 3, text});
      } else {
        std::vector<std::string> strings = Chop(text, 63);
        strings.emplace_back();  // dns_encode's terminating zero
        reply.answers.push_back(TxtRecord(3, strings));
      }
    }
    s_.Add({t_, name, o_.qtype, s_.rng().U16(), port_, false}, &reply);
    t_ += s_.ctx().rtt_us;
  }

  Session s_;
  Dns2tcpOptions o_;
  int64_t t_ = 0;
  uint16_t port_ = 0;
};

}  // namespace

std::vector<ingest::DnsEvent> Dnscat2Session(const SessionContext& ctx, const Dnscat2Options& o) {
  return Dnscat2(ctx, o).Run();
}

std::vector<ingest::DnsEvent> DnsExfiltratorSession(const SessionContext& ctx, const DnsExfiltratorOptions& o) {
  return Exfiltrate(ctx, o);
}

std::vector<ingest::DnsEvent> CobaltStrikeDnsSession(const SessionContext& ctx, const CobaltStrikeDnsOptions& o) {
  return Beacon(ctx, o).Run();
}

std::vector<ingest::DnsEvent> SliverDnsSession(const SessionContext& ctx, const SliverDnsOptions& o) {
  return Sliver(ctx, o).Run();
}

std::vector<ingest::DnsEvent> IodineSession(const SessionContext& ctx, const IodineOptions& o) {
  return Iodine(ctx, o).Run();
}

std::vector<ingest::DnsEvent> Dns2tcpSession(const SessionContext& ctx, const Dns2tcpOptions& o) {
  return Dns2tcp(ctx, o).Run();
}

}  // namespace nsradar::detect::testing
