#include "zone/snapshot.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "dns/name.h"
#include "dns/public_suffix.h"
#include "dns/rr_type.h"
#include "util/hash.h"

namespace nsradar::zone {
namespace {

constexpr size_t kArenaChunk = 4 << 20;

// Name server hosts by name: open addressing over (hash, id) pairs, the
// names themselves staying in the snapshot's arena. Several times faster
// than std::unordered_map for the one lookup every NS record makes.
class HostTable {
 public:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  // Returns the id of `name`, adding it as `next_id` when absent.
  template <typename NameOf>
  uint32_t FindOrAdd(std::string_view name, uint32_t next_id, NameOf name_of, bool* added) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    uint32_t h = Hash(name);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s = Slot{h, next_id};
        ++used_;
        *added = true;
        return next_id;
      }
      if (s.hash == h && name_of(s.id) == name) {
        *added = false;
        return s.id;
      }
    }
  }

  // The id of `name`, or kEmpty.
  template <typename NameOf>
  uint32_t Find(std::string_view name, NameOf name_of) const {
    if (slots_.empty()) return kEmpty;
    uint32_t h = Hash(name);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.id == kEmpty) return kEmpty;
      if (s.hash == h && name_of(s.id) == name) return s.id;
    }
  }

 private:
  struct Slot {
    uint32_t hash;
    uint32_t id;
  };

  static uint32_t Hash(std::string_view s) { return static_cast<uint32_t>(HashBytes(s)); }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{0, kEmpty});
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t used_ = 0;
};

// Runs the reader on a thread of its own and hands over, in batches, the
// records a snapshot needs, so that parsing and building use both cores.
// The reader must not be touched by the caller until the pipe is destroyed.
class RecordPipe {
 public:
  struct Rec {
    uint16_t type;
    uint32_t serial;
    uint64_t owner_offset;
    uint32_t owner_length;
    uint32_t target_length;  // NS target follows the owner in `bytes`
    dns::Address address;
  };
  struct Batch {
    std::string bytes;
    std::vector<Rec> recs;
    std::string_view owner(const Rec& r) const { return {bytes.data() + r.owner_offset, r.owner_length}; }
    std::string_view target(const Rec& r) const {
      return {bytes.data() + r.owner_offset + r.owner_length, r.target_length};
    }
  };

  RecordPipe(ZoneReader* reader, const SnapshotOptions& options) : reader_(reader), options_(options) {
    thread_ = std::thread([this] { Produce(); });
  }
  ~RecordPipe() {
    {
      std::lock_guard<std::mutex> l(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The next batch, or false once the reader is done.
  bool Next(Batch* out) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return !full_.empty() || done_; });
    if (full_.empty()) return false;
    if (!out->recs.empty() || !out->bytes.empty()) {
      out->bytes.clear();
      out->recs.clear();
      free_.push_back(std::move(*out));
    }
    *out = std::move(full_.front());
    full_.pop_front();
    cv_.notify_all();
    return true;
  }

 private:
  static constexpr size_t kBatchRecords = 16384;
  static constexpr size_t kMaxQueued = 4;

  void Produce() {
    Batch batch;
    Record rec;
    uint64_t n = 0;
    while (reader_->Next(&rec)) {
      if (options_.progress && (++n & 0xffff) == 0) options_.progress(reader_->raw_offset(), reader_->raw_size());
      if (rec.type != dns::rr::kNS && rec.type != dns::rr::kA && rec.type != dns::rr::kAAAA &&
          rec.type != dns::rr::kSOA) {
        continue;
      }
      Rec r{rec.type,
            rec.soa_serial,
            batch.bytes.size(),
            static_cast<uint32_t>(rec.owner.size()),
            static_cast<uint32_t>(rec.ns_target.size()),
            rec.address};
      batch.bytes.append(rec.owner);
      batch.bytes.append(rec.ns_target);
      batch.recs.push_back(r);
      if (batch.recs.size() == kBatchRecords && !Hand(&batch)) return;
    }
    if (!batch.recs.empty()) Hand(&batch);
    std::lock_guard<std::mutex> l(mu_);
    done_ = true;
    cv_.notify_all();
  }

  // Queues a full batch and gives back an empty one; false when cancelled.
  bool Hand(Batch* batch) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return full_.size() < kMaxQueued || cancelled_; });
    if (cancelled_) return false;
    full_.push_back(std::move(*batch));
    *batch = Batch();
    if (!free_.empty()) {
      *batch = std::move(free_.back());
      free_.pop_back();
    }
    cv_.notify_all();
    return true;
  }

  ZoneReader* reader_;
  const SnapshotOptions& options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> full_;
  std::vector<Batch> free_;
  bool done_ = false;
  bool cancelled_ = false;
};

}  // namespace

DomainKind ClassifyDomain(std::string_view canonical) {
  const auto& psl = dns::PublicSuffixList::Default();
  if (psl.IsPublicSuffix(canonical)) return DomainKind::kSuffix;
  if (psl.IsPublicSuffix(dns::Parent(canonical))) return DomainKind::kRegistered;
  return DomainKind::kSubdomain;
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
  std::string_view last_parent;
  bool parent_is_suffix = false;
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
