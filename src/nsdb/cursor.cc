#include "nsdb/cursor.h"

#include <array>
#include <cstdint>

namespace nsradar::nsdb {
namespace {

// base64url without padding (RFC 4648 section 5), over a version byte and
// the key.
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kVersion = '1';
constexpr size_t kMaxCursor = 400;

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string EncodeCursor(std::string_view last_key) {
  std::string in;
  in.reserve(last_key.size() + 1);
  in.push_back(kVersion);
  in.append(last_key);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

bool DecodeCursor(std::string_view cursor, std::string* last_key) {
  if (cursor.empty() || cursor.size() > kMaxCursor || cursor.size() % 4 == 1) return false;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : cursor) {
    int v = Sextet(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return false;  // non-canonical trailing bits
  if (out.empty() || out[0] != kVersion) return false;
  last_key->assign(out, 1);
  return true;
}

}  // namespace nsradar::nsdb
