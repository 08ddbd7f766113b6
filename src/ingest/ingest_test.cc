// Ingest: the DNS wire parser, captures, dnstap, and the same traffic seen
// through each of them; hostile input of every kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "dns/name.h"
#include "dns/rr_type.h"
#include "ingest/dns_message.h"
#include "ingest/dnstap_source.h"
#include "ingest/formats.h"
#include "ingest/internal/ingest_test_util.h"
#include "ingest/internal/query_matcher.h"
#include "ingest/passive_dns.h"
#include "ingest/pcap_source.h"
#include "nsdb/store_test_util.h"

namespace nsradar::ingest {
namespace {

using nsdb::testing::TempDir;
using testing::MessageBuilder;

const std::string kFixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes the prefixes of `full` cut at first, first + step, ... to a file in
// turn and calls check(file, cut) for each.
void ForEachCut(const std::string& full, size_t first, size_t step,
                const std::function<void(const std::string&, size_t)>& check) {
  TempDir dir;
  for (size_t cut = first; cut < full.size(); cut += step) {
    std::ofstream(dir.file("cut"), std::ios::binary) << full.substr(0, cut);
    check(dir.file("cut"), cut);
  }
}

std::vector<DnsEvent> ReadAll(const std::string& path, SourceStats* stats = nullptr,
                              const SourceOptions& options = {}) {
  std::unique_ptr<EventSource> source;
  Status s = OpenSource(path, Format::kAuto, options, &source);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<DnsEvent> out;
  if (!source) return out;
  s = source->Run([&](const DnsEvent& ev) { out.push_back(ev); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (stats) *stats = source->stats();
  return out;
}

TEST(DnsMessage, ParsesQuestionAnswersAndCompression) {
  MessageBuilder b(0x1234, true, 3);
  b.Question("WWW.Example.COM", dns::rr::kA).AnswerA(300, 192, 0, 2, 1);
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(reinterpret_cast<const uint8_t*>(b.bytes().data()), b.bytes().size(), true, &m),
            DnsParseError::kNone);
  EXPECT_EQ(m.id, 0x1234);
  EXPECT_TRUE(m.qr);
  EXPECT_EQ(m.rcode, 3);
  EXPECT_EQ(m.qname, "www.example.com");
  EXPECT_EQ(m.qname_raw, "WWW.Example.COM");
  EXPECT_EQ(m.qtype, dns::rr::kA);
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(m.answers[0].name, "www.example.com");
  EXPECT_EQ(m.answers[0].data, "192.0.2.1");
  EXPECT_EQ(m.answers[0].ttl, 300u);
}

TEST(DnsMessage, HostileMessagesAreRefusedWithAReason) {
  auto parse = [](const std::string& bytes, DnsMessage* m) {
    return ParseDnsMessage(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), true, m);
  };
  DnsMessage m;
  EXPECT_EQ(parse(std::string(11, '\0'), &m), DnsParseError::kShortHeader);
  MessageBuilder none(1, false);
  std::string no_question = none.bytes();
  no_question[5] = 0;
  EXPECT_EQ(parse(no_question, &m), DnsParseError::kNoQuestion);
  // A question name that points at itself, and one that points forwards.
  MessageBuilder self(1, false);
  EXPECT_EQ(parse(self.bytes() + std::string("\xc0\x0c\x00\x01\x00\x01", 6), &m), DnsParseError::kBadQuestionName);
  MessageBuilder fwd(1, false);
  EXPECT_EQ(parse(fwd.bytes() + std::string("\xc0\x20\x00\x01\x00\x01", 6), &m), DnsParseError::kBadQuestionName);
  // A label running past the end, a reserved label type, a 300-byte name.
  MessageBuilder past(1, false);
  EXPECT_EQ(parse(past.bytes() + "\x09"
                                 "abc",
                  &m),
            DnsParseError::kBadQuestionName);
  EXPECT_EQ(parse(past.bytes() + "\x41"
                                 "abc",
                  &m),
            DnsParseError::kBadQuestionName);
  std::string long_name;
  for (int i = 0; i < 6; ++i) long_name += std::string(50, 'a') + ".";
  MessageBuilder too_long(1, false);
  too_long.Question(long_name.substr(0, long_name.size() - 1), 1);
  EXPECT_EQ(parse(too_long.bytes(), &m), DnsParseError::kBadQuestionName);
  // A good question with a broken answer keeps the question.
  MessageBuilder broken(7, true);
  broken.Question("ok.example", dns::rr::kA);
  std::string bytes = broken.bytes() + std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x10\x00\x09\x01", 13);
  bytes[7] = 1;  // ancount
  EXPECT_EQ(parse(bytes, &m), DnsParseError::kShortRecord);
  EXPECT_EQ(m.qname, "ok.example");
}

TEST(DnsMessage, BoundsTheRecordsItKeeps) {
  MessageBuilder b(1, true);
  b.Question("many.example", dns::rr::kA);
  for (int i = 0; i < 500; ++i) b.AnswerA(1, 10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i));
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(reinterpret_cast<const uint8_t*>(b.bytes().data()), b.bytes().size(), true, &m),
            DnsParseError::kNone);
  EXPECT_EQ(m.ancount, 500);
  EXPECT_EQ(m.answers.size(), 64u);
}

// The traffic of scripts/make-ingest-fixtures.sh, recorded by tcpdump and by
// Unbound's dnstap: both must give the same events.
TEST(Fixtures, PcapAndDnstapOfTheSameTrafficAgree) {
  SourceStats pcap_stats, tap_stats;
  std::vector<DnsEvent> pcap = ReadAll(kFixtures + "unbound.pcap", &pcap_stats);
  std::vector<DnsEvent> tap = ReadAll(kFixtures + "unbound.dnstap", &tap_stats);
  ASSERT_EQ(pcap.size(), 11u);
  ASSERT_EQ(tap.size(), pcap.size());
  EXPECT_TRUE(pcap_stats.skipped.empty());
  EXPECT_TRUE(tap_stats.skipped.empty());
  for (size_t i = 0; i < pcap.size(); ++i) {
    const DnsEvent& a = pcap[i];
    const DnsEvent& b = tap[i];
    SCOPED_TRACE(a.qname);
    EXPECT_EQ(a.qname, b.qname);
    EXPECT_EQ(a.qname_raw, b.qname_raw);
    EXPECT_EQ(a.qtype, b.qtype);
    EXPECT_EQ(a.rcode, b.rcode);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.client, b.client);
    EXPECT_EQ(a.client_port, b.client_port);
    EXPECT_EQ(a.server.ToString(), "127.0.10.11");
    EXPECT_EQ(a.server, b.server);
    EXPECT_EQ(a.transport, b.transport);
    EXPECT_EQ(a.query_size, b.query_size);
    EXPECT_EQ(a.response_size, b.response_size);
    EXPECT_EQ(a.registered_domain(), b.registered_domain());
    ASSERT_EQ(a.answers.size(), b.answers.size());
    for (size_t k = 0; k < a.answers.size(); ++k) EXPECT_EQ(a.answers[k].data, b.answers[k].data);
    // The two clocks are the capture's and Unbound's: within a few ms.
    EXPECT_LT(std::abs(a.ts_us - b.ts_us), 5000);
    EXPECT_TRUE(a.has_query && a.has_response);
    EXPECT_EQ(b.sensor, "fixture-unbound");
  }
  EXPECT_EQ(pcap[4].qname_raw, "WwW.GooD.TeSt");
  EXPECT_EQ(pcap[4].qname, "www.good.test");
  EXPECT_EQ(pcap[5].rcode, 3);
  EXPECT_EQ(pcap[7].transport, Transport::kTcp);
  EXPECT_EQ(pcap[8].registered_domain(), "example.co.uk");
  EXPECT_EQ(pcap[0].answers.at(0).data, "192.0.2.10");
  EXPECT_EQ(pcap[1].answers.at(0).data, "2001:db8::10");
  EXPECT_EQ(pcap[2].answers.at(0).data, "10 mail.good.test");
  EXPECT_EQ(pcap[3].answers.at(0).data, "\"hello world\"");
}

TEST(Fixtures, TruncatedDnstapFilesAreReadUpToTheCut) {
  const std::string full = Slurp(kFixtures + "unbound.dnstap");
  size_t previous = 0;
  ForEachCut(full, 64, 97, [&](const std::string& file, size_t cut) {
    std::vector<DnsEvent> events = ReadAll(file);
    EXPECT_GE(events.size(), previous) << "cut at " << cut;  // more data never yields fewer events
    EXPECT_LE(events.size(), 11u);
    previous = events.size();
  });
  TempDir dir;
  std::ofstream(dir.file("mid"), std::ios::binary) << full.substr(0, full.size() - 30);
  SourceStats stats;
  ReadAll(dir.file("mid"), &stats);
  EXPECT_EQ(stats.skipped["dnstap_truncated_frame"], 1u);
}

TEST(Pcap, HostilePacketsAreCountedAndTheRestDecoded) {
  TempDir dir;
  const uint32_t client = 0x0a000001, server = 0x0a000035;
  {
    testing::PcapWriter w(dir.file("hostile.pcap"));
    MessageBuilder q(1, false);
    q.Question("good.example.com", dns::rr::kA);
    MessageBuilder r(1, true);
    r.Question("good.example.com", dns::rr::kA).AnswerA(60, 192, 0, 2, 7);
    w.Add(1'000'000, testing::Ipv4(client, server, 17, testing::Udp(40000, 53, q.bytes())));
    w.Add(1'000'100, testing::Ipv4(server, client, 17, testing::Udp(53, 40000, r.bytes())));
    // A response whose answer loops on itself: the question is kept.
    MessageBuilder loop(2, true);
    loop.Question("loop.example.com", dns::rr::kA);
    std::string looped = loop.bytes() + std::string("\xc0\x22\x00\x01", 4);
    looped[7] = 1;
    w.Add(1'000'200, testing::Ipv4(server, client, 17, testing::Udp(53, 40001, looped)));
    // An IP length beyond the packet, a non-DNS port, garbage, a non-IP frame.
    w.Add(1'000'300, testing::Ipv4(client, server, 17, testing::Udp(40002, 53, q.bytes()), 9, 0, 4000));
    w.Add(1'000'400, testing::Ipv4(client, server, 17, testing::Udp(40003, 80, q.bytes())));
    w.Add(1'000'500, std::string("\x45\x00\x00", 3));
    w.Add(1'000'600, std::string(40, '\xff'));
    // A response split in three IP fragments sent in reverse order.
    MessageBuilder big(3, true);
    big.Question("frag.example.net", dns::rr::kA);
    for (int i = 0; i < 40; ++i) big.AnswerA(60, 198, 51, 100, static_cast<uint8_t>(i));
    std::string udp = testing::Udp(53, 40004, big.bytes());
    std::string parts[3] = {udp.substr(0, 304), udp.substr(304, 304), udp.substr(608)};
    w.Add(1'000'700, testing::Ipv4(server, client, 17, parts[2], 77, static_cast<uint16_t>(608 / 8)));
    w.Add(1'000'800, testing::Ipv4(server, client, 17, parts[1], 77, static_cast<uint16_t>(0x2000 | 304 / 8)));
    w.Add(1'000'900, testing::Ipv4(server, client, 17, parts[0], 77, 0x2000));
    // A TCP query in two segments, the second first; then its response.
    MessageBuilder tq(4, false);
    tq.Question("tcp.example.org", dns::rr::kTXT);
    std::string framed;
    testing::Append16(&framed, static_cast<uint16_t>(tq.bytes().size()));
    framed += tq.bytes();
    w.Add(1'001'000, testing::Ipv4(client, server, 6, testing::Tcp(40005, 53, 1000, 0x02, "")));  // SYN
    w.Add(1'001'100, testing::Ipv4(client, server, 6, testing::Tcp(40005, 53, 1001 + 10, 0x18, framed.substr(10))));
    w.Add(1'001'200, testing::Ipv4(client, server, 6, testing::Tcp(40005, 53, 1001, 0x18, framed.substr(0, 10))));
    MessageBuilder tr(4, true, 3);
    tr.Question("tcp.example.org", dns::rr::kTXT);
    std::string tframed;
    testing::Append16(&tframed, static_cast<uint16_t>(tr.bytes().size()));
    tframed += tr.bytes();
    w.Add(1'001'300, testing::Ipv4(server, client, 6, testing::Tcp(53, 40005, 5000, 0x18, tframed)));
    // A query never answered.
    MessageBuilder lonely(5, false);
    lonely.Question("lonely.example.com", dns::rr::kA);
    w.Add(1'002'000, testing::Ipv4(client, server, 17, testing::Udp(40006, 53, lonely.bytes())));
  }
  SourceStats stats;
  std::vector<DnsEvent> events = ReadAll(dir.file("hostile.pcap"), &stats);
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.qname);
  EXPECT_EQ(names, (std::vector<std::string>{"good.example.com", "loop.example.com", "frag.example.net",
                                             "tcp.example.org", "lonely.example.com"}));
  EXPECT_EQ(events[0].answers.at(0).data, "192.0.2.7");
  EXPECT_TRUE(events[0].has_query && events[0].has_response);
  EXPECT_EQ(events[0].registered_domain(), "example.com");
  EXPECT_EQ(events[2].answers.size(), 40u);
  EXPECT_EQ(events[3].transport, Transport::kTcp);
  EXPECT_EQ(events[3].rcode, 3);
  EXPECT_TRUE(events[3].has_query);
  EXPECT_FALSE(events[4].has_response);
  EXPECT_EQ(events[4].rcode, -1);
  EXPECT_EQ(stats.skipped["dns_bad_record_name"], 1u);
  EXPECT_EQ(stats.skipped["bad_ipv4_header"], 3u);
  EXPECT_EQ(stats.skipped["not_dns_port"], 1u);
  EXPECT_EQ(stats.records, 15u);
}

// A TCP segment 2^31 bytes from the expected sequence number: pcapng_fuzz
// found its distance negated out of int32_t's range (undefined behaviour
// UBSan stops on). It is passed over, and the stream goes on.
TEST(Pcap, TcpSegmentHalfTheSequenceSpaceAwayIsPassedOver) {
  const SourceOptions options;  // the decoder keeps a reference
  SourceStats stats;
  PacketDecoder decoder(options, &stats);
  std::vector<std::string> names;
  const EventSink sink = [&](const DnsEvent& ev) { names.push_back(ev.qname); };
  MessageBuilder q(4, false);
  q.Question("tcp.example.org", dns::rr::kA);
  std::string framed;
  testing::Append16(&framed, static_cast<uint16_t>(q.bytes().size()));
  framed += q.bytes();
  int64_t ts = 1'000'000;
  auto send = [&](uint32_t seq, uint8_t flags, const std::string& payload) {
    const std::string p = testing::Ipv4(0x0a000001, 0x0a000035, 6, testing::Tcp(40005, 53, seq, flags, payload));
    decoder.Packet(101, ts += 100, reinterpret_cast<const uint8_t*>(p.data()), p.size(), p.size(), sink);
  };
  send(1000, 0x02, "");                    // SYN: the stream starts at 1001
  send(1001 + 0x80000000u, 0x18, framed);  // half the sequence space away
  send(1001, 0x18, framed);
  decoder.Finish(sink);
  EXPECT_EQ(names, std::vector<std::string>{"tcp.example.org"});
}

TEST(Pcap, DamagedAndForeignFilesAreErrorsOrCountedNeverCrashes) {
  TempDir dir;
  std::ofstream(dir.file("text.pcap")) << "this is not a capture\n";
  std::unique_ptr<EventSource> source;
  Status s = OpenSource(dir.file("text.pcap"), Format::kAuto, {}, &source);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown input format"), std::string::npos);
  // A capture cut in the middle of a packet record.
  const std::string whole = Slurp(kFixtures + "unbound.pcap");
  std::ofstream(dir.file("cut.pcap"), std::ios::binary) << whole.substr(0, whole.size() - 25);
  SourceStats stats;
  std::vector<DnsEvent> events = ReadAll(dir.file("cut.pcap"), &stats);
  EXPECT_EQ(events.size(), 11u);  // the last response lost; its query is still an event
  EXPECT_FALSE(events.back().has_response);
  EXPECT_EQ(stats.skipped["capture_truncated"], 1u);
  EXPECT_FALSE(stats.input_error.ok());
  EXPECT_NE(stats.input_error.message().find("cut.pcap at byte "), std::string::npos) << stats.input_error.ToString();
}

// tshark at fixture-making time (scripts/make-ingest-fixtures.sh captures):
// multilink.pcapng holds 11 queries and 11 responses on interface 0
// (Ethernet), 3 and 3 on interface 1 (Linux SLL), 4 and 4 on interface 2
// (Linux SLL2), each query answered: 18 transactions.
//   tshark -r multilink.pcapng -Y dns -T fields -e frame.interface_id -e dns.flags.response | sort | uniq -c
TEST(Fixtures, PcapngOfThreeLinkTypesYieldsEveryTransaction) {
  SourceStats stats;
  std::vector<DnsEvent> events = ReadAll(kFixtures + "multilink.pcapng", &stats);
  EXPECT_EQ(events.size(), 18u);
  EXPECT_TRUE(stats.skipped.empty()) << stats.skipped.begin()->first;
  EXPECT_TRUE(stats.input_error.ok()) << stats.input_error.ToString();
  EXPECT_EQ(stats.records, 52u);  // capinfos: 30 + 6 + 16 packets
  std::map<std::string, int> names;
  for (const auto& ev : events) {
    EXPECT_TRUE(ev.has_query && ev.has_response) << ev.qname;
    ++names[ev.qname + "/" + dns::TypeToString(ev.qtype)];
  }
  EXPECT_EQ(names["sll.good.test/TXT"], 1);     // only on the SLL interface
  EXPECT_EQ(names["multi.good.test/AAAA"], 1);  // only on the SLL2 interface
  EXPECT_EQ(names["www.good.test/A"], 4);       // twice on Ethernet, once on each cooked interface
}

// The same captures compressed by gzip, zstd and xz (make-ingest-fixtures.sh)
// read as the plain ones, whatever they are called: detection is by the
// decompressed bytes' magic.
TEST(Fixtures, CompressedCapturesReadAsThePlainOnes) {
  TempDir dir;
  std::vector<DnsEvent> plain = ReadAll(kFixtures + "unbound.pcap");
  ASSERT_EQ(plain.size(), 11u);
  std::filesystem::copy_file(kFixtures + "unbound.pcap.gz", dir.file("capture.log"));
  for (const std::string& path : {kFixtures + "unbound.pcap.gz", dir.file("capture.log")}) {
    SCOPED_TRACE(path);
    SourceStats stats;
    std::vector<DnsEvent> events = ReadAll(path, &stats);
    ASSERT_EQ(events.size(), plain.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].qname_raw, plain[i].qname_raw);
      EXPECT_EQ(events[i].ts_us, plain[i].ts_us);
      EXPECT_EQ(events[i].rcode, plain[i].rcode);
    }
    EXPECT_TRUE(stats.skipped.empty());
  }
  for (const char* file : {"multilink.pcapng.zst", "multilink.pcapng.xz"}) {
    SourceStats stats;
    EXPECT_EQ(ReadAll(kFixtures + file, &stats).size(), 18u) << file;
    EXPECT_TRUE(stats.skipped.empty()) << file;
  }
  SourceStats stats;
  EXPECT_EQ(ReadAll(kFixtures + "unbound.dnstap.xz", &stats).size(), 11u);  // dnstap, the same 11 transactions
  EXPECT_TRUE(stats.input_error.ok());
}

// Every cut of a real pcapng: never a crash, the packets before the cut
// still count, and a cut inside a block is counted and ends the file with an
// error naming where.
TEST(Pcapng, EveryTruncationIsCountedAndKeepsWhatCameBefore) {
  size_t previous = 0;
  ForEachCut(Slurp(kFixtures + "multilink.pcapng"), 0, 7, [&](const std::string& file, size_t cut) {
    std::unique_ptr<EventSource> source;
    ASSERT_TRUE(OpenSource(file, Format::kPcap, {}, &source).ok());  // some cuts are too short to detect
    size_t events = 0;
    ASSERT_TRUE(source->Run([&](const DnsEvent&) { ++events; }).ok());
    EXPECT_GE(events, previous) << "cut at " << cut;  // more data never yields fewer events
    previous = events;
    const SourceStats& st = source->stats();
    if (cut % 4 != 0) {  // blocks are 4-byte aligned: this cut is inside one
      EXPECT_EQ(st.skipped.at("capture_truncated"), 1u) << "cut at " << cut;
      EXPECT_FALSE(st.input_error.ok()) << "cut at " << cut;
    }
  });
  EXPECT_EQ(previous, 18u);
}

namespace {

std::string QueryPacket(uint16_t id, const std::string& name) {
  MessageBuilder q(id, false);
  q.Question(name, dns::rr::kA);
  return testing::Ipv4(0x0a000001, 0x0a000035, 17, testing::Udp(40000, 53, q.bytes()));
}

std::string ResponsePacket(uint16_t id, const std::string& name) {
  MessageBuilder r(id, true);
  r.Question(name, dns::rr::kA).AnswerA(60, 192, 0, 2, 7);
  return testing::Ipv4(0x0a000035, 0x0a000001, 17, testing::Udp(53, 40000, r.bytes()));
}

std::map<std::string, DnsEvent> ByName(const std::vector<DnsEvent>& events) {
  std::map<std::string, DnsEvent> out;
  for (const auto& ev : events) out[ev.qname] = ev;
  return out;
}

constexpr int kLinkEthernet = 1, kLinkRaw = 101;
constexpr uint64_t kSecond = 1'700'000'000;  // 2023-11-14T22:13:20Z

}  // namespace

// Two sections of opposite byte orders; interfaces of different link types
// and time resolutions (microseconds, nanoseconds, 2^-10 s with an offset);
// Enhanced, obsolete and Simple Packet Blocks; a block of unknown type and a
// packet of an interface never described. Expected times are worked out by
// hand from the units written.
TEST(Pcapng, SectionsInterfacesResolutionsAndBlockKinds) {
  testing::PcapngBuilder b;
  b.Section(false)
      .Interface(kLinkEthernet)
      .Interface(kLinkRaw, 9)
      .Block(0x1234, "opaque")
      .Enhanced(0, kSecond * 1'000'000, testing::Ethernet(QueryPacket(1, "cross.example.com")))
      .Enhanced(1, kSecond * 1'000'000'000 + 300'000'000, ResponsePacket(1, "cross.example.com"))
      .Obsolete(0, (kSecond + 1) * 1'000'000, testing::Ethernet(QueryPacket(2, "obsolete.example.com")))
      .Simple(testing::Ethernet(QueryPacket(3, "simple.example.com")))
      .Section(true)
      .Interface(kLinkRaw, 0x8a, 100)
      .Enhanced(0, kSecond * 1024 + 512, QueryPacket(4, "second.example.com"))
      .Enhanced(1, kSecond * 1024, QueryPacket(5, "nowhere.example.com"));
  TempDir dir;
  std::ofstream(dir.file("built.pcapng"), std::ios::binary) << b.bytes();
  SourceStats stats;
  std::map<std::string, DnsEvent> events = ByName(ReadAll(dir.file("built.pcapng"), &stats));
  ASSERT_EQ(events.size(), 4u);
  // The query on the Ethernet interface pairs with its response on the raw one.
  const DnsEvent& cross = events["cross.example.com"];
  EXPECT_TRUE(cross.has_query && cross.has_response);
  EXPECT_EQ(cross.ts_us, static_cast<int64_t>(kSecond * 1'000'000));
  ASSERT_EQ(cross.answers.size(), 1u);
  EXPECT_EQ(cross.answers[0].data, "192.0.2.7");
  EXPECT_EQ(events["obsolete.example.com"].ts_us, static_cast<int64_t>((kSecond + 1) * 1'000'000));
  EXPECT_EQ(events["simple.example.com"].ts_us, static_cast<int64_t>((kSecond + 1) * 1'000'000));  // the last time
  // 2^-10 s units: 512 of them is half a second; if_tsoffset adds 100 s.
  EXPECT_EQ(events["second.example.com"].ts_us, static_cast<int64_t>((kSecond + 100) * 1'000'000 + 500'000));
  EXPECT_EQ(stats.skipped["pcapng_unknown_block"], 1u);
  EXPECT_EQ(stats.skipped["pcapng_unknown_interface"], 1u);
  EXPECT_EQ(stats.records, 5u);
  EXPECT_TRUE(stats.input_error.ok());
}

// Classic pcap in both byte orders, with the microsecond and the nanosecond
// magic, written byte by byte.
TEST(Pcap, BothByteOrdersAndNanosecondFiles) {
  TempDir dir;
  for (bool big : {false, true}) {
    for (bool nanos : {false, true}) {
      SCOPED_TRACE(std::string(big ? "big" : "little") + (nanos ? " nanoseconds" : " microseconds"));
      testing::CaptureBytes f(big);
      f.U32(nanos ? 0xa1b23c4d : 0xa1b2c3d4);
      f.U16(2);
      f.U16(4);
      f.U32(0);
      f.U32(0);
      f.U32(65535);
      f.U32(nanos ? kLinkRaw : kLinkEthernet);
      const std::string packet =
          nanos ? QueryPacket(9, "order.example.com") : testing::Ethernet(QueryPacket(9, "order.example.com"));
      f.U32(static_cast<uint32_t>(kSecond));
      f.U32(nanos ? 123'456'789 : 123'456);
      f.U32(static_cast<uint32_t>(packet.size()));
      f.U32(static_cast<uint32_t>(packet.size()));
      f.Raw(packet);
      std::ofstream(dir.file("order.pcap"), std::ios::binary) << f.bytes();
      SourceStats stats;
      std::vector<DnsEvent> events = ReadAll(dir.file("order.pcap"), &stats);
      ASSERT_EQ(events.size(), 1u);
      EXPECT_EQ(events[0].qname, "order.example.com");
      EXPECT_EQ(events[0].ts_us, static_cast<int64_t>(kSecond * 1'000'000 + 123'456));
      EXPECT_TRUE(stats.skipped.empty());
    }
  }
}

// Damaged blocks: the ones whose lengths still frame them are counted and
// passed; a length that loses the framing ends the file, counted, with its
// offset, after the packets before it.
TEST(Pcapng, DamagedBlocksAreCountedWithTheirOffset) {
  auto run = [](const std::string& bytes, SourceStats* stats) {
    TempDir dir;
    std::ofstream(dir.file("damaged.pcapng"), std::ios::binary) << bytes;
    std::vector<std::string> names;
    for (const auto& ev : ReadAll(dir.file("damaged.pcapng"), stats)) names.push_back(ev.qname);
    return names;
  };
  testing::PcapngBuilder head;
  head.Section(false).Interface(kLinkRaw).Enhanced(0, kSecond * 1'000'000, QueryPacket(1, "before.example.com"));
  const size_t damaged_at = head.bytes().size();

  // A packet longer than its block: skipped, and the next block read.
  testing::PcapngBuilder b = head;
  b.Enhanced(0, kSecond * 1'000'000, QueryPacket(2, "long.example.com"));
  b.bytes()[damaged_at + 8 + 12] = '\x7f';  // captured length's low byte
  b.Enhanced(0, kSecond * 1'000'000, QueryPacket(3, "after.example.com"));
  SourceStats stats;
  EXPECT_EQ(run(b.bytes(), &stats), (std::vector<std::string>{"before.example.com", "after.example.com"}));
  EXPECT_EQ(stats.skipped["pcapng_bad_packet_length"], 1u);
  EXPECT_NE(stats.samples["pcapng_bad_packet_length"].at(0).find(" at byte " + std::to_string(damaged_at)),
            std::string::npos)
      << stats.samples["pcapng_bad_packet_length"].at(0);
  EXPECT_TRUE(stats.input_error.ok());

  // Trailing length differing from the leading one; a length past any
  // block allowed; one not a multiple of 4; one shorter than a block.
  for (uint32_t length : {0u, 1u, 8u, 0xfffffff0u}) {
    SCOPED_TRACE(length);
    testing::PcapngBuilder d = head;
    d.Enhanced(0, kSecond * 1'000'000, QueryPacket(2, "broken.example.com"));
    d.Enhanced(0, kSecond * 1'000'000, QueryPacket(3, "lost.example.com"));
    std::string& bytes = d.bytes();
    if (length == 0) {
      bytes[damaged_at + 4] = static_cast<char>(bytes[damaged_at + 4] + 4);  // leading length 4 more than trailing
    } else {
      for (int i = 0; i < 4; ++i) bytes[damaged_at + 4 + i] = static_cast<char>(length >> (8 * i));
    }
    SourceStats st;
    EXPECT_EQ(run(bytes, &st), std::vector<std::string>{"before.example.com"});
    EXPECT_EQ(st.skipped["pcapng_bad_block_length"] + st.skipped["capture_truncated"], 1u);
    EXPECT_FALSE(st.input_error.ok());
    EXPECT_NE(st.input_error.message().find(" at byte " + std::to_string(damaged_at)), std::string::npos)
        << st.input_error.ToString();
  }

  // A bad if_tsresol keeps the interface at microseconds; a packet before
  // any interface is counted.
  testing::PcapngBuilder r;
  r.Section(false).Enhanced(0, 1, QueryPacket(1, "orphan.example.com")).Interface(kLinkRaw, 0x7f);
  r.Enhanced(0, kSecond * 1'000'000, QueryPacket(2, "resolution.example.com"));
  SourceStats rs;
  std::vector<DnsEvent> events;
  TempDir dir;
  std::ofstream(dir.file("r.pcapng"), std::ios::binary) << r.bytes();
  events = ReadAll(dir.file("r.pcapng"), &rs);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ts_us, static_cast<int64_t>(kSecond * 1'000'000));
  EXPECT_EQ(rs.skipped["pcapng_bad_option"], 1u);
  EXPECT_EQ(rs.skipped["pcapng_unknown_interface"], 1u);
}

// Times at the ends of every resolution clamp, never overflow.
TEST(Pcapng, ExtremeTimesAreClamped) {
  testing::PcapngBuilder b;
  b.Section(false).Interface(kLinkRaw, 0).Interface(kLinkRaw, 0x80, -(int64_t{1} << 62));
  b.Enhanced(0, ~uint64_t{0}, QueryPacket(1, "late.example.com"));
  b.Enhanced(1, 5, QueryPacket(2, "early.example.com"));
  TempDir dir;
  std::ofstream(dir.file("t.pcapng"), std::ios::binary) << b.bytes();
  std::map<std::string, DnsEvent> events = ByName(ReadAll(dir.file("t.pcapng")));
  EXPECT_EQ(events["late.example.com"].ts_us, kMaxEventSeconds * 1'000'000);
  EXPECT_EQ(events["early.example.com"].ts_us, 0);
}

TEST(QueryMatcher, MemoryIsBoundedWhateverTheQueries) {
  QueryMatcher matcher(5'000'000, 1000);
  DnsMessage m;
  MessageBuilder q(0, false);
  q.Question("x.flood.example", dns::rr::kA);
  ParseDnsMessage(reinterpret_cast<const uint8_t*>(q.bytes().data()), q.bytes().size(), true, &m);
  DnsEvent scratch;
  size_t emitted = 0;
  PacketInfo p;
  p.dst.family = p.src.family = 4;
  for (uint32_t i = 0; i < 100000; ++i) {
    p.ts_us = i;  // all within the timeout: only the bound evicts
    p.sport = static_cast<uint16_t>(i);
    p.src.bytes[0] = static_cast<uint8_t>(i >> 16);
    m.id = static_cast<uint16_t>(i);
    matcher.Add(p, m, &scratch, [&](const DnsEvent&) { ++emitted; });
    ASSERT_LE(matcher.pending(), 1001u);
  }
  matcher.Flush(&scratch, [&](const DnsEvent&) { ++emitted; });
  EXPECT_EQ(emitted, 100000u);
  EXPECT_EQ(matcher.pending(), 0u);
}

}  // namespace
}  // namespace nsradar::ingest

namespace nsradar::ingest {
namespace {

struct LogFixture {
  const char* file;
  Format format;
  bool has_rcode;
  bool same_client;  // the client the capture saw (resolvers in front see another)
};

class LogFixtures : public ::testing::TestWithParam<LogFixture> {};

// Every log of the same traffic yields the capture's transactions: same
// names, types, registered domains and, where the log has them, response
// codes and clients. Real software wrote the resolver logs
// (scripts/make-ingest-fixtures.sh); the others follow their documentation
// (scripts/make-doc-format-fixtures.py).
TEST_P(LogFixtures, YieldTheCapturesTransactions) {
  const LogFixture& fx = GetParam();
  std::vector<DnsEvent> pcap = ReadAll(kFixtures + "unbound.pcap");
  SourceStats stats;
  std::unique_ptr<EventSource> source;
  ASSERT_TRUE(OpenSource(kFixtures + fx.file, Format::kAuto, {}, &source).ok());
  std::vector<DnsEvent> events;
  ASSERT_TRUE(source->Run([&](const DnsEvent& ev) { events.push_back(ev); }).ok());
  EXPECT_TRUE(source->stats().skipped.empty()) << source->stats().skipped.begin()->first;
  // The auto-detected format must be the one named.
  std::unique_ptr<EventSource> named;
  ASSERT_TRUE(OpenSource(kFixtures + fx.file, fx.format, {}, &named).ok());
  size_t named_events = 0;
  ASSERT_TRUE(named->Run([&](const DnsEvent&) { ++named_events; }).ok());
  EXPECT_EQ(named_events, events.size());

  // PowerDNS answers a repeated query from its packet cache without logging
  // it: its events are the capture's in order, possibly with gaps.
  size_t k = 0;
  for (const DnsEvent& ev : events) {
    while (k < pcap.size() && !(pcap[k].qname == ev.qname && pcap[k].qtype == ev.qtype)) ++k;
    ASSERT_LT(k, pcap.size()) << ev.qname << " not in the capture's order";
    const DnsEvent& want = pcap[k++];
    EXPECT_EQ(ev.registered_domain(), want.registered_domain());
    if (fx.has_rcode) {
      EXPECT_EQ(ev.rcode, want.rcode) << ev.qname;
    }
    if (fx.same_client) {
      EXPECT_EQ(ev.client, want.client) << ev.qname;
      EXPECT_EQ(ev.client_port, want.client_port) << ev.qname;
    }
    EXPECT_GT(ev.ts_us, 1'700'000'000'000'000);
  }
  EXPECT_GE(events.size(), pcap.size() - 1);
}

INSTANTIATE_TEST_SUITE_P(All, LogFixtures,
                         ::testing::Values(LogFixture{"unbound.log", Format::kUnboundLog, true, false},
                                           LogFixture{"bind-query.log", Format::kBindLog, false, false},
                                           LogFixture{"dnsmasq.log", Format::kDnsmasqLog, true, false},
                                           LogFixture{"powerdns.log", Format::kPowerDnsLog, true, false},
                                           LogFixture{"zeek-dns.log", Format::kZeekTsv, true, true},
                                           LogFixture{"zeek-dns.json", Format::kZeekJson, true, true},
                                           LogFixture{"suricata-eve-v2.json", Format::kSuricataEve, true, true},
                                           LogFixture{"suricata-eve-v3.json", Format::kSuricataEve, true, true},
                                           LogFixture{"coredns.log", Format::kCoreDnsLog, true, true},
                                           LogFixture{"windows-dns.log", Format::kWindowsDnsLog, true, false}),
                         [](const ::testing::TestParamInfo<LogFixture>& p) {
                           std::string name = std::string(FormatName(p.param.format)) + "_" + std::to_string(p.index);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// A real dnsmasq 2.90 log (make-ingest-fixtures.sh captures): Unbound
// answers multi.good.test with three A records, which dnsmasq logs as three
// reply lines. Expected from the log itself (grep): 5 query lines, so 5
// events; serials 1 and 3 have three reply lines each.
TEST(Logs, DnsmasqFoldsEveryReplyLineIntoItsQuerysEvent) {
  SourceStats stats;
  std::vector<DnsEvent> events = ReadAll(kFixtures + "dnsmasq-multi.log", &stats);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_TRUE(stats.skipped.empty());
  auto answers = [](const DnsEvent& ev) {
    std::vector<std::string> out;
    for (const auto& a : ev.answers) out.push_back(a.data);
    return out;
  };
  for (const auto& ev : events) EXPECT_TRUE(ev.has_query && ev.has_response) << ev.qname;
  EXPECT_EQ(events[0].qname, "multi.good.test");
  EXPECT_EQ(answers(events[0]), (std::vector<std::string>{"192.0.2.31", "192.0.2.32", "192.0.2.33"}));
  EXPECT_EQ(events[0].client_port, 60015);
  EXPECT_EQ(answers(events[1]), std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(answers(events[2]), (std::vector<std::string>{"192.0.2.33", "192.0.2.31", "192.0.2.32"}));
  EXPECT_EQ(events[3].rcode, 3);
  EXPECT_TRUE(events[3].answers.empty());
  EXPECT_EQ(events[4].qtype, dns::rr::kAAAA);
  EXPECT_EQ(events[4].rcode, 0);  // NODATA-IPv6
  EXPECT_TRUE(events[4].answers.empty());

  // Without log-queries=extra there are no serials: the reply lines of a
  // name still fold into one event.
  TempDir dir;
  std::ofstream(dir.file("plain.log")) << "Dec  1 18:39:49 dnsmasq[1]: query[A] multi.good.test from 127.0.0.1\n"
                                          "Dec  1 18:39:49 dnsmasq[1]: forwarded multi.good.test to 127.0.10.11\n"
                                          "Dec  1 18:39:49 dnsmasq[1]: reply multi.good.test is 192.0.2.31\n"
                                          "Dec  1 18:39:49 dnsmasq[1]: reply multi.good.test is 192.0.2.32\n"
                                          "Dec  1 18:39:49 dnsmasq[1]: query[A] www.good.test from 127.0.0.1\n"
                                          "Dec  1 18:39:49 dnsmasq[1]: reply www.good.test is 192.0.2.10\n";
  std::vector<DnsEvent> plain = ReadAll(dir.file("plain.log"));
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(answers(plain[0]), (std::vector<std::string>{"192.0.2.31", "192.0.2.32"}));
  EXPECT_EQ(answers(plain[1]), std::vector<std::string>{"192.0.2.10"});
}

// Numbers out of their field's range, negative, fractional, NaN or huge in
// every format: a counted skip naming the field, never a wrapped value (the
// fuzzer found a Zeek TTL of 4.4e111 converted to uint32_t).
TEST(Logs, OutOfRangeNumbersAreCountedSkips) {
  const std::string zeek_head =
      "#separator \\x09\n#fields\tts\tid.orig_h\tid.orig_p\tquery\tqtype\trcode\tanswers\tTTLs\n";
  const std::string eve_head =
      "{\"timestamp\":\"2023-11-14T22:13:20.500000+0000\",\"event_type\":\"dns\",\"src_ip\":\"10.0.0.53\",";
  struct Case {
    Format format;
    std::string text;
    std::string reason;
  };
  std::vector<Case> cases = {
      {Format::kZeekTsv, zeek_head + "1700000000.5\t10.0.0.1\t5000\tx.example.com\t1\t0\t192.0.2.1\t4.4e111\n",
       "zeek_bad_ttl"},
      {Format::kZeekTsv, zeek_head + "1700000000.5\t10.0.0.1\t5000\tx.example.com\t1\t0\t192.0.2.1\tnan\n",
       "zeek_bad_ttl"},
      {Format::kZeekTsv, zeek_head + "1700000000.5\t10.0.0.1\t5000\tx.example.com\t1\t0\t192.0.2.1\t-1\n",
       "zeek_bad_ttl"},
      {Format::kZeekTsv, zeek_head + "1700000000.5\t10.0.0.1\t70000\tx.example.com\t1\t0\t-\t-\n", "zeek_bad_number"},
      {Format::kZeekTsv, zeek_head + "1700000000.5\t10.0.0.1\t5000\tx.example.com\t1\t-3\t-\t-\n", "zeek_bad_number"},
      {Format::kZeekTsv, zeek_head + "1700000000.5\t10.0.0.1\t5000\tx.example.com\t99999999999999999999\t0\t-\t-\n",
       "zeek_bad_number"},
      {Format::kZeekTsv, zeek_head + "-1700000000.5\t10.0.0.1\t5000\tx.example.com\t1\t0\t-\t-\n", "zeek_bad_time"},
      {Format::kZeekJson, "{\"ts\":1700000000.5,\"query\":\"x.example.com\",\"id.orig_p\":70000}\n", "json_bad_number"},
      {Format::kZeekJson, "{\"ts\":1700000000.5,\"query\":\"x.example.com\",\"qtype\":-1}\n", "json_bad_number"},
      {Format::kZeekJson, "{\"ts\":1700000000.5,\"query\":\"x.example.com\",\"rcode\":1e300}\n", "json_bad_number"},
      {Format::kZeekJson, "{\"ts\":1700000000.5,\"query\":\"x.example.com\",\"trans_id\":1.5}\n", "json_bad_number"},
      {Format::kZeekJson, "{\"ts\":4.4e111,\"query\":\"x.example.com\"}\n", "zeek_bad_time"},
      {Format::kSuricataEve,
       eve_head + "\"src_port\":99999,\"dns\":{\"type\":\"query\",\"id\":1,\"rrname\":\"x.example.com\"}}\n",
       "json_bad_number"},
      {Format::kSuricataEve,
       eve_head + "\"dns\":{\"type\":\"answer\",\"id\":1,\"rrname\":\"x.example.com\",\"answers\":[{\"rrname\":"
                  "\"x.example.com\",\"rrtype\":\"A\",\"ttl\":-5,\"rdata\":\"192.0.2.1\"}]}}\n",
       "json_bad_number"},
      {Format::kSuricataEve,
       eve_head + "\"dns\":{\"type\":\"query\",\"id\":4294967296,\"rrname\":\"x.example.com\"}}\n", "json_bad_number"},
      {Format::kUnboundLog, "[1700000000] unbound[1:0] reply: 10.0.0.1 x.example.com. A IN NOERROR 0.1 0 99999999999\n",
       "unbound_bad_size"},
      {Format::kUnboundLog, "[1700000000] unbound[1:0] reply: 10.0.0.1 x.example.com. A IN 99999 0.1 0 58\n",
       "unbound_bad_rcode"},
      {Format::kPowerDnsLog,
       "msg=\"Answer\" subsystem=\"syncres\" ts=\"1700000000.5\" qname=\"x.example.com\" qtype=\"A\" "
       "remote=\"10.0.0.1:5000\" rcode=\"-7\"\n",
       "powerdns_bad_rcode"},
      {Format::kPowerDnsLog,
       "msg=\"Question\" subsystem=\"syncres\" ts=\"1700000000.5\" qname=\"x.example.com\" qtype=\"70000\" "
       "remote=\"10.0.0.1:5000\"\n",
       "powerdns_bad_qtype"},
      {Format::kCoreDnsLog,
       "[INFO] 10.0.0.1:5000 - 70000 \"A IN x.example.com. udp 40 false 512\" NOERROR qr 56 0.001s\n",
       "coredns_bad_number"},
      {Format::kCoreDnsLog, "[INFO] 10.0.0.1:5000 - 1 \"A IN x.example.com. udp -40 false 512\" NOERROR qr 56 0.001s\n",
       "coredns_bad_number"},
      {Format::kCoreDnsLog,
       "[INFO] 10.0.0.1:5000 - 1 \"A IN x.example.com. udp 40 false 512\" NOERROR qr 99999999999 0.001s\n",
       "coredns_bad_number"},
      {Format::kCoreDnsLog, "[INFO] 10.0.0.1:99999 - 1 \"A IN x.example.com. udp 40 false 512\" NOERROR qr 56 0.001s\n",
       "coredns_bad_remote"},
      {Format::kWindowsDnsLog,
       "11/14/2023 10:13:20 PM 0E44 PACKET  0000 UDP Rcv 10.0.0.1 fffff   Q [0001   D   NOERROR] A "
       "(1)x(7)example(3)com(0)\n",
       "windows_dns_bad_id"},
      {Format::kWindowsDnsLog,
       "11/14/2023 99:13:20 PM 0E44 PACKET  0000 UDP Rcv 10.0.0.1 0001   Q [0001   D   NOERROR] A "
       "(1)x(7)example(3)com(0)\n",
       "windows_dns_bad_time"},
      {Format::kWindowsDnsLog,
       "11/14/2023 10:13:20 PM 0E44 PACKET  0000 UDP Rcv 10.0.0.1 0001   Q [0001   D   NOERROR] A "
       "(99999999999)x(0)\n",
       "windows_dns_bad_name"},
      {Format::kDnsmasqLog,
       "Nov 14 22:13:20 dnsmasq[1]: 1 10.0.0.1/5000 query[TYPE99999] x.example.com from 10.0.0.1\n",
       "dnsmasq_bad_type"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    std::string path = dir.file("numbers.log");
    std::ofstream(path, std::ios::binary) << c.text;
    std::unique_ptr<EventSource> source;
    ASSERT_TRUE(OpenSource(path, c.format, {}, &source).ok());
    size_t events = 0;
    ASSERT_TRUE(source->Run([&](const DnsEvent&) { ++events; }).ok());
    EXPECT_EQ(events, 0u);
    EXPECT_EQ(source->stats().skipped.count(c.reason), 1u)
        << (source->stats().skipped.empty() ? "nothing skipped" : source->stats().skipped.begin()->first);
  }

  // Digits past any int in the dates that sscanf read: the time is
  // unknown, the line still an event.
  std::ofstream(dir.file("bind.log")) << "99999999999-Nov-2026 05:39:03.751 queries: info: client @0x1 10.0.0.1#5000 "
                                         "(x.example.com): query: x.example.com IN A + (10.0.0.53)\n";
  std::ofstream(dir.file("dnsmasq.log")) << "Nov 99999999999 22:13:20 dnsmasq[1]: 1 10.0.0.1/5000 query[A] "
                                            "x.example.com from 10.0.0.1\n";
  for (const char* file : {"bind.log", "dnsmasq.log"}) {
    std::vector<DnsEvent> events = ReadAll(dir.file(file));
    ASSERT_EQ(events.size(), 1u) << file;
    EXPECT_EQ(events[0].ts_us, 0) << file;
  }
}

// Each format, fed garbage: binary bytes, truncated lines, wrong field
// counts, an over-long line. Lines are counted and skipped with the place,
// never a crash; the good line among them still counts.
TEST(Logs, HostileLinesAreCountedWithTheirPlace) {
  TempDir dir;
  const std::string junk = std::string("\x00\x01\xff\xfe garbage \"unterminated", 24) + "\n" +
                           std::string(2 << 20, 'x') + "\n" + "{\"truncated\": \n" + "\t\t\t\n";
  struct Case {
    Format format;
    std::string good;
  };
  std::vector<Case> cases = {
      {Format::kZeekTsv,
       "#separator \\x09\n#fields\tts\tid.orig_h\tquery\tqtype\trcode\n1700000000.5\t10.0.0.1\tok.example.com\t1\t0\n"},
      {Format::kZeekJson,
       "{\"ts\":1700000000.5,\"id.orig_h\":\"10.0.0.1\",\"query\":\"ok.example.com\",\"qtype\":1}\n"},
      {Format::kSuricataEve,
       "{\"timestamp\":\"2023-11-14T22:13:20.500000+0000\",\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"src_port\":"
       "5000,\"dest_ip\":\"10.0.0.53\",\"dest_port\":53,\"dns\":{\"type\":\"query\",\"id\":1,\"rrname\":\"ok.example."
       "com\","
       "\"rrtype\":\"A\"}}\n"},
      {Format::kBindLog,
       "14-Nov-2023 22:13:20.500 queries: info: client @0x1 10.0.0.1#5000 (ok.example.com): query: ok.example.com IN A "
       "+ (10.0.0.53)\n"},
      {Format::kUnboundLog, "[1700000000] unbound[1:0] query: 10.0.0.1 ok.example.com. A IN\n"},
      {Format::kDnsmasqLog, "Nov 14 22:13:20 dnsmasq[1]: 1 10.0.0.1/5000 query[A] ok.example.com from 10.0.0.1\n"},
      {Format::kPowerDnsLog,
       "msg=\"Question\" subsystem=\"syncres\" ts=\"1700000000.5\" qname=\"ok.example.com\" qtype=\"A\" "
       "remote=\"10.0.0.1:5000\"\n"},
      {Format::kCoreDnsLog,
       "[INFO] 10.0.0.1:5000 - 1 \"A IN ok.example.com. udp 40 false 512\" NOERROR qr 56 0.001s\n"},
      {Format::kWindowsDnsLog,
       "11/14/2023 10:13:20 PM 0E44 PACKET  0000 UDP Rcv 10.0.0.1 0001   Q [0001   D   NOERROR] A "
       "(2)ok(7)example(3)com(0)\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(FormatName(c.format));
    std::string path = dir.file(std::string(FormatName(c.format)) + ".log");
    std::ofstream(path, std::ios::binary) << c.good << junk << "["
                                          << "\n"
                                          << "query: \n"
                                          << "\"\"\"\n";
    std::unique_ptr<EventSource> source;
    ASSERT_TRUE(OpenSource(path, c.format, {}, &source).ok());
    std::vector<std::string> names;
    ASSERT_TRUE(source->Run([&](const DnsEvent& ev) { names.push_back(ev.qname); }).ok());
    EXPECT_EQ(names, std::vector<std::string>{"ok.example.com"});
    const SourceStats& st = source->stats();
    EXPECT_EQ(st.skipped.at("line_too_long"), 1u);
    EXPECT_NE(st.samples.at("line_too_long").at(0).find(".log:"), std::string::npos);
  }
}

}  // namespace
}  // namespace nsradar::ingest

namespace nsradar::ingest {
namespace {

TEST(PassiveDns, TakesNsRecordsAndNameServerAddresses) {
  PassiveDns passive([](const std::string& host) { return host == "ns.known.net"; });
  DnsEvent ev;
  ev.ts_us = 1'700'000'000'500'000;
  ev.has_response = true;
  ev.rcode = 0;
  ev.answers = {{"example.com", dns::rr::kNS, 300, "ns1.host.net"},
                {"ns1.host.net", dns::rr::kA, 300, "192.0.2.53"},     // an NS target: kept
                {"www.example.com", dns::rr::kA, 300, "192.0.2.80"},  // not a name server
                {"ns.known.net", dns::rr::kAAAA, 300, "2001:db8::53"}};
  ev.authority_ns = {{"example.org", dns::rr::kNS, 300, "NS2.Host.NET."}};
  passive.Add(ev);
  DnsEvent nx = ev;
  nx.rcode = 3;  // NXDOMAIN answers prove nothing about delegations
  passive.Add(nx);
  std::vector<PassiveNsRecord> ns;
  std::vector<PassiveAddressRecord> addresses;
  passive.Drain(&ns, &addresses);
  ASSERT_EQ(ns.size(), 2u);
  EXPECT_EQ(ns[0].ns, "ns1.host.net");
  EXPECT_EQ(ns[0].domain, "example.com");
  EXPECT_EQ(ns[0].time, 1'700'000'000);
  EXPECT_EQ(ns[1].ns, "ns2.host.net");  // canonical form
  EXPECT_EQ(ns[1].domain, "example.org");
  ASSERT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses[0].host, "ns1.host.net");
  EXPECT_EQ(addresses[1].address.ToString(), "2001:db8::53");
  EXPECT_EQ(passive.pending(), 0u);
}

TEST(Formats, OneCompleteRowPerFormatWithAUniqueName) {
  std::set<std::string_view> names;
  for (const FormatInfo& row : Formats()) {
    SCOPED_TRACE(row.name);
    EXPECT_TRUE(names.insert(row.name).second);
    EXPECT_NE(row.head_matches == nullptr, row.line_matches == nullptr);
    EXPECT_NE(row.open == nullptr, row.new_line_format == nullptr);
    // Binary formats open their own source, text formats parse lines.
    EXPECT_EQ(row.head_matches == nullptr, row.open == nullptr);
    Format parsed = Format::kAuto;
    EXPECT_TRUE(ParseFormat(row.name, &parsed));
    EXPECT_EQ(parsed, row.format);
    EXPECT_EQ(FindFormat(row.format), &row);
    EXPECT_NE(FormatNames().find(row.name), std::string::npos);
  }
  EXPECT_EQ(names.size(), 11u);
  Format f = Format::kPcap;
  EXPECT_TRUE(ParseFormat("auto", &f));
  EXPECT_EQ(f, Format::kAuto);
  EXPECT_FALSE(ParseFormat("Zeek", &f));
  EXPECT_EQ(SniffFormat("no format\nat all\n"), Format::kAuto);
}

}  // namespace
}  // namespace nsradar::ingest

// Resolver-side dnstap: a real BIND 9 (both sides) and a real PowerDNS
// Recursor 4.8 (resolver side only) iterating from a fake root through
// referrals, and hand-made frames for what they do not send.
namespace nsradar::ingest {
namespace {

using testing::DnstapFrame;

// testdata/ingest/resolver-side.counts, counted when the fixtures were
// recorded with dnstap-read and tshark, without nsradar: "key value" lines.
struct FixtureCounts {
  std::map<std::string, uint64_t> number;
  std::map<std::string, std::set<std::string>> lists;  // "bind.delegation" -> {"good.test ns1.good.test", ...}

  uint64_t operator[](const std::string& key) const {
    auto it = number.find(key);
    EXPECT_NE(it, number.end()) << key;
    return it == number.end() ? 0 : it->second;
  }
};

FixtureCounts ReadFixtureCounts() {
  FixtureCounts c;
  std::ifstream in(kFixtures + "resolver-side.counts");
  EXPECT_TRUE(in.good());
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space), value = line.substr(space + 1);
    if (value.find(' ') == std::string::npos) {
      c.number[key] = std::stoull(value);
    } else {
      c.lists[key].insert(value);
    }
  }
  return c;
}

SourceOptions Sides(VantageChoice v, bool keep_echoes) {
  SourceOptions o;
  o.vantage = v;
  o.keep_echoes = keep_echoes;
  return o;
}

size_t CountIf(const std::vector<DnsEvent>& events, const std::function<bool(const DnsEvent&)>& pred) {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(), pred));
}

bool IsReferral(const DnsEvent& ev) {
  return ev.has_response && ev.rcode == 0 && ev.answers.empty() && !ev.authority_ns.empty();
}

// The delegations ("zone ns") and glue ("host address") of the referrals
// among `events`, as tshark listed them from the capture.
void Delegations(const std::vector<DnsEvent>& events, std::set<std::string>* delegations, std::set<std::string>* glue) {
  for (const DnsEvent& ev : events) {
    if (!IsReferral(ev)) continue;
    for (const auto& r : ev.authority_ns) delegations->insert(r.name + " " + r.data);
    for (const auto& r : ev.glue) glue->insert(r.name + " " + r.data);
  }
}

// The referrals among `events`, and the delegations and glue they carry,
// against the fixture's counts for `resolver` ("bind", "pdns").
void ExpectReferralsAsCounted(const std::vector<DnsEvent>& events, const FixtureCounts& want,
                              const std::string& resolver) {
  EXPECT_EQ(CountIf(events, IsReferral), want[resolver + ".upstream.referrals"]);
  std::set<std::string> delegations, glue;
  Delegations(events, &delegations, &glue);
  EXPECT_EQ(delegations, want.lists.at(resolver + ".delegation"));
  EXPECT_EQ(glue, want.lists.at(resolver + ".glue"));
}

// BIND logs both sides: each side's events are its messages paired (every
// query was answered), echoes are what the script counted from
// dnstap-read's output, and --vantage selects.
TEST(ResolverSide, BindBothSidesAgreeWithTheIndependentCounts) {
  const FixtureCounts want = ReadFixtureCounts();
  const std::string file = kFixtures + "bind-resolver.dnstap";
  SourceStats stats;
  std::vector<DnsEvent> all = ReadAll(file, &stats, Sides(VantageChoice::kBoth, true));
  EXPECT_TRUE(stats.skipped.empty());
  EXPECT_EQ(stats.records,
            want["bind.dnstap.CQ"] + want["bind.dnstap.CR"] + want["bind.dnstap.RQ"] + want["bind.dnstap.RR"]);
  auto resolver = [](const DnsEvent& ev) { return ev.vantage == Vantage::kResolver; };
  EXPECT_EQ(CountIf(all, [&](const DnsEvent& ev) { return !resolver(ev); }), want["bind.dnstap.CQ"]);
  EXPECT_EQ(CountIf(all, resolver), want["bind.dnstap.RQ"]);
  EXPECT_EQ(want["bind.dnstap.RQ"], want["bind.upstream.queries"]);  // the capture saw every one
  EXPECT_EQ(CountIf(all, [](const DnsEvent& ev) { return ev.has_query && ev.has_response; }), all.size());
  EXPECT_EQ(CountIf(all, [](const DnsEvent& ev) { return ev.echo; }), want["bind.echoes.both"]);
  EXPECT_EQ(CountIf(all, [&](const DnsEvent& ev) { return ev.echo && !resolver(ev); }), 0u);
  ExpectReferralsAsCounted(all, want, "bind");

  for (const DnsEvent& ev : all) {
    SCOPED_TRACE(ev.qname);
    EXPECT_EQ(ev.sensor, "fixture-bind");
    if (resolver(ev)) {
      // named sends from a wildcard socket and reports 0.0.0.0: no host.
      EXPECT_EQ(ev.client.family, 0);
      EXPECT_NE(ev.client_port, 0);
      EXPECT_TRUE(ev.has_bailiwick);
      EXPECT_TRUE(dns::IsAtOrBelow(ev.qname, ev.bailiwick));
      EXPECT_EQ(ev.server.ToString().rfind("10.53.0.", 0), 0u);
    } else {
      EXPECT_EQ(ev.client.ToString(), "10.53.0.100");
      EXPECT_EQ(ev.server.ToString(), "10.53.0.10");
      EXPECT_FALSE(ev.has_bailiwick);
    }
  }
  // The referral from the root for test. (QNAME minimisation asks test NS).
  auto test_referral = std::find_if(all.begin(), all.end(), [](const DnsEvent& ev) {
    return ev.qname == "test" && ev.qtype == dns::rr::kNS && IsReferral(ev);
  });
  ASSERT_NE(test_referral, all.end());
  EXPECT_EQ(test_referral->server.ToString(), "10.53.0.1");
  EXPECT_EQ(test_referral->bailiwick, "");
  ASSERT_EQ(test_referral->authority_ns.size(), 1u);
  EXPECT_EQ(test_referral->authority_ns[0].data, "a.nic.test");
  ASSERT_EQ(test_referral->glue.size(), 1u);
  EXPECT_EQ(test_referral->glue[0].name, "a.nic.test");
  EXPECT_EQ(test_referral->glue[0].data, "10.53.0.2");
  EXPECT_TRUE(test_referral->echo);  // www.good.test's first step

  // Echoes left out (the default, for detection): counted instead.
  std::vector<DnsEvent> counted = ReadAll(file, &stats);
  EXPECT_EQ(counted.size(), all.size() - want["bind.echoes.both"]);
  EXPECT_EQ(stats.skipped["dnstap_resolver_echo"], want["bind.echoes.both"]);
  EXPECT_EQ(CountIf(counted, [](const DnsEvent& ev) { return ev.echo; }), 0u);

  // One side only.
  std::vector<DnsEvent> client = ReadAll(file, &stats, Sides(VantageChoice::kClient, true));
  EXPECT_EQ(client.size(), want["bind.dnstap.CQ"]);
  EXPECT_EQ(stats.skipped["dnstap_resolver_side"], want["bind.dnstap.RQ"] + want["bind.dnstap.RR"]);
  std::vector<DnsEvent> upstream = ReadAll(file, &stats, Sides(VantageChoice::kResolver, true));
  EXPECT_EQ(upstream.size(), want["bind.dnstap.RQ"]);
  EXPECT_EQ(stats.skipped["dnstap_client_side"], want["bind.dnstap.CQ"] + want["bind.dnstap.CR"]);
  EXPECT_EQ(CountIf(upstream, resolver), upstream.size());
  // Without the client side only QNAME minimisation's steps are echoes.
  EXPECT_EQ(CountIf(upstream, [](const DnsEvent& ev) { return ev.echo; }), want["bind.echoes.resolver"]);
}

// PowerDNS Recursor 4.8 sends only resolver-side messages; it sends from
// query-local-address, which it reports.
TEST(ResolverSide, PowerDnsAgreesWithTheIndependentCounts) {
  const FixtureCounts want = ReadFixtureCounts();
  SourceStats stats;
  std::vector<DnsEvent> events = ReadAll(kFixtures + "pdns-resolver.dnstap", &stats, Sides(VantageChoice::kBoth, true));
  EXPECT_TRUE(stats.skipped.empty());
  EXPECT_EQ(stats.records, want["pdns.dnstap.RQ"] + want["pdns.dnstap.RR"]);
  EXPECT_EQ(events.size(), want["pdns.dnstap.RQ"]);
  EXPECT_EQ(CountIf(events, [](const DnsEvent& ev) { return ev.echo; }), want["pdns.echoes"]);
  ExpectReferralsAsCounted(events, want, "pdns");
  for (const DnsEvent& ev : events) {
    EXPECT_EQ(ev.vantage, Vantage::kResolver);
    EXPECT_EQ(ev.client.ToString(), "10.53.0.11");
    EXPECT_EQ(ev.sensor, "fixture-pdns");
    EXPECT_TRUE(ev.has_query && ev.has_response);
    EXPECT_TRUE(ev.has_bailiwick);
  }
  // Its tunnel-like queries, each a cache miss, all went upstream.
  EXPECT_EQ(CountIf(events, [](const DnsEvent& ev) { return ev.qtype == dns::rr::kTXT && !ev.echo; }), 64u);
}

// The capture of each resolver's upstream link and its resolver-side
// dnstap: the same transactions. PowerDNS primed its cache before its
// dnstap connection was up: its capture has more.
TEST(ResolverSide, DnstapAndTheUpstreamCaptureAgree) {
  const FixtureCounts want = ReadFixtureCounts();
  for (const std::string name : {"bind", "pdns"}) {
    SCOPED_TRACE(name);
    std::vector<DnsEvent> tap =
        ReadAll(kFixtures + name + "-resolver.dnstap", nullptr, Sides(VantageChoice::kResolver, true));
    std::vector<DnsEvent> pcap = ReadAll(kFixtures + name + "-upstream.pcap");
    EXPECT_EQ(pcap.size(), want[name + ".upstream.queries"]);
    std::map<std::pair<uint16_t, uint16_t>, const DnsEvent*> by_port_and_id;
    for (const DnsEvent& ev : pcap) by_port_and_id[{ev.client_port, ev.id}] = &ev;
    for (const DnsEvent& ev : tap) {
      SCOPED_TRACE(ev.qname);
      auto it = by_port_and_id.find({ev.client_port, ev.id});
      ASSERT_NE(it, by_port_and_id.end());
      const DnsEvent& p = *it->second;
      EXPECT_EQ(ev.qname, p.qname);
      EXPECT_EQ(ev.qtype, p.qtype);
      EXPECT_EQ(ev.rcode, p.rcode);
      EXPECT_EQ(ev.server, p.server);
      EXPECT_EQ(ev.query_size, p.query_size);
      EXPECT_EQ(ev.response_size, p.response_size);
      auto same = [](const std::vector<DnsRecordData>& a, const std::vector<DnsRecordData>& b) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
          if (a[i].name != b[i].name || a[i].type != b[i].type || a[i].data != b[i].data) return false;
        }
        return true;
      };
      EXPECT_TRUE(same(ev.answers, p.answers));
      EXPECT_TRUE(same(ev.authority_ns, p.authority_ns));
      EXPECT_TRUE(same(ev.glue, p.glue));
      // The resolver stamps a message when it hands it to the kernel, tcpdump
      // when it leaves: milliseconds apart on a busy machine.
      EXPECT_LT(std::abs(ev.ts_us - p.ts_us), 100'000);
    }
  }
}

// Hand-made frames: one sensor's client and resolver sides, times in
// milliseconds from a fixed start.
class DnstapFrames {
 public:
  explicit DnstapFrames(const SourceOptions& options) : options_(options), decoder_(options_, &stats_) {}

  void ClientQuery(int64_t ms, const std::string& name, uint16_t id, const std::string& sensor = "s1") {
    MessageBuilder q(id, false);
    q.Question(name, dns::rr::kTXT);
    Send(sensor, testing::kClientQuery, kClient, kResolverAddress, 40000 + id, ms, q.bytes());
  }
  void ClientResponse(int64_t ms, const std::string& name, uint16_t id, const std::string& sensor = "s1") {
    MessageBuilder r(id, true);
    r.Question(name, dns::rr::kTXT);
    Send(sensor, testing::kClientResponse, kClient, kResolverAddress, 40000 + id, ms, r.bytes());
  }
  // A resolver-side query and its response, both logged at `ms`: a
  // referral when `referral`, else an answer.
  void Upstream(int64_t ms, const std::string& name, uint16_t id, bool referral, const std::string& sensor = "s1",
                const std::string& source = kUnspecified, uint32_t query_type = testing::kResolverQuery) {
    MessageBuilder q(id, false);
    q.Question(name, referral ? dns::rr::kNS : dns::rr::kTXT);
    Send(sensor, query_type, source, kAuthority, 50000 + id, ms, q.bytes());
    MessageBuilder r(id, true);
    r.Question(name, referral ? dns::rr::kNS : dns::rr::kTXT);
    if (!referral) r.AnswerA(0, 192, 0, 2, 1);
    Send(sensor, query_type + 1, source, kAuthority, 50000 + id, ms, r.bytes());
  }
  void Send(const std::string& sensor, uint32_t type, const std::string& from, const std::string& to, int port,
            int64_t ms, const std::string& dns) {
    DnstapFrame f;
    f.identity = sensor;
    f.type = type;
    f.query_address = from;
    f.response_address = to;
    f.query_port = static_cast<uint16_t>(port);
    f.time_us = kStartUs + ms * 1000;
    f.dns = dns;
    f.has_zone = type == testing::kResolverQuery || type == testing::kResolverResponse;
    f.zone = MessageBuilder::WireName("example");
    const std::string bytes = f.Encode();
    decoder_.Frame(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), sink_);
  }
  std::vector<DnsEvent>& Finish() {
    decoder_.Finish(sink_);
    return events_;
  }
  SourceStats& stats() { return stats_; }

  static constexpr int64_t kStartUs = 1'700'000'000'000'000;
  inline static const std::string kClient = DnstapFrame::V4(192, 0, 2, 7);
  inline static const std::string kResolverAddress = DnstapFrame::V4(192, 0, 2, 53);
  inline static const std::string kAuthority = DnstapFrame::V4(198, 51, 100, 1);
  inline static const std::string kUnspecified = DnstapFrame::V4(0, 0, 0, 0);

 private:
  SourceOptions options_;
  SourceStats stats_;
  DnstapDecoder decoder_;
  std::vector<DnsEvent> events_;
  EventSink sink_ = [this](const DnsEvent& ev) { events_.push_back(ev); };
};

const DnsEvent* Find(const std::vector<DnsEvent>& events, const std::string& qname, Vantage vantage) {
  for (const DnsEvent& ev : events) {
    if (ev.qname == qname && ev.vantage == vantage) return &ev;
  }
  return nullptr;
}

// A client's query, repeated upstream after a minimisation step, and the
// resolver's own lookup of a name server, which no client asked.
void ClientQueryAndOwnLookup(DnstapFrames& f) {
  f.ClientQuery(0, "a1.t.example", 1);
  f.Upstream(1, "t.example", 2, true);
  f.Upstream(2, "a1.t.example", 3, false);
  f.ClientResponse(3, "a1.t.example", 1);
  f.Upstream(4, "ns.other.example", 4, false);
}

// The rule of docs/ingest.md, case by case.
TEST(ResolverSide, EchoesAreTheResolversRepeatsOfNamesOtherEventsCarry) {
  DnstapFrames f(Sides(VantageChoice::kBoth, true));
  ClientQueryAndOwnLookup(f);
  // Written before the client's query that caused it, as BIND's writer
  // does: still an echo (the client's query is up to 2 s later).
  f.Upstream(1000, "b2.t.example", 5, false);
  f.ClientQuery(999, "b2.t.example", 6);
  // Beyond the window: 6 s after the last client query for the name, and
  // 3 s before the next.
  f.ClientQuery(10'000, "c3.t.example", 7);
  f.Upstream(16'000, "c3.t.example", 8, false);
  f.ClientQuery(19'000, "c3.t.example", 9);
  // Another sensor's client asked the same name: not this sensor's echo.
  f.ClientQuery(20'000, "d4.t.example", 10, "s2");
  f.Upstream(20'001, "d4.t.example", 11, false, "s1");
  // A referral for a name nothing below was asked for: not a step.
  f.Upstream(30'000, "lonely.example", 12, true);
  // An answered query for a name below which the resolver asks next: not a
  // step either (it had an answer of its own).
  f.Upstream(40'000, "ans.example", 13, false);
  f.Upstream(40'001, "x.ans.example", 14, false);
  std::vector<DnsEvent>& events = f.Finish();

  auto echo = [&](const std::string& name) {
    const DnsEvent* ev = Find(events, name, Vantage::kResolver);
    EXPECT_NE(ev, nullptr) << name;
    return ev && ev->echo;
  };
  EXPECT_TRUE(echo("t.example"));
  EXPECT_TRUE(echo("a1.t.example"));
  EXPECT_FALSE(echo("ns.other.example"));
  EXPECT_TRUE(echo("b2.t.example"));
  EXPECT_FALSE(echo("c3.t.example"));
  EXPECT_FALSE(echo("d4.t.example"));
  EXPECT_FALSE(echo("lonely.example"));
  EXPECT_FALSE(echo("ans.example"));
  EXPECT_FALSE(echo("x.ans.example"));
  const DnsEvent* client = Find(events, "a1.t.example", Vantage::kClient);
  ASSERT_NE(client, nullptr);
  EXPECT_FALSE(client->echo);
  EXPECT_EQ(client->client.ToString(), "192.0.2.7");
  const DnsEvent* upstream = Find(events, "a1.t.example", Vantage::kResolver);
  EXPECT_EQ(upstream->client.family, 0);  // 0.0.0.0 is no host
  EXPECT_EQ(upstream->server.ToString(), "198.51.100.1");
  EXPECT_EQ(upstream->bailiwick, "example");
  EXPECT_TRUE(upstream->has_query && upstream->has_response);
  EXPECT_EQ(upstream->answers.size(), 1u);

  // Left out by default; the rest come through, each side once.
  DnstapFrames counted(Sides(VantageChoice::kBoth, false));
  ClientQueryAndOwnLookup(counted);
  std::vector<DnsEvent>& left = counted.Finish();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(CountIf(left, [](const DnsEvent& ev) { return ev.vantage == Vantage::kClient; }), 1u);
  EXPECT_NE(Find(left, "ns.other.example", Vantage::kResolver), nullptr);
  EXPECT_EQ(counted.stats().skipped["dnstap_resolver_echo"], 2u);
}

// A stream is client-only until its first resolver-side message; the client
// names before it (here more than the decoder keeps while it waits, all
// within the 5 s window) are still found from then on, the latest first.
TEST(ResolverSide, ClientNamesBeforeTheFirstResolverMessageAreFound) {
  DnstapFrames f(Sides(VantageChoice::kBoth, true));
  const int kPrelude = 20'000;
  for (int i = 0; i < kPrelude; ++i) f.ClientQuery(i / 10, "c" + std::to_string(i) + ".t.example", i);
  f.Upstream(kPrelude / 10, "c" + std::to_string(kPrelude - 1) + ".t.example", kPrelude, false);
  f.Upstream(kPrelude / 10 + 1, "c" + std::to_string(kPrelude - 5000) + ".t.example", kPrelude + 1, false);
  f.Upstream(kPrelude / 10 + 2, "never-asked.t.example", kPrelude + 2, false);
  std::vector<DnsEvent>& events = f.Finish();
  auto echo = [&](const std::string& name) {
    const DnsEvent* ev = Find(events, name, Vantage::kResolver);
    EXPECT_NE(ev, nullptr) << name;
    return ev && ev->echo;
  };
  EXPECT_TRUE(echo("c" + std::to_string(kPrelude - 1) + ".t.example"));
  EXPECT_TRUE(echo("c" + std::to_string(kPrelude - 5000) + ".t.example"));
  EXPECT_FALSE(echo("never-asked.t.example"));
}

// FORWARDER_* messages are the resolver side too; a real source address is
// kept; --vantage client leaves them out, counted.
TEST(ResolverSide, ForwarderMessagesAndVantageFilters) {
  const std::string source = DnstapFrame::V4(192, 0, 2, 53);
  for (VantageChoice v : {VantageChoice::kClient, VantageChoice::kResolver, VantageChoice::kBoth}) {
    SCOPED_TRACE(VantageChoiceName(v));
    DnstapFrames f(Sides(v, true));
    f.ClientQuery(0, "q.example", 1);
    f.ClientResponse(1, "q.example", 1);
    f.Upstream(1, "q.example", 2, false, "s1", source, testing::kForwarderQuery);
    std::vector<DnsEvent>& events = f.Finish();
    const size_t client = v == VantageChoice::kResolver ? 0 : 1, resolver = v == VantageChoice::kClient ? 0 : 1;
    EXPECT_EQ(CountIf(events, [](const DnsEvent& ev) { return ev.vantage == Vantage::kClient; }), client);
    EXPECT_EQ(CountIf(events, [](const DnsEvent& ev) { return ev.vantage == Vantage::kResolver; }), resolver);
    if (resolver) {
      EXPECT_EQ(Find(events, "q.example", Vantage::kResolver)->client.ToString(), "192.0.2.53");
    }
    EXPECT_EQ(f.stats().skipped["dnstap_resolver_side"], client && !resolver ? 2u : 0u);
    EXPECT_EQ(f.stats().skipped["dnstap_client_side"], resolver && !client ? 2u : 0u);
  }
  VantageChoice parsed = VantageChoice::kBoth;
  EXPECT_TRUE(ParseVantageChoice("resolver", &parsed));
  EXPECT_EQ(parsed, VantageChoice::kResolver);
  EXPECT_FALSE(ParseVantageChoice("Resolver", &parsed));
  EXPECT_EQ(VantageChoiceName(VantageChoice::kClient), "client");
}

// What no resolver sends: a query_zone that is no name, a response whose
// query was never logged, a flood of resolver-side events with no time
// passing (the held events stay bounded and all come out), an identity of
// a megabyte.
TEST(ResolverSide, HostileFramesAreCountedAndBounded) {
  DnstapFrames f(Sides(VantageChoice::kBoth, true));
  DnstapFrame bad;
  bad.type = testing::kResolverResponse;
  bad.query_address = DnstapFrames::kUnspecified;
  bad.response_address = DnstapFrames::kAuthority;
  bad.time_us = DnstapFrames::kStartUs;
  MessageBuilder r(9, true);
  r.Question("lone.example", dns::rr::kA);
  bad.dns = r.bytes();
  bad.has_zone = true;
  bad.zone = std::string(
      "\x05"
      "abc",
      4);  // a label running past the end
  std::string bytes = bad.Encode();
  SourceStats stats;
  const SourceOptions options = Sides(VantageChoice::kBoth, true);
  DnstapDecoder decoder(options, &stats);
  std::vector<DnsEvent> events;
  EventSink sink = [&](const DnsEvent& ev) { events.push_back(ev); };
  decoder.Frame(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), sink);
  bad.zone = MessageBuilder::WireName("example") + "trailing";
  bytes = bad.Encode();
  decoder.Frame(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), sink);
  bad.identity = std::string(1 << 20, 'i');
  bad.has_zone = false;
  bytes = bad.Encode();
  decoder.Frame(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), sink);
  decoder.Finish(sink);
  EXPECT_EQ(stats.skipped["dnstap_bad_query_zone"], 2u);
  ASSERT_EQ(events.size(), 3u);  // kept, response-only, without a bailiwick
  for (const DnsEvent& ev : events) {
    EXPECT_FALSE(ev.has_query);
    EXPECT_FALSE(ev.has_bailiwick);
    EXPECT_EQ(ev.vantage, Vantage::kResolver);
  }

  // 100,000 upstream transactions in the same microsecond: nothing ends
  // their wait but the bound, and every one comes out once.
  DnstapFrames flood(Sides(VantageChoice::kBoth, false));
  for (int i = 0; i < 100'000; ++i) {
    flood.Upstream(0, "f" + std::to_string(i) + ".flood.example", static_cast<uint16_t>(i), false, "s1",
                   DnstapFrame::V4(10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)));
  }
  EXPECT_EQ(flood.Finish().size(), 100'000u);
}

// Glue: the additional section's addresses, read behind NS records of the
// authority section only, and bounded.
TEST(DnsMessage, ReadsGlueBehindAuthorityNsRecords) {
  MessageBuilder referral(1, true);
  referral.Question("www.example.test", dns::rr::kA);
  referral.Record(MessageBuilder::kAuthority, "example.test", dns::rr::kNS,
                  MessageBuilder::WireName("ns1.example.test"));
  referral.Record(MessageBuilder::kAdditional, "ns1.example.test", dns::rr::kA, std::string("\xc0\x00\x02\x35", 4));
  referral.Record(MessageBuilder::kAdditional, "ns1.example.test", dns::rr::kAAAA,
                  std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x35");
  referral.Record(MessageBuilder::kAdditional, "", 41, "");  // EDNS OPT: not glue
  for (int i = 0; i < 40; ++i) {
    referral.Record(MessageBuilder::kAdditional, "ns" + std::to_string(i) + ".example.test", dns::rr::kA,
                    std::string("\xc0\x00\x02\x01", 4));
  }
  DnsMessage m;
  ASSERT_EQ(
      ParseDnsMessage(reinterpret_cast<const uint8_t*>(referral.bytes().data()), referral.bytes().size(), true, &m),
      DnsParseError::kNone);
  ASSERT_EQ(m.authority_ns.size(), 1u);
  ASSERT_EQ(m.glue.size(), 32u);
  EXPECT_EQ(m.glue[0].name, "ns1.example.test");
  EXPECT_EQ(m.glue[0].data, "192.0.2.53");
  EXPECT_EQ(m.glue[1].data, "2001:db8::35");

  // An answer with addresses in the additional section but no NS in the
  // authority section: nothing read there.
  MessageBuilder answer(2, true);
  answer.Question("www.example.test", dns::rr::kA).AnswerA(300, 192, 0, 2, 80);
  answer.Record(MessageBuilder::kAdditional, "x.example.test", dns::rr::kA, std::string("\xc0\x00\x02\x01", 4));
  ASSERT_EQ(ParseDnsMessage(reinterpret_cast<const uint8_t*>(answer.bytes().data()), answer.bytes().size(), true, &m),
            DnsParseError::kNone);
  EXPECT_TRUE(m.glue.empty());
  // A damaged additional section keeps what came before it.
  std::string cut = referral.bytes().substr(0, referral.bytes().size() - 2);
  EXPECT_EQ(ParseDnsMessage(reinterpret_cast<const uint8_t*>(cut.data()), cut.size(), true, &m),
            DnsParseError::kShortRecord);
  EXPECT_EQ(m.authority_ns.size(), 1u);
  EXPECT_EQ(m.glue.size(), 32u);
}

// Referrals seen resolver side: the zone cut is the authority records'
// owner, its name servers and their glue are observed; what lies outside the
// zone the server was asked as is not, nor glue for hosts the referral does
// not name.
TEST(PassiveDns, LearnsDelegationsFromReferralsWithinTheirBailiwick) {
  PassiveDns passive;
  DnsEvent ev;
  ev.ts_us = 1'700'000'000'000'000;
  ev.has_query = ev.has_response = true;
  ev.rcode = 0;
  ev.vantage = Vantage::kResolver;
  ev.qname = "x1.exfil.test";
  ev.has_bailiwick = true;
  ev.bailiwick = "test";
  ev.authority_ns = {{"exfil.test", dns::rr::kNS, 86400, "ns1.evil.test"},
                     {"exfil.test", dns::rr::kNS, 86400, "ns.bank.example"},   // out of zone: no glue for it
                     {"bank.example", dns::rr::kNS, 86400, "ns1.evil.test"}};  // not test.'s to say
  ev.glue = {{"ns1.evil.test", dns::rr::kA, 86400, "10.53.0.4"},
             {"ns1.evil.test", dns::rr::kAAAA, 86400, "2001:db8::4"},
             {"ns.bank.example", dns::rr::kA, 86400, "10.53.0.66"},  // outside test.
             {"www.other.test", dns::rr::kA, 86400, "10.53.0.77"}};  // no NS names it
  passive.Add(ev);
  std::vector<PassiveNsRecord> ns;
  std::vector<PassiveAddressRecord> addresses;
  passive.Drain(&ns, &addresses);
  ASSERT_EQ(ns.size(), 2u);
  EXPECT_EQ(ns[0].ns, "ns1.evil.test");
  EXPECT_EQ(ns[0].domain, "exfil.test");
  EXPECT_EQ(ns[1].ns, "ns.bank.example");
  EXPECT_EQ(ns[1].domain, "exfil.test");
  ASSERT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses[0].host, "ns1.evil.test");
  EXPECT_EQ(addresses[0].address.ToString(), "10.53.0.4");
  EXPECT_EQ(addresses[1].address.ToString(), "2001:db8::4");

  // From the root (the empty bailiwick) anything goes; without a bailiwick
  // (client side, captures) glue is taken for the referral's name servers.
  ev.bailiwick = "";
  ev.authority_ns = {{"bank.example", dns::rr::kNS, 86400, "ns.bank.example"}};
  passive.Add(ev);
  ev.has_bailiwick = false;
  ev.authority_ns = {{"good.test", dns::rr::kNS, 86400, "ns1.good.test"}};
  ev.glue = {{"ns1.good.test", dns::rr::kA, 86400, "10.53.0.3"}, {"ns9.good.test", dns::rr::kA, 86400, "10.53.0.9"}};
  passive.Add(ev);
  passive.Drain(&ns, &addresses);
  ASSERT_EQ(ns.size(), 2u);
  EXPECT_EQ(ns[0].domain, "bank.example");
  EXPECT_EQ(ns[1].domain, "good.test");
  ASSERT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses[0].host, "ns.bank.example");
  EXPECT_EQ(addresses[0].address.ToString(), "10.53.0.66");
  EXPECT_EQ(addresses[1].host, "ns1.good.test");
}

}  // namespace
}  // namespace nsradar::ingest
