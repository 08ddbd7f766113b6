#include "zone/snapshot.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "dns/name.h"
#include "dns/public_suffix.h"
#include "zone/internal/host_table.h"
#include "zone/internal/record_pipe.h"

namespace nsradar::zone {
namespace {

constexpr size_t kArenaChunk = 4 << 20;

}  // namespace

DomainKind ClassifyDomain(std::string_view canonical) {
  const auto& psl = dns::PublicSuffixList::Default();
  if (psl.IsPublicSuffix(canonical)) return DomainKind::kSuffix;
  if (psl.IsPublicSuffix(dns::Parent(canonical))) return DomainKind::kRegistered;
  return DomainKind::kSubdomain;
}

// Consecutive domains mostly share a parent, so its answer is cached.
DomainKind ZoneSnapshot::KindInOrder(std::string_view name, KindCache* cache) {
  std::string_view parent = dns::Parent(name);
  if (!cache->any || parent != cache->parent) {
    cache->any = true;
    cache->parent = parent;
    cache->parent_is_suffix = parent.empty() || ClassifyDomain(parent) == DomainKind::kSuffix;
  }
  if (!cache->parent_is_suffix) return DomainKind::kSubdomain;
  return ClassifyDomain(name) == DomainKind::kSuffix ? DomainKind::kSuffix : DomainKind::kRegistered;
}

ZoneSnapshot::NameRef ZoneSnapshot::Intern(std::string_view s) {
  if (arena_.empty() || arena_used_ + s.size() > arena_chunk_) {
    // Chunks grow from 64 KiB to kArenaChunk: small zones stay small.
    arena_chunk_ = arena_.empty() ? 64 * 1024 : std::min(arena_chunk_ * 2, kArenaChunk);
    arena_.push_back(std::make_unique_for_overwrite<char[]>(std::max(arena_chunk_, s.size())));
    arena_used_ = 0;
  }
  char* p = arena_.back().get() + arena_used_;
  std::memcpy(p, s.data(), s.size());
  arena_used_ += s.size();
  return NameRef{p, static_cast<uint32_t>(s.size())};
}

Status ZoneSnapshot::Load(const std::string& path, const SnapshotOptions& options, ZoneSnapshot* out) {
  std::unique_ptr<ZoneReader> reader;
  NSRADAR_RETURN_IF_ERROR(ZoneReader::Open(path, options.reader, &reader));
  return Load(reader.get(), options, out);
}

// Loading in phases: read the records (NS edges, addresses, the SOA) and
// join the glue; rank the hosts in name order; rebuild the domains in name
// order on those ranks; lay the names out again in index order.
Status ZoneSnapshot::Load(ZoneReader* reader, const SnapshotOptions& options, ZoneSnapshot* s) {
  *s = ZoneSnapshot();
  NSRADAR_RETURN_IF_ERROR(s->ReadRecords(reader, options));
  const std::vector<uint32_t> rank = s->RankHosts();
  s->SortDomains(rank);
  for (Glue& g : s->glue_) g.host = rank[g.host];
  s->LayOutNames();
  return Status::OK();
}

Status ZoneSnapshot::ReadRecords(ZoneReader* reader, const SnapshotOptions& options) {
  HostTable host_ids;
  auto host_name = [this](uint32_t id) { return Name(hosts_[id]); };
  std::string suffix;  // longest common suffix of NS owners, to infer the apex
  bool any_ns = false;
  {
    RecordPipe pipe(reader, options);
    RecordPipe::Batch batch;
    while (pipe.Next(&batch)) {
      for (const RecordPipe::Rec& rec : batch.recs) {
        std::string_view owner = batch.owner(rec);
        switch (rec.type) {
          case dns::rr::kNS: {
            std::string_view target = batch.target(rec);
            if (domains_.empty() || Name(domains_.back().name) != owner) {
              domains_.push_back(DomainEntry{Intern(owner), edge_hosts_.size(), 0, DomainKind::kSubdomain});
              if (!any_ns) {
                suffix.assign(owner);
                any_ns = true;
              } else {
                while (!dns::IsAtOrBelow(owner, suffix)) suffix.assign(dns::Parent(suffix));
              }
            }
            bool added;
            uint32_t id = host_ids.FindOrAdd(target, static_cast<uint32_t>(hosts_.size()), host_name, &added);
            if (added) hosts_.push_back(Intern(target));
            edge_hosts_.push_back(id);
            ++domains_.back().hosts_count;
            break;
          }
          case dns::rr::kA:
          case dns::rr::kAAAA:
            addresses_.emplace_back(Intern(owner), rec.address);
            break;
          case dns::rr::kSOA:
            if (!has_soa_) {
              has_soa_ = true;
              has_serial_ = true;
              serial_ = rec.serial;
              apex_.assign(owner);
            }
            break;
          default:
            break;
        }
      }
    }
  }
  reader_stats_ = reader->stats();
  NSRADAR_RETURN_IF_ERROR(reader->status());
  if (options.has_zone) {
    apex_ = options.zone;
  } else if (!has_soa_) {
    apex_ = suffix;
  }

  // Glue: addresses whose owner is one of this zone's name server hosts
  // (by host id here, by rank once the hosts are ranked).
  for (const auto& [owner, addr] : addresses_) {
    uint32_t id = host_ids.Find(Name(owner), host_name);
    if (id != HostTable::kEmpty) glue_.push_back(Glue{id, addr});
  }
  addresses_.clear();
  addresses_.shrink_to_fit();
  return Status::OK();
}

std::vector<uint32_t> ZoneSnapshot::RankHosts() {
  // Host ranks: the hosts in name order (dns/name.h), the key's tag the id.
  std::vector<dns::NameKey> host_keys(hosts_.size());
  for (uint32_t i = 0; i < host_keys.size(); ++i) host_keys[i] = dns::MakeNameKey(Name(hosts_[i]), i);
  std::sort(host_keys.begin(), host_keys.end());
  std::vector<uint32_t> rank(host_keys.size());
  for (uint32_t r = 0; r < host_keys.size(); ++r) {
    rank[host_keys[r].tag] = r;
    hosts_[r] = NameRef{host_keys[r].data, host_keys[r].size};
  }
  return rank;
}

void ZoneSnapshot::SortDomains(const std::vector<uint32_t>& rank) {
  // Domains in name order. The key's tag is the entry's host count and the
  // entry's other field is copied in too, so that the rebuild below reads
  // the keys in order rather than the entries at random.
  struct Key {
    dns::NameKey name;
    uint64_t hosts_begin;
  };
  auto less = [](const Key& a, const Key& b) { return a.name < b.name; };
  std::vector<Key> keys;
  keys.reserve(domains_.size());
  for (uint32_t i = 0; i < domains_.size(); ++i) {
    std::string_view name = Name(domains_[i].name);
    if (name == apex_) continue;  // the zone's own NS set is not a delegation
    if (!dns::IsAtOrBelow(name, apex_)) {
      dropped_ += domains_[i].hosts_count;
      continue;
    }
    keys.push_back(Key{dns::MakeNameKey(name, domains_[i].hosts_count), domains_[i].hosts_begin});
  }
  // A file already in name order is only checked, not sorted again.
  if (!std::is_sorted(keys.begin(), keys.end(), less)) std::sort(keys.begin(), keys.end(), less);

  // Rebuild the edge array in domain order, merging repeated owners and
  // de-duplicating each host list.
  std::vector<DomainEntry> domains;
  std::vector<uint32_t> edges;
  domains.reserve(keys.size());
  edges.reserve(edge_hosts_.size());
  KindCache kinds;
  for (size_t k = 0; k < keys.size();) {
    const NameRef name_ref{keys[k].name.data, keys[k].name.size};
    std::string_view name = Name(name_ref);
    uint64_t begin = edges.size();
    size_t j = k;
    for (; j < keys.size() && dns::SameName(keys[j].name, keys[k].name); ++j) {
      for (uint32_t h = 0; h < keys[j].name.tag; ++h) {
        edges.push_back(rank[edge_hosts_[keys[j].hosts_begin + h]]);
      }
    }
    std::sort(edges.begin() + static_cast<ptrdiff_t>(begin), edges.end());
    edges.erase(std::unique(edges.begin() + static_cast<ptrdiff_t>(begin), edges.end()), edges.end());
    const DomainKind kind = KindInOrder(name, &kinds);
    domains.push_back(DomainEntry{name_ref, begin, static_cast<uint32_t>(edges.size() - begin), kind});
    k = j;
  }
  domains_ = std::move(domains);
  edge_hosts_ = std::move(edges);
}

void ZoneSnapshot::LayOutNames() {
  // Names again, in index order, so that consumers walking domains or hosts
  // in order read memory in order too.
  {
    auto old_arena = std::move(arena_);
    arena_.clear();
    for (DomainEntry& d : domains_) d.name = Intern(Name(d.name));
    for (NameRef& h : hosts_) h = Intern(Name(h));
  }
  std::sort(glue_.begin(), glue_.end(), [](const Glue& a, const Glue& b) {
    if (a.host != b.host) return a.host < b.host;
    if (a.address.family != b.address.family) return a.address.family < b.address.family;
    return a.address.bytes < b.address.bytes;
  });
  glue_.erase(std::unique(glue_.begin(), glue_.end(),
                          [](const Glue& a, const Glue& b) { return a.host == b.host && a.address == b.address; }),
              glue_.end());
}

}  // namespace nsradar::zone
