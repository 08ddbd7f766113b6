#include "dns/rr_type.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <iterator>

namespace nsradar::dns {
namespace {

struct TypeName {
  uint16_t code;
  std::string_view name;
};

// IANA "Resource Record (RR) TYPEs" registry, the types in use.
constexpr std::array<TypeName, 64> kTypes = {{
    {1, "A"},        {2, "NS"},          {3, "MD"},     {4, "MF"},      {5, "CNAME"},   {6, "SOA"},
    {7, "MB"},       {8, "MG"},          {9, "MR"},     {10, "NULL"},   {11, "WKS"},    {12, "PTR"},
    {13, "HINFO"},   {14, "MINFO"},      {15, "MX"},    {16, "TXT"},    {17, "RP"},     {18, "AFSDB"},
    {19, "X25"},     {20, "ISDN"},       {21, "RT"},    {22, "NSAP"},   {24, "SIG"},    {25, "KEY"},
    {26, "PX"},      {27, "GPOS"},       {28, "AAAA"},  {29, "LOC"},    {30, "NXT"},    {33, "SRV"},
    {35, "NAPTR"},   {36, "KX"},         {37, "CERT"},  {39, "DNAME"},  {42, "APL"},    {43, "DS"},
    {44, "SSHFP"},   {45, "IPSECKEY"},   {46, "RRSIG"}, {47, "NSEC"},   {48, "DNSKEY"}, {49, "DHCID"},
    {50, "NSEC3"},   {51, "NSEC3PARAM"}, {52, "TLSA"},  {53, "SMIMEA"}, {55, "HIP"},    {59, "CDS"},
    {60, "CDNSKEY"}, {61, "OPENPGPKEY"}, {62, "CSYNC"}, {63, "ZONEMD"}, {64, "SVCB"},   {65, "HTTPS"},
    {99, "SPF"},     {104, "NID"},       {105, "L32"},  {106, "L64"},   {107, "LP"},    {108, "EUI48"},
    {109, "EUI64"},  {256, "URI"},       {257, "CAA"},  {32769, "DLV"},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Parses "<prefix>nnn" (prefix matched case-insensitively) into a 16-bit number.
std::optional<uint16_t> ParseNumbered(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || !EqualsIgnoreCase(text.substr(0, prefix.size()), prefix)) return std::nullopt;
  std::string_view digits = text.substr(prefix.size());
  unsigned v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size() || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

}  // namespace

std::optional<uint16_t> TypeFromMnemonic(std::string_view text) {
  // The hot types first: zone files are mostly NS, A, AAAA, DS and RRSIG.
  if (EqualsIgnoreCase(text, "NS")) return rr::kNS;
  if (EqualsIgnoreCase(text, "A")) return rr::kA;
  if (EqualsIgnoreCase(text, "AAAA")) return rr::kAAAA;
  for (const auto& t : kTypes) {
    if (EqualsIgnoreCase(text, t.name)) return t.code;
  }
  return ParseNumbered(text, "TYPE");
}

std::string TypeToString(uint16_t type) {
  for (const auto& t : kTypes) {
    if (t.code == type) return std::string(t.name);
  }
  return "TYPE" + std::to_string(type);
}

std::optional<uint16_t> ClassFromMnemonic(std::string_view text) {
  if (EqualsIgnoreCase(text, "IN")) return rrclass::kIN;
  if (EqualsIgnoreCase(text, "CH")) return rrclass::kCH;
  if (EqualsIgnoreCase(text, "HS")) return rrclass::kHS;
  if (EqualsIgnoreCase(text, "CS")) return 2;
  return ParseNumbered(text, "CLASS");
}

namespace {
constexpr const char* kRcodeNames[] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                       "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
}  // namespace

const char* RcodeName(int rcode) {
  if (rcode >= 0 && rcode < static_cast<int>(std::size(kRcodeNames))) return kRcodeNames[rcode];
  return nullptr;
}

std::optional<int> RcodeFromMnemonic(std::string_view text) {
  auto equal = [&](std::string_view name) {
    return text.size() == name.size() && std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
             return std::toupper(static_cast<unsigned char>(a)) == b;
           });
  };
  for (size_t i = 0; i < std::size(kRcodeNames); ++i) {
    if (equal(kRcodeNames[i])) return static_cast<int>(i);
  }
  if (equal("NOTIMPL")) return 4;
  return std::nullopt;
}

}  // namespace nsradar::dns
