// The evidence tier: the small share of events that speak for a data
// channel on their own, which sensors send to the warehouse's `evidence`
// table for the central evaluator (docs/warehouse.md, one detection across
// sensors). An event is in the tier when the detector would make its domain
// suspicious for it alone: its subdomain's shape is weak or encoded
// (query_evidence.h), its type is one ordinary clients hardly ever ask
// (TunnelOnlyType), or it carries a known tool's mark (tool_marks.h). The
// classification is the detector's own feature code, not a second
// classifier; everything else (plain names to ordinary domains, most of
// the traffic) stays out.
#pragma once

#include <cstdint>
#include <string_view>

#include "detect/query_evidence.h"
#include "detect/tool_marks.h"
#include "ingest/event.h"

namespace nsradar::detect {

struct EvidenceClass {
  bool in_tier = false;
  NameEvidence name;  // of the subdomain as the detector reads it
  ToolMark mark;
  // Bytes of the subdomain when its shape is weak or encoded, else 0.
  uint32_t encoded_bytes = 0;
};

// The query name as the detector reads it: as sent (qname_raw), or
// lower-cased (qname) when the sender randomises case (a resolver's side,
// dns-0x20), which shows in the registered domain's own labels. For events
// with a registered domain.
std::string_view NameAsRead(const ingest::DnsEvent& ev);
// Its part left of the registered domain; empty when there is none.
std::string_view SubdomainAsRead(const ingest::DnsEvent& ev);

EvidenceClass ClassifyEvidence(const ingest::DnsEvent& ev);

}  // namespace nsradar::detect
