// ZoneSnapshot: what the reverse-NS index takes from one zone file, the
// state of a zone at one moment.
//
// Holds the zone apex, the SOA serial, every delegation below the apex with
// its name server hosts, and the A/AAAA addresses of those hosts found in the
// file (glue). Names are interned into an arena and, once loaded, sorted and
// de-duplicated so that consumers can stream them in index order without
// sorting again: domains strictly ascending, each with its hosts strictly
// ascending, and every host numbered by its rank, all in the one order of
// names (dns/name.h) that the store's keys and merge-joins use.
//
// Memory is about 40 bytes per domain plus 4 per edge plus the names, e.g.
// ~2.5 GB for a 50M-domain zone; the file itself is streamed. Loading parses
// on one thread and builds on the calling one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dns/address.h"
#include "util/enum_names.h"
#include "util/status.h"
#include "zone/zone_reader.h"

namespace nsradar::zone {

// What a delegated name is, relative to the Public Suffix List.
enum class DomainKind : uint8_t {
  kSuffix = 0,      // a public suffix: a TLD, or e.g. co.uk delegated in uk
  kRegistered = 1,  // a registrable domain (eTLD+1)
  kSubdomain = 2,   // anything deeper, e.g. sub.example.com in example.com
};
// As the CLI, the API and JSON spell them ("all" is the filters' own word).
inline constexpr EnumName<DomainKind> kDomainKindNames[] = {
    {DomainKind::kRegistered, "registered"},
    {DomainKind::kSubdomain, "subdomain"},
    {DomainKind::kSuffix, "suffix"},
};
inline std::string_view DomainKindName(DomainKind kind) { return NameOf(kDomainKindNames, kind); }
inline bool ParseDomainKind(std::string_view text, DomainKind* out) { return ValueOf(kDomainKindNames, text, out); }
DomainKind ClassifyDomain(std::string_view canonical);

struct SnapshotOptions {
  std::string zone;  // apex, canonical; empty with has_zone=false means infer
  bool has_zone = false;
  ReaderOptions reader;
  // Called now and then while reading, with the top file's raw byte
  // position, from the thread that runs the reader.
  std::function<void(uint64_t offset, uint64_t size)> progress;
};

class SpilledZone;

class ZoneSnapshot {
 public:
  // Reads `path` to the end. Bad records are reported through
  // options.reader.on_error; a fatal reader error is returned.
  static Status Load(const std::string& path, const SnapshotOptions& options, ZoneSnapshot* out);
  // Same, from a reader the caller made (tests, fuzzers).
  static Status Load(ZoneReader* reader, const SnapshotOptions& options, ZoneSnapshot* out);

  const std::string& apex() const { return apex_; }
  bool has_serial() const { return has_serial_; }
  uint32_t serial() const { return serial_; }
  const ReaderStats& reader_stats() const { return reader_stats_; }
  // NS records outside the zone or at odd places, dropped with a diagnostic.
  uint64_t dropped_records() const { return dropped_; }

  size_t domain_count() const { return domains_.size(); }
  std::string_view domain(size_t i) const { return Name(domains_[i].name); }
  DomainKind domain_kind(size_t i) const { return domains_[i].kind; }
  // Host ranks of domain i, ascending.
  const uint32_t* hosts_begin(size_t i) const { return edge_hosts_.data() + domains_[i].hosts_begin; }
  const uint32_t* hosts_end(size_t i) const { return hosts_begin(i) + domains_[i].hosts_count; }

  size_t host_count() const { return hosts_.size(); }
  std::string_view host(uint32_t rank) const { return Name(hosts_[rank]); }
  size_t edge_count() const { return edge_hosts_.size(); }

  struct Glue {
    uint32_t host;  // rank
    dns::Address address;
  };
  // Addresses of name server hosts of this zone, sorted by host then address.
  const std::vector<Glue>& glue() const { return glue_; }

 private:
  struct NameRef {
    const char* data;
    uint32_t length;
  };
  struct DomainEntry {
    NameRef name;
    uint64_t hosts_begin;
    uint32_t hosts_count;
    DomainKind kind;
  };
  // The kinds of domains classified in name order; `parent` points into
  // the snapshot's names.
  struct KindCache {
    std::string_view parent;
    bool parent_is_suffix = false;
    bool any = false;
  };
  friend class SpilledZone;  // builds its chunks with the phases below

  std::string_view Name(NameRef r) const { return {r.data, r.length}; }
  NameRef Intern(std::string_view s);
  static DomainKind KindInOrder(std::string_view name, KindCache* cache);

  // The phases of Load, in order (snapshot.cc).
  Status ReadRecords(ZoneReader* reader, const SnapshotOptions& options);
  std::vector<uint32_t> RankHosts();  // host id -> rank; hosts_ in rank order
  void SortDomains(const std::vector<uint32_t>& rank);
  void LayOutNames();

  // Names live in fixed chunks that never move, so NameRefs stay valid.
  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_used_ = 0;
  size_t arena_chunk_ = 0;
  std::vector<DomainEntry> domains_;
  std::vector<NameRef> hosts_;
  std::vector<uint32_t> edge_hosts_;
  std::vector<Glue> glue_;
  std::vector<std::pair<NameRef, dns::Address>> addresses_;  // while loading
  std::string apex_;
  bool has_soa_ = false;
  bool has_serial_ = false;
  uint32_t serial_ = 0;
  uint64_t dropped_ = 0;
  ReaderStats reader_stats_;
};

}  // namespace nsradar::zone
