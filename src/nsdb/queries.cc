// The store's queries: domains on a name server, counts, name servers by
// suffix, the export scan, glue both ways, and a domain with its history.
#include <algorithm>
#include <map>

#include "dns/name.h"
#include "nsdb/internal/domain_record.h"
#include "nsdb/internal/edge_cursor.h"
#include "nsdb/internal/store_impl.h"
#include "nsdb/store.h"

namespace nsradar::nsdb {
namespace {

bool RowMatches(const DomainQuery& q, const DomainRowView& row) {
  if (q.active_only && !row.active) return false;
  if (q.kind && row.kind != *q.kind) return false;
  if (q.first_seen_after && !(row.first_seen > *q.first_seen_after)) return false;
  if (q.first_seen_before && !(row.first_seen < *q.first_seen_before)) return false;
  if (q.last_seen_after && !(row.last_seen > *q.last_seen_after)) return false;
  if (q.last_seen_before && !(row.last_seen < *q.last_seen_before)) return false;
  if (!q.suffix.empty() && !dns::IsAtOrBelow(row.name, q.suffix)) return false;
  return true;
}

bool Unfiltered(const DomainQuery& q) {
  return !q.kind && !q.first_seen_after && !q.first_seen_before && !q.last_seen_after && !q.last_seen_before &&
         q.suffix.empty();
}

// Whether passive DNS saw any domain on `ns`.
bool HasObserved(const Store::Impl& d, std::string_view ns) {
  if (!d.any_observed()) return false;
  std::unique_ptr<rocksdb::Iterator> it = d.NewIterator(kObservedEdges);
  if (!it) return false;
  const std::string prefix = ObservedNamePrefix(ns);
  it->Seek(prefix);
  return it->Valid() && it->key().starts_with(prefix);
}

// Glue rows of a host (`by_host`) or of an address, one per (host,
// address) whatever the zones that carried it: first_seen is the earliest
// and last_seen the latest of them.
Status ScanGlue(const Store::Impl& d, bool by_host, const std::string& prefix, std::vector<GlueRow>* out) {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it = d.NewIterator(by_host ? kGlue : kGlueByAddr);
  EdgeValue v;
  GlueKey key;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string_view k = ToView(it->key());
    if (!(by_host ? ParseGlueKey(k, &key) : ParseGlueByAddressKey(k, &key))) return Status::Corruption("glue key");
    auto a = dns::Address::FromKey(key.address);
    if (!a) return Status::Corruption("glue address key");
    if (!EdgeValue::Decode(ToView(it->value()), &v)) return Status::Corruption("glue value");
    GlueRow row{std::string(key.host), *a, v.first_seen(), v.last_seen(d.ZoneLatest(v.zone_id))};
    if (!out->empty() && out->back().host == row.host && out->back().address == row.address) {
      out->back().first_seen = std::min(out->back().first_seen, row.first_seen);
      out->back().last_seen = std::max(out->back().last_seen, row.last_seen);
    } else {
      out->push_back(std::move(row));
    }
  }
  return FromRocks(it->status(), "scanning glue");
}

// The domain's edges from its zone_domains record in the closest enclosing
// zone the store knows, which *zone receives (none when no zone has it).
Status ReadZoneEdges(const Store::Impl& d, std::string_view domain, DomainInfo* out, std::optional<ZoneInfo>* zone) {
  for (std::string_view z = dns::Parent(domain);; z = dns::Parent(z)) {
    if (std::optional<ZoneInfo> found = d.FindZone(z)) {
      std::string key, value;
      AppendZoneDomainKey(&key, found->id, domain);
      rocksdb::Status st = d.Get(kZoneDomains, key, &value);
      if (st.ok()) {
        DomainRecordReader reader;
        std::string_view host;
        DomainEdge e;
        if (!reader.Open(value)) return Status::Corruption("zone_domains record of " + out->name);
        while (reader.Next(&host, &e.value.runs)) {
          e.ns.assign(host);
          e.value.zone_id = found->id;
          e.value.kind = reader.kind();
          e.first_seen = e.value.first_seen();
          e.last_seen = e.value.last_seen(found->latest());
          e.active = e.value.active();
          e.from_zone = true;
          out->edges.push_back(e);
        }
        if (reader.corrupt()) return Status::Corruption("zone_domains record of " + out->name);
        *zone = std::move(found);
        return Status::OK();
      }
      if (!st.IsNotFound()) return FromRocks(st, "reading " + out->name);
    }
    if (z.empty()) return Status::OK();
  }
}

// Adds the name servers passive DNS saw for the domain, merged with the
// zone files' edges, and sorts the edges by name server.
Status AddObservedEdges(const Store::Impl& d, std::string_view domain, DomainInfo* out) {
  std::unique_ptr<rocksdb::Iterator> it = d.NewIterator(kObservedDomains);
  if (!it) return Status::OK();
  const std::string prefix = ObservedNamePrefix(domain);
  std::string_view key_domain, ns;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ObservedValue o;
    if (!ParseObservedKey(ToView(it->key()), &key_domain, &ns) || !DecodeObservedValue(ToView(it->value()), &o)) {
      return Status::Corruption("observed value of " + out->name);
    }
    auto e = std::find_if(out->edges.begin(), out->edges.end(), [&](const DomainEdge& x) { return x.ns == ns; });
    if (e == out->edges.end()) {
      DomainEdge fresh;
      fresh.ns = ns;
      fresh.first_seen = o.first;
      fresh.last_seen = o.last;
      fresh.observed = true;
      out->edges.push_back(std::move(fresh));
    } else {
      e->first_seen = std::min(e->first_seen, o.first);
      e->last_seen = std::max(e->last_seen, o.last);
      e->observed = true;
    }
  }
  NSRADAR_RETURN_IF_ERROR(FromRocks(it->status(), "reading observed name servers of " + out->name));
  std::sort(out->edges.begin(), out->edges.end(), [](const DomainEdge& a, const DomainEdge& b) { return a.ns < b.ns; });
  return Status::OK();
}

// The domain's history from its edges' runs. A run ending at a closed bound
// ends at the zone's next snapshot, the first one without the edge.
void DeriveHistory(const ZoneInfo& zone, DomainInfo* out) {
  std::vector<int64_t> times;
  for (const auto& s : zone.snapshots) times.push_back(s.observed_at);
  auto after = [&](int64_t x) -> std::optional<int64_t> {
    auto p = std::upper_bound(times.begin(), times.end(), x);
    if (p == times.end()) return std::nullopt;
    return *p;
  };
  // time -> (name servers added, name servers removed)
  std::map<int64_t, std::pair<std::vector<std::string>, std::vector<std::string>>> changes;
  for (const auto& e : out->edges) {
    for (const SeenRun& run : e.value.runs) {
      changes[run.first].first.push_back(e.ns);
      if (!run.open()) {
        if (auto gone = after(run.last)) changes[*gone].second.push_back(e.ns);
      }
    }
  }
  size_t present = 0;
  for (auto& [time, ch] : changes) {
    size_t before = present;
    present += ch.first.size();
    present -= ch.second.size();
    if (before == 0 && !ch.first.empty()) {
      out->history.push_back({time, DomainEvent::Type::kCreated, ch.first});
      if (!ch.second.empty()) out->history.push_back({time, DomainEvent::Type::kNsRemoved, ch.second});
      continue;
    }
    if (present == 0) {
      if (!ch.first.empty()) out->history.push_back({time, DomainEvent::Type::kNsAdded, ch.first});
      out->history.push_back({time, DomainEvent::Type::kDropped, ch.second});
      continue;
    }
    if (!ch.first.empty()) out->history.push_back({time, DomainEvent::Type::kNsAdded, ch.first});
    if (!ch.second.empty()) out->history.push_back({time, DomainEvent::Type::kNsRemoved, ch.second});
  }
}

}  // namespace

Status Store::VisitDomainsOnNs(const DomainQuery& q, const std::function<void(const DomainRowView&)>& visit,
                               bool* more) const {
  *more = false;
  if (q.limit > kMaxPage) return Status::InvalidArgument("limit must be at most " + std::to_string(kMaxPage));
  MergedEdgeCursor cursor(*impl_, q.ns);
  cursor.Seek(q.ns, q.after, !q.after.empty());
  std::string_view host;
  DomainRowView row;
  const bool filtered = !Unfiltered(q) || q.active_only;
  size_t rows = 0;
  while (cursor.Next(&host, &row)) {
    if (filtered && !RowMatches(q, row)) continue;
    if (rows == q.limit) {
      *more = true;
      break;
    }
    visit(row);
    ++rows;
  }
  return cursor.status();
}

Status Store::DomainsOnNs(const DomainQuery& q, DomainPage* page) const {
  page->rows.clear();
  page->total = 0;
  page->more = false;
  page->rows.reserve(std::min<size_t>(q.limit, 1024));
  auto keep = [page](const DomainRowView& r) {
    page->rows.push_back(
        DomainRow{std::string(r.name), r.first_seen, r.last_seen, r.active, r.kind, std::string(r.zone), r.observed});
  };
  if (!q.want_total || (Unfiltered(q) && !HasObserved(*impl_, q.ns))) {
    NSRADAR_RETURN_IF_ERROR(VisitDomainsOnNs(q, keep, &page->more));
    if (!q.want_total) return Status::OK();
    NsCounts c;
    NSRADAR_RETURN_IF_ERROR(Counts(q.ns, &c));
    page->total = q.active_only ? c.active : c.total;
    return Status::OK();
  }
  // Time, kind or suffix filters, or pairs seen in traffic: the exact total
  // needs every row of the host, so one scan from its first row counts the
  // matches and keeps the page's (those after the cursor) on the way.
  if (q.limit > kMaxPage) return Status::InvalidArgument("limit must be at most " + std::to_string(kMaxPage));
  MergedEdgeCursor cursor(*impl_, q.ns);
  cursor.Seek(q.ns, {}, false);
  std::string_view host;
  DomainRowView row;
  while (cursor.Next(&host, &row)) {
    if (!RowMatches(q, row)) continue;
    ++page->total;
    if (!q.after.empty() && row.name <= q.after) continue;
    if (page->rows.size() == q.limit) {
      page->more = true;
    } else {
      keep(row);
    }
  }
  return cursor.status();
}

Status Store::Counts(std::string_view ns, NsCounts* out) const {
  *out = NsCounts();
  std::string v;
  rocksdb::Status s = impl_->Get(kNsCounts, NsCountsKey(ns), &v);
  if (s.IsNotFound()) return Status::OK();
  NSRADAR_RETURN_IF_ERROR(FromRocks(s, "reading counts"));
  if (!DecodeNsCounts(v, out)) return Status::Corruption("counts of " + std::string(ns));
  return Status::OK();
}

Status Store::NameServersUnder(std::string_view suffix, std::string_view after, size_t limit, std::vector<NsRow>* out,
                               bool* more) const {
  out->clear();
  if (more) *more = false;
  if (limit > kMaxPage) return Status::InvalidArgument("limit must be at most " + std::to_string(kMaxPage));
  const NsCountsSubtree subtree(suffix);
  std::unique_ptr<rocksdb::Iterator> it = impl_->NewIterator(kNsCounts);
  const std::string start = after.empty() ? subtree.first_key() : NsCountsKey(after);
  it->Seek(start);
  if (!after.empty() && it->Valid() && ToView(it->key()) == start) it->Next();
  for (; it->Valid(); it->Next()) {
    const std::string_view k = ToView(it->key());
    const NsCountsSubtree::Place place = subtree.Locate(k);
    if (place == NsCountsSubtree::Place::kPast) break;
    if (place == NsCountsSubtree::Place::kBetween) continue;
    if (out->size() == limit) {
      if (more) *more = true;
      break;
    }
    NsRow row;
    row.name = ParseNsCountsKey(k);
    if (!DecodeNsCounts(ToView(it->value()), &row.counts)) return Status::Corruption("counts of " + row.name);
    out->push_back(std::move(row));
  }
  return FromRocks(it->status(), "scanning name servers under " + std::string(suffix));
}

Status Store::ScanEdges(const EdgeScan& scan, std::vector<EdgeRow>* out) const {
  out->clear();
  MergedEdgeCursor cursor(*impl_, scan.ns, scan.ns.empty());
  if (!scan.after_ns.empty()) {
    cursor.Seek(scan.after_ns, scan.after_domain, true);
  } else {
    cursor.Seek(scan.ns, {}, false);
  }
  std::string_view host;
  DomainRowView row;
  while (out->size() < scan.limit && cursor.Next(&host, &row)) {
    out->push_back(EdgeRow{std::string(host), std::string(row.name), row.first_seen, row.last_seen, row.active,
                           row.from_zone, row.observed});
  }
  return cursor.status();
}

Status Store::HostAddresses(std::string_view host, std::vector<GlueRow>* out) const {
  NSRADAR_RETURN_IF_ERROR(ScanGlue(*impl_, true, GlueHostPrefix(host), out));
  std::unique_ptr<rocksdb::Iterator> it = impl_->NewIterator(kObservedGlue);
  if (!it) return Status::OK();
  // Addresses passive DNS saw for the host.
  const std::string prefix = ObservedNamePrefix(host);
  std::string_view key_host, address;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ObservedValue o;
    std::optional<dns::Address> a;
    if (ParseObservedKey(ToView(it->key()), &key_host, &address)) a = dns::Address::FromKey(address);
    if (!a || !DecodeObservedValue(ToView(it->value()), &o)) {
      return Status::Corruption("observed address of " + std::string(host));
    }
    auto row = std::find_if(out->begin(), out->end(), [&](const GlueRow& g) { return g.address == *a; });
    if (row == out->end()) {
      out->push_back(GlueRow{std::string(host), *a, o.first, o.last});
    } else {
      row->first_seen = std::min(row->first_seen, o.first);
      row->last_seen = std::max(row->last_seen, o.last);
    }
  }
  return FromRocks(it->status(), "reading observed addresses");
}

Status Store::AddressHosts(const dns::Address& addr, std::vector<GlueRow>* out) const {
  return ScanGlue(*impl_, false, GlueAddressPrefix(addr), out);
}

Status Store::Domain(std::string_view domain, DomainInfo* out) const {
  *out = DomainInfo();
  out->name.assign(domain);
  std::optional<ZoneInfo> zone;
  NSRADAR_RETURN_IF_ERROR(ReadZoneEdges(*impl_, domain, out, &zone));
  NSRADAR_RETURN_IF_ERROR(AddObservedEdges(*impl_, domain, out));
  if (!zone) {
    if (out->edges.empty()) {
      return Status::NotFound(dns::ToDisplay(domain) + " is in no ingested zone and was never observed");
    }
    out->kind = zone::ClassifyDomain(out->name);
    return Status::OK();  // only traffic knows it: no zone history
  }
  out->zone = zone->name;
  out->kind = out->edges.front().value.kind;
  DeriveHistory(*zone, out);
  return Status::OK();
}

}  // namespace nsradar::nsdb
