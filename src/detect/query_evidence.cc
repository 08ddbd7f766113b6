#include "detect/query_evidence.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "dns/rr_type.h"

namespace nsradar::detect {
namespace {

constexpr uint16_t kNull = 10, kKey = 25, kAny = 255, kPrivateFirst = 65280;

}  // namespace

bool RareType(uint16_t t) {
  return t == dns::rr::kTXT || t == kNull || t == dns::rr::kCNAME || t == dns::rr::kMX || t == kKey || t == kAny ||
         t >= kPrivateFirst;
}

bool TunnelOnlyType(uint16_t t) { return t == kNull || t == kKey || t >= kPrivateFirst; }

// Words, even consonant-heavy ones ("tijdschrift"), never count; random
// base32 of 16+ characters holds a digit with probability above 96%, so
// letter-only names are not taken for base32.

bool LooksEncoded(const LabelFeatures& f, std::string_view sub) {
  if (f.length < 16) return false;
  if (f.non_ldh || f.base64_chars) return true;
  const bool has_digit = f.digit_ratio > 0;
  if ((f.hex_only || f.base32_only) && has_digit && f.digit_ratio < 1) return true;
  // Any other letters-and-digits alphabet (iodine's a-z0-5, Sliver's),
  // one case per label, digits scattered.
  if (f.alphanumeric && !f.base64_chars && f.digit_runs >= 3) return true;
  if (f.longest_label >= 40 && (f.digit_ratio >= 0.05 || ByteEntropy(sub) >= 4.2)) return true;
  // Numbered hosts joined with hyphens ("ipv4-c001-fra001-ix") are names.
  return f.digit_ratio >= 0.3 && !f.hyphen;
}

namespace {

// A label of an address written out: a decimal octet or one hex nibble.
bool AddressLabel(std::string_view label) {
  if (label.empty() || label.size() > 3) return false;
  if (label.size() == 1) return std::isxdigit(static_cast<unsigned char>(label[0]));
  return std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The length of a leading run of at least four address labels with their
// dots ("4.3.2.1." of "4.3.2.1.zen", 32 nibbles of an IPv6 name), else 0.
// DNSBL and DNSWL lookups (RFC 5782), reverse DNS and IP-to-ASN services
// write addresses this way: a structured name, not encoded data.
size_t AddressPrefix(std::string_view sub) {
  size_t labels = 0, pos = 0;
  while (pos < sub.size()) {
    const size_t dot = sub.find('.', pos);
    const size_t end = dot == std::string_view::npos ? sub.size() : dot;
    if (!AddressLabel(sub.substr(pos, end - pos))) break;
    ++labels;
    pos = end == sub.size() ? end : end + 1;
  }
  return labels >= 4 ? pos : 0;
}

}  // namespace

NameEvidence ClassifyName(std::string_view sub) {
  NameEvidence n;
  if (const size_t address = AddressPrefix(sub); address > 0) {
    n = ClassifyName(sub.substr(address));  // what follows the address: a list's zone, usually words
    n.length += static_cast<uint32_t>(address);
    return n;
  }
  if (sub.size() < 8) {
    n.length = static_cast<uint32_t>(sub.size());
    return n;
  }
  const LabelFeatures f = ComputeLabelFeatures(sub);
  n.length = f.length;
  n.longest_label = f.longest_label;
  if (f.length >= 16) {
    if (LooksEncoded(f, sub)) n.shape = NameShape::kEncoded;
    return n;
  }
  // Short names: dns2tcp's polls ("hvMAOgBOBA", base64 of 7 bytes), iodine's
  // pings and probes ("paaac3kq", 8-bit bytes), dnscat2's empty packets.
  // Host names of that length are words or words with a number: one case
  // per label (a CamelCase name costs little: one weak name weighs 1.5);
  // digits only at the end.
  if (f.length < 8) return n;
  const bool digits_inside = f.digit_ratio > 0 && f.digit_ratio < 1;
  if (f.non_ldh || f.base64_chars || f.case_switches >= 2 ||
      ((f.hex_alphabet || f.base32_alphabet) && digits_inside && f.labels == 1 &&
       !std::isdigit(static_cast<unsigned char>(sub.back())))) {
    n.shape = NameShape::kWeak;
  }
  return n;
}

double NovelQueryWeight(const NameEvidence& name, uint16_t qtype) {
  double w = -0.5;
  if (name.shape == NameShape::kWeak) w = 1.5;
  // Long encoded names carry more: a 245-byte name of random base64 is
  // what no host name is.
  if (name.shape == NameShape::kEncoded) w = 3 + std::min(8.0, name.length / 30.0);
  if (qtype == kNull || qtype >= kPrivateFirst) {
    w += 10;
  } else if (qtype == kKey) {
    w += 3;
  } else if (name.shape != NameShape::kPlain &&
             (qtype == dns::rr::kTXT || qtype == kAny || qtype == dns::rr::kCNAME || qtype == dns::rr::kMX)) {
    w += qtype == dns::rr::kTXT || qtype == kAny ? 1 : 0.5;
  }
  return w;
}

uint32_t AnswerDataBytes(const ingest::DnsEvent& ev) {
  uint32_t bytes = 0;
  for (const ingest::DnsRecordData& r : ev.answers) {
    const std::string_view d = r.data;
    if (r.type == dns::rr::kA) {
      bytes += 4;
    } else if (r.type == dns::rr::kAAAA) {
      bytes += 16;
    } else if (d.starts_with("\\# ")) {  // RFC 3597: "\# <length> <hex>"
      uint32_t n = 0;
      std::from_chars(d.data() + 3, d.data() + d.size(), n);
      bytes += n;
    } else if (r.type == dns::rr::kTXT) {
      // "a" "b": the strings without their quotes and separators.
      bytes += static_cast<uint32_t>(std::count_if(d.begin(), d.end(), [](char c) { return c != '"'; }));
    } else {
      bytes += static_cast<uint32_t>(d.size());
    }
  }
  return bytes;
}

}  // namespace nsradar::detect
