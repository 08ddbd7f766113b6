#include "nsdb/internal/domain_record.h"

#include "util/varint.h"

namespace nsradar::nsdb {

void DomainRecordWriter::Add(std::string_view host, const std::vector<SeenRun>& runs) {
  hosts_.append(host);
  host_ends_.push_back(hosts_.size());
  EncodeRuns(runs, &runs_);
  runs_ends_.push_back(runs_.size());
}

void DomainRecordWriter::Clear() {
  hosts_.clear();
  runs_.clear();
  host_ends_.clear();
  runs_ends_.clear();
}

void DomainRecordWriter::AppendTo(zone::DomainKind kind, std::string* out) const {
  const size_t n = host_ends_.size();
  auto runs_of = [&](size_t i) {
    size_t begin = i == 0 ? 0 : runs_ends_[i - 1];
    return std::string_view(runs_).substr(begin, runs_ends_[i] - begin);
  };
  bool shared = true;
  for (size_t i = 1; i < n && shared; ++i) shared = runs_of(i) == runs_of(0);
  PutVarint64(out, static_cast<uint64_t>(kind));
  PutVarint64(out, n);
  PutVarint64(out, shared ? 1 : 0);
  if (shared && n > 0) out->append(runs_of(0));
  std::string_view prev;
  for (size_t i = 0; i < n; ++i) {
    size_t begin = i == 0 ? 0 : host_ends_[i - 1];
    std::string_view host = std::string_view(hosts_).substr(begin, host_ends_[i] - begin);
    size_t common = 0;
    while (common < host.size() && common < prev.size() &&
           host[host.size() - 1 - common] == prev[prev.size() - 1 - common]) {
      ++common;
    }
    PutVarint64(out, common);
    PutVarint64(out, host.size() - common);
    out->append(host.substr(0, host.size() - common));
    if (!shared) out->append(runs_of(i));
    prev = host;
  }
}

bool DomainRecordReader::Open(std::string_view record) {
  rest_ = record;
  read_ = 0;
  corrupt_ = false;
  host_.clear();
  uint64_t kind, mode;
  if (!GetVarint64(&rest_, &kind) || kind > static_cast<uint64_t>(zone::DomainKind::kSubdomain) ||
      !GetVarint64(&rest_, &count_) || !GetVarint64(&rest_, &mode) || mode > 1) {
    corrupt_ = true;
    return false;
  }
  kind_ = static_cast<zone::DomainKind>(kind);
  shared_mode_ = mode == 1;
  if (shared_mode_ && count_ > 0 && !DecodeRuns(&rest_, &shared_runs_)) {
    corrupt_ = true;
    return false;
  }
  return true;
}

bool DomainRecordReader::Next(std::string_view* host, std::vector<SeenRun>* runs) {
  if (read_ == count_ || corrupt_) return false;
  uint64_t common, length;
  if (!GetVarint64(&rest_, &common) || !GetVarint64(&rest_, &length) || common > host_.size() ||
      length > rest_.size()) {
    corrupt_ = true;
    return false;
  }
  std::string suffix = host_.substr(host_.size() - common);
  host_.assign(rest_.substr(0, length));
  host_.append(suffix);
  rest_.remove_prefix(length);
  if (shared_mode_) {
    *runs = shared_runs_;
  } else if (!DecodeRuns(&rest_, runs)) {
    corrupt_ = true;
    return false;
  }
  ++read_;
  *host = host_;
  return true;
}

}  // namespace nsradar::nsdb
