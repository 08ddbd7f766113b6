#include "zone/zone_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "dns/rr_type.h"
#include "util/byte_source.h"

namespace nsradar::zone {
namespace {

struct Parsed {
  struct Rec {
    std::string owner;
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    std::string target;
    std::string address;
    uint32_t serial;
    uint64_t line;
    std::string file;
  };
  std::vector<Rec> records;
  std::vector<Diagnostic> errors;
  Status status;
};

Parsed ParseWith(std::unique_ptr<ZoneReader> reader, std::vector<Diagnostic>* errors) {
  Parsed p;
  Record r;
  while (reader->Next(&r)) {
    p.records.push_back({std::string(r.owner), r.type, r.rclass, r.ttl, std::string(r.ns_target),
                         r.address.family ? r.address.ToString() : "", r.soa_serial, r.line, std::string(r.file)});
  }
  p.status = reader->status();
  p.errors = *errors;
  return p;
}

Parsed Parse(std::string_view text, ReaderOptions opt = {}) {
  auto errors = std::make_shared<std::vector<Diagnostic>>();
  opt.on_error = [errors](const Diagnostic& d) { errors->push_back(d); };
  return ParseWith(ZoneReader::FromMemory(text, opt, "test.zone"), errors.get());
}

TEST(ZoneReaderTest, CzdsLines) {
  auto p = Parse(
      "com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. 1700000000 1800 900 604800 86400\n"
      "example.com.\t172800\tin\tns\tns1.example.com.\n"
      "example.com.\t172800\tin\tns\tNS2.Provider.NET.\n"
      "ns1.example.com.\t172800\tin\ta\t192.0.2.1\n"
      "ns1.example.com.\t172800\tin\taaaa\t2001:db8::1\n");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_TRUE(p.errors.empty());
  ASSERT_EQ(p.records.size(), 5u);
  EXPECT_EQ(p.records[0].type, dns::rr::kSOA);
  EXPECT_EQ(p.records[0].owner, "com");
  EXPECT_EQ(p.records[0].serial, 1700000000u);
  EXPECT_EQ(p.records[1].owner, "example.com");
  EXPECT_EQ(p.records[1].target, "ns1.example.com");
  EXPECT_EQ(p.records[2].target, "ns2.provider.net");  // lower-cased
  EXPECT_EQ(p.records[3].address, "192.0.2.1");
  EXPECT_EQ(p.records[4].address, "2001:db8::1");
  EXPECT_EQ(p.records[4].line, 5u);
  EXPECT_EQ(p.records[1].ttl, 172800u);
}

TEST(ZoneReaderTest, OriginRelativeNamesAtAndBlankOwner) {
  auto p = Parse(
      "$ORIGIN example.com.\n"
      "$TTL 3600\n"
      "@ IN SOA ns1 hostmaster ( 2024010101 7200 3600 1209600 300 )\n"
      "  IN NS ns1\n"
      "  IN NS ns1.other.net.\n"
      "sub 600 NS ns.sub\n"
      "\tNS ns2.sub\n"
      "ns.sub A 192.0.2.7\n");
  ASSERT_TRUE(p.status.ok());
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].ToString();
  ASSERT_EQ(p.records.size(), 6u);
  EXPECT_EQ(p.records[0].owner, "example.com");
  EXPECT_EQ(p.records[0].serial, 2024010101u);
  EXPECT_EQ(p.records[1].owner, "example.com");
  EXPECT_EQ(p.records[1].target, "ns1.example.com");
  EXPECT_EQ(p.records[1].ttl, 3600u);
  EXPECT_EQ(p.records[2].target, "ns1.other.net");
  EXPECT_EQ(p.records[3].owner, "sub.example.com");
  EXPECT_EQ(p.records[3].ttl, 600u);
  EXPECT_EQ(p.records[4].owner, "sub.example.com");
  EXPECT_EQ(p.records[4].target, "ns2.sub.example.com");
  EXPECT_EQ(p.records[5].owner, "ns.sub.example.com");
}

TEST(ZoneReaderTest, TtlAndClassInEitherOrder) {
  auto p = Parse(
      "$ORIGIN t.\n"
      "a 300 IN NS ns.t.\n"
      "b IN 300 NS ns.t.\n"
      "c IN NS ns.t.\n"  // no TTL, no $TTL: the last explicit TTL
      "d 1h30m CH NS ns.t.\n"
      "e CLASS1 TYPE2 ns.t.\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].ToString();
  ASSERT_EQ(p.records.size(), 5u);
  EXPECT_EQ(p.records[0].ttl, 300u);
  EXPECT_EQ(p.records[1].ttl, 300u);
  EXPECT_EQ(p.records[2].ttl, 300u);
  EXPECT_EQ(p.records[3].ttl, 5400u);
  EXPECT_EQ(p.records[3].rclass, dns::rrclass::kCH);
  EXPECT_EQ(p.records[4].type, dns::rr::kNS);
  EXPECT_EQ(p.records[4].rclass, dns::rrclass::kIN);
}

TEST(ZoneReaderTest, ParenthesesCommentsAndQuotedStrings) {
  auto p = Parse(
      "$TTL 60\n"
      "$ORIGIN x.\n"
      "@ SOA ns.x. h.x. ( ; serial follows\n"
      "   42   ; serial\n"
      "   1 2 3 4 )   ; trailer\n"
      "txt TXT \"a; not a comment\" \"(neither) this\" plain\n"
      "; a full comment line\n"
      "\n"
      "ns NS ( ns1.y. )\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].ToString();
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_EQ(p.records[0].serial, 42u);
  EXPECT_EQ(p.records[1].type, dns::rr::kTXT);
  EXPECT_EQ(p.records[1].line, 6u);
  EXPECT_EQ(p.records[2].target, "ns1.y");
  EXPECT_EQ(p.records[2].line, 9u);
}

TEST(ZoneReaderTest, Escapes) {
  auto p = Parse(
      "$TTL 60\n"
      "a\\.b.x. NS ns\\065.x.\n"  // escaped dot stays inside the label; \065 is 'A'
      "c\\032d.x. NS ns.x.\n"     // \032 is a space
      "\\(e\\).x. NS ns.x.\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].ToString();
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_EQ(p.records[0].owner, "a\\.b.x");
  EXPECT_EQ(p.records[0].target, "nsa.x");
  EXPECT_EQ(p.records[1].owner, "c\\032d.x");
  EXPECT_EQ(p.records[2].owner, "\\(e\\).x");
}

TEST(ZoneReaderTest, GenericRdataRfc3597) {
  auto p = Parse(
      "$TTL 60\n"
      "a.x. TYPE1 \\# 4 C0000201\n"
      "b.x. NS \\# 8 036e7331017800\n"  // wrong length
      "b.x. NS \\# 7 036e7331017800\n"
      "c.x. TYPE65280 \\# 2 abcd\n"
      "d.x. TYPE65280 abcd\n");
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_EQ(p.records[0].type, dns::rr::kA);
  EXPECT_EQ(p.records[0].address, "192.0.2.1");
  EXPECT_EQ(p.records[1].target, "ns1.x");
  EXPECT_EQ(p.records[2].type, 65280);
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].line, 3u);
  EXPECT_NE(p.errors[0].reason.find("does not match"), std::string::npos);
  EXPECT_EQ(p.errors[1].line, 6u);
}

TEST(ZoneReaderTest, OtherTypesAreValidatedAndSkippedWithoutRdata) {
  auto p = Parse(
      "$TTL 60\n"
      "x. DS 12345 8 2 49FD46E6C4B45C55D4AC\n"
      "x. MX 10 mail.x.\n"
      "x. MX mail.x.\n"  // missing preference
      "x. RRSIG NS 8 1 86400 20180101000000 20171201000000 1 x. abc=\n"
      "x. SRV 1 2 3\n");  // missing target
  ASSERT_EQ(p.records.size(), 3u);
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].line, 4u);
  EXPECT_EQ(p.errors[1].line, 6u);
}

TEST(ZoneReaderTest, IncludeRelativeToIncludingFile) {
  auto dir = std::filesystem::temp_directory_path() / ("zr-include-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "main.zone") << "$ORIGIN example.\n$TTL 60\n@ NS ns.example.\n$INCLUDE sub/part.zone child\n"
                                      "after NS ns.example.\n";
  std::ofstream(dir / "sub" / "part.zone") << "a NS ns.a\n$INCLUDE ../loop.zone\n";
  std::ofstream(dir / "loop.zone") << "$INCLUDE loop.zone\n";
  auto errors = std::make_shared<std::vector<Diagnostic>>();
  ReaderOptions opt;
  opt.on_error = [errors](const Diagnostic& d) { errors->push_back(d); };
  std::unique_ptr<ZoneReader> r;
  ASSERT_TRUE(ZoneReader::Open((dir / "main.zone").string(), opt, &r).ok());
  auto p = ParseWith(std::move(r), errors.get());
  ASSERT_TRUE(p.status.ok());
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_EQ(p.records[1].owner, "a.child.example");
  EXPECT_EQ(p.records[1].target, "ns.a.child.example");
  EXPECT_NE(p.records[1].file.find("part.zone"), std::string::npos);
  EXPECT_EQ(p.records[2].owner, "after.example");  // origin restored after the include
  // The self-including file stops at the depth limit with one error.
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].reason.find("deeper than"), std::string::npos);
  EXPECT_NE(p.errors[0].file.find("loop.zone"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Hostile input: each bad record is reported with its line and skipped, and
// the records around it survive.
struct HostileCase {
  const char* name;
  std::string text;
  const char* reason;
  uint64_t line;
};

TEST(ZoneReaderTest, HostileRecordsAreReportedAndSkipped) {
  const std::string label64(64, 'a');
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'b') + ".";
  const std::vector<HostileCase> cases = {
      {"unterminated paren", "bad. 60 NS ( ns.x.\nok2. 60 NS ns.x.\n", "unterminated parenthesis", 2},
      {"unbalanced close", "bad. 60 NS ns.x. )\n", "without a matching", 2},
      {"64-byte label", label64 + ".x. 60 NS ns.x.\n", "longer than 63", 2},
      {"256-byte name", long_name + " 60 NS ns.x.\n", "longer than 255", 2},
      {"bad escape", "a\\25.x. 60 NS ns.x.\n", "\\DDD", 2},
      {"escape over 255", "a\\256.x. 60 NS ns.x.\n", "over 255", 2},
      {"bad ttl", "a.x. 99999999999 NS ns.x.\n", "bad TTL", 2},
      {"bad ttl unit", "a.x. 1q NS ns.x.\n", "bad TTL", 2},
      {"unknown type", "a.x. 60 BOGUS ns.x.\n", "unknown record type", 2},
      {"bad ipv4", "a.x. 60 A 300.1.1.1\n", "bad A address", 2},
      {"empty label", "a..x. 60 NS ns.x.\n", "empty label", 2},
      {"unterminated quote", "a.x. 60 TXT \"abc\n", "unterminated quoted", 2},
      {"blank owner first", " 60 NS ns.x.\n", "no previous owner", 2},
      {"control char", std::string("a\x01.x. 60 NS ns.x.\n"), "control character", 2},
      {"no ttl anywhere", "a.x. NS ns.x.\n", "no TTL", 2},
      {"two ns targets", "a.x. 60 NS ns.x. ns2.x.\n", "exactly one", 2},
      {"unknown directive", "$GENERATE 1-10 x$ NS ns.x.\n", "unsupported directive", 2},
  };
  for (const auto& c : cases) {
    // "no previous owner" and "no TTL" need a clean start; the others follow a good record.
    bool fresh = std::string(c.reason) == "no previous owner" || std::string(c.reason) == "no TTL";
    std::string text =
        (fresh ? std::string("; start\n") : std::string("ok1. 60 NS ns.x.\n")) + c.text + "ok3. 60 NS ns.x.\n";
    auto p = Parse(text);
    ASSERT_TRUE(p.status.ok()) << c.name;
    ASSERT_EQ(p.errors.size(), 1u) << c.name;
    EXPECT_NE(p.errors[0].reason.find(c.reason), std::string::npos) << c.name << ": " << p.errors[0].reason;
    EXPECT_EQ(p.errors[0].line, c.line) << c.name;
    EXPECT_EQ(p.errors[0].file, "test.zone");
    ASSERT_FALSE(p.records.empty()) << c.name;
    // An unclosed parenthesis runs to the end of the file, as in BIND.
    bool swallows_rest = std::string(c.name) == "unterminated paren";
    EXPECT_EQ(p.records.back().owner, swallows_rest ? "ok1" : "ok3") << c.name;
  }
}

TEST(ZoneReaderTest, EndlessLineIsBoundedAndSkipped) {
  ReaderOptions opt;
  opt.max_record_bytes = 4096;
  std::string text = "ok1. 60 NS ns.x.\n" + std::string(100000, 'a') + "\nok2. 60 NS ns.x.\n";
  auto p = Parse(text, opt);
  ASSERT_TRUE(p.status.ok());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 2u);
  EXPECT_NE(p.errors[0].reason.find("longer than 4096"), std::string::npos);
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[1].owner, "ok2");
  EXPECT_EQ(p.records[1].line, 3u);
}

TEST(ZoneReaderTest, GiantRecordInParenthesesIsBounded) {
  ReaderOptions opt;
  opt.max_record_bytes = 4096;
  std::string text = "big. 60 TXT (\n";
  for (int i = 0; i < 2000; ++i) text += "\"abcdefghij\"\n";
  text += ")\nok. 60 NS ns.x.\n";
  auto p = Parse(text, opt);
  ASSERT_TRUE(p.status.ok());
  ASSERT_GE(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].reason.find("record longer than"), std::string::npos);
  EXPECT_EQ(p.records.back().owner, "ok");
}

TEST(ZoneReaderTest, BinaryGarbageIsRejectedQuickly) {
  std::string garbage = "ok. 60 NS ns.x.\n";
  for (unsigned i = 0; i < 1u << 20; ++i) garbage.push_back(static_cast<char>((i * 7919u) & 0xff));
  auto p = Parse(garbage);
  EXPECT_FALSE(p.status.ok());
  EXPECT_NE(p.status.message().find("binary data"), std::string::npos);
}

TEST(ZoneReaderTest, TextThatIsNotAZoneStopsEarly) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "this is not ) a zone file\n";
  auto p = Parse(text);
  EXPECT_FALSE(p.status.ok());
  EXPECT_NE(p.status.message().find("not a zone file"), std::string::npos);
  EXPECT_LE(p.errors.size(), 1000u);
}

TEST(ZoneReaderTest, CrLfAndMissingFinalNewline) {
  auto p = Parse("a.x.\t60\tIN\tNS\tns.x.\r\nb.x. 60 IN NS ns.x.");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0].target, "ns.x");
  EXPECT_EQ(p.records[1].owner, "b.x");
}

TEST(ZoneReaderTest, FastAndGeneralPathsAgree) {
  // The same records written CZDS-style and with general syntax.
  std::string czds, general = "$ORIGIN com.\n$TTL 172800\n";
  for (int i = 0; i < 500; ++i) {
    czds += "d" + std::to_string(i) + ".com.\t172800\tin\tns\tns" + std::to_string(i % 7) + ".p.net.\n";
    general += "d" + std::to_string(i) + " NS ns" + std::to_string(i % 7) + ".p.net. ; c\n";
  }
  auto a = Parse(czds), b = Parse(general);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].owner, b.records[i].owner);
    EXPECT_EQ(a.records[i].target, b.records[i].target);
    EXPECT_EQ(a.records[i].ttl, b.records[i].ttl);
  }
}

// Everything a reader reports for `text`: records with every field, errors
// with their place, the final status and the counters, one per line.
std::string Transcript(std::string_view text, ReaderOptions opt, ScanKernel kernel) {
  std::ostringstream out;
  opt.kernel = kernel;
  opt.on_error = [&out](const Diagnostic& d) { out << "error " << d.ToString() << "\n"; };
  auto reader = ZoneReader::FromMemory(text, opt, "t.zone");
  Record r;
  while (reader->Next(&r)) {
    out << r.file << ":" << r.line << " " << r.owner << " " << r.type << " " << r.rclass << " " << r.ttl << " "
        << r.ns_target << " " << (r.address.family ? r.address.ToString() : "-") << " " << r.soa_serial << "\n";
  }
  const ReaderStats& st = reader->stats();
  out << "status " << reader->status().ToString() << " records " << st.records << " errors " << st.errors << " lines "
      << st.lines << "\n";
  return out.str();
}

// Reads `text` with every kernel this machine runs and expects the same
// transcript from each; returns the scalar kernel's.
std::string ExpectKernelsAgree(std::string_view text, const ReaderOptions& opt, const std::string& what) {
  const std::string want = Transcript(text, opt, ScanKernel::kScalar);
  for (ScanKernel k : SupportedScanKernels()) {
    EXPECT_EQ(Transcript(text, opt, k), want) << what << ": " << ScanKernelName(k) << " differs from scalar";
  }
  return want;
}

// Zone text using every construct of the grammar, good and bad, at random
// places and with blanks of random width, so tokens, specials and line ends
// fall on every position of the 64-byte blocks and across buffer refills.
std::string SyntaxZone(uint32_t seed, size_t lines) {
  std::mt19937 rng(seed);
  auto pick = [&rng](std::initializer_list<const char*> v) { return std::string(v.begin()[rng() % v.size()]); };
  auto blank = [&rng] {
    std::string b;
    for (size_t n = 1 + rng() % (rng() % 8 == 0 ? 70 : 3); n > 0; --n) b.push_back(rng() % 3 ? ' ' : '\t');
    return b;
  };
  auto label = [&rng] {
    std::string l;
    for (size_t n = 1 + rng() % 20; n > 0; --n) l.push_back("abcXYZ0189-_"[rng() % 12]);
    return l;
  };
  std::string z = "$TTL 3600\n";
  for (size_t i = 0; i < lines; ++i) {
    const std::string a = label(), b = label(), sep = blank();
    const std::string eol = rng() % 10 == 0 ? "\r\n" : "\n";
    switch (rng() % 24) {
      case 0:
      case 1:
      case 2:
      case 3:
        z += a + ".com." + sep + "172800" + blank() + pick({"in", "IN", "In"}) + blank() + pick({"ns", "NS"}) +
             blank() + "ns1." + b + ".net." + eol;
        break;
      case 4:
        z += a + ".com.\t86400\tin\t" + pick({"a\t192.0.2.", "A 198.51.100."}) + std::to_string(rng() % 256) + eol;
        break;
      case 5:
        z += a + ".com. 60 IN AAAA 2001:db8::" + std::to_string(rng() % 9999) + eol;
        break;
      case 6:
        z +=
            sep + pick({"NS ", "IN NS ", "300 NS ", "IN 1h NS ", "CLASS1 TYPE2 "}) + b + pick({"", ".", ".net."}) + eol;
        break;
      case 7:
        z +=
            a + sep + pick({"", "1w2d ", "60 "}) + "NS" + sep + b + sep + pick({"; comment", ";", "; \"q\" (p)"}) + eol;
        break;
      case 8:
        z += pick({"; full line comment", "", "   ", "\t; indented comment", ";"}) + eol;
        break;
      case 9:
        z += "@ IN SOA ns." + a + ". host." + b + ". (" + eol + sep + std::to_string(rng()) + " ; serial" + eol + sep +
             "1800 900 604800 86400 )" + eol;
        break;
      case 10:
        z += a + " TXT \"" + pick({"a; b", "(x)", "q\\\"q", "\\065 \\\\"}) + "\"" + sep + "plain" + eol;
        break;
      case 11:
        z += pick({"a\\.b", "c\\032d", "\\(e\\)", "x\\065y", "\\@"}) + "." + a + ".com. 60 IN NS ns" +
             pick({"\\.x", "\\255", ""}) + ".example." + eol;
        break;
      case 12:
        z += "$ORIGIN " + pick({"com.", "example.org.", "@", "sub", "bad..name."}) + eol;
        break;
      case 13:
        z += pick({"$TTL 86400", "$TTL 1h30m", "$TTL bad", "$INCLUDE other.zone", "$GENERATE 1-2 x NS y"}) + eol;
        break;
      case 14:
        z += a + ".com. 60 IN NS ( ns." + b + ".net." + eol + sep + ")" + eol;
        break;
      case 15:
        z += a + pick({". 60 IN NS ns.x. )", ". 60 IN TXT \"open", " 60 IN NS ns\\", ". 60 IN FOO x"}) + eol;
        break;
      case 16:
        z += a + ".com. 60 IN NS ns." + std::string(64, 'l') + ".net." + eol;
        break;
      case 17:
        z += a + std::string(1, static_cast<char>(1 + rng() % 31)) + ".com. 60 IN NS ns.x." + eol;
        break;
      case 18:
        z += a + ".com. 99999999999 IN NS ns.x." + eol;
        break;
      case 19:
        z += a + ".com. 60 IN DS 12345 8 2 49FD46E6C4B45C55D4AC" + eol;
        break;
      case 20:
        z += a + ".com. 60 IN TYPE1 \\# 4 C0000201" + eol;
        break;
      case 21:
        z += a + ".\xc3\xa9t\xe9.com. 60 IN NS ns.x." + eol;
        break;
      case 22:
        z += a + ".com. 60 IN NS ns.x." + blank() + std::string(rng() % 400, 'y') + eol;
        break;
      default:
        z += std::string(1 + rng() % 150, 'z') + eol;
        break;
    }
  }
  if (seed % 2) z += "last.com. 60 IN NS ns.x.";  // no final newline
  return z;
}

TEST(ZoneReaderKernelsTest, GeneratedZonesWithEverySyntaxFeature) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    const std::string zone = SyntaxZone(seed, 6000);
    ReaderOptions opt;
    opt.allow_include = false;
    const std::string t = ExpectKernelsAgree(zone, opt, "seed " + std::to_string(seed));
    EXPECT_NE(t.find(" 2 1 "), std::string::npos);   // NS records were read
    EXPECT_NE(t.find("error "), std::string::npos);  // and errors reported
    // A small record bound: long lines and records take the bounded paths.
    opt.max_record_bytes = 200;
    ExpectKernelsAgree(zone, opt, "seed " + std::to_string(seed) + " max 200");
  }
}

TEST(ZoneReaderKernelsTest, TokensAcrossEveryBlockPosition) {
  // A comment of growing length moves the record across the 64-byte blocks;
  // blanks of growing width move its tokens apart.
  std::string zone;
  std::vector<std::pair<std::string, std::string>> want;
  for (int shift = 0; shift < 130; ++shift) {
    zone += ";" + std::string(static_cast<size_t>(shift), 'c') + "\n";
    const std::string n = std::to_string(shift);
    zone += "D" + n + ".Example.COM." + std::string(static_cast<size_t>(1 + shift % 67), shift % 2 ? ' ' : '\t') +
            "60 IN NS" + std::string(static_cast<size_t>(1 + shift % 5), ' ') + "NS" + n + ".Host.Net.\n";
    want.emplace_back("d" + n + ".example.com", "ns" + n + ".host.net");
  }
  for (ScanKernel k : SupportedScanKernels()) {
    ReaderOptions opt;
    opt.kernel = k;
    auto p = Parse(zone, opt);
    ASSERT_TRUE(p.errors.empty()) << ScanKernelName(k) << ": " << p.errors[0].ToString();
    ASSERT_EQ(p.records.size(), want.size()) << ScanKernelName(k);
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(p.records[i].owner, want[i].first) << ScanKernelName(k);
      EXPECT_EQ(p.records[i].target, want[i].second) << ScanKernelName(k);
      EXPECT_EQ(p.records[i].line, 2 * i + 2) << ScanKernelName(k);
    }
  }
}

TEST(ZoneReaderKernelsTest, RealRootZones) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(NSRADAR_TESTDATA) / "rootzone" / "full"))
    files.push_back(e.path());
  size_t i = 0;
  std::vector<fs::path> history;
  for (const auto& e : fs::directory_iterator(fs::path(NSRADAR_TESTDATA) / "rootzone" / "history")) {
    history.push_back(e.path());
  }
  std::sort(history.begin(), history.end());
  for (const auto& h : history) {
    if (i++ % 10 == 0) files.push_back(h);  // 17 of the 167 snapshots
  }
  for (const auto& f : files) {
    std::unique_ptr<ByteSource> src;
    ASSERT_TRUE(ByteSource::Open(f.string(), &src).ok()) << f;
    std::string text;
    ASSERT_TRUE(src->ReadAll(&text).ok()) << f;
    const std::string t = ExpectKernelsAgree(text, ReaderOptions{}, f.filename().string());
    EXPECT_EQ(t.find("error "), std::string::npos) << f;
    EXPECT_GT(std::count(t.begin(), t.end(), '\n'), 3000) << f;  // the root has ~1,500 TLDs, 2+ NS each
  }
}

TEST(ZoneReaderKernelsTest, FuzzCorpus) {
  namespace fs = std::filesystem;
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(NSRADAR_TESTDATA) / ".." / "fuzz" / "corpus" / "zone_reader")) {
    // The bytes as the fuzzer reads them: an input that starts like a
    // compressed file is zone text to the fuzzer, not a file to inflate.
    std::ifstream in(e.path(), std::ios::binary);
    std::string text(fs::file_size(e.path()), '\0');
    ASSERT_TRUE(in.read(text.data(), static_cast<std::streamsize>(text.size()))) << e.path();
    ReaderOptions opt;
    opt.allow_include = false;
    opt.origin = "fuzz";
    ExpectKernelsAgree(text, opt, e.path().filename().string());
    opt.max_record_bytes = 4096;  // as the fuzzer reads
    ExpectKernelsAgree(text, opt, e.path().filename().string() + " max 4096");
    ++n;
  }
  EXPECT_GE(n, 5u);
}

// A bad owner between two records of one owner: the fast path had kept the
// first owner as parsed while the failed parse overwrote it, and gave the
// third record the broken name.
TEST(ZoneReaderTest, BadOwnerDoesNotLeakIntoTheNextRecord) {
  for (ScanKernel k : SupportedScanKernels()) {
    ReaderOptions opt;
    opt.kernel = k;
    auto p = Parse("a.com.\t60\tin\tns\tns.x.\nbad..com.\t60\tin\tns\tns.x.\na.com.\t60\tin\tns\tns2.x.\n", opt);
    ASSERT_EQ(p.records.size(), 2u);
    EXPECT_EQ(p.records[1].owner, "a.com") << ScanKernelName(k);
    EXPECT_EQ(p.records[1].target, "ns2.x");
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.errors[0].line, 2u);
  }
}

TEST(ZoneReaderTest, TtlParsing) {
  uint32_t t;
  EXPECT_TRUE(ParseTtl("0", &t));
  EXPECT_TRUE(ParseTtl("2147483647", &t));
  EXPECT_EQ(t, 2147483647u);
  EXPECT_FALSE(ParseTtl("2147483648", &t));
  EXPECT_TRUE(ParseTtl("1W2d3H4m5s", &t));
  EXPECT_EQ(t, 604800u + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_FALSE(ParseTtl("1h30", &t));
  EXPECT_FALSE(ParseTtl("h", &t));
  EXPECT_FALSE(ParseTtl("", &t));
}

}  // namespace
}  // namespace nsradar::zone
