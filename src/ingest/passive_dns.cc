#include "ingest/passive_dns.h"

#include "dns/name.h"
#include "dns/rr_type.h"

namespace nsradar::ingest {

void PassiveDns::Add(const DnsEvent& ev) {
  if (!ev.has_response || ev.rcode != 0) return;
  const int64_t t = ev.ts_us / 1'000'000;
  auto take_ns = [&](const DnsRecordData& r) {
    if (r.type != dns::rr::kNS || r.data.empty() || r.name.empty()) return;
    // Record data from logs is presentation text: bring it to canonical form.
    std::string ns;
    std::string_view text = r.data;
    if (text.size() > 1 && text.back() == '.') text.remove_suffix(1);
    if (dns::ParseName(text, "", &ns) || ns.empty()) return;
    ns_records_.push_back(PassiveNsRecord{ns, r.name, t});
    if (ns_hosts_.size() >= kMaxRememberedHosts) ns_hosts_.clear();  // a crude but bounded memory
    ns_hosts_.insert(std::move(ns));
  };
  for (const auto& r : ev.answers) take_ns(r);
  for (const auto& r : ev.authority_ns) take_ns(r);
  for (const auto& r : ev.answers) {
    if (r.type != dns::rr::kA && r.type != dns::rr::kAAAA) continue;
    if (!ns_hosts_.contains(r.name) && !(is_known_ns_ && is_known_ns_(r.name))) continue;
    auto a = dns::Address::Parse(r.data);
    if (a) address_records_.push_back(PassiveAddressRecord{r.name, *a, t});
  }
}

void PassiveDns::Drain(std::vector<PassiveNsRecord>* ns, std::vector<PassiveAddressRecord>* addresses) {
  ns->swap(ns_records_);
  addresses->swap(address_records_);
  ns_records_.clear();
  address_records_.clear();
}

}  // namespace nsradar::ingest
