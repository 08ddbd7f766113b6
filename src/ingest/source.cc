#include "ingest/source.h"

namespace nsradar::ingest {

void SourceStats::Skip(const std::string& reason, const std::string& sample, size_t max_samples) {
  ++skipped[reason];
  auto& list = samples[reason];
  if (list.size() < max_samples) list.push_back(sample);
}

void SetRegisteredDomain(const dns::PublicSuffixList& psl, DnsEvent* ev) {
  std::string_view rd = psl.RegisteredDomain(ev->qname);
  ev->registered_offset = rd.empty() ? std::string::npos : ev->qname.size() - rd.size();
}

}  // namespace nsradar::ingest
