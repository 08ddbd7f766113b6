// Detection alerts, threat intelligence and the analysts' allowlist, kept in
// the index's store so that the API, the checks, the detector and the RPZ
// writer read one place.
#include <rocksdb/write_batch.h>

#include <optional>

#include "nsdb/internal/keys.h"
#include "nsdb/internal/store_impl.h"
#include "nsdb/store.h"

namespace nsradar::nsdb {

Status Store::PutAlert(const StoredAlert& alert) {
  std::string key, value;
  EncodeAlert(alert, &key, &value);
  return impl_->AsWriter([&](Writer& w) {
    rocksdb::WriteBatch batch;
    NSRADAR_RETURN_IF_ERROR(FromRocks(batch.Put(w.handle(kAlerts), key, value), "batch"));
    return w.Commit(&batch, false, "writing an alert");
  });
}

Status Store::Alerts(std::string_view domain, size_t limit, std::vector<StoredAlert>* out) const {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it = impl_->NewIterator(kAlerts);
  if (!it) return Status::OK();  // a store from before alerts were kept
  const std::string prefix = AlertDomainPrefix(domain);
  for (it->Seek(prefix); it->Valid() && out->size() < limit; it->Next()) {
    if (!it->key().starts_with(prefix)) break;
    StoredAlert a;
    if (!DecodeAlert(ToView(it->key()), ToView(it->value()), &a)) {
      return Status::Corruption("alert record with a malformed key or value");
    }
    out->push_back(std::move(a));
  }
  return FromRocks(it->status(), "reading alerts");
}

Status Store::PutIndicators(const std::vector<Indicator>& indicators, std::string_view replace_source,
                            uint64_t* replaced) {
  if (replaced) *replaced = 0;
  return impl_->AsWriter([&](Writer& w) -> Status {
    rocksdb::WriteBatch batch;
    if (!replace_source.empty()) {
      // Deletes first: a put of the same key later in the batch wins.
      Status deleted;
      NSRADAR_RETURN_IF_ERROR(ScanIndicators([&](const Indicator& i) {
        if (i.source != replace_source || !deleted.ok()) return;
        deleted = FromRocks(batch.Delete(w.handle(kIntel), IndicatorKey(i.kind, i.value)), "batch");
        if (replaced) ++*replaced;
      }));
      NSRADAR_RETURN_IF_ERROR(deleted);
    }
    std::string key, value;
    for (const auto& i : indicators) {
      value.clear();
      EncodeIndicator(i, &key, &value);
      NSRADAR_RETURN_IF_ERROR(FromRocks(batch.Put(w.handle(kIntel), key, value), "batch"));
    }
    return w.Commit(&batch, false, "writing indicators");
  });
}

Status Store::FindIndicator(IndicatorKind kind, std::string_view value, Indicator* out) const {
  if (!impl_->has(kIntel)) return Status::NotFound("no threat intelligence in this store");
  std::string v;
  const std::string key = IndicatorKey(kind, value);
  rocksdb::Status s = impl_->Get(kIntel, key, &v);
  if (s.IsNotFound()) return Status::NotFound(std::string(value) + " is not an indicator");
  NSRADAR_RETURN_IF_ERROR(FromRocks(s, "reading an indicator"));
  if (!DecodeIndicator(key, v, out)) return Status::Corruption("indicator record for " + std::string(value));
  return Status::OK();
}

Status Store::ScanIndicators(const std::function<void(const Indicator&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = impl_->NewIterator(kIntel);
  if (!it) return Status::OK();
  Indicator i;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!DecodeIndicator(ToView(it->key()), ToView(it->value()), &i)) {
      return Status::Corruption("indicator record with a malformed key or value");
    }
    visit(i);
  }
  return FromRocks(it->status(), "reading indicators");
}

namespace {

// Visits the allowlist events under `prefix` in key order.
Status ScanAllowlist(const Store::Impl& impl, std::string_view prefix,
                     const std::function<void(AllowlistEvent&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it = impl.NewIterator(kAllowlist);
  if (!it) return Status::OK();  // a store from before the allowlist was kept
  AllowlistEvent e;
  for (it->Seek(ToSlice(prefix)); it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
    if (!DecodeAllowlistEvent(ToView(it->key()), ToView(it->value()), &e)) {
      return Status::Corruption("allowlist record with a malformed key or value");
    }
    visit(e);
  }
  return FromRocks(it->status(), "reading the allowlist");
}

}  // namespace

Status Store::PutAllowlistEvent(AllowlistEvent* event, bool* changed) {
  *changed = false;
  return impl_->AsWriter([&](Writer& w) -> Status {
    // Under the writer lock, so two analysts' clicks cannot both append.
    std::optional<AllowlistEvent> latest;
    NSRADAR_RETURN_IF_ERROR(
        ScanAllowlist(*impl_, AllowlistDomainPrefix(event->domain), [&](AllowlistEvent& e) { latest = std::move(e); }));
    if (latest ? latest->listed == event->listed : !event->listed) return Status::OK();
    if (latest && event->time_us <= latest->time_us) event->time_us = latest->time_us + 1;
    std::string key, value;
    EncodeAllowlistEvent(*event, &key, &value);
    rocksdb::WriteBatch batch;
    NSRADAR_RETURN_IF_ERROR(FromRocks(batch.Put(w.handle(kAllowlist), key, value), "batch"));
    NSRADAR_RETURN_IF_ERROR(w.Commit(&batch, true, "writing the allowlist"));
    *changed = true;
    return Status::OK();
  });
}

Status Store::AllowlistHistory(std::string_view domain, std::vector<AllowlistEvent>* out) const {
  out->clear();
  return ScanAllowlist(*impl_, AllowlistDomainPrefix(domain), [&](AllowlistEvent& e) { out->push_back(e); });
}

Status Store::Allowlisted(std::vector<AllowlistEvent>* out) const {
  out->clear();
  std::optional<AllowlistEvent> latest;
  auto flush = [&] {
    if (latest && latest->listed) out->push_back(std::move(*latest));
    latest.reset();
  };
  NSRADAR_RETURN_IF_ERROR(ScanAllowlist(*impl_, "", [&](AllowlistEvent& e) {
    if (latest && latest->domain != e.domain) flush();
    latest = e;
  }));
  flush();
  return Status::OK();
}

}  // namespace nsradar::nsdb
