// What passive DNS saw: name server pairs and host addresses, kept beside
// the zone-file data (observed_* families) and merged with it by queries.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <map>

#include "nsdb/internal/store_impl.h"
#include "nsdb/store.h"

namespace nsradar::nsdb {
namespace {

// Adds `v` to what `family` holds under `key`, into `batch`; counts the key
// as fresh or seen again.
Status MergeObserved(Writer& w, rocksdb::WriteBatch* batch, Cf family, const std::string& key, ObservedValue v,
                     uint64_t* fresh, uint64_t* again) {
  std::string old;
  rocksdb::Status st = w.store().Get(family, key, &old);
  if (st.ok()) {
    ObservedValue o;
    if (!DecodeObservedValue(old, &o)) return Status::Corruption("observed value");
    v.first = std::min(v.first, o.first);
    v.last = std::max(v.last, o.last);
    v.count += o.count;
    ++*again;
  } else if (st.IsNotFound()) {
    ++*fresh;
  } else {
    return FromRocks(st, "reading observed data");
  }
  std::string value;
  EncodeObservedValue(v, &value);
  return FromRocks(batch->Put(w.handle(family), key, value), "batch");
}

}  // namespace

Status Store::Observe(const std::vector<NsObservation>& pairs, const std::vector<AddressObservation>& addresses,
                      ObserveResult* result) {
  *result = ObserveResult();
  return impl_->AsWriter([&](Writer& w) -> Status {
    // Aggregate the batch first: traffic repeats the same records endlessly.
    std::map<std::string, ObservedValue> edges, glue;
    auto note = [](ObservedValue& v, int64_t t) {
      if (v.count == 0 || t < v.first) v.first = t;
      if (v.count == 0 || t > v.last) v.last = t;
      ++v.count;
    };
    for (const auto& p : pairs) note(edges[ObservedKey(p.ns, p.domain)], p.time);
    for (const auto& a : addresses) note(glue[ObservedKey(a.host, a.address.ToKey())], a.time);
    rocksdb::WriteBatch batch;
    std::string_view ns, domain;
    for (const auto& [key, v] : edges) {
      NSRADAR_RETURN_IF_ERROR(
          MergeObserved(w, &batch, kObservedEdges, key, v, &result->pairs_new, &result->pairs_again));
      ParseObservedKey(key, &ns, &domain);  // made above: cannot fail
      uint64_t ignored = 0;
      NSRADAR_RETURN_IF_ERROR(
          MergeObserved(w, &batch, kObservedDomains, ObservedKey(domain, ns), v, &ignored, &ignored));
    }
    for (const auto& [key, v] : glue) {
      NSRADAR_RETURN_IF_ERROR(
          MergeObserved(w, &batch, kObservedGlue, key, v, &result->addresses_new, &result->addresses_again));
    }
    NSRADAR_RETURN_IF_ERROR(w.Commit(&batch, true, "writing observations"));
    if (!edges.empty()) w.NoteObserved();
    return Status::OK();
  });
}

}  // namespace nsradar::nsdb
