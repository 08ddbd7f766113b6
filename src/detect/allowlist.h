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

  // The longest listed name that `qname` (canonical) equals or lies below,
  // or, for a mail-authentication name (`_dmarc`, `sel._domainkey`, ...),
  // that service label whatever the entries; empty when none. *category is
  // set on a match. Both views stay valid until the next Add (which may
  // move every entry): a caller keeping them must not Add meanwhile.
  std::string_view Match(std::string_view qname, std::string_view* category) const;
  // As Match, the entries only (no mail-authentication rule).
  std::string_view MatchEntries(std::string_view qname, std::string_view* category) const;

  size_t size() const { return names_.size(); }

 private:
  // Match runs on every event: names are found through flat
  // linear-probing indexes of (HashBytes(name), position + 1), at most a
  // quarter full, that stay in cache, instead of node-based maps.
  class NameIndex {
   public:
    // Positions in `names` of the name equal to `name`, or -1.
    int64_t Find(std::string_view name, const std::vector<std::string>& names) const;
    // Adds names[position]; rebuilds from all of `names` when it grows.
    void Add(size_t position, const std::vector<std::string>& names);

   private:
    void Insert(size_t position, const std::vector<std::string>& names);
    std::vector<std::pair<uint64_t, uint32_t>> slots_;
  };

  std::vector<std::string> names_, categories_;
  NameIndex index_;
  // The last two labels of every entry (the entry itself when shorter): a
  // name whose own last two labels are not among them matches nothing,
  // which one lookup settles for almost every query.
  std::vector<std::string> anchors_;
  NameIndex anchor_index_;
  bool single_label_entry_ = false;
  // Most labels of any entry: Match looks at no longer suffix.
  size_t max_labels_ = 0;
};

}  // namespace nsradar::detect
