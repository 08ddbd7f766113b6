// Allowlist: known benign data over DNS (reverse DNS, DNS blocklists,
// antivirus reputation lookups, mail authentication, CDNs, ...), by name and
// category. Queries under a listed name are tallied apart from tunneling
// evidence and, if they cross the bars, reported as `benign-data-over-dns`
// under their category: an analyst still sees them, a SOC rule on
// `tunneling` does not fire.
//
// A name matches itself and every name below it. Built-in entries come
// first (docs/detection.md lists them); files add more: one entry per line,
// `NAME [CATEGORY]`, `#` comments, or a popularity list (`RANK,NAME` CSV,
// e.g. Tranco) of which the first `top` rows are taken.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace nsradar::detect {

class Allowlist {
 public:
  // The built-in entries.
  static Allowlist BuiltIn();
  // No entries at all.
  Allowlist() = default;

  // Adds `name` (canonical, lower case, no trailing dot) under `category`.
  void Add(std::string_view name, std::string_view category);
  // Adds every entry of a list file; lines without a category get
  // `default_category`. A bad line is an error naming file:line, and
  // nothing of that file is kept.
  Status LoadFile(const std::string& path, std::string_view default_category);
  // Adds the first `top` names of a `RANK,NAME` popularity list as
  // category "popular".
  Status LoadPopularity(const std::string& path, size_t top);

  // The longest listed name that `qname` (canonical) equals or lies below;
  // empty when none. *category is set on a match.
  std::string_view Match(std::string_view qname, std::string_view* category) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name, category;
  };
  // Match runs on every event: a flat linear-probing index of
  // (HashBytes(name), entry + 1) pairs, at most half full, that stays in
  // cache, instead of a node-based map.
  void Rebuild();
  void Insert(size_t entry);
  const Entry* Find(std::string_view name) const;

  std::vector<Entry> entries_;
  std::vector<std::pair<uint64_t, uint32_t>> index_;
  // Most labels of any entry: Match looks at no longer suffix.
  size_t max_labels_ = 0;
};

}  // namespace nsradar::detect
