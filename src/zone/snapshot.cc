#include "zone/snapshot.h"

#include <libpsl.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "dns/name.h"
#include "dns/rr_type.h"

namespace nsradar::zone {
namespace {

constexpr size_t kArenaChunk = 4 << 20;

// First eight bytes of a name as a big-endian integer: most comparisons in a
// sort of names are settled by it without touching the strings.
uint64_t Prefix8(std::string_view s) {
  unsigned char b[8] = {};
  std::memcpy(b, s.data(), std::min<size_t>(8, s.size()));
  uint64_t v = 0;
  for (unsigned char c : b) v = (v << 8) | c;
  return v;
}

}  // namespace

const char* DomainKindName(DomainKind kind) {
  switch (kind) {
    case DomainKind::kSuffix:
      return "suffix";
    case DomainKind::kRegistered:
      return "registered";
    case DomainKind::kSubdomain:
      return "subdomain";
  }
  return "?";
}

DomainKind ClassifyDomain(std::string_view canonical) {
  static const psl_ctx_t* psl = psl_builtin();
  std::string name(canonical);
  if (psl_is_public_suffix(psl, name.c_str())) return DomainKind::kSuffix;
  std::string parent(dns::Parent(canonical));
  if (parent.empty() || psl_is_public_suffix(psl, parent.c_str())) return DomainKind::kRegistered;
  return DomainKind::kSubdomain;
}

ZoneSnapshot::NameRef ZoneSnapshot::Intern(std::string_view s) {
  if (arena_.empty() || arena_used_ + s.size() > kArenaChunk) {
    arena_.push_back(std::make_unique<char[]>(kArenaChunk));
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

Status ZoneSnapshot::Load(ZoneReader* reader, const SnapshotOptions& options, ZoneSnapshot* s) {
  *s = ZoneSnapshot();
  std::unordered_map<std::string_view, uint32_t> host_ids;
  std::string suffix;  // longest common suffix of NS owners, to infer the apex
  bool any_ns = false;
  Record rec;
  uint64_t n = 0;
  while (reader->Next(&rec)) {
    if (options.progress && (++n & 0xffff) == 0) options.progress(reader->raw_offset(), reader->raw_size());
    switch (rec.type) {
      case dns::rr::kNS: {
        if (s->domains_.empty() || s->Name(s->domains_.back().name) != rec.owner) {
          s->domains_.push_back(DomainEntry{s->Intern(rec.owner), s->edge_hosts_.size(), 0, DomainKind::kSubdomain});
          if (!any_ns) {
            suffix.assign(rec.owner);
            any_ns = true;
          } else {
            while (!dns::IsAtOrBelow(rec.owner, suffix)) suffix.assign(dns::Parent(suffix));
          }
        }
        auto it = host_ids.find(rec.ns_target);
        uint32_t id;
        if (it == host_ids.end()) {
          id = static_cast<uint32_t>(s->hosts_.size());
          NameRef ref = s->Intern(rec.ns_target);
          s->hosts_.push_back(ref);
          host_ids.emplace(s->Name(ref), id);
        } else {
          id = it->second;
        }
        s->edge_hosts_.push_back(id);
        ++s->domains_.back().hosts_count;
        break;
      }
      case dns::rr::kA:
      case dns::rr::kAAAA:
        s->addresses_.emplace_back(s->Intern(rec.owner), rec.address);
        break;
      case dns::rr::kSOA:
        if (!s->has_soa_) {
          s->has_soa_ = true;
          s->has_serial_ = true;
          s->serial_ = rec.soa_serial;
          s->apex_.assign(rec.owner);
        }
        break;
      default:
        break;
    }
  }
  s->reader_stats_ = reader->stats();
  NSRADAR_RETURN_IF_ERROR(reader->status());
  if (options.has_zone) {
    s->apex_ = options.zone;
  } else if (!s->has_soa_) {
    s->apex_ = suffix;
  }

  // Host ranks: lexicographic order of the host names.
  std::vector<uint32_t> order(s->hosts_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return s->Name(s->hosts_[a]) < s->Name(s->hosts_[b]); });
  std::vector<uint32_t> rank(order.size());
  std::vector<NameRef> sorted_hosts(order.size());
  for (uint32_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    sorted_hosts[r] = s->hosts_[order[r]];
  }
  s->hosts_ = std::move(sorted_hosts);

  // Domains in lexicographic order, settled by an 8-byte prefix first.
  struct Key {
    uint64_t prefix;
    uint32_t entry;
  };
  std::vector<Key> keys;
  keys.reserve(s->domains_.size());
  for (uint32_t i = 0; i < s->domains_.size(); ++i) {
    std::string_view name = s->Name(s->domains_[i].name);
    if (name == s->apex_) continue;  // the zone's own NS set is not a delegation
    if (!dns::IsAtOrBelow(name, s->apex_)) {
      s->dropped_ += s->domains_[i].hosts_count;
      continue;
    }
    keys.push_back(Key{Prefix8(name), i});
  }
  bool sorted = std::is_sorted(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    return a.prefix != b.prefix ? a.prefix < b.prefix : s->Name(s->domains_[a.entry].name) < s->Name(s->domains_[b.entry].name);
  });
  if (!sorted) {
    std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
      return a.prefix != b.prefix ? a.prefix < b.prefix
                                  : s->Name(s->domains_[a.entry].name) < s->Name(s->domains_[b.entry].name);
    });
  }

  // Rebuild the edge array in domain order, merging repeated owners and
  // de-duplicating each host list.
  std::vector<DomainEntry> domains;
  std::vector<uint32_t> edges;
  domains.reserve(keys.size());
  edges.reserve(s->edge_hosts_.size());
  std::string_view last_parent;
  bool parent_is_suffix = false;
  for (size_t k = 0; k < keys.size();) {
    const DomainEntry& first = s->domains_[keys[k].entry];
    std::string_view name = s->Name(first.name);
    uint64_t begin = edges.size();
    size_t j = k;
    for (; j < keys.size() && s->Name(s->domains_[keys[j].entry].name) == name; ++j) {
      const DomainEntry& e = s->domains_[keys[j].entry];
      for (uint32_t h = 0; h < e.hosts_count; ++h) edges.push_back(rank[s->edge_hosts_[e.hosts_begin + h]]);
    }
    std::sort(edges.begin() + static_cast<ptrdiff_t>(begin), edges.end());
    edges.erase(std::unique(edges.begin() + static_cast<ptrdiff_t>(begin), edges.end()), edges.end());
    // Classify with the Public Suffix List; consecutive domains mostly share
    // a parent, so its answer is cached.
    DomainKind kind;
    std::string_view parent = dns::Parent(name);
    if (parent != last_parent || domains.empty()) {
      last_parent = parent;
      parent_is_suffix = parent.empty() || ClassifyDomain(parent) == DomainKind::kSuffix;
    }
    if (!parent_is_suffix) {
      kind = DomainKind::kSubdomain;
    } else {
      kind = ClassifyDomain(name) == DomainKind::kSuffix ? DomainKind::kSuffix : DomainKind::kRegistered;
    }
    domains.push_back(DomainEntry{first.name, begin, static_cast<uint32_t>(edges.size() - begin), kind});
    k = j;
  }
  s->domains_ = std::move(domains);
  s->edge_hosts_ = std::move(edges);

  // Glue: addresses whose owner is one of this zone's name server hosts.
  for (const auto& [owner, addr] : s->addresses_) {
    auto it = host_ids.find(s->Name(owner));
    if (it != host_ids.end()) s->glue_.push_back(Glue{rank[it->second], addr});
  }
  s->addresses_.clear();
  s->addresses_.shrink_to_fit();
  std::sort(s->glue_.begin(), s->glue_.end(), [](const Glue& a, const Glue& b) {
    if (a.host != b.host) return a.host < b.host;
    if (a.address.family != b.address.family) return a.address.family < b.address.family;
    return a.address.bytes < b.address.bytes;
  });
  s->glue_.erase(std::unique(s->glue_.begin(), s->glue_.end(),
                             [](const Glue& a, const Glue& b) { return a.host == b.host && a.address == b.address; }),
                 s->glue_.end());
  return Status::OK();
}

}  // namespace nsradar::zone
