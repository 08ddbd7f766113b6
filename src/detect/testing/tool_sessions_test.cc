// The tool sessions decoded back against each tool's protocol, with
// decoders written here from the protocol documents, not from the
// generators: dnscat2's hex packets and their sequence numbers,
// DNSExfiltrator's init label and chunks at every request and label size,
// the beacon's sleep and jitter and its Didier Stevens-style reassembly,
// Sliver's protobuf messages, and iodine's and dns2tcp's handshakes
// compared query by query with the real tools in testdata/detect/tunnels.pcap.
#include "detect/testing/tool_sessions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "dns/name.h"
#include "dns/rr_type.h"
#include "ingest/formats.h"

namespace nsradar::detect::testing {
namespace {

using Bytes = std::string;
using Events = std::vector<ingest::DnsEvent>;
constexpr int64_t kSecond = 1'000'000;
constexpr uint16_t kNULL = 10, kKEY = 25, kPRIVATE = 65399;

// Groups of `bits` bits, most significant first, back into bytes; a
// character outside `alphabet` is an error.
std::optional<Bytes> Unpack(std::string_view text, int bits, std::string_view alphabet) {
  Bytes out;
  uint32_t acc = 0;
  int have = 0;
  for (char c : text) {
    const size_t v = alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << bits) | static_cast<uint32_t>(v);
    have += bits;
    if (have >= 8) {
      have -= 8;
      out.push_back(static_cast<char>(acc >> have));
    }
  }
  return out;
}
Bytes Unhex(std::string_view hex) {
  std::string lower(hex);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::optional<Bytes> b = Unpack(lower, 4, "0123456789abcdef");
  EXPECT_TRUE(b && hex.size() % 2 == 0) << hex;
  return b.value_or("");
}
uint16_t U16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) << 8 | static_cast<uint8_t>(b[at + 1]));
}
uint32_t U32(std::string_view b, size_t at) { return uint32_t{U16(b, at)} << 16 | U16(b, at + 2); }
uint32_t Le32(std::string_view b) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[0]) | static_cast<uint8_t>(b[1]) << 8 |
                               static_cast<uint8_t>(b[2]) << 16 |
                               static_cast<uint32_t>(static_cast<uint8_t>(b[3])) << 24);
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}
std::string Concat(const std::vector<std::string>& parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += parts[i];
  return out;
}

// The part of the name before ".<domain>", as sent.
std::string Before(const ingest::DnsEvent& ev, std::string_view domain) {
  const std::string suffix = "." + std::string(domain);
  EXPECT_TRUE(ev.qname_raw.ends_with(suffix)) << ev.qname_raw;
  return ev.qname_raw.substr(0, ev.qname_raw.size() - std::min(suffix.size(), ev.qname_raw.size()));
}

// Answer data in presentation form back into bytes.
std::vector<std::string> TxtStrings(std::string_view data) {
  std::vector<std::string> out;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '"') continue;
    std::string s;
    for (++i; data[i] != '"'; ++i) {
      if (data[i] != '\\') {
        s.push_back(data[i]);
      } else if (std::isdigit(static_cast<unsigned char>(data[i + 1]))) {
        s.push_back(static_cast<char>(std::stoi(std::string(data.substr(i + 1, 3)))));
        i += 3;
      } else {
        s.push_back(data[++i]);
      }
    }
    out.push_back(s);
  }
  return out;
}
std::string TxtJoined(const ingest::DnsEvent& ev) {
  EXPECT_EQ(ev.answers.size(), 1u);
  if (ev.answers.empty()) return "";
  return Concat(TxtStrings(ev.answers[0].data), 0, TxtStrings(ev.answers[0].data).size());
}
Bytes Generic(std::string_view data) {  // RFC 3597 "\# n hex"
  const std::vector<std::string> parts = Split(data, ' ');
  EXPECT_EQ(parts[0], "\\#");
  const Bytes b = Unhex(parts.size() > 2 ? parts[2] : "");
  EXPECT_EQ(b.size(), std::stoul(parts[1]));
  return b;
}
Bytes AddressBytes(std::string_view data) {
  std::optional<dns::Address> a = dns::Address::Parse(data);
  EXPECT_TRUE(a) << data;
  return a ? Bytes(a->bytes.begin(), a->bytes.begin() + static_cast<long>(a->size())) : Bytes();
}

uint32_t Crc32(std::string_view b) {  // IEEE 802.3, bit by bit
  uint32_t crc = 0xffffffff;
  for (char c : b) {
    crc ^= static_cast<uint8_t>(c);
    for (int k = 0; k < 8; ++k) crc = crc & 1 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
  }
  return ~crc;
}

// What every session must be: queries in time order, names that parse
// (labels of 1 to 63 bytes, at most 255 on the wire) to their canonical
// form, a registered domain.
void ExpectWellFormed(const Events& events) {
  ASSERT_FALSE(events.empty());
  int64_t last = INT64_MIN;
  for (const ingest::DnsEvent& ev : events) {
    EXPECT_GE(ev.ts_us, last);
    last = ev.ts_us;
    EXPECT_TRUE(ev.has_query);
    EXPECT_EQ(ev.qclass, dns::rrclass::kIN);
    std::string canonical;
    EXPECT_EQ(dns::ParseName(ev.qname_raw, "", &canonical), nullptr) << ev.qname_raw;
    EXPECT_EQ(canonical, ev.qname);
    EXPECT_NE(ev.registered_offset, std::string::npos) << ev.qname;
    EXPECT_GE(ev.query_size, 12 + dns::WireLength(ev.qname) + 4);
    if (ev.has_response) {
      EXPECT_GE(ev.response_size, ev.query_size);
    }
  }
}

std::vector<int64_t> Gaps(const Events& events) {
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < events.size(); ++i) gaps.push_back(events[i].ts_us - events[i - 1].ts_us);
  return gaps;
}

// ---------------------------------------------------------------------------
// dnscat2 (doc/protocol.md).

struct DnscatPacket {
  uint16_t packet_id, session;
  uint8_t type;
  Bytes body;
};
DnscatPacket ParseDnscat(const Bytes& b) {
  EXPECT_GE(b.size(), 5u);
  if (b.size() < 5) return {};
  return {U16(b, 0), U16(b, 3), static_cast<uint8_t>(b[2]), b.substr(5)};
}

// The client's packet in a query: hex in labels of at most 60, before the
// domain or after "dnscat.".
Bytes DnscatQuery(const ingest::DnsEvent& ev, const Dnscat2Options& o) {
  std::string hex = o.prefix_mode ? ev.qname_raw.substr(7) : Before(ev, o.domain);
  if (o.prefix_mode) {
    EXPECT_TRUE(ev.qname_raw.starts_with("dnscat.")) << ev.qname_raw;
  }
  for (const std::string& label : Split(hex, '.')) {
    EXPECT_LE(label.size(), 60u);
    EXPECT_EQ(label.find_first_not_of("0123456789abcdef"), std::string::npos) << label;
  }
  std::erase(hex, '.');
  return Unhex(hex);
}

// The server's packet in the answer, by the query's type.
Bytes DnscatAnswer(const ingest::DnsEvent& ev, const Dnscat2Options& o) {
  EXPECT_EQ(ev.rcode, 0);
  EXPECT_FALSE(ev.answers.empty());
  if (ev.answers.empty()) return "";
  for (const auto& a : ev.answers) {
    EXPECT_EQ(a.ttl, 60u);
  }
  switch (ev.qtype) {
    case dns::rr::kTXT:
      return Unhex(TxtJoined(ev));
    case dns::rr::kCNAME:
    case dns::rr::kMX: {
      std::string host = ev.answers[0].data;
      if (ev.qtype == dns::rr::kMX) {
        EXPECT_TRUE(host.starts_with("10 ")) << host;
        host = host.substr(3);
      }
      if (o.prefix_mode) {
        EXPECT_TRUE(host.starts_with("dnscat.")) << host;
        host = host.substr(7);
      } else {
        EXPECT_TRUE(host.ends_with("." + o.domain)) << host;
        host = host.substr(0, host.size() - o.domain.size() - 1);
      }
      std::erase(host, '.');
      return Unhex(host);
    }
    default: {  // A, AAAA: sort by the sequence byte, then a length byte
      std::vector<Bytes> records;
      for (const auto& a : ev.answers) records.push_back(AddressBytes(a.data));
      std::sort(records.begin(), records.end());
      Bytes all;
      for (const Bytes& r : records) all += r.substr(1);
      return all.substr(1, static_cast<uint8_t>(all[0]));
    }
  }
}

TEST(ToolSessions, Dnscat2CarriesItsSequenceNumbersInHex) {
  Dnscat2Options o;
  o.encrypted = false;
  o.bytes_up = 700;
  o.bytes_down = 300;
  o.idle_us = 20 * kSecond;
  const Events events = Dnscat2Session({}, o);
  ExpectWellFormed(events);
  std::set<uint16_t> qtypes;
  const DnscatPacket syn = ParseDnscat(DnscatQuery(events[0], o));
  ASSERT_EQ(syn.type, 0x00);  // SYN: isn, options (OPT_NAME | OPT_COMMAND), the session's name
  uint16_t client_seq = U16(syn.body, 0);
  EXPECT_EQ(U16(syn.body, 2), 0x0021);
  EXPECT_TRUE(syn.body.substr(4).starts_with("command (")) << syn.body;
  EXPECT_EQ(syn.body.back(), '\0');
  const DnscatPacket syn_ack = ParseDnscat(DnscatAnswer(events[0], o));
  EXPECT_EQ(syn_ack.type, 0x00);
  EXPECT_EQ(syn_ack.session, syn.session);
  uint16_t server_seq = U16(syn_ack.body, 0);
  size_t up = 0, down = 0;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    qtypes.insert(events[i].qtype);
    const DnscatPacket msg = ParseDnscat(DnscatQuery(events[i], o));
    const DnscatPacket reply = ParseDnscat(DnscatAnswer(events[i], o));
    ASSERT_EQ(msg.type, 0x01);
    ASSERT_EQ(reply.type, 0x01);
    EXPECT_EQ(msg.session, syn.session);
    EXPECT_EQ(reply.session, syn.session);
    // MSG: seq, ack, data; each side's seq is the other's ack.
    EXPECT_EQ(U16(msg.body, 0), client_seq);
    EXPECT_EQ(U16(msg.body, 2), server_seq);
    const size_t sent = msg.body.size() - 4, received = reply.body.size() - 4;
    EXPECT_EQ(U16(reply.body, 0), server_seq);
    EXPECT_EQ(U16(reply.body, 2), static_cast<uint16_t>(client_seq + sent));
    client_seq = static_cast<uint16_t>(client_seq + sent);
    server_seq = static_cast<uint16_t>(server_seq + received);
    up += sent;
    down += received;
  }
  EXPECT_EQ(up, 700u);
  EXPECT_EQ(down, 300u);
  EXPECT_EQ(qtypes, (std::set<uint16_t>{dns::rr::kTXT, dns::rr::kCNAME, dns::rr::kMX}));
  const DnscatPacket fin = ParseDnscat(DnscatQuery(events.back(), o));
  EXPECT_EQ(fin.type, 0x02);
  EXPECT_EQ(fin.body, Bytes("Stream closed") + '\0');
  // Data moves as fast as answers come; an idle shell polls once a second.
  int idle_polls = 0;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    const int64_t gap = events[i + 1].ts_us - events[i].ts_us;
    if (ParseDnscat(DnscatQuery(events[i], o)).body.size() == 4 &&
        ParseDnscat(DnscatAnswer(events[i], o)).body.size() == 4) {
      ++idle_polls;
      EXPECT_GE(gap, kSecond);
      EXPECT_LE(gap, kSecond + 50'000);
    } else {
      EXPECT_EQ(gap, SessionContext{}.rtt_us);
    }
  }
  EXPECT_GE(idle_polls, 19);
  EXPECT_LE(idle_polls, 21);
}

TEST(ToolSessions, Dnscat2EncryptedPrefixModeGoesStraightToItsServer) {
  Dnscat2Options o;
  o.prefix_mode = true;
  o.bytes_up = 2000;
  o.bytes_down = 500;
  const Events events = Dnscat2Session({}, o);
  ExpectWellFormed(events);
  for (const ingest::DnsEvent& ev : events) {
    EXPECT_EQ(ev.server, o.server);
  }
  const DnscatPacket enc = ParseDnscat(DnscatQuery(events[0], o));
  ASSERT_EQ(enc.type, 0x03);  // ENC|INIT: subtype 0, flags 0, a 64-byte public key, in clear
  EXPECT_EQ(enc.body.size(), 2u + 2 + 64);
  EXPECT_EQ(U16(enc.body, 0), 0);
  EXPECT_EQ(ParseDnscat(DnscatAnswer(events[0], o)).type, 0x03);
  // Then header, 6-byte signature, a nonce counting from 0 each way, body.
  std::map<uint8_t, int> types;
  size_t body_bytes = 0;
  std::set<char> seen;
  for (size_t i = 1; i < events.size(); ++i) {
    const DnscatPacket c = ParseDnscat(DnscatQuery(events[i], o));
    const DnscatPacket s = ParseDnscat(DnscatAnswer(events[i], o));
    EXPECT_EQ(c.session, enc.session);
    EXPECT_EQ(s.session, enc.session);
    EXPECT_EQ(U16(c.body, 6), i - 1);
    EXPECT_EQ(U16(s.body, 6), i - 1);
    ++types[c.type];
    body_bytes += c.body.size() - 8;
    for (char b : c.body.substr(8)) seen.insert(b);
  }
  EXPECT_EQ(types[0x00], 1);
  EXPECT_EQ(types[0x02], 1);
  EXPECT_GT(types[0x01], 15);
  EXPECT_GT(body_bytes, 2000u);
  EXPECT_GT(seen.size(), 250u);  // encrypted: every byte value turns up
}

TEST(ToolSessions, Dnscat2AddressAnswersAreSequencedAndLengthPrefixed) {
  Dnscat2Options o;
  o.encrypted = false;
  o.qtypes = {dns::rr::kA, dns::rr::kAAAA};
  o.bytes_down = 1000;
  const Events events = Dnscat2Session({}, o);
  ExpectWellFormed(events);
  size_t down = 0;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    const DnscatPacket reply = ParseDnscat(DnscatAnswer(events[i], o));
    ASSERT_EQ(reply.type, 0x01);
    down += reply.body.size() - 4;
    EXPECT_LE(events[i].answers.size(), events[i].qtype == dns::rr::kA ? 64u : 16u);
  }
  EXPECT_EQ(down, 1000u);
}

// ---------------------------------------------------------------------------
// DNSExfiltrator (dnsExfiltrator.cs, dnsexfiltrator.py).

constexpr std::string_view kRfcBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct Exfiltration {
  std::string file_name;
  int announced_chunks = 0;
  std::string data;  // the encoded ZIP, as sent
  std::vector<size_t> chunk_lengths;
};

// Reads a session as dnsexfiltrator.py does, checking every request.
Exfiltration Receive(const Events& events, const DnsExfiltratorOptions& o) {
  Exfiltration x;
  EXPECT_FALSE(events.empty());
  if (events.empty()) return x;
  const std::vector<std::string> init = Split(Before(events[0], o.domain), '.');
  EXPECT_EQ(init.size(), 3u);
  EXPECT_EQ(init[0], "init");
  EXPECT_EQ(init[2], o.base32 ? "base32" : "base64");
  const std::optional<Bytes> message = Unpack(init[1], 5, kRfcBase32);
  EXPECT_TRUE(message) << init[1];
  const size_t bar = message.value_or("|").rfind('|');
  x.file_name = message.value_or("|").substr(0, bar);
  x.announced_chunks = std::stoi(message.value_or("|0").substr(bar + 1));
  EXPECT_EQ(TxtJoined(events[0]), "OK");
  for (size_t i = 1; i < events.size(); ++i) {
    const ingest::DnsEvent& ev = events[i];
    EXPECT_EQ(ev.qtype, dns::rr::kTXT);
    const std::vector<std::string> labels = Split(Before(ev, o.domain), '.');
    EXPECT_EQ(labels[0], std::to_string(i - 1));
    EXPECT_EQ(TxtJoined(ev), labels[0]);
    size_t length = 0;
    for (size_t k = 1; k < labels.size(); ++k) {
      EXPECT_LE(labels[k].size(), static_cast<size_t>(std::min(o.label_max_size, 63)));
      EXPECT_EQ(labels[k].find_first_not_of(o.base32 ? kRfcBase32 : kBase64Url), std::string::npos) << labels[k];
      length += labels[k].size();
    }
    x.data += Concat(labels, 1, labels.size());
    x.chunk_lengths.push_back(length);
    // <index>.<data>.<domain> within request_max_size: 10 bytes are kept
    // for the index, 2 for the dots around the domain.
    EXPECT_LE(ev.qname.size(), static_cast<size_t>(std::min(o.request_max_size, 255)) - 11 + labels[0].size());
  }
  return x;
}

// dnsExfiltrator.cs: the data a request holds, 10 bytes kept for the chunk
// number and 2 for the dots around the domain.
int ChunkMax(const DnsExfiltratorOptions& o) {
  const int r = std::min(o.request_max_size, 255), l = std::min(o.label_max_size, 63);
  const int bytes_left = r - 10 - static_cast<int>(o.domain.size() + 2);
  return bytes_left / (l + 1) * l + bytes_left % (l + 1) - 1;
}

// ZipArchive of one stored entry: local header, data in zlib's stored
// blocks, central directory, end record.
size_t ZipSize(const DnsExfiltratorOptions& o) {
  return 30 + o.file_name.size() + o.file_size + 5 * ((o.file_size + 16383) / 16384) + 46 + o.file_name.size() + 22;
}

TEST(ToolSessions, DnsExfiltratorInitNamesTheFileAndCountsItsChunks) {
  for (bool base32 : {false, true}) {
    for (size_t size : {1, 100, 1000, 4096, 20000, 30 * 1024}) {
      DnsExfiltratorOptions o;
      o.base32 = base32;
      o.file_size = size;
      const Events events = DnsExfiltratorSession({}, o);
      ExpectWellFormed(events);
      const Exfiltration x = Receive(events, o);
      EXPECT_EQ(x.file_name, o.file_name);
      const std::optional<Bytes> zip = Unpack(x.data, base32 ? 5 : 6, base32 ? kRfcBase32 : kBase64Url);
      ASSERT_TRUE(zip);
      EXPECT_EQ(zip->size(), ZipSize(o)) << size;
      // nbChunks = length / chunkMaxSize + 1, one more than sent when the
      // data fills its chunks exactly.
      const size_t chunk = static_cast<size_t>(ChunkMax(o));
      EXPECT_EQ(static_cast<size_t>(x.announced_chunks), x.data.size() / chunk + 1);
      EXPECT_EQ(x.chunk_lengths.size(), (x.data.size() + chunk - 1) / chunk);
      for (size_t k = 0; k + 1 < x.chunk_lengths.size(); ++k) {
        EXPECT_EQ(x.chunk_lengths[k], chunk);
      }
      EXPECT_LE(x.chunk_lengths.back(), chunk);
    }
  }
}

TEST(ToolSessions, DnsExfiltratorAtEveryRequestAndLabelSize) {
  int sessions = 0, refused = 0;
  for (int request = 20; request <= 260; ++request) {
    for (int label = 1; label <= 66; ++label) {
      DnsExfiltratorOptions o;
      o.request_max_size = request;
      o.label_max_size = label;
      o.file_size = 100;
      const Events events = DnsExfiltratorSession({}, o);
      const int chunk = ChunkMax(o);
      if (chunk <= 0) {  // a division by zero before init, or a bad Substring after it
        EXPECT_EQ(events.size(), chunk == 0 ? 0u : 1u) << request << " " << label;
        ++refused;
        continue;
      }
      ++sessions;
      ExpectWellFormed(events);
      const Exfiltration x = Receive(events, o);
      EXPECT_EQ(x.chunk_lengths[0], std::min(static_cast<size_t>(chunk), x.data.size())) << request << " " << label;
      EXPECT_EQ(Unpack(x.data, 6, kBase64Url)->size(), ZipSize(o));
    }
  }
  EXPECT_GT(sessions, 10'000);
  EXPECT_GT(refused, 100);
}

TEST(ToolSessions, DnsExfiltratorFileNamesThatDoNotFit) {
  DnsExfiltratorOptions o;
  o.file_name = "";  // what the code sends for no name: "|<chunks>"
  Exfiltration x = Receive(DnsExfiltratorSession({}, o), o);
  EXPECT_EQ(x.file_name, "");
  EXPECT_GT(x.announced_chunks, 1);
  // The init label is not split: past 63 characters DnsQuery_W refuses the
  // name and nothing is sent.
  for (size_t length = 30; length <= 45; ++length) {
    o.file_name = std::string(length - 4, 'q') + ".pdf";
    const size_t encoded = (4 * ZipSize(o) + 2) / 3;  // Base64URL
    const size_t chunks = encoded / static_cast<size_t>(ChunkMax(o)) + 1;
    const size_t init = ((o.file_name + "|" + std::to_string(chunks)).size() * 8 + 4) / 5;
    const Events events = DnsExfiltratorSession({}, o);
    if (init > 63) {
      EXPECT_TRUE(events.empty()) << length;
    } else {
      EXPECT_EQ(Receive(events, o).announced_chunks, static_cast<int>(chunks)) << length;
    }
  }
  // Throttled: one request per answer plus t= milliseconds.
  o.throttle_us = 500'000;
  for (int64_t gap : Gaps(DnsExfiltratorSession({}, o))) {
    EXPECT_EQ(gap, SessionContext{}.rtt_us + 500'000);
  }
}

// ---------------------------------------------------------------------------
// Cobalt Strike DNS Beacon (cs-parse-traffic.py's reading).

TEST(ToolSessions, CobaltStrikeIdleBeaconSleepsWithJitter) {
  CobaltStrikeDnsOptions o;
  o.checkins = 200;
  o.jitter_percent = 20;
  const Events events = CobaltStrikeDnsSession({}, o);
  ExpectWellFormed(events);
  ASSERT_EQ(events.size(), 200u);
  const std::string id = Split(events[0].qname_raw, '.')[0];
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(std::stoul(id, nullptr, 16) & 0x4b2, 0x4b2u);
  for (const ingest::DnsEvent& ev : events) {
    EXPECT_EQ(ev.qname_raw, id + "." + o.domain);
    EXPECT_EQ(ev.qtype, dns::rr::kA);
    ASSERT_EQ(ev.answers.size(), 1u);
    EXPECT_EQ(ev.answers[0].data, "0.0.0.0");  // dns_idle: nothing to do
  }
  // Each sleep is drawn from [sleep - jitter, sleep] (the beacon only
  // shortens it), after the ping's answer.
  const std::vector<int64_t> gaps = Gaps(events);
  const int64_t rtt = SessionContext{}.rtt_us;
  for (int64_t gap : gaps) {
    EXPECT_GE(gap, 48 * kSecond + rtt);
    EXPECT_LE(gap, 60 * kSecond + rtt);
  }
  EXPECT_LT(*std::min_element(gaps.begin(), gaps.end()), 49 * kSecond);
  EXPECT_GT(*std::max_element(gaps.begin(), gaps.end()), 59 * kSecond);
  o.jitter_percent = 0;
  for (int64_t gap : Gaps(CobaltStrikeDnsSession({}, o))) {
    EXPECT_EQ(gap, 60 * kSecond + rtt);
  }
}

// A transfer's queries: "<prefix>.<labels...>.<counter><transfer id>.<beacon id>.<domain>".
struct Transfer {
  std::string prefix, transfer_id;
  std::vector<const ingest::DnsEvent*> queries;
};
std::vector<Transfer> Transfers(const Events& events, const std::string& id, const std::string& domain) {
  std::vector<Transfer> out;
  for (const ingest::DnsEvent& ev : events) {
    if (ev.qname_raw == id + "." + domain) continue;  // a ping
    const std::vector<std::string> labels = Split(Before(ev, id + "." + domain), '.');
    const std::string& counter = labels.back();
    if (labels.size() >= 2 && counter[0] == '0') out.push_back({labels[0], counter.substr(1), {}});
    EXPECT_FALSE(out.empty());
    EXPECT_TRUE(counter.ends_with(out.back().transfer_id)) << ev.qname_raw;
    EXPECT_EQ(std::stoul(counter.substr(0, counter.size() - out.back().transfer_id.size()), nullptr, 16),
              out.back().queries.size());
    out.back().queries.push_back(&ev);
  }
  return out;
}
// An upload: "1<size>" first, then labels of hex words, the first led by the label count.
Bytes Uploaded(const Transfer& t, const std::string& id, const CobaltStrikeDnsOptions& o) {
  const std::vector<std::string> first = Split(Before(*t.queries[0], id + "." + o.domain), '.');
  EXPECT_EQ(first.size(), 3u);
  EXPECT_EQ(first[1][0], '1');
  const size_t size = std::stoul(first[1].substr(1), nullptr, 16);
  std::string hex;
  for (size_t i = 1; i < t.queries.size(); ++i) {
    const ingest::DnsEvent& ev = *t.queries[i];
    EXPECT_EQ(ev.qtype, dns::rr::kA);
    EXPECT_LE(ev.qname.size(), static_cast<size_t>(o.maxdns));
    const std::vector<std::string> labels = Split(Before(ev, id + "." + o.domain), '.');
    EXPECT_EQ(labels[1][0] - '0', static_cast<int>(labels.size()) - 2);  // prefix, data labels, counter
    const std::string words = Concat(labels, 1, labels.size() - 1).substr(1);
    EXPECT_EQ(words.size() % 8, 0u);
    for (size_t k = 1; k + 1 < labels.size(); ++k) {
      EXPECT_LE(labels[k].size(), 57u);
    }
    hex += words;
  }
  const Bytes data = Unhex(hex);
  EXPECT_EQ(data.size(), size);
  return data;
}
// A download: the size XOR dns_idle in an A record, then the pieces.
Bytes Downloaded(const Transfer& t, const CobaltStrikeDnsOptions& o) {
  const Bytes size = AddressBytes(t.queries[0]->answers.at(0).data);
  EXPECT_EQ(t.queries[0]->qtype, dns::rr::kA);
  Bytes data, text;
  for (size_t i = 1; i < t.queries.size(); ++i) {
    const ingest::DnsEvent& ev = *t.queries[i];
    if (ev.qtype == dns::rr::kTXT) {
      const std::string piece = TxtJoined(ev);
      EXPECT_LE(piece.size(), static_cast<size_t>(o.dns_max_txt));
      text += piece;
    } else {
      data += AddressBytes(ev.answers.at(0).data);
    }
  }
  if (!text.empty()) {
    while (text.ends_with('=')) text.pop_back();
    data = Unpack(text, 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/").value_or("");
  }
  const uint32_t n = U32(size, 0) ^ o.dns_idle;
  EXPECT_GE(data.size(), n);
  EXPECT_LT(data.size(), n + 16);
  return data.substr(0, n);
}

TEST(ToolSessions, CobaltStrikeTaskOverTxtWithMetadataAndOutput) {
  CobaltStrikeDnsOptions o;
  o.checkins = 5;
  o.task_checkins = {2};
  o.task_bytes = 100;
  o.output_bytes = 3000;
  const Events events = CobaltStrikeDnsSession({}, o);
  ExpectWellFormed(events);
  const std::string id = Split(events[0].qname_raw, '.')[0];
  std::vector<std::string> pings;
  for (const ingest::DnsEvent& ev : events) {
    if (ev.qname_raw == id + "." + o.domain) pings.push_back(ev.answers.at(0).data);
  }
  // 240 + checkin wanted (1) + channel TXT (2).
  EXPECT_EQ(pings, (std::vector<std::string>{"0.0.0.0", "0.0.0.0", "0.0.0.243", "0.0.0.0", "0.0.0.0"}));
  const std::vector<Transfer> transfers = Transfers(events, id, o.domain);
  ASSERT_EQ(transfers.size(), 3u);
  EXPECT_EQ(transfers[0].prefix, "www");
  EXPECT_EQ(Uploaded(transfers[0], id, o).size(), 128u);
  EXPECT_EQ(transfers[1].prefix, "api");
  EXPECT_EQ(Downloaded(transfers[1], o).size(), (16 + 100 + 15) / 16 * 16 + 16);
  EXPECT_EQ(transfers[2].prefix, "post");
  const Bytes output = Uploaded(transfers[2], id, o);
  EXPECT_EQ(output.size(), 4 + (12 + 3000 + 15) / 16 * 16 + 16);
  EXPECT_EQ(U32(output, 0), output.size() - 4);
}

TEST(ToolSessions, CobaltStrikeTasksOverAddressRecords) {
  for (BeaconChannel channel : {BeaconChannel::kA, BeaconChannel::kAAAA}) {
    CobaltStrikeDnsOptions o;
    o.channel = channel;
    o.checkins = 4;
    o.task_checkins = {1, 3};
    o.dns_idle = 0x08080404;  // 8.8.4.4
    o.domain = "a-rather-long-subdomain.of.updates.example.org";
    const Events events = CobaltStrikeDnsSession({}, o);
    ExpectWellFormed(events);
    const std::string id = Split(events[0].qname_raw, '.')[0];
    std::vector<uint32_t> signals;
    for (const ingest::DnsEvent& ev : events) {
      if (ev.qname_raw == id + "." + o.domain)
        signals.push_back(U32(AddressBytes(ev.answers.at(0).data), 0) ^ o.dns_idle);
    }
    const uint32_t mode = channel == BeaconChannel::kA ? 0 : 4;
    EXPECT_EQ(signals, (std::vector<uint32_t>{0, 0xf1 | mode, 0, 0xf0 | mode}));  // metadata once
    const std::vector<Transfer> transfers = Transfers(events, id, o.domain);
    ASSERT_EQ(transfers.size(), 3u);
    EXPECT_EQ(Uploaded(transfers[0], id, o).size(), 128u);
    for (int k : {1, 2}) {
      EXPECT_EQ(transfers[k].prefix, channel == BeaconChannel::kA ? "cdn" : "www6");
      EXPECT_EQ(Downloaded(transfers[k], o).size(), (16 + 64 + 15) / 16 * 16 + 16);
      for (size_t i = 1; i < transfers[k].queries.size(); ++i) {
        EXPECT_EQ(transfers[k].queries[i]->qtype, channel == BeaconChannel::kA ? dns::rr::kA : dns::rr::kAAAA);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Sliver (dns.proto, dnsclient.go).

constexpr std::string_view kSliverBase32 = "ab1c2d3e4f5g6h7j8k9m0npqrtuvwxyz";
constexpr std::string_view kSliverBase64 = "a0b2c5def6hijklmnopqr_st-uvwxyzA1B3C4DEFGHIJKLM7NO9PQR8ST+UVWXYZ";

struct SliverMessage {
  std::map<int, uint64_t> fields;  // Type 1, ID 2, Start 3, Stop 4, Size 5
  Bytes data;                      // Data 6
  Bytes wire;
};
std::optional<SliverMessage> ParseSliver(const Bytes& b) {
  SliverMessage m;
  m.wire = b;
  size_t i = 0;
  auto varint = [&](uint64_t* v) {
    *v = 0;
    for (int shift = 0; i < b.size(); shift += 7) {
      const uint8_t c = static_cast<uint8_t>(b[i++]);
      *v |= uint64_t{c & 0x7fu} << shift;
      if (!(c & 0x80)) return true;
    }
    return false;
  };
  while (i < b.size()) {
    uint64_t key = 0, value = 0;
    if (!varint(&key) || !varint(&value)) return std::nullopt;
    if (key == (6 << 3 | 2)) {
      if (i + value > b.size()) return std::nullopt;
      m.data = b.substr(i, value);
      i += value;
    } else if ((key & 7) == 0 && key >> 3 >= 1 && key >> 3 <= 5) {
      m.fields[static_cast<int>(key >> 3)] = value;
    } else {
      return std::nullopt;
    }
  }
  return m;
}
SliverMessage SliverQuery(const ingest::DnsEvent& ev, const SliverDnsOptions& o) {
  const std::string sub = Before(ev, o.domain);
  for (const std::string& label : Split(sub, '.')) {
    EXPECT_LE(label.size(), 63u);
  }
  std::string text = sub;
  std::erase(text, '.');
  const std::optional<Bytes> b = Unpack(text, 5, kSliverBase32);
  EXPECT_TRUE(b) << sub;
  std::optional<SliverMessage> m = ParseSliver(b.value_or(""));
  EXPECT_TRUE(m) << sub;
  return m.value_or(SliverMessage{});
}
std::optional<SliverMessage> SliverTxt(const ingest::DnsEvent& ev) {
  const std::string text = TxtJoined(ev);
  if (text.empty()) return std::nullopt;
  return ParseSliver(Unpack(text, 6, kSliverBase64).value_or(""));
}

TEST(ToolSessions, SliverSessionDecodesToItsProtocol) {
  SliverDnsOptions o;
  o.tasks = 2;
  o.idle_us = 10 * kSecond;
  const Events events = SliverDnsSession({}, o);
  ExpectWellFormed(events);
  // TOTP: no session id yet; the answer assigns one, little endian.
  const SliverMessage totp = SliverQuery(events[0], o);
  EXPECT_EQ(totp.fields, (std::map<int, uint64_t>{{1, 1}}));
  const uint32_t session = Le32(AddressBytes(events[0].answers.at(0).data)) & 0xffffff;
  std::map<uint64_t, int> types;
  std::map<uint64_t, size_t> received;  // message id -> bytes sent in pieces
  std::map<uint64_t, uint64_t> sizes;
  int idle_polls = 0;
  bool after_idle_poll = false;  // the event before was a poll with nothing waiting
  for (size_t i = 1; i < events.size(); ++i) {
    const ingest::DnsEvent& ev = events[i];
    const SliverMessage m = SliverQuery(ev, o);
    const uint64_t type = m.fields.count(1) ? m.fields.at(1) : 0;
    ++types[type];
    EXPECT_EQ(m.fields.at(2) & 0xffffff, session);
    switch (type) {
      case 0:  // NOP: 8 random bytes, answered with the message's CRC32
      case 9:  // CLEAR
        EXPECT_EQ(ev.qtype, dns::rr::kA);
        EXPECT_EQ(m.data.size(), 8u);
        EXPECT_EQ(Le32(AddressBytes(ev.answers.at(0).data)), Crc32(m.wire));
        break;
      case 2:    // INIT, 264 bytes over TXT, in order
      case 8: {  // DATA_FROM_IMPLANT over A
        EXPECT_EQ(ev.qtype, type == 2 ? dns::rr::kTXT : dns::rr::kA);
        const uint64_t id = m.fields.at(2);
        EXPECT_EQ(m.fields.count(3) ? m.fields.at(3) : 0, received[id]);
        received[id] += m.data.size();
        sizes[id] = m.fields.at(5);
        if (type == 8) {
          EXPECT_EQ(Le32(AddressBytes(ev.answers.at(0).data)), Crc32(m.wire));
        }
        if (type == 2) {  // the last piece's answer: the session id, sealed
          EXPECT_EQ(TxtJoined(ev).empty(), received[id] < 264);
        }
        break;
      }
      case 3: {  // POLL: an empty TXT answer, or the MANIFEST of an envelope
        EXPECT_EQ(ev.qtype, dns::rr::kTXT);
        const std::optional<SliverMessage> manifest = SliverTxt(ev);
        if (!manifest) {
          if (after_idle_poll) {
            EXPECT_EQ(ev.ts_us - events[i - 1].ts_us, 250'000 + SessionContext{}.rtt_us);
          }
          after_idle_poll = true;
          ++idle_polls;
          continue;
        }
        EXPECT_EQ(manifest->fields.at(1), 6u);
        const uint64_t id = manifest->fields.at(2), size = manifest->fields.at(5);
        size_t got = 0;
        for (++i; SliverQuery(events[i], o).fields.at(1) == 7; ++i) {  // DATA_TO_IMPLANT pieces
          const SliverMessage piece = SliverQuery(events[i], o);
          EXPECT_EQ(piece.fields.at(2), id);
          const std::optional<SliverMessage> answer = SliverTxt(events[i]);
          ASSERT_TRUE(answer);
          EXPECT_EQ(answer->fields.count(3) ? answer->fields.at(3) : 0, got);
          EXPECT_EQ(piece.fields.at(4) - (piece.fields.count(3) ? piece.fields.at(3) : 0), answer->data.size());
          got += answer->data.size();
        }
        EXPECT_EQ(got, size);
        --i;
        ++types[7];
        break;
      }
      default:
        ADD_FAILURE() << "type " << type;
    }
    after_idle_poll = false;
  }
  EXPECT_EQ(types[0], 4);
  EXPECT_EQ(types[9], 2);
  EXPECT_EQ(types[7], 2);
  EXPECT_EQ(sizes.size(), 4u);  // INIT, Register, two results
  for (const auto& [id, size] : sizes) {
    EXPECT_EQ(received[id], size);
  }
  EXPECT_GE(idle_polls, 40 + 30);
}

// ---------------------------------------------------------------------------
// iodine and dns2tcp, against the real tools' traffic recorded through
// Unbound in tests/tunnels (testdata/detect/tunnels.pcap).

Events RecordedClient(const std::string& address) {
  std::unique_ptr<ingest::EventSource> source;
  EXPECT_TRUE(
      ingest::OpenSource(std::string(NSRADAR_TESTDATA) + "/detect/tunnels.pcap", ingest::Format::kPcap, {}, &source)
          .ok());
  Events out;
  if (!source) return out;
  EXPECT_TRUE(source
                  ->Run([&](const ingest::DnsEvent& ev) {
                    if (ev.client.ToString() == address) out.push_back(ev);
                  })
                  .ok());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ts_us < b.ts_us; });
  return out;
}

// What of a query does not depend on random values: iodine's command
// letter, the type, the size (names of the same length; EDNS0 or not).
struct Shape {
  char command;
  uint16_t qtype;
  uint32_t query_size;
  friend bool operator==(const Shape&, const Shape&) = default;
};
std::vector<Shape> IodineHandshake(const Events& events) {
  std::vector<Shape> out;
  for (const ingest::DnsEvent& ev : events) {
    out.push_back({ev.qname_raw[0], ev.qtype, ev.query_size});
    if (ev.qname_raw[0] == 'n') break;  // the fragment size: the handshake's end
  }
  return out;
}
std::string Commands(const std::vector<Shape>& shapes) {
  std::string s;
  for (const Shape& shape : shapes) s.push_back(shape.command);
  return s;
}

TEST(ToolSessions, IodineHandshakeIsTheRealToolsQueryForQuery) {
  // tests/tunnels: iodine -r (no raw mode), NULL autodetected; and -r -T TXT -O Base32.
  IodineOptions null_tunnel;
  null_tunnel.topdomain = "iodnull.test";
  null_tunnel.raw_mode = false;
  null_tunnel.path_max_fragsize = 2000;
  const std::vector<Shape> real_null = IodineHandshake(RecordedClient("10.77.0.13"));
  const std::vector<Shape> ours_null = IodineHandshake(IodineSession({}, null_tunnel));
  EXPECT_EQ(Commands(real_null), "yvlyzzzzzsorrrrrrrn");
  EXPECT_TRUE(ours_null == real_null) << Commands(ours_null);

  IodineOptions txt_tunnel = null_tunnel;
  txt_tunnel.topdomain = "iodtxt.test";
  txt_tunnel.qtype = dns::rr::kTXT;
  txt_tunnel.downstream_codec = 'T';
  const std::vector<Shape> real_txt = IodineHandshake(RecordedClient("10.77.0.14"));
  const std::vector<Shape> ours_txt = IodineHandshake(IodineSession({}, txt_tunnel));
  EXPECT_EQ(Commands(real_txt), "vlyzzzzzsoorrrrrrrn");
  EXPECT_TRUE(ours_txt == real_txt) << Commands(ours_txt);
  for (size_t i = 0; i < std::min(ours_txt.size(), real_txt.size()); ++i) {
    EXPECT_EQ(ours_txt[i].query_size, real_txt[i].query_size) << i << " " << ours_txt[i].command;
  }
}

constexpr std::string_view kIodineBase32 = "abcdefghijklmnopqrstuvwxyz012345";

TEST(ToolSessions, IodineVersionLoginAndCounters) {
  IodineOptions o;
  const Events events = IodineSession({}, o);
  ExpectWellFormed(events);
  // Version: 'v', then Base32 of the protocol version 0x00000502 and the
  // 2-byte cache-miss counter; login: user id, MD5, counter.
  const std::string version = Before(events[1], o.topdomain);
  ASSERT_EQ(version[0], 'v');
  EXPECT_TRUE(version.starts_with("vaaaak"));
  const Bytes v = Unpack(version.substr(1), 5, kIodineBase32).value_or("");
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(U32(v, 0), 0x502u);
  const std::string login = Before(events[2], o.topdomain);
  ASSERT_EQ(login[0], 'l');
  const Bytes l = Unpack(login.substr(1), 5, kIodineBase32).value_or("");
  ASSERT_EQ(l.size(), 19u);
  EXPECT_EQ(U16(l, 17), U16(v, 4) + 1);
  EXPECT_EQ(Generic(events[1].answers.at(0).data).substr(0, 4), "VACK");
  // DNS ids 7727 apart, one source port.
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].id, static_cast<uint16_t>(events[i - 1].id + 7727));
    EXPECT_EQ(events[i].client_port, events[0].client_port);
  }
  // Raw mode asks for the server's address, then loses 10 s trying it.
  EXPECT_EQ(events[3].qname_raw[0], 'i');
  EXPECT_EQ(Generic(events[3].answers.at(0).data).size(), 5u);
  EXPECT_EQ(events[4].ts_us - events[3].ts_us, SessionContext{}.rtt_us + 10 * kSecond);
  // Idle pings every 4 s in lazy mode, no data in their answers.
  int pings = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].qname_raw[0] != 'p') continue;
    ++pings;
    EXPECT_EQ(Before(events[i], o.topdomain).size(), 8u);
    EXPECT_EQ(Generic(events[i].answers.at(0).data).size(), 2u);
    if (i + 1 < events.size()) {
      EXPECT_EQ(events[i + 1].ts_us - events[i].ts_us, 4 * kSecond);
    }
  }
  EXPECT_EQ(pings, o.pings);
  // When the raw UDP login reaches the server, the tunnel leaves DNS.
  o.raw_udp_reaches_server = true;
  EXPECT_EQ(IodineSession({}, o).back().qname_raw[0], 'i');
}

// The fragment sizes the 'r' probes propose, from their 3 Base32 characters.
std::vector<int> Probes(const Events& events) {
  std::vector<int> sizes;
  for (const ingest::DnsEvent& ev : events) {
    if (ev.qname_raw[0] != 'r') continue;
    const std::string& n = ev.qname_raw;
    const int size = static_cast<int>((kIodineBase32.find(n[1]) & 1) << 10 | kIodineBase32.find(n[2]) << 5 |
                                      kIodineBase32.find(n[3]));
    sizes.push_back(size);
    EXPECT_EQ(ev.has_response, size <= IodineOptions{}.path_max_fragsize);
    if (ev.has_response) {
      EXPECT_EQ(Generic(ev.answers.at(0).data).size(), static_cast<size_t>(size));
    }
  }
  return sizes;
}

TEST(ToolSessions, IodineSearchesTheFragmentSizeTheTunnelCarries) {
  IodineOptions o;
  const Events events = IodineSession({}, o);
  EXPECT_EQ(Probes(events), (std::vector<int>{768, 1152, 1344, 1344, 1344, 1248, 1248, 1248, 1200, 1224, 1224, 1224,
                                              1212, 1212, 1212}));
  for (const ingest::DnsEvent& ev : events) {
    if (ev.qname_raw[0] == 'n') {
      EXPECT_EQ(U16(Unpack(Before(ev, o.topdomain).substr(1), 5, kIodineBase32).value_or("xxx"), 1), 1198);
    }
  }
}

TEST(ToolSessions, IodineFallsBackWhenThePathRefusesItsTypesAndBytes) {
  IodineOptions o;
  o.path_passes_null = false;
  o.path_keeps_8bit = false;
  Events events = IodineSession({}, o);
  ExpectWellFormed(events);
  // Autodetection: NULL and PRIVATE time out after 1 s, TXT answers; then
  // NULL and PRIVATE again with 2 s and 3 s.
  std::vector<uint16_t> types;
  std::vector<int64_t> waits;
  for (size_t i = 0; events[i].qname_raw[0] == 'y'; ++i) {
    types.push_back(events[i].qtype);
    waits.push_back(events[i + 1].ts_us - events[i].ts_us);
  }
  const int64_t rtt = SessionContext{}.rtt_us;
  EXPECT_EQ(types, (std::vector<uint16_t>{kNULL, kPRIVATE, dns::rr::kTXT, kNULL, kPRIVATE, kNULL, kPRIVATE}));
  EXPECT_EQ(waits, (std::vector<int64_t>{kSecond, kSecond, rtt, 2 * kSecond, 2 * kSecond, 3 * kSecond, 3 * kSecond}));
  // Base128 bounces fail (SERVFAIL), Base64 works: upstream switches to
  // 6 bits; downstream Base64 works, Base128 does not.
  std::string commands;
  for (const ingest::DnsEvent& ev : events) {
    commands.push_back(ev.qname_raw[0]);
    if (ev.qname_raw[0] == 's') {
      EXPECT_EQ(ev.qname_raw[2], 'g');
    }
    if (ev.qname_raw[0] == 'o' && ev.qname_raw[2] != 'l') {
      EXPECT_EQ(ev.qname_raw[2], 's');
    }
  }
  EXPECT_TRUE(commands.starts_with("yyyyyyyvliyzzsyyoor")) << commands;
  EXPECT_EQ(events[11].rcode, 2);
  EXPECT_EQ(TxtStrings(events[12].answers.at(0).data)[0][0], 't');  // bounces come back in Base32
  // A path that lowercases names keeps iodine at Base32: one bounce, no switch.
  o = IodineOptions{};
  o.path_keeps_case = false;
  events = IodineSession({}, o);
  commands.clear();
  for (const ingest::DnsEvent& ev : events) commands.push_back(ev.qname_raw[0]);
  EXPECT_TRUE(commands.starts_with("yvliyzor")) << commands;
}

// dns2tcp's packet: session id, ack, seq, type, data.
Bytes Dns2tcpPacket(const ingest::DnsEvent& ev, std::string_view marker, const Dns2tcpOptions& o) {
  std::vector<std::string> labels = Split(Before(ev, o.domain), '.');
  if (!marker.empty()) {
    EXPECT_EQ(labels.back(), marker);
    labels.pop_back();
  }
  for (const std::string& label : labels) {
    EXPECT_LE(label.size(), 63u);
  }
  return Unpack(Concat(labels, 0, labels.size()), 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
      .value_or("");
}
std::vector<Bytes> Dns2tcpAnswers(const ingest::DnsEvent& ev) {
  std::vector<Bytes> out;
  for (size_t i = 0; i < ev.answers.size(); ++i) {
    EXPECT_EQ(ev.answers[i].ttl, 3u);
    const std::vector<std::string> strings =
        ev.qtype == kKEY ? std::vector<std::string>{Generic(ev.answers[i].data)} : TxtStrings(ev.answers[i].data);
    if (ev.qtype == dns::rr::kTXT) {
      EXPECT_EQ(strings.back(), "");  // dns_encode's terminating zero
    }
    const std::string text = Concat(strings, 0, strings.size());
    EXPECT_EQ(text[0], static_cast<char>('A' + i));
    out.push_back(
        Unpack(text.substr(1), 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/").value_or(""));
  }
  return out;
}

TEST(ToolSessions, Dns2tcpHandshakeIsTheRealToolsQueryForQuery) {
  for (const auto& [address, domain, qtype] :
       {std::tuple{"10.77.0.11", "d2ttxt.test", dns::rr::kTXT}, std::tuple{"10.77.0.12", "d2tkey.test", kKEY}}) {
    Dns2tcpOptions o;
    o.domain = domain;
    o.qtype = qtype;
    o.resource = "sink";
    const Events real = RecordedClient(address);
    const Events ours = Dns2tcpSession({}, o);
    ExpectWellFormed(ours);
    ASSERT_GE(real.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {  // =auth, =auth, =connect
      EXPECT_EQ(Split(ours[i].qname, '.')[Split(ours[i].qname, '.').size() - 3],
                Split(real[i].qname, '.')[Split(real[i].qname, '.').size() - 3]);
      EXPECT_EQ(ours[i].qtype, real[i].qtype);
      EXPECT_EQ(ours[i].query_size, real[i].query_size) << i;
      EXPECT_EQ(ours[i].response_size, real[i].response_size) << i;
      EXPECT_EQ(ours[i].answers.at(0).ttl, real[i].answers.at(0).ttl);
    }
    // The second =auth packet begins with the first answer's DNS header
    // (id replaced by the session id), then the HMAC in upper-case hex.
    const Bytes first = Dns2tcpPacket(ours[0], "=auth", o), second = Dns2tcpPacket(ours[1], "=auth", o);
    EXPECT_EQ(U16(first, 0), 0);
    const Bytes challenge = Dns2tcpAnswers(ours[0]).at(0);
    EXPECT_EQ(challenge.substr(7).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), std::string::npos);
    EXPECT_EQ(challenge.size(), 7u + 16);
    EXPECT_EQ(U16(second, 0), U16(challenge, 0));
    EXPECT_EQ(second.substr(2, 5), Bytes("\x81\x80\x00\x01\x00", 5));
    EXPECT_EQ(second.substr(7).find_first_not_of("0123456789ABCDEF"), std::string::npos);
    EXPECT_EQ(second.size(), 7u + 40);
    EXPECT_EQ(Dns2tcpPacket(ours[2], "=connect", o).substr(7), "sink");
  }
}

TEST(ToolSessions, Dns2tcpListsResourcesAndPollsWithNops) {
  Dns2tcpOptions o;
  o.resource = "";
  Events events = Dns2tcpSession({}, o);
  ExpectWellFormed(events);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(Dns2tcpPacket(events[2], "=resource", o).size(), 7u);
  const std::vector<Bytes> listed = Dns2tcpAnswers(events[2]);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].substr(7), "ssh:127.0.0.1:22");
  EXPECT_EQ(listed[1].substr(7), "smtp:127.0.0.1:25");

  o.resource = "ssh";
  o.polls = 40;
  events = Dns2tcpSession({}, o);
  ExpectWellFormed(events);
  const uint16_t session = U16(Dns2tcpAnswers(events[0]).at(0), 0);
  for (size_t i = 3; i < events.size(); ++i) {
    // NOP: session, ack trailing seq by the window of 24, seq, type NOP.
    const int seq = static_cast<int>(i) - 2;
    const Bytes nop = Dns2tcpPacket(events[i], "", o);
    ASSERT_EQ(nop.size(), 7u);
    EXPECT_EQ(U16(nop, 0), session);
    EXPECT_EQ(U16(nop, 2), seq > 24 ? seq - 24 : 0);
    EXPECT_EQ(U16(nop, 4), seq);
    EXPECT_EQ(nop[6], '\x04');
    EXPECT_EQ(Dns2tcpAnswers(events[i]).at(0).substr(6), "\x10");  // ACK
    if (i > 3) {
      EXPECT_EQ(events[i].ts_us - events[i - 1].ts_us, o.poll_interval_us);
    }
  }
}

// ---------------------------------------------------------------------------

TEST(ToolSessions, DeterministicForASeedAndDifferentAcrossSeeds) {
  auto names = [](uint64_t seed) {
    SessionContext ctx;
    ctx.seed = seed;
    std::vector<std::string> out;
    for (const auto& events : {Dnscat2Session(ctx, {}), DnsExfiltratorSession(ctx, {}), CobaltStrikeDnsSession(ctx, {}),
                               SliverDnsSession(ctx, {}), IodineSession(ctx, {}), Dns2tcpSession(ctx, {})}) {
      for (const ingest::DnsEvent& ev : events) out.push_back(ev.qname_raw);
    }
    return out;
  };
  EXPECT_EQ(names(7), names(7));
  EXPECT_NE(names(7), names(8));
}

}  // namespace
}  // namespace nsradar::detect::testing
