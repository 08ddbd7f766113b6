// Helpers for tests that build names byte by byte (dns, zone and store
// tests): zone text for a byte, and canonical names parsed from zone text.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "dns/name.h"

namespace nsradar::dns::testing {

// `\DDD`: byte b as a decimal escape, which zone text allows for any byte.
inline std::string DecimalEscape(int b) {
  char ddd[5];
  snprintf(ddd, sizeof(ddd), "\\%03d", b);
  return ddd;
}

// The canonical form of `text`, an absolute name; a test failure when it
// does not parse.
inline std::string CanonicalOf(const std::string& text) {
  std::string out;
  EXPECT_EQ(ParseName(text, "", &out), nullptr) << text;
  return out;
}

}  // namespace nsradar::dns::testing
