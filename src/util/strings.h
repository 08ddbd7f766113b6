// Small string helpers shared by the line-oriented parsers.
#pragma once

#include <string_view>

namespace nsradar {

// `s` without leading and trailing spaces, tabs and carriage returns.
inline std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace nsradar
