#include "ingest/dns_message.h"

#include <fmt/format.h>

#include "dns/address.h"
#include "dns/name.h"
#include "dns/rr_type.h"

namespace nsradar::ingest {
namespace {

// Records beyond these are counted in the header but not decoded: a response
// with more cannot matter to detection, and a hostile one cannot make us
// allocate without bound.
constexpr size_t kMaxAnswers = 64;
constexpr size_t kMaxAuthority = 32;
constexpr size_t kMaxGlue = 32;  // a referral for com. carries 26

inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         p[3];
}

void AppendHex(const uint8_t* p, size_t n, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; ++i) {
    out->push_back(kHex[p[i] >> 4]);
    out->push_back(kHex[p[i] & 15]);
  }
}

// Presentation form of an RDATA; false when it does not decode, in which
// case the RFC 3597 generic form is used.
bool RenderRdata(const uint8_t* msg, size_t off, size_t len, uint16_t type, std::string* out) {
  size_t next = 0;
  switch (type) {
    case dns::rr::kA: {
      if (len != 4) return false;
      dns::Address a;
      a.family = 4;
      std::copy(msg + off, msg + off + 4, a.bytes.begin());
      *out = a.ToString();
      return true;
    }
    case dns::rr::kAAAA: {
      if (len != 16) return false;
      dns::Address a;
      a.family = 6;
      std::copy(msg + off, msg + off + 16, a.bytes.begin());
      *out = a.ToString();
      return true;
    }
    case dns::rr::kNS:
    case dns::rr::kCNAME:
    case dns::rr::kPTR:
      return !dns::ParseMessageName(msg, off + len, off, &next, out, nullptr) && next == off + len;
    case dns::rr::kMX: {
      if (len < 3) return false;
      fmt::format_to(std::back_inserter(*out), "{} ", Get16(msg + off));
      return !dns::ParseMessageName(msg, off + len, off + 2, &next, out, nullptr) && next == off + len;
    }
    case dns::rr::kTXT: {
      size_t p = off, end = off + len;
      while (p < end) {
        size_t n = msg[p++];
        if (p + n > end) return false;
        if (!out->empty()) out->push_back(' ');
        out->push_back('"');
        for (size_t i = 0; i < n; ++i) {
          uint8_t c = msg[p + i];
          if (c == '"' || c == '\\') {
            out->push_back('\\');
            out->push_back(static_cast<char>(c));
          } else if (c < 0x20 || c > 0x7e) {
            fmt::format_to(std::back_inserter(*out), "\\{:03d}", c);
          } else {
            out->push_back(static_cast<char>(c));
          }
        }
        out->push_back('"');
        p += n;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

const char* DnsParseErrorName(DnsParseError e) {
  switch (e) {
    case DnsParseError::kNone:
      return "ok";
    case DnsParseError::kShortHeader:
      return "dns_short_header";
    case DnsParseError::kNoQuestion:
      return "dns_no_question";
    case DnsParseError::kBadQuestionName:
      return "dns_bad_question_name";
    case DnsParseError::kShortQuestion:
      return "dns_short_question";
    case DnsParseError::kBadRecordName:
      return "dns_bad_record_name";
    case DnsParseError::kShortRecord:
      return "dns_short_record";
  }
  return "?";
}

DnsParseError ParseDnsMessage(const uint8_t* data, size_t size, bool records, DnsMessage* out) {
  out->answers.clear();
  out->authority_ns.clear();
  out->glue.clear();
  out->qname.clear();
  out->qname_raw.clear();
  if (size < 12) return DnsParseError::kShortHeader;
  out->id = Get16(data);
  uint16_t flags = Get16(data + 2);
  out->qr = flags & 0x8000;
  out->opcode = (flags >> 11) & 15;
  out->tc = flags & 0x0200;
  out->rcode = flags & 15;
  out->qdcount = Get16(data + 4);
  out->ancount = Get16(data + 6);
  out->nscount = Get16(data + 8);
  out->arcount = Get16(data + 10);
  if (out->qdcount == 0) return DnsParseError::kNoQuestion;
  size_t pos = 12;
  if (dns::ParseMessageName(data, size, pos, &pos, &out->qname, &out->qname_raw)) {
    return DnsParseError::kBadQuestionName;
  }
  if (pos + 4 > size) return DnsParseError::kShortQuestion;
  out->qtype = Get16(data + pos);
  out->qclass = Get16(data + pos + 2);
  pos += 4;
  if (!records || (out->ancount == 0 && out->nscount == 0)) return DnsParseError::kNone;
  // Further questions (never seen in practice) are skipped.
  for (int q = 1; q < out->qdcount; ++q) {
    std::string skip;
    if (dns::ParseMessageName(data, size, pos, &pos, &skip, nullptr)) return DnsParseError::kBadRecordName;
    if (pos + 4 > size) return DnsParseError::kShortRecord;
    pos += 4;
  }
  // The additional section is read only behind NS records of the authority
  // section, for their glue: elsewhere it holds nothing nsradar uses (EDNS,
  // cookies), and every message has one.
  const int answer_and_authority = out->ancount + out->nscount;
  int total = answer_and_authority;
  std::string owner;
  for (int i = 0; i < total; ++i) {
    owner.clear();
    if (pos + 2 <= size && data[pos] == 0xc0 && data[pos + 1] == 12) {
      owner = out->qname;  // the usual owner: a pointer to the question's name
      pos += 2;
    } else if (dns::ParseMessageName(data, size, pos, &pos, &owner, nullptr)) {
      return DnsParseError::kBadRecordName;
    }
    if (pos + 10 > size) return DnsParseError::kShortRecord;
    uint16_t type = Get16(data + pos);
    uint32_t ttl = Get32(data + pos + 4);
    uint16_t rdlen = Get16(data + pos + 8);
    pos += 10;
    if (pos + rdlen > size) return DnsParseError::kShortRecord;
    const bool answer = i < out->ancount;
    const bool additional = i >= answer_and_authority;
    std::vector<DnsRecordData>* list = nullptr;
    if (answer && out->answers.size() < kMaxAnswers) list = &out->answers;
    if (!answer && !additional && type == dns::rr::kNS && out->authority_ns.size() < kMaxAuthority) {
      list = &out->authority_ns;
    }
    if (additional && (type == dns::rr::kA || type == dns::rr::kAAAA) && out->glue.size() < kMaxGlue) {
      list = &out->glue;
    }
    if (list) {
      DnsRecordData& r = list->emplace_back();
      r.name = owner;
      r.type = type;
      r.ttl = ttl;
      if (!RenderRdata(data, pos, rdlen, type, &r.data)) {
        r.data = fmt::format("\\# {} ", rdlen);
        AppendHex(data + pos, rdlen, &r.data);
      }
    }
    pos += rdlen;
    if (i + 1 == answer_and_authority && !out->authority_ns.empty()) total += out->arcount;
  }
  return DnsParseError::kNone;
}

}  // namespace nsradar::ingest
