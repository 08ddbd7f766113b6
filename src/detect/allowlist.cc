#include "detect/allowlist.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <vector>

#include "dns/name.h"
#include "util/hash.h"
#include "util/strings.h"

namespace nsradar::detect {
namespace {

size_t LabelCount(std::string_view name) { return name.empty() ? 0 : 1 + std::count(name.begin(), name.end(), '.'); }

struct BuiltInEntry {
  std::string_view name, category;
};

// Each is a source of high-entropy or high-volume names that is not a
// tunnel. docs/detection.md keeps the same list with the reason for each.
constexpr BuiltInEntry kBuiltIn[] = {
    {"in-addr.arpa", "reverse-dns"},
    {"ip6.arpa", "reverse-dns"},
    {"spamhaus.org", "dnsbl"},
    {"spamcop.net", "dnsbl"},
    {"sorbs.net", "dnsbl"},
    {"barracudacentral.org", "dnsbl"},
    {"surbl.org", "dnsbl"},
    {"uribl.com", "dnsbl"},
    {"mailspike.net", "dnsbl"},
    {"dnswl.org", "dnsbl"},
    {"abuseat.org", "dnsbl"},
    {"senderscore.com", "dnsbl"},
    {"senderbase.org", "dnsbl"},
    {"spamhaus.net", "dnsbl"},                   // Spamhaus DQS: <query>.<access key>.<list>.dq.spamhaus.net
    {"abusix.zone", "dnsbl"},                    // Abusix Mail Intelligence: <query>.<key>.<list>.mail.abusix.zone
    {"uceprotect.net", "dnsbl"},                 // UCEPROTECT levels 1-3
    {"rspamd.com", "dnsbl"},                     // Rspamd's hash and URI lists
    {"hash.cymru.com", "antivirus-reputation"},  // Team Cymru's Malware Hash Registry: <md5|sha1>.hash.cymru.com
    {"sophosxl.net", "antivirus-reputation"},
    {"avts.mcafee.com", "antivirus-reputation"},
    {"avqs.mcafee.com", "antivirus-reputation"},
    {"gti.mcafee.com", "antivirus-reputation"},
    {"e5.sk", "antivirus-reputation"},
    {"trendmicro.com", "antivirus-reputation"},
    {"kaspersky-labs.com", "antivirus-reputation"},
    {"bitdefender.net", "antivirus-reputation"},
    {"akamaiedge.net", "cdn"},
    {"akadns.net", "cdn"},
    {"akamai.net", "cdn"},
    {"edgekey.net", "cdn"},
    {"edgesuite.net", "cdn"},
    {"cloudfront.net", "cdn"},
    {"fastly.net", "cdn"},
    {"fastlylb.net", "cdn"},
    {"trafficmanager.net", "cdn"},
    {"azureedge.net", "cdn"},
    {"googlevideo.com", "cdn"},
    {"1e100.net", "cdn"},
    {"amazonaws.com", "cloud"},
    {"cloudapp.azure.com", "cloud"},
    {"pool.ntp.org", "time"},
    {"dnssec-trust-anchor.example", "dnssec-telemetry"},
};

}  // namespace

Allowlist Allowlist::BuiltIn() {
  Allowlist a;
  for (const auto& e : kBuiltIn) a.Add(e.name, e.category);
  return a;
}

int64_t Allowlist::NameIndex::Find(std::string_view name, const std::vector<std::string>& names) const {
  if (slots_.empty()) return -1;
  const uint64_t h = HashBytes(name);
  const size_t mask = slots_.size() - 1;
  for (size_t s = h & mask; slots_[s].second != 0; s = (s + 1) & mask) {
    if (slots_[s].first == h && names[slots_[s].second - 1] == name) return slots_[s].second - 1;
  }
  return -1;
}

void Allowlist::NameIndex::Add(size_t position, const std::vector<std::string>& names) {
  if (names.size() * 4 <= slots_.size()) return Insert(position, names);
  size_t count = 16;
  while (count < 4 * names.size()) count *= 2;  // doubles: amortised O(1) per name
  slots_.assign(count, {0, 0});
  for (size_t i = 0; i < names.size(); ++i) Insert(i, names);
}

void Allowlist::NameIndex::Insert(size_t position, const std::vector<std::string>& names) {
  const uint64_t h = HashBytes(names[position]);
  const size_t mask = slots_.size() - 1;
  size_t s = h & mask;
  while (slots_[s].second != 0) s = (s + 1) & mask;
  slots_[s] = {h, static_cast<uint32_t>(position + 1)};
}

namespace {

// The last two labels of a name (the name itself when it has fewer).
std::string_view LastTwoLabels(std::string_view name) {
  const size_t last = name.rfind('.');
  if (last == std::string_view::npos || last == 0) return name;
  const size_t before = name.rfind('.', last - 1);
  return before == std::string_view::npos ? name : name.substr(before + 1);
}

}  // namespace

void Allowlist::Add(std::string_view name, std::string_view category) {
  if (int64_t at = index_.Find(name, names_); at >= 0) {
    categories_[static_cast<size_t>(at)] = category;
    return;
  }
  names_.emplace_back(name);
  categories_.emplace_back(category);
  index_.Add(names_.size() - 1, names_);
  max_labels_ = std::max(max_labels_, LabelCount(name));
  single_label_entry_ |= LabelCount(name) == 1;
  std::string_view anchor = LastTwoLabels(name);
  if (anchor_index_.Find(anchor, anchors_) < 0) {
    anchors_.emplace_back(anchor);
    anchor_index_.Add(anchors_.size() - 1, anchors_);
  }
}

Status Allowlist::LoadFile(const std::string& path, std::string_view default_category) {
  std::ifstream in(path);
  if (!in) return Status::IOError(fmt::format("{}: cannot open allowlist", path));
  std::vector<std::pair<std::string, std::string>> parsed;
  std::string line;
  for (size_t lineno = 1; std::getline(in, line); ++lineno) {
    std::string_view rest = TrimBlanks(line);
    if (rest.empty() || rest.front() == '#') continue;
    size_t space = rest.find_first_of(" \t");
    std::string_view name_text = rest.substr(0, space);
    std::string_view category = space == std::string_view::npos ? default_category : TrimBlanks(rest.substr(space));
    std::string name;
    if (const char* err = dns::ParseName(name_text, "", &name)) {
      return Status::Corruption(fmt::format("{}:{}: '{}': {}", path, lineno, name_text, err));
    }
    if (category.empty() || category.find_first_of(" \t") != std::string_view::npos) {
      return Status::Corruption(fmt::format("{}:{}: expected 'NAME [CATEGORY]'", path, lineno));
    }
    parsed.emplace_back(std::move(name), std::string(category));
  }
  for (const auto& [name, category] : parsed) Add(name, category);
  return Status::OK();
}

Status Allowlist::LoadPopularity(const std::string& path, size_t top) {
  std::ifstream in(path);
  if (!in) return Status::IOError(fmt::format("{}: cannot open popularity list", path));
  std::vector<std::string> parsed;
  std::string line;
  for (size_t lineno = 1; parsed.size() < top && std::getline(in, line); ++lineno) {
    std::string_view rest = TrimBlanks(line);
    if (rest.empty() || rest.front() == '#') continue;
    size_t comma = rest.find(',');
    if (comma == std::string_view::npos) {
      return Status::Corruption(fmt::format("{}:{}: expected 'RANK,NAME'", path, lineno));
    }
    uint64_t rank = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + comma, rank);
    if (ec != std::errc() || end != rest.data() + comma) {
      return Status::Corruption(fmt::format("{}:{}: rank '{}' is not a number", path, lineno, rest.substr(0, comma)));
    }
    std::string name;
    if (const char* err = dns::ParseName(TrimBlanks(rest.substr(comma + 1)), "", &name)) {
      return Status::Corruption(fmt::format("{}:{}: {}", path, lineno, err));
    }
    parsed.push_back(std::move(name));
  }
  for (const auto& name : parsed) Add(name, "popular");
  return Status::OK();
}

std::string_view Allowlist::Match(std::string_view qname, std::string_view* category) const {
  // DKIM keys and DMARC policies: "sel._domainkey.example.com" and
  // "_dmarc.example.com" carry selectors and hashes, all under the one
  // bucket below whatever domain they belong to.
  if (qname.find('_') != std::string_view::npos) {
    for (std::string_view service : {"_domainkey", "_dmarc", "_mta-sts", "_smtp._tls", "_bimi"}) {
      size_t at = qname.find(service);
      if (at != std::string_view::npos && (at == 0 || qname[at - 1] == '.') &&
          (at + service.size() == qname.size() || qname[at + service.size()] == '.')) {
        *category = "mail-authentication";
        return service;
      }
    }
  }
  return MatchEntries(qname, category);
}

std::string_view Allowlist::MatchEntries(std::string_view qname, std::string_view* category) const {
  if (names_.empty()) return {};
  if (anchor_index_.Find(LastTwoLabels(qname), anchors_) < 0 &&
      !(single_label_entry_ && anchor_index_.Find(qname.substr(qname.rfind('.') + 1), anchors_) >= 0)) {
    return {};
  }
  // Start at the longest suffix with at most max_labels_ labels.
  size_t labels = LabelCount(qname);
  size_t pos = 0;
  while (labels > max_labels_) {
    pos = qname.find('.', pos) + 1;
    --labels;
  }
  for (;;) {
    if (int64_t at = index_.Find(qname.substr(pos), names_); at >= 0) {
      *category = categories_[static_cast<size_t>(at)];
      return names_[static_cast<size_t>(at)];
    }
    size_t dot = qname.find('.', pos);
    if (dot == std::string_view::npos) return {};
    pos = dot + 1;
  }
}

}  // namespace nsradar::detect
