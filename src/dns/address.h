// An IPv4 or IPv6 address as bytes, ordered and hashable, with text forms.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nsradar::dns {

struct Address {
  uint8_t family = 0;  // 4 or 6; 0 means unset
  std::array<uint8_t, 16> bytes{};

  size_t size() const { return family == 4 ? 4 : 16; }
  // Family byte followed by the address bytes: the form stored in keys, so
  // all IPv4 addresses sort before IPv6 and each family sorts numerically.
  std::string ToKey() const;
  static std::optional<Address> FromKey(std::string_view key);
  std::string ToString() const;

  static std::optional<Address> ParseV4(std::string_view text);
  static std::optional<Address> ParseV6(std::string_view text);
  // Either family.
  static std::optional<Address> Parse(std::string_view text);

  friend bool operator==(const Address&, const Address&) = default;
};

}  // namespace nsradar::dns
