// DomainRecord: the zone_domains value, a domain's kind and its name servers
// with their presence runs.
//
// Layout: varint kind, varint host count, varint mode, [runs], then per host
// in ascending order: varint shared, varint length, bytes. `shared` is how
// many trailing bytes the host has in common with the previous one
// (ns2.example.net after ns1.example.net shares 12), so a provider's hosts
// cost a few bytes each. Mode 1: every host has the same runs, written once
// after the header (the usual case); mode 0: each host's runs follow it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nsdb/edge_value.h"
#include "zone/snapshot.h"

namespace nsradar::nsdb {

class DomainRecordWriter {
 public:
  // Hosts must come in ascending order.
  void Add(std::string_view host, const std::vector<SeenRun>& runs);
  size_t size() const { return host_ends_.size(); }
  void Clear();
  void AppendTo(zone::DomainKind kind, std::string* out) const;

 private:
  std::string hosts_, runs_;
  std::vector<size_t> host_ends_, runs_ends_;
};

class DomainRecordReader {
 public:
  // False when the header is malformed. `record` must outlive the reads.
  bool Open(std::string_view record);
  zone::DomainKind kind() const { return kind_; }
  uint64_t count() const { return count_; }
  // The next host and its runs; false at the end or on corruption (then
  // corrupt() is true). `host` stays valid until the next call.
  bool Next(std::string_view* host, std::vector<SeenRun>* runs);
  bool corrupt() const { return corrupt_; }

 private:
  std::string_view rest_;
  std::string host_;
  std::vector<SeenRun> shared_runs_;
  zone::DomainKind kind_ = zone::DomainKind::kRegistered;
  uint64_t count_ = 0, read_ = 0;
  bool shared_mode_ = false, corrupt_ = false;
};

}  // namespace nsradar::nsdb
