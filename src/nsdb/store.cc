// The Store's front: opening, applying a snapshot, and the store-wide
// answers. Queries, observations, and alerts and intelligence live in their
// own files; what they share is Store::Impl (internal/store_impl.h).
#include "nsdb/store.h"

#include <filesystem>

#include "nsdb/internal/snapshot_ingest.h"
#include "nsdb/internal/store_impl.h"

namespace nsradar::nsdb {

bool ParseKindFilter(std::string_view text, std::optional<zone::DomainKind>* out) {
  if (text == "all") {
    out->reset();
    return true;
  }
  zone::DomainKind kind;
  if (!zone::ParseDomainKind(text, &kind)) return false;
  *out = kind;
  return true;
}

std::string KindFilterNames() {
  std::string out;
  for (const auto& row : zone::kDomainKindNames) out.append(row.name).append(", ");
  out.resize(out.size() - 2);
  return out + " or all";
}

const char* DomainEventName(DomainEvent::Type t) {
  switch (t) {
    case DomainEvent::Type::kCreated:
      return "created";
    case DomainEvent::Type::kNsAdded:
      return "ns_added";
    case DomainEvent::Type::kNsRemoved:
      return "ns_removed";
    case DomainEvent::Type::kDropped:
      return "dropped";
  }
  return "?";
}

std::vector<std::string> DomainInfo::current() const {
  std::vector<std::string> out;
  for (const auto& e : edges) {
    if (e.active) out.push_back(e.ns);
  }
  return out;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Status Store::Open(const std::string& dir, const StoreOptions& options, std::unique_ptr<Store>* out) {
  auto impl = std::make_unique<Impl>();
  NSRADAR_RETURN_IF_ERROR(impl->Open(dir, options));
  out->reset(new Store(std::move(impl)));
  return Status::OK();
}

Status Store::IngestSnapshot(const zone::ZoneSnapshot& snap, int64_t observed_at, const std::string& source,
                             IngestResult* result) {
  return impl_->AsWriter([&](Writer& w) { return SnapshotIngest(w, snap, observed_at, source, result).Run(); });
}

Status Store::IngestSnapshot(const zone::SpilledZone& zone, size_t memory_budget, int64_t observed_at,
                             const std::string& source, IngestResult* result) {
  return impl_->AsWriter(
      [&](Writer& w) { return SnapshotIngest(w, zone, memory_budget, observed_at, source, result).Run(); });
}

Status Store::CatchUp() { return impl_->CatchUp(); }

Status Store::Zones(std::vector<ZoneInfo>* out) const {
  *out = impl_->ZoneList();
  return Status::OK();
}

Status Store::Stats(StoreStats* out) const {
  *out = StoreStats();
  uint64_t c[kCounterCount];
  NSRADAR_RETURN_IF_ERROR(impl_->ReadCounters(c));
  out->edges = c[kEdgeCount];
  out->active_edges = c[kActiveEdgeCount];
  out->domains = c[kDomainCount];
  out->name_servers = c[kNameServerCount];
  out->glue = c[kGlueCount];
  NSRADAR_RETURN_IF_ERROR(Zones(&out->zone_list));
  out->zones = out->zone_list.size();
  for (const auto& z : out->zone_list) out->snapshots += z.snapshots.size();
  for (int f = 0; f < kCfCount; ++f) {
    const auto family = static_cast<Cf>(f);
    if (impl_->has(family)) out->family_sst_bytes.emplace_back(kCfNames[f], impl_->SstBytes(family));
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(impl_->dir(), ec)) {
    if (entry.is_regular_file(ec)) out->disk_bytes += entry.file_size(ec);
  }
  return Status::OK();
}

Status Store::CompactAll() {
  return impl_->AsWriter([](Writer& w) { return w.CompactAll(); });
}

}  // namespace nsradar::nsdb
