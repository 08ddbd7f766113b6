#include "intel/indicator_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "dns/address.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "util/byte_source.h"
#include "util/strings.h"
#include "zone/zone_reader.h"

namespace nsradar::intel {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t end = sep == ' ' ? line.find_first_of(" \t", start) : line.find(sep, start);
    std::string_view field = TrimBlanks(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (sep != ' ' || !field.empty()) out.push_back(field);
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

class Reader {
 public:
  Reader(const std::string& path, const IndicatorFileOptions& o, std::vector<nsdb::Indicator>* out,
         IndicatorFileStats* stats)
      : path_(path), o_(o), out_(out), stats_(stats) {
    source_ = o.source.empty() ? std::filesystem::path(path).filename().string() : o.source;
  }

  void Error(uint64_t line, const std::string& reason) {
    ++stats_->errors;
    if (o_.on_error) o_.on_error(fmt::format("{}:{}", path_, line), reason);
  }

  void Add(nsdb::IndicatorKind kind, std::string value, std::string_view category) {
    out_->push_back(
        {kind, std::move(value), std::string(category.empty() ? o_.default_category : category), source_, o_.added});
    ++stats_->indicators;
  }

  // A name or an address, as text; false (after reporting) when neither.
  bool AddText(uint64_t line, std::string_view text, std::optional<nsdb::IndicatorKind> kind,
               std::string_view category) {
    if (auto a = dns::Address::Parse(text);
        a && kind.value_or(nsdb::IndicatorKind::kAddress) == nsdb::IndicatorKind::kAddress) {
      Add(nsdb::IndicatorKind::kAddress, a->ToKey(), category);
      return true;
    }
    if (kind == nsdb::IndicatorKind::kAddress) {
      Error(line, fmt::format("'{}' is not an IP address", text));
      return false;
    }
    std::string name;
    if (const char* err = dns::ParseName(text, "", &name)) {
      Error(line, fmt::format("'{}': {}", text, err));
      return false;
    }
    if (name.empty()) {
      Error(line, "the root is not an indicator");
      return false;
    }
    // Feeds list host names: spaces, quotes and other bytes that need
    // escapes are a broken line, not an indicator.
    if (name.find('\\') != std::string::npos) {
      Error(line, fmt::format("'{}' is not a host name", text));
      return false;
    }
    Add(kind.value_or(o_.default_kind), std::move(name), category);
    return true;
  }

  Status ReadText(const std::string& text) {
    bool header_checked = false;
    uint64_t lineno = 0;
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string_view line = std::string_view(text).substr(start, end - start);
      start = end + 1;
      ++lineno;
      ++stats_->lines;
      if (size_t hash = line.find_first_of("#;"); hash != std::string_view::npos) line = line.substr(0, hash);
      line = TrimBlanks(line);
      if (line.empty()) continue;
      if (line.find(',') != std::string_view::npos) {
        stats_->format = "csv";
        auto f = SplitFields(line, ',');
        if (!header_checked) {
          header_checked = true;
          std::string first(f[0]);
          std::transform(first.begin(), first.end(), first.begin(), ::tolower);
          if (first == "indicator" || first == "domain" || first == "name" || first == "value") continue;
        }
        std::optional<nsdb::IndicatorKind> kind;
        std::string_view category, type = f.size() > 1 ? f[1] : "";
        size_t next = 1;
        if (type == "domain") kind = nsdb::IndicatorKind::kDomain, next = 2;
        if (type == "ns" || type == "nameserver") kind = nsdb::IndicatorKind::kNameServer, next = 2;
        if (type == "ip" || type == "address") kind = nsdb::IndicatorKind::kAddress, next = 2;
        if (f.size() > next) category = f[next];
        AddText(lineno, f[0], kind, category);
        continue;
      }
      auto f = SplitFields(line, ' ');
      if (f.size() >= 2 && (f[0] == "0.0.0.0" || f[0] == "127.0.0.1" || f[0] == "::" || f[0] == "::1")) {
        stats_->format = "hosts";
        for (size_t i = 1; i < f.size(); ++i) {
          if (f[i] != "localhost" && f[i] != "localhost.localdomain") {
            AddText(lineno, f[i], nsdb::IndicatorKind::kDomain, "");
          }
        }
        continue;
      }
      if (f.size() != 1) {
        Error(lineno, "expected one name or address per line, a hosts line or CSV");
        continue;
      }
      if (stats_->format.empty()) stats_->format = "list";
      AddText(lineno, f[0], std::nullopt, "");
    }
    if (stats_->format.empty()) stats_->format = "list";
    return Status::OK();
  }

  Status ReadRpz() {
    stats_->format = "rpz";
    zone::ReaderOptions ro;
    ro.allow_include = false;
    ro.on_error = [&](const zone::Diagnostic& d) { Error(d.line, d.reason); };
    std::unique_ptr<zone::ZoneReader> reader;
    NSRADAR_RETURN_IF_ERROR(zone::ZoneReader::Open(path_, ro, &reader));
    std::string apex;
    bool have_soa = false;
    zone::Record r;
    while (reader->Next(&r)) {
      ++stats_->lines;
      if (r.type == dns::rr::kSOA && !have_soa) {
        apex.assign(r.owner);
        have_soa = true;
        continue;
      }
      if (!have_soa) {
        Error(r.line, "a record before the zone's SOA: not an RPZ zone");
        continue;
      }
      if (r.owner == apex || !dns::IsAtOrBelow(r.owner, apex)) continue;  // apex NS and the like
      std::string_view trigger = apex.empty() ? std::string_view(r.owner)
                                              : std::string_view(r.owner).substr(0, r.owner.size() - apex.size() - 1);
      // One indicator per owner: several records (CNAME and a TXT note) may share it.
      if (trigger == last_trigger_) continue;
      last_trigger_.assign(trigger);
      if (trigger.ends_with(".rpz-nsdname")) {
        Add(nsdb::IndicatorKind::kNameServer, std::string(trigger.substr(0, trigger.size() - 12)), "");
      } else if (trigger.ends_with(".rpz-nsip") || trigger.ends_with(".rpz-ip")) {
        AddRpzAddress(r.line, trigger.substr(0, trigger.rfind('.')));
      } else if (trigger.ends_with(".rpz-client-ip") || trigger.ends_with(".rpz-passthru")) {
        continue;  // about clients or exemptions, not indicators
      } else {
        Add(nsdb::IndicatorKind::kDomain, std::string(trigger.starts_with("*.") ? trigger.substr(2) : trigger), "");
      }
    }
    return reader->status();
  }

  // "32.4.10.0.127" (prefix length, then the octets reversed) or
  // "128.zz.1.db8.2001" (IPv6, "zz" for the longest zero run).
  void AddRpzAddress(uint64_t line, std::string_view text) {
    auto labels = SplitFields(text, '.');
    if (labels.size() < 2) return Error(line, fmt::format("'{}': not an RPZ address trigger", text));
    const bool v4 = labels.size() == 5 && labels[0] == "32";
    const bool v6 = labels[0] == "128" && labels.size() >= 3;
    if (!v4 && !v6) {
      return Error(line, fmt::format("'{}': only /32 and /128 address triggers become indicators", text));
    }
    // Groups most significant first; "zz" becomes the empty group of "::".
    std::string addr;
    for (size_t i = labels.size() - 1; i >= 1; --i) {
      if (i != labels.size() - 1) addr += v4 ? "." : ":";
      if (!(v6 && labels[i] == "zz")) addr += labels[i];
    }
    if (v6 && labels.back() == "zz") addr.insert(0, ":");
    if (v6 && labels[1] == "zz") addr += ":";
    auto a = dns::Address::Parse(addr);
    if (!a) return Error(line, fmt::format("'{}': not an address", text));
    Add(nsdb::IndicatorKind::kAddress, a->ToKey(), "");
  }

 private:
  const std::string& path_;
  const IndicatorFileOptions& o_;
  std::vector<nsdb::Indicator>* out_;
  IndicatorFileStats* stats_;
  std::string source_, last_trigger_;
};

}  // namespace

Status ReadIndicatorFile(const std::string& path, const IndicatorFileOptions& options,
                         std::vector<nsdb::Indicator>* out, IndicatorFileStats* stats) {
  *stats = IndicatorFileStats();
  std::unique_ptr<ByteSource> in;
  NSRADAR_RETURN_IF_ERROR(ByteSource::Open(path, &in));
  std::string text;
  NSRADAR_RETURN_IF_ERROR(in->ReadAll(&text));
  if (text.find('\0') != std::string::npos) return Status::Corruption(path + ": binary data, not an indicator list");
  Reader reader(path, options, out, stats);
  // An RPZ zone is a master file with an SOA; lists never hold one.
  std::string upper = text.substr(0, 4096);
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  if (upper.find(" SOA ") != std::string::npos || upper.find("\tSOA\t") != std::string::npos ||
      upper.find("\tSOA ") != std::string::npos || upper.find(" SOA\t") != std::string::npos) {
    return reader.ReadRpz();
  }
  return reader.ReadText(text);
}

}  // namespace nsradar::intel
