#include "ingest/passive_dns.h"

#include <algorithm>

#include "dns/name.h"
#include "dns/rr_type.h"

namespace nsradar::ingest {

void PassiveDns::Add(const DnsEvent& ev) {
  if (!ev.has_response || ev.rcode != 0) return;
  const int64_t t = ev.ts_us / 1'000'000;
  // A server may speak only for the zone it was asked as: what lies outside
  // it a resolver throws away, and so does passive DNS (a server for
  // evil.test naming the servers or addresses of bank.test would otherwise
  // write them into the index). Only resolver-side events know the zone.
  auto in_bailiwick = [&](std::string_view owner) {
    return !ev.has_bailiwick || dns::IsAtOrBelow(owner, ev.bailiwick);
  };
  authority_targets_.clear();
  auto take_ns = [&](const DnsRecordData& r, bool authority) {
    if (r.type != dns::rr::kNS || r.data.empty() || r.name.empty() || !in_bailiwick(r.name)) return;
    // Record data from logs is presentation text: bring it to canonical form.
    std::string ns;
    std::string_view text = r.data;
    if (text.size() > 1 && text.back() == '.') text.remove_suffix(1);
    if (dns::ParseName(text, "", &ns) || ns.empty()) return;
    ns_records_.push_back(PassiveNsRecord{ns, r.name, t});
    if (authority) authority_targets_.push_back(ns);
    if (ns_hosts_.size() >= kMaxRememberedHosts) ns_hosts_.clear();  // a crude but bounded memory
    ns_hosts_.insert(std::move(ns));
  };
  auto take_address = [&](const DnsRecordData& r) {
    auto a = dns::Address::Parse(r.data);
    if (a) address_records_.push_back(PassiveAddressRecord{r.name, *a, t});
  };
  for (const auto& r : ev.answers) take_ns(r, false);
  // The authority section's NS records: a referral's delegation (the zone
  // cut is their owner) or the zone's own servers.
  for (const auto& r : ev.authority_ns) take_ns(r, true);
  for (const auto& r : ev.answers) {
    if (r.type != dns::rr::kA && r.type != dns::rr::kAAAA) continue;
    if (!in_bailiwick(r.name)) continue;
    if (!ns_hosts_.contains(r.name) && !(is_known_ns_ && is_known_ns_(r.name))) continue;
    take_address(r);
  }
  // Glue: an address is taken only for a name server this response's
  // authority section names.
  for (const auto& r : ev.glue) {
    if ((r.type != dns::rr::kA && r.type != dns::rr::kAAAA) || !in_bailiwick(r.name)) continue;
    if (std::find(authority_targets_.begin(), authority_targets_.end(), r.name) == authority_targets_.end()) continue;
    take_address(r);
  }
}

void PassiveDns::Drain(std::vector<PassiveNsRecord>* ns, std::vector<PassiveAddressRecord>* addresses) {
  ns->swap(ns_records_);
  addresses->swap(address_records_);
  ns_records_.clear();
  address_records_.clear();
}

}  // namespace nsradar::ingest
