#include "detect/tool_marks.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace nsradar::detect {
namespace {

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool AllHex(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsHexDigit); }

bool EqualsFolded(std::string_view a, std::string_view lower) {
  return a.size() == lower.size() && std::equal(a.begin(), a.end(), lower.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? static_cast<char>(x + 32) : x) == y;
         });
}

// Labels of `sub`, at most `N`; returns how many there are in all.
template <size_t N>
size_t SplitLabels(std::string_view sub, std::array<std::string_view, N>* out) {
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= sub.size(); ++i) {
    if (i == sub.size() || sub[i] == '.') {
      if (n < N) (*out)[n] = sub.substr(start, i - start);
      ++n;
      start = i + 1;
    }
  }
  return n;
}

constexpr uint16_t kNull = 10, kIodinePrivate = 65399;

}  // namespace

ToolMark FindToolMark(std::string_view sub, uint16_t qtype) {
  using enum MarkConfidence;
  if (sub.empty()) return {};
  // The tool's own domain may sit below the registered domain
  // ("updates.example.org"): its labels end `sub`, so marks are read from
  // the first labels on.
  std::array<std::string_view, 8> label;
  const size_t labels = SplitLabels(sub, &label);

  // dns2tcp's control requests end in a marker label ('=' is never in a
  // host name).
  if (sub.find(".=auth") != std::string_view::npos || sub.find(".=connect") != std::string_view::npos ||
      sub.find(".=resource") != std::string_view::npos) {
    return {kHigh, "dns2tcp", "=auth/=connect/=resource control label"};
  }
  // dnscat2 sent straight to its server, without a domain of its own.
  if (labels >= 2 && EqualsFolded(label[0], "dnscat")) return {kHigh, "dnscat2", "dnscat. tag"};
  // DNSExfiltrator's first request: init.<Base32 of "name|chunks">.base32|base64
  if (labels >= 3 && EqualsFolded(label[0], "init") && label[1].size() >= 4 &&
      (label[2] == "base32" || label[2] == "base64")) {
    return {kHigh, "DNSExfiltrator", "init.<file>.base32|base64 announcement"};
  }
  // iodine's version handshake (protocol 0x00000502 in its Base32) and its
  // codec check, whose bounce pattern is fixed text.
  if (label[0].size() >= 6 && EqualsFolded(label[0].substr(0, 6), "vaaaak")) {
    return {kHigh, "iodine", "version handshake (vaaaak)"};
  }
  if (sub.find("Aaahhh-Drink-mal-ein-J") != std::string_view::npos) {
    return {kHigh, "iodine", "codec check pattern"};
  }
  if (qtype == kNull || qtype == kIodinePrivate) {
    return {kMedium, "iodine", "NULL or PRIVATE query type"};
  }
  // Cobalt Strike's DNS beacon transfers (default profile prefixes):
  // <prefix>.<hex>...<transfer id><counter>.<beacon id>, ids in hex.
  if (labels >= 3 && AllHex(label[1])) {
    bool id_label = false;
    for (size_t i = 2; i < std::min(labels, label.size()); ++i) {
      id_label |= label[i].size() >= 5 && label[i].size() <= 9 && AllHex(label[i]);
    }
    for (std::string_view prefix : {"api", "www6", "cdn", "www", "post"}) {
      if (id_label && label[0] == prefix) {
        return {kMedium, "Cobalt Strike", "beacon transfer name (prefix.hex...beacon id)"};
      }
    }
  }
  // Sliver's first query of a session (TOTP, "08 01" in its Base32).
  if (sub == "baa8") return {kLow, "Sliver", "TOTP query"};
  return {};
}

bool Dnscat2HexTracker::Feed(std::string_view sub) {
  // The first 10 hex digits, dots skipped; at least 18 in all (a header
  // with seq and ack, or a SYN with its isn and options).
  std::array<uint8_t, 10> head{};
  size_t digits = 0;
  for (char c : sub) {
    if (c == '.') continue;
    if (!IsHexDigit(c)) {
      run_ = 0;
      return false;
    }
    if (digits < head.size()) {
      head[digits] = static_cast<uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    ++digits;
  }
  const bool type_ok = digits >= 18 && head[4] == 0 && head[5] <= 3;
  if (!type_ok) {
    run_ = 0;
    return false;
  }
  const uint16_t session = static_cast<uint16_t>(head[6] << 12 | head[7] << 8 | head[8] << 4 | head[9]);
  if (run_ > 0 && session == session_) {
    run_ = static_cast<uint8_t>(std::min(run_ + 1, 255));
  } else {
    session_ = session;
    run_ = 1;
  }
  return run_ >= kRun;
}

}  // namespace nsradar::detect
