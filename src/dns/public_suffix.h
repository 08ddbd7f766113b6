// PublicSuffixList: which names are public suffixes (Mozilla's Public Suffix
// List), answered by libpsl.
//
// libpsl costs about 0.4 us a lookup, too slow for the 160M domains of a
// .com snapshot. Most names cannot be public suffixes at all, and that is
// decidable from the rule names alone: a name with two or more labels is a
// suffix only if some rule names it, or a wildcard rule names it or its
// parent (libpsl counts "kawasaki.jp" of "*.kawasaki.jp" as a suffix).
// This class keeps those rule names in hash sets, read from the same file it
// loads into libpsl, and asks libpsl only about the few candidates left.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "dns/name_set.h"
#include "util/status.h"

struct psl_ctx_st;

namespace nsradar::dns {

class PublicSuffixList {
 public:
  // The list Debian installs (package publicsuffix), else libpsl's builtin
  // list without the fast filter. Loaded once, shared, thread-safe to read.
  static const PublicSuffixList& Default();
  // A list file in the PSL format, e.g. a newer download.
  static Status Load(const std::string& path, std::unique_ptr<PublicSuffixList>* out);

  ~PublicSuffixList();
  PublicSuffixList(const PublicSuffixList&) = delete;
  PublicSuffixList& operator=(const PublicSuffixList&) = delete;

  // `canonical` per dns/name.h. Every single-label name is a suffix (the
  // list's implicit "*" rule), as are private-section entries like github.io.
  bool IsPublicSuffix(std::string_view canonical) const;

  // The registered domain (eTLD+1) of `canonical`: its shortest ancestor, or
  // itself, that is not a public suffix. Empty when the name is itself a
  // public suffix. A view into `canonical`.
  std::string_view RegisteredDomain(std::string_view canonical) const;

 private:
  PublicSuffixList() = default;
  bool ReadRuleNames(const std::string& path);

  psl_ctx_st* ctx_ = nullptr;
  bool owned_ = false;
  bool filtered_ = false;
  // Every name that can be a suffix by a rule's name alone: the names of
  // exact and exception rules, and X for every wildcard rule "*.X" (libpsl
  // counts X itself as a suffix too).
  NameSet rule_names_;
  NameSet wildcard_parents_;  // "ck" for the rule "*.ck"
};

}  // namespace nsradar::dns
