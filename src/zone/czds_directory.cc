#include "zone/czds_directory.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <system_error>

namespace nsradar::zone {

namespace {

// The suffixes CZDS files carry, as downloaded or unpacked.
constexpr std::string_view kSuffixes[] = {".zone.gz", ".txt.gz", ".zone"};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A TLD is one letter-digit-hyphen label (IDN TLDs are their xn-- form).
bool IsLdhLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

}  // namespace

std::string CzdsZoneOfFileName(std::string_view file_name) {
  for (std::string_view suffix : kSuffixes) {
    if (!EndsWith(file_name, suffix)) continue;
    std::string_view stem = file_name.substr(0, file_name.size() - suffix.size());
    if (!IsLdhLabel(stem)) return "";
    std::string zone(stem);
    std::transform(zone.begin(), zone.end(), zone.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return zone;
  }
  return "";
}

Status ListCzdsDirectory(const std::string& dir, CzdsListing* out) {
  namespace fs = std::filesystem;
  *out = CzdsListing();
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IOError("cannot read directory " + dir + ": " + ec.message());
  std::map<std::string, std::vector<CzdsZoneFile>> by_zone;
  std::vector<std::string> ignored;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IOError("cannot read directory " + dir + ": " + ec.message());
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) {
      ignored.push_back(name + ": not a regular file");
      continue;
    }
    std::string zone = CzdsZoneOfFileName(name);
    if (zone.empty()) {
      ignored.push_back(name + ": not named <tld>.zone.gz, <tld>.txt.gz or <tld>.zone");
      continue;
    }
    std::error_code size_ec;
    const uint64_t bytes = it->file_size(size_ec);
    by_zone[zone].push_back(CzdsZoneFile{it->path().string(), zone, size_ec ? 0 : bytes, ""});
  }
  for (auto& [zone, files] : by_zone) {
    if (files.size() == 1) {
      out->total_bytes += files[0].bytes;
      out->zones.push_back(std::move(files[0]));
      continue;
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    CzdsZoneFile both{files[0].path, zone, 0, "more than one file for zone " + zone + ":"};
    for (const auto& f : files) both.error += " " + fs::path(f.path).filename().string();
    both.error += "; keep one";
    out->zones.push_back(std::move(both));
  }
  std::sort(ignored.begin(), ignored.end());
  out->ignored = std::move(ignored);
  return Status::OK();
}

}  // namespace nsradar::zone
