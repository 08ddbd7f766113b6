#include "ingest/source.h"

#include "util/enum_names.h"

namespace nsradar::ingest {
namespace {

constexpr EnumName<VantageChoice> kVantageChoices[] = {
    {VantageChoice::kClient, "client"},
    {VantageChoice::kResolver, "resolver"},
    {VantageChoice::kBoth, "both"},
};

}  // namespace

std::string_view VantageChoiceName(VantageChoice v) { return NameOf(kVantageChoices, v); }
bool ParseVantageChoice(std::string_view text, VantageChoice* out) { return ValueOf(kVantageChoices, text, out); }

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
