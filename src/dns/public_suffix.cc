#include "dns/public_suffix.h"

#include <idn2.h>
#include <libpsl.h>

#include <fstream>

#include "dns/name.h"

namespace nsradar::dns {
namespace {

constexpr const char* kDebianList = "/usr/share/publicsuffix/public_suffix_list.dat";

std::string ToLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}

// Rules for internationalised names are written in UTF-8; names on the wire
// are their punycode (A-label) form. Both go in the filter.
void InsertBothForms(const std::string& rule, NameSet* set) {
  set->Insert(rule);
  bool ascii = true;
  for (unsigned char c : rule) ascii &= c < 0x80;
  if (ascii) return;
  char* alabel = nullptr;
  if (idn2_to_ascii_8z(rule.c_str(), &alabel, IDN2_NONTRANSITIONAL) == IDN2_OK) {
    set->Insert(ToLower(alabel));
  }
  idn2_free(alabel);
}

}  // namespace

bool PublicSuffixList::ReadRuleNames(const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    size_t end = line.find_first_of(" \t\r");
    if (end != std::string::npos) line.resize(end);
    if (line.empty() || line.rfind("//", 0) == 0) continue;
    if (line[0] == '!') line.erase(0, 1);
    if (line.rfind("*.", 0) == 0) {
      InsertBothForms(ToLower(line.substr(2)), &wildcard_parents_);
      InsertBothForms(ToLower(line.substr(2)), &rule_names_);
    } else {
      InsertBothForms(ToLower(line), &rule_names_);
    }
  }
  return !rule_names_.empty();
}

const PublicSuffixList& PublicSuffixList::Default() {
  static const PublicSuffixList* list = [] {
    std::unique_ptr<PublicSuffixList> loaded;
    if (Load(kDebianList, &loaded).ok()) return loaded.release();
    auto* builtin = new PublicSuffixList();
    builtin->ctx_ = const_cast<psl_ctx_st*>(psl_builtin());
    return builtin;
  }();
  return *list;
}

Status PublicSuffixList::Load(const std::string& path, std::unique_ptr<PublicSuffixList>* out) {
  std::unique_ptr<PublicSuffixList> list(new PublicSuffixList());
  list->ctx_ = psl_load_file(path.c_str());
  if (list->ctx_ == nullptr) return Status::IOError(path + ": not a readable Public Suffix List");
  list->owned_ = true;
  list->filtered_ = list->ReadRuleNames(path);
  *out = std::move(list);
  return Status::OK();
}

PublicSuffixList::~PublicSuffixList() {
  if (owned_) psl_free(ctx_);
}

bool PublicSuffixList::IsPublicSuffix(std::string_view name) const {
  if (name.empty()) return true;
  std::string_view parent = Parent(name);
  if (parent.empty()) return true;  // the implicit "*" rule
  if (filtered_ && !rule_names_.Contains(name) && !wildcard_parents_.Contains(parent)) {
    return false;
  }
  return psl_is_public_suffix(ctx_, std::string(name).c_str()) != 0;
}

std::string_view PublicSuffixList::RegisteredDomain(std::string_view name) const {
  // Label starts in one left-to-right pass ("\\." escapes a dot inside a
  // label, "\\\\" a backslash), then candidates from the top-level label
  // down: usually two probes.
  size_t starts[128];
  size_t n = 0;
  starts[n++] = 0;
  for (size_t i = 0; i < name.size() && n < std::size(starts); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '.') {
      starts[n++] = i + 1;
    }
  }
  for (size_t i = n; i-- > 0;) {
    std::string_view candidate = name.substr(starts[i]);
    if (!IsPublicSuffix(candidate)) return candidate;
  }
  return {};
}

}  // namespace nsradar::dns
