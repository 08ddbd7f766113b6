// Tool marks: what known tunneling, exfiltration and C2 tools leave in a
// query that ordinary software never does, each with how sure the mark is.
// docs/tool-protocols.md describes each tool's traffic and the source it
// was read from; docs/detection.md lists the marks.
//
// A mark of medium or high confidence decides alone (the detector alerts on
// it); a low one only adds evidence. Marks read the subdomain as sent (the
// part of the name left of the registered domain, case kept) and the query
// type; dnscat2's hex mode has no mark in one query and is recognised over
// consecutive queries by Dnscat2HexTracker.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/enum_names.h"

namespace nsradar::detect {

enum class MarkConfidence : uint8_t { kNone, kLow, kMedium, kHigh };
inline constexpr EnumName<MarkConfidence> kMarkConfidenceNames[] = {
    {MarkConfidence::kNone, "none"},
    {MarkConfidence::kLow, "low"},
    {MarkConfidence::kMedium, "medium"},
    {MarkConfidence::kHigh, "high"},
};
inline std::string_view MarkConfidenceName(MarkConfidence c) { return NameOf(kMarkConfidenceNames, c); }

struct ToolMark {
  MarkConfidence confidence = MarkConfidence::kNone;
  std::string_view tool;  // static text
  std::string_view what;  // static text: the mark, for the alert's reason
  explicit operator bool() const { return confidence != MarkConfidence::kNone; }
};

// The strongest mark of one query, or none. `subdomain_raw` is the name
// left of the registered domain, or the whole name when the registered
// domain covers it (dnscat2's `dnscat.<hex>` has no domain of its own).
ToolMark FindToolMark(std::string_view subdomain_raw, uint16_t qtype);

// dnscat2 without a `dnscat.` tag writes each packet in hex directly under
// the domain: packet id (4 hex digits), type (2: 00 SYN, 01 MSG, 02 FIN,
// 03 ENC), session id (4), the rest. One query could be any hex; a run of
// queries repeating the session id with a valid type is dnscat2. State for
// one domain; feed it that domain's subdomains in order.
class Dnscat2HexTracker {
 public:
  static constexpr int kRun = 3;  // consecutive queries that make the mark
  // Whether the run reached kRun with this subdomain.
  bool Feed(std::string_view subdomain_raw);

 private:
  uint16_t session_ = 0;
  uint8_t run_ = 0;
};

}  // namespace nsradar::detect
