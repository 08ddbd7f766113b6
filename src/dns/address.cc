#include "dns/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace nsradar::dns {
namespace {

// inet_pton needs a terminated string; addresses are short.
bool CopyTerminated(std::string_view text, char (&buf)[64]) {
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  return true;
}

}  // namespace

std::string Address::ToKey() const {
  std::string k(1, static_cast<char>(family));
  k.append(reinterpret_cast<const char*>(bytes.data()), size());
  return k;
}

std::optional<Address> Address::FromKey(std::string_view key) {
  if (key.empty()) return std::nullopt;
  Address a;
  a.family = static_cast<uint8_t>(key[0]);
  if ((a.family != 4 && a.family != 6) || key.size() != 1 + a.size()) return std::nullopt;
  std::memcpy(a.bytes.data(), key.data() + 1, a.size());
  return a;
}

std::string Address::ToString() const {
  if (family == 4) {
    // inet_ntop formats IPv4 through sprintf, which showed in ingest profiles.
    char buf[16];
    char* p = buf;
    for (int i = 0; i < 4; ++i) {
      uint8_t b = bytes[i];
      if (b >= 100) *p++ = static_cast<char>('0' + b / 100);
      if (b >= 10) *p++ = static_cast<char>('0' + b / 10 % 10);
      *p++ = static_cast<char>('0' + b % 10);
      if (i < 3) *p++ = '.';
    }
    return std::string(buf, p);
  }
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof(buf))) return "?";
  return buf;
}

namespace {

std::optional<Address> ParseFamily(std::string_view text, uint8_t family) {
  char buf[64];
  Address a;
  a.family = family;
  if (!CopyTerminated(text, buf) || inet_pton(family == 4 ? AF_INET : AF_INET6, buf, a.bytes.data()) != 1) {
    return std::nullopt;
  }
  return a;
}

}  // namespace

std::optional<Address> Address::ParseV4(std::string_view text) { return ParseFamily(text, 4); }

std::optional<Address> Address::ParseV6(std::string_view text) { return ParseFamily(text, 6); }

std::optional<Address> Address::Parse(std::string_view text) {
  return text.find(':') == std::string_view::npos ? ParseV4(text) : ParseV6(text);
}

}  // namespace nsradar::dns
