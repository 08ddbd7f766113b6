#include "detect/evidence_tier.h"

namespace nsradar::detect {

namespace {

bool MixedCaseLabel(std::string_view name) {
  bool upper = false, lower = false;
  for (char c : name) {
    if (c == '.') {
      upper = lower = false;
      continue;
    }
    upper |= c >= 'A' && c <= 'Z';
    lower |= c >= 'a' && c <= 'z';
    if (upper && lower) return true;
  }
  return false;
}

}  // namespace

std::string_view NameAsRead(const ingest::DnsEvent& ev) {
  const std::string_view registered = ev.registered_domain();
  const std::string_view raw = ev.qname_raw;
  if (ev.vantage == ingest::Vantage::kResolver || raw.size() != ev.qname.size() ||
      MixedCaseLabel(raw.substr(raw.size() - registered.size()))) {
    return ev.qname;
  }
  return raw;
}

std::string_view SubdomainAsRead(const ingest::DnsEvent& ev) {
  const std::string_view registered = ev.registered_domain(), name = NameAsRead(ev);
  if (registered.empty() || name.size() <= registered.size() + 1) return {};
  return name.substr(0, name.size() - registered.size() - 1);
}

EvidenceClass ClassifyEvidence(const ingest::DnsEvent& ev) {
  EvidenceClass out;
  if (ev.registered_domain().empty() || !ev.has_query) return out;
  const std::string_view sub = SubdomainAsRead(ev);
  out.name = ClassifyName(sub);
  // dnscat2's `dnscat.<hex>` has no domain of its own: the whole name.
  out.mark = FindToolMark(sub.empty() ? NameAsRead(ev) : sub, ev.qtype);
  if (out.name.shape != NameShape::kPlain) out.encoded_bytes = static_cast<uint32_t>(sub.size());
  out.in_tier = out.name.shape != NameShape::kPlain || static_cast<bool>(out.mark) || TunnelOnlyType(ev.qtype);
  return out;
}

}  // namespace nsradar::detect
