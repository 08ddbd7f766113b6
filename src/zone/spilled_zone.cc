#include "zone/spilled_zone.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "dns/name.h"
#include "util/refill_buffer.h"
#include "zone/internal/host_table.h"
#include "zone/internal/record_pipe.h"

namespace nsradar::zone {
namespace {

// A pair is kept as "domain \0 host": names hold no NUL, so the byte order
// of these strings is the order of (domain, host) pairs.
std::string_view DomainOf(std::string_view pair) { return pair.substr(0, pair.find('\0')); }
std::string_view HostOf(std::string_view pair) { return pair.substr(pair.find('\0') + 1); }

// Reads a run file back, pair by pair, through a buffer of its own.
class FileRun {
 public:
  FileRun(const std::string& path, size_t buffer_bytes)
      : path_(path), f_(std::fopen(path.c_str(), "rb")), buf_(buffer_bytes) {
    if (!f_) status_ = Status::IOError("cannot open run file " + path);
  }
  ~FileRun() {
    if (f_) std::fclose(f_);
  }
  FileRun(const FileRun&) = delete;
  FileRun& operator=(const FileRun&) = delete;

  // The next pair, valid until the next call; false at the end or on error.
  bool Next(std::string_view* pair) {
    if (!f_ || !status_.ok()) return false;
    for (;;) {
      const std::string_view in = buf_.unread();
      const size_t a = in.find('\0');
      const size_t b = a == std::string_view::npos ? a : in.find('\0', a + 1);
      if (b != std::string_view::npos) {
        *pair = in.substr(0, b);
        buf_.Consume(b + 1);  // the view stays valid: only the next Fill moves the buffer
        return true;
      }
      if (buf_.at_end()) {
        if (!in.empty()) status_ = Status::Corruption("run file " + path_ + " ends inside a pair");
        return false;
      }
      status_ = buf_.FillMore(ReadFromFile(f_, path_));
      if (!status_.ok()) return false;
    }
  }
  const Status& status() const { return status_; }

 private:
  std::string path_;
  FILE* f_;
  RefillBuffer buf_;
  Status status_;
};

}  // namespace

// The pairs read since the last spill, up to a byte limit.
class SpilledZone::Buffer {
 public:
  explicit Buffer(size_t limit)
      : names_limit_(limit / 4 * 3), entries_limit_(std::max<size_t>(limit / 4 / sizeof(Entry), 1)) {}

  // False when the pair does not fit (then spill and add it again).
  bool Add(std::string_view domain, std::string_view host) {
    const size_t need = domain.size() + host.size() + 2;
    if (!entries_.empty() && (names_.size() + need > names_limit_ || entries_.size() == entries_limit_)) {
      return false;
    }
    entries_.push_back(Entry{names_.size(), static_cast<uint32_t>(need - 1)});
    names_.append(domain).push_back('\0');
    names_.append(host).push_back('\0');
    return true;
  }
  // Sorts and de-duplicates (a file in name order is only checked).
  void Sort() {
    auto less = [this](const Entry& a, const Entry& b) { return Pair(a) < Pair(b); };
    if (!std::is_sorted(entries_.begin(), entries_.end(), less)) std::sort(entries_.begin(), entries_.end(), less);
    entries_.erase(std::unique(entries_.begin(), entries_.end(),
                               [this](const Entry& a, const Entry& b) { return Pair(a) == Pair(b); }),
                   entries_.end());
  }
  Status WriteTo(const std::string& path) const {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Status::IOError("cannot create run file " + path);
    for (const Entry& e : entries_) std::fwrite(names_.data() + e.offset, 1, e.length + 1, f);
    const bool failed = std::ferror(f) != 0;
    if (std::fclose(f) != 0 || failed) return Status::IOError("cannot write run file " + path + " (disk full?)");
    return Status::OK();
  }
  void Clear() {
    names_.clear();
    entries_.clear();
  }
  size_t size() const { return entries_.size(); }
  std::string_view pair(size_t i) const { return Pair(entries_[i]); }

 private:
  struct Entry {
    uint64_t offset;
    uint32_t length;  // of "domain \0 host"
  };
  std::string_view Pair(const Entry& e) const { return std::string_view(names_.data() + e.offset, e.length); }

  const size_t names_limit_, entries_limit_;
  std::string names_;
  std::vector<Entry> entries_;
};

// The runs merged: every pair once, in order, filtered to the zone.
class SpilledZone::Merger {
 public:
  explicit Merger(const SpilledZone& z) : z_(z) {
    // The runs' buffers share an eighth of the budget.
    const size_t buffer = std::clamp<size_t>(z.budget_ / 8 / std::max<size_t>(z.runs_.size(), 1), 16 << 10, 1 << 20);
    for (const std::string& path : z.runs_) files_.push_back(std::make_unique<FileRun>(path, buffer));
    for (size_t i = 0; i < files_.size(); ++i) Advance(i);
    if (z.buffer_ && z.buffer_->size() > 0) heap_.push_back(Head{z.buffer_->pair(0), kMemory});
    std::make_heap(heap_.begin(), heap_.end(), Later);
  }

  // The next pair of the zone; false at the end (then check status()).
  bool Next(std::string_view* domain, std::string_view* host) {
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), Later);
      const Head head = heap_.back();
      heap_.pop_back();
      const bool repeated = have_last_ && head.pair == last_;
      if (!repeated) {
        last_.assign(head.pair);
        have_last_ = true;
      }
      // The head's view dies when its run advances: last_ holds the pair.
      if (head.run == kMemory) {
        if (++memory_pos_ < z_.buffer_->size()) {
          heap_.push_back(Head{z_.buffer_->pair(memory_pos_), kMemory});
          std::push_heap(heap_.begin(), heap_.end(), Later);
        }
      } else {
        Advance(head.run);
      }
      if (repeated) continue;
      const std::string_view d = DomainOf(last_);
      if (d == z_.apex()) continue;  // the zone's own NS set is not a delegation
      if (!dns::IsAtOrBelow(d, z_.apex())) {
        ++dropped_;
        continue;
      }
      *domain = d;
      *host = HostOf(last_);
      return true;
    }
    return false;
  }
  Status status() const {
    for (const auto& f : files_) NSRADAR_RETURN_IF_ERROR(f->status());
    return Status::OK();
  }
  uint64_t dropped() const { return dropped_; }

 private:
  static constexpr size_t kMemory = SIZE_MAX;
  struct Head {
    std::string_view pair;
    size_t run;
  };
  // The heap's top is the least pair.
  static bool Later(const Head& a, const Head& b) { return a.pair > b.pair; }
  void Advance(size_t run) {
    std::string_view pair;
    if (files_[run]->Next(&pair)) {
      heap_.push_back(Head{pair, run});
      std::push_heap(heap_.begin(), heap_.end(), Later);
    }
  }

  const SpilledZone& z_;
  std::vector<std::unique_ptr<FileRun>> files_;
  std::vector<Head> heap_;
  size_t memory_pos_ = 0;
  std::string last_;
  bool have_last_ = false;
  uint64_t dropped_ = 0;
};

SpilledZone::~SpilledZone() = default;

Status SpilledZone::Load(const std::string& path, const SnapshotOptions& options, const SpillOptions& spill,
                         std::unique_ptr<SpilledZone>* out) {
  std::unique_ptr<ZoneReader> reader;
  NSRADAR_RETURN_IF_ERROR(ZoneReader::Open(path, options.reader, &reader));
  return Load(reader.get(), options, spill, out);
}

Status SpilledZone::Load(ZoneReader* reader, const SnapshotOptions& options, const SpillOptions& spill,
                         std::unique_ptr<SpilledZone>* out) {
  std::unique_ptr<SpilledZone> z(new SpilledZone());
  NSRADAR_RETURN_IF_ERROR(z->Read(reader, options, spill));
  *out = std::move(z);
  return Status::OK();
}

// As ZoneSnapshot::ReadRecords, with the pairs spilled rather than interned.
Status SpilledZone::Read(ZoneReader* reader, const SnapshotOptions& options, const SpillOptions& spill) {
  budget_ = spill.memory_budget;
  buffer_ = std::make_unique<Buffer>(spill.memory_budget / 2);
  auto spill_buffer = [&]() -> Status {
    buffer_->Sort();
    runs_.push_back(spill.tmp_dir + "/run-" + std::to_string(runs_.size()));
    NSRADAR_RETURN_IF_ERROR(buffer_->WriteTo(runs_.back()));
    buffer_->Clear();
    return Status::OK();
  };
  std::vector<std::pair<std::string, dns::Address>> addresses;
  std::string suffix, last_owner;  // longest common suffix of NS owners, to infer the apex
  bool any_ns = false, has_soa = false;
  ZoneSnapshot& g = glue_;
  {
    // The batches in flight take at most an eighth of the budget.
    RecordPipe pipe(
        reader, options,
        std::clamp<size_t>(budget_ / 8 / (RecordPipe::kMaxQueued + 2) / 100, 256, RecordPipe::kBatchRecords));
    RecordPipe::Batch batch;
    while (pipe.Next(&batch)) {
      for (const RecordPipe::Rec& rec : batch.recs) {
        const std::string_view owner = batch.owner(rec);
        switch (rec.type) {
          case dns::rr::kNS:
            if (!any_ns || owner != last_owner) {
              last_owner.assign(owner);
              if (!any_ns) {
                suffix.assign(owner);
                any_ns = true;
              }
              while (!dns::IsAtOrBelow(owner, suffix)) suffix.assign(dns::Parent(suffix));
            }
            // An empty buffer takes any pair, so this ends.
            while (!buffer_->Add(owner, batch.target(rec))) NSRADAR_RETURN_IF_ERROR(spill_buffer());
            break;
          case dns::rr::kA:
          case dns::rr::kAAAA:
            addresses.emplace_back(owner, rec.address);
            break;
          case dns::rr::kSOA:
            if (!has_soa) {
              has_soa = g.has_soa_ = g.has_serial_ = true;
              g.serial_ = rec.serial;
              g.apex_.assign(owner);
            }
            break;
          default:
            break;
        }
      }
    }
  }
  g.reader_stats_ = reader->stats();
  NSRADAR_RETURN_IF_ERROR(reader->status());
  if (options.has_zone) {
    g.apex_ = options.zone;
  } else if (!has_soa) {
    g.apex_ = suffix;
  }
  if (runs_.empty()) {
    buffer_->Sort();
  } else {
    if (buffer_->size() > 0) NSRADAR_RETURN_IF_ERROR(spill_buffer());
    buffer_.reset();
  }
  return Count(&addresses);
}

Status SpilledZone::Count(std::vector<std::pair<std::string, dns::Address>>* addresses) {
  // Glue: addresses whose owner is a name server host of the zone.
  std::unordered_map<std::string_view, bool> is_host;
  for (const auto& a : *addresses) is_host.emplace(a.first, false);
  Merger m(*this);
  std::string_view domain, host;
  std::string last_domain;
  while (m.Next(&domain, &host)) {
    ++edges_;
    if (domains_ == 0 || domain != last_domain) {
      ++domains_;
      last_domain.assign(domain);
    }
    if (!is_host.empty()) {
      if (auto it = is_host.find(host); it != is_host.end()) it->second = true;
    }
  }
  NSRADAR_RETURN_IF_ERROR(m.status());
  ZoneSnapshot& g = glue_;
  g.dropped_ = m.dropped();
  HostTable ids;
  auto host_name = [&g](uint32_t id) { return g.Name(g.hosts_[id]); };
  for (const auto& [owner, address] : *addresses) {
    if (!is_host.find(owner)->second) continue;
    bool added;
    const uint32_t id = ids.FindOrAdd(owner, static_cast<uint32_t>(g.hosts_.size()), host_name, &added);
    if (added) g.hosts_.push_back(g.Intern(owner));
    g.glue_.push_back(ZoneSnapshot::Glue{id, address});
  }
  const std::vector<uint32_t> rank = g.RankHosts();
  for (ZoneSnapshot::Glue& e : g.glue_) e.host = rank[e.host];
  g.LayOutNames();
  return Status::OK();
}

Status SpilledZone::ForEachChunk(size_t max_edges, const std::function<Status(const ZoneSnapshot&)>& visit) const {
  ZoneSnapshot chunk;
  HostTable ids;
  ZoneSnapshot::KindCache kinds;
  auto host_name = [&chunk](uint32_t id) { return chunk.Name(chunk.hosts_[id]); };
  auto start = [&] {
    chunk = ZoneSnapshot();
    chunk.apex_ = apex();
    chunk.has_soa_ = glue_.has_soa_;
    chunk.has_serial_ = has_serial();
    chunk.serial_ = serial();
    ids = HostTable();
    kinds = ZoneSnapshot::KindCache();
  };
  // Hosts were numbered as they came; in rank order each domain's hosts,
  // which came in name order, stay ascending.
  auto finish = [&]() -> Status {
    if (chunk.domains_.empty()) return Status::OK();
    const std::vector<uint32_t> rank = chunk.RankHosts();
    for (uint32_t& h : chunk.edge_hosts_) h = rank[h];
    return visit(chunk);
  };
  start();
  Merger m(*this);
  std::string_view domain, host;
  while (m.Next(&domain, &host)) {
    if (chunk.domains_.empty() || chunk.Name(chunk.domains_.back().name) != domain) {
      if (chunk.edge_hosts_.size() >= max_edges) {
        NSRADAR_RETURN_IF_ERROR(finish());
        start();
      }
      const ZoneSnapshot::NameRef name = chunk.Intern(domain);
      chunk.domains_.push_back(ZoneSnapshot::DomainEntry{name, chunk.edge_hosts_.size(), 0,
                                                         ZoneSnapshot::KindInOrder(chunk.Name(name), &kinds)});
    }
    bool added;
    const uint32_t id = ids.FindOrAdd(host, static_cast<uint32_t>(chunk.hosts_.size()), host_name, &added);
    if (added) chunk.hosts_.push_back(chunk.Intern(host));
    chunk.edge_hosts_.push_back(id);
    ++chunk.domains_.back().hosts_count;
  }
  NSRADAR_RETURN_IF_ERROR(m.status());
  return finish();
}

}  // namespace nsradar::zone
