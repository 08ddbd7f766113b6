// Resource record types and classes: numbers and their mnemonics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nsradar::dns {

namespace rr {
inline constexpr uint16_t kA = 1, kNS = 2, kCNAME = 5, kSOA = 6, kPTR = 12, kMX = 15, kTXT = 16, kAAAA = 28, kSRV = 33,
                          kDS = 43, kRRSIG = 46, kNSEC = 47, kDNSKEY = 48, kNSEC3 = 50;
}  // namespace rr

namespace rrclass {
inline constexpr uint16_t kIN = 1, kCH = 3, kHS = 4;
}  // namespace rrclass

// Case-insensitive; also accepts RFC 3597 "TYPEnnn".
std::optional<uint16_t> TypeFromMnemonic(std::string_view text);
// "A", "NS", ..., or "TYPEnnn" for types without a mnemonic.
std::string TypeToString(uint16_t type);

// Case-insensitive IN, CH, HS, CS and RFC 3597 "CLASSnnn".
std::optional<uint16_t> ClassFromMnemonic(std::string_view text);

// Response codes (RFC 1035, 2136): "NOERROR" ... "NOTZONE"; nullptr for
// codes without a mnemonic.
const char* RcodeName(int rcode);
// Case-insensitive mnemonic (also "NOTIMPL", as some logs write it).
std::optional<int> RcodeFromMnemonic(std::string_view text);

}  // namespace nsradar::dns
