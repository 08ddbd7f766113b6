#include "warehouse/observation_batch.h"

#include <algorithm>
#include <vector>

#include "dns/public_suffix.h"
#include "warehouse/rows.h"

namespace nsradar::warehouse {

void ObservationBatch::Add(std::string_view rrname, uint16_t rrtype, std::string_view rdata, int64_t time) {
  if (rrname.size() > kMaxField || rdata.size() > kMaxField) return;
  // rrtype is part of the key: the same name and data as NS and as A are
  // two records.
  key_.assign(reinterpret_cast<const char*>(&rrtype), sizeof rrtype);
  key_.append(rrname).append(rdata);
  auto [it, fresh] = records_.try_emplace(key_);
  Seen& s = it->second;
  if (fresh) {
    s.first = s.last = time;
    s.rrtype = rrtype;
    s.rrname_size = static_cast<uint16_t>(rrname.size());
    // Once per record and batch, not per answer: the PSL lookup is the
    // costly part.
    const std::string_view registered = dns::PublicSuffixList::Default().RegisteredDomain(rrname);
    s.registered_at = static_cast<uint16_t>(registered.empty() ? rrname.size() : rrname.size() - registered.size());
    // A node of the map: the key, the entry and two pointers, about.
    bytes_ += key_.size() + sizeof(std::string) + sizeof(Seen) + 4 * sizeof(void*);
  }
  s.first = std::min(s.first, time);
  s.last = std::max(s.last, time);
  ++s.count;
}

void ObservationBatch::Encode(Batch* out) {
  std::vector<const std::pair<const std::string, Seen>*> sorted;
  sorted.reserve(records_.size());
  for (const auto& r : records_) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  out->rows = 0;
  out->min_ts = UINT32_MAX;
  out->max_ts = 0;
  for (const auto* r : sorted) {
    const std::string_view key = r->first;
    const Seen& s = r->second;
    const std::string_view rrname = key.substr(sizeof(uint16_t), s.rrname_size);
    ObservationRow row;
    row.registered_domain = rrname.substr(s.registered_at);
    row.rrname = rrname;
    row.rrtype = s.rrtype;
    row.rdata = key.substr(sizeof(uint16_t) + s.rrname_size);
    row.first_seen = s.first;
    row.last_seen = s.last;
    row.count = s.count;
    const uint32_t ts = AppendObservationRow(row, {out->sensor, out->seq, out->rows}, &out->payload);
    out->min_ts = std::min(out->min_ts, ts);
    out->max_ts = std::max(out->max_ts, ts);
    ++out->rows;
  }
  records_.clear();
  bytes_ = 0;
}

}  // namespace nsradar::warehouse
