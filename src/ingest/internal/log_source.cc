#include "ingest/internal/log_source.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "dns/name.h"
#include "dns/rr_type.h"
#include "ingest/internal/log_formats.h"
#include "util/byte_source.h"
#include "util/time.h"

namespace nsradar::ingest {

LineContext::LineContext(std::string file, const SourceOptions& options, SourceStats* stats, const EventSink* sink)
    : file_(std::move(file)),
      options_(options),
      psl_(options.psl ? *options.psl : dns::PublicSuffixList::Default()),
      stats_(stats),
      sink_(sink) {}

void LineContext::Skip(const char* reason, std::string_view detail) {
  stats_->Skip(reason, fmt::format("{}:{}: {}", file_, line_no_, detail.substr(0, 200)), options_.max_samples);
}

void LineContext::Emit(DnsEvent& ev) {
  if (options_.registered_domains) SetRegisteredDomain(psl_, &ev);
  ++stats_->events;
  (*sink_)(ev);
}

void LinePairing::Query(const std::string& key, const DnsEvent& ev, LineContext& ctx) {
  auto it = pending_.find(key);
  if (it != pending_.end()) {
    ctx.Emit(it->second.event);
    ages_.erase(it->second.age);
    pending_.erase(it);
  }
  if (pending_.size() >= kMaxPending) {
    auto oldest = pending_.find(ages_.front());
    ctx.Emit(oldest->second.event);
    pending_.erase(oldest);
    ages_.pop_front();
  }
  ages_.push_back(key);
  pending_.emplace(key, Entry{ev, std::prev(ages_.end())});
}

void LinePairing::Reply(const std::string& key, const DnsEvent& alone, const std::function<void(DnsEvent&)>& respond,
                        LineContext& ctx) {
  DnsEvent& ev = ctx.event();
  if (!Take(key, &ev)) ev = alone;
  respond(ev);
  ev.has_response = true;
  ctx.Emit(ev);
}

bool LinePairing::Take(const std::string& key, DnsEvent* out) {
  auto it = pending_.find(key);
  if (it == pending_.end()) return false;
  *out = std::move(it->second.event);
  ages_.erase(it->second.age);
  pending_.erase(it);
  return true;
}

void LinePairing::Flush(LineContext& ctx) {
  for (const auto& key : ages_) ctx.Emit(pending_.at(key).event);
  pending_.clear();
  ages_.clear();
}

std::string_view NextField(std::string_view* in, char sep) {
  size_t at = in->find(sep);
  std::string_view field = in->substr(0, at);
  in->remove_prefix(at == std::string_view::npos ? in->size() : at + 1);
  return field;
}

bool ReadLoggedName(std::string_view text, DnsEvent* ev) {
  if (text.size() > 1 && text.back() == '.') text.remove_suffix(1);
  if (text == ".") text = "";
  ev->qname.clear();
  if (dns::ParseName(text, "", &ev->qname)) return false;
  ev->qname_raw.assign(text);  // logs print names in presentation form already
  return true;
}

bool ReadLoggedType(std::string_view text, uint16_t* type) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size() && v <= 65535) {
    *type = static_cast<uint16_t>(v);
    return true;
  }
  auto t = dns::TypeFromMnemonic(text);
  if (!t) return false;
  *type = *t;
  return true;
}

bool ReadLoggedRcode(std::string_view text, int* rcode) {
  if (auto named = dns::RcodeFromMnemonic(text)) {
    *rcode = *named;
    return true;
  }
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0 || v > 4095) return false;
  *rcode = v;
  return true;
}

bool ReadUnsigned(std::string_view text, uint64_t max, uint64_t* out) {
  uint64_t v = 0;  // from_chars of an unsigned type takes no sign, blank or exponent
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) return false;
  *out = v;
  return true;
}

bool TakeChar(std::string_view* in, char c) {
  if (in->empty() || in->front() != c) return false;
  in->remove_prefix(1);
  return true;
}

bool TakeDigits(std::string_view* in, size_t max_digits, int* out) {
  size_t n = 0;
  int v = 0;
  while (n < in->size() && n < max_digits && n < 9 && (*in)[n] >= '0' && (*in)[n] <= '9')
    v = v * 10 + ((*in)[n++] - '0');
  if (n == 0) return false;
  *out = v;
  in->remove_prefix(n);
  return true;
}

bool ReadLoggedEndpoint(std::string_view text, dns::Address* addr, uint16_t* port) {
  *port = 0;
  std::string_view host = text, port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    if (close + 1 < text.size() && text[close + 1] == ':') port_text = text.substr(close + 2);
  } else if (size_t hash = text.rfind('#'); hash != std::string_view::npos) {
    host = text.substr(0, hash);
    port_text = text.substr(hash + 1);
  } else if (size_t colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == text.npos) {
    host = text.substr(0, colon);  // one colon: IPv4:port (IPv6 has several)
    port_text = text.substr(colon + 1);
  } else if (size_t slash = text.rfind('/'); slash != std::string_view::npos) {
    host = text.substr(0, slash);  // dnsmasq: addr/port
    port_text = text.substr(slash + 1);
  }
  auto a = dns::Address::Parse(host);
  if (!a) return false;
  *addr = *a;
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || v > 65535) return false;
    *port = static_cast<uint16_t>(v);
  }
  return true;
}

int64_t ParseSyslogTime(std::string_view text, int64_t now_us) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() < 15) return -1;
  int month = -1;
  for (int m = 0; m < 12; ++m) {
    if (text.substr(0, 3) == kMonths[m]) month = m + 1;
  }
  int day = 0, hh = 0, mm = 0, ss = 0;
  std::string_view rest = text.substr(4, 11);  // "27 05:39:25" or " 7 05:39:25"
  TakeChar(&rest, ' ');
  if (month < 0 || !TakeDigits(&rest, 2, &day) || !TakeChar(&rest, ' ') || !TakeDigits(&rest, 2, &hh) ||
      !TakeChar(&rest, ':') || !TakeDigits(&rest, 2, &mm) || !TakeChar(&rest, ':') || !TakeDigits(&rest, 2, &ss) ||
      day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) {
    return -1;
  }
  time_t now = static_cast<time_t>(now_us / 1'000'000);
  tm utc{};
  gmtime_r(&now, &utc);
  int year = utc.tm_year + 1900;
  int64_t t = UnixFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day), hh, mm, ss);
  if (t > now + 86400)
    t = UnixFromCivil(year - 1, static_cast<unsigned>(month), static_cast<unsigned>(day), hh, mm, ss);
  return t * 1'000'000;
}

namespace {

constexpr size_t kMaxLine = 1 << 20;

// A plain file read like `tail -F`: at its end, Read waits for more; when
// the path names a new file (rotation) the rest of the old one is read
// first, then the new one from its start; a file that shrank (truncation)
// is read again from its start. Read returns no bytes only once *stop is set.
class FollowedFile : public ByteSource {
 public:
  FollowedFile(std::string path, const std::atomic<bool>* stop) : path_(std::move(path)), stop_(stop) {}
  ~FollowedFile() override {
    if (fd_ >= 0) close(fd_);
  }

  Status Read(char* buf, size_t n, size_t* got) override {
    *got = 0;
    for (;;) {
      if (fd_ < 0) Reopen();
      if (fd_ >= 0) {
        ssize_t k = ::read(fd_, buf, n);
        if (k > 0) {
          offset_ += static_cast<uint64_t>(k);
          *got = static_cast<size_t>(k);
          return Status::OK();
        }
        if (k < 0 && errno != EINTR) return Status::IOError(path_ + ": " + std::strerror(errno));
        // At the end: has the path moved on, or the file shrunk?
        struct stat now;
        if (stat(path_.c_str(), &now) == 0) {
          if (now.st_ino != inode_ || now.st_dev != device_) {
            close(fd_);
            fd_ = -1;  // the old file is drained: switch to the new one
            continue;
          }
          if (static_cast<uint64_t>(now.st_size) < offset_) {
            lseek(fd_, 0, SEEK_SET);
            offset_ = 0;
            continue;
          }
        }
      }
      if (stop_ && stop_->load()) return Status::OK();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  uint64_t raw_offset() const override { return offset_; }
  uint64_t raw_size() const override { return 0; }
  Encoding encoding() const override { return Encoding::kPlain; }

 private:
  void Reopen() {
    fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    offset_ = 0;
    struct stat st;
    if (fd_ >= 0 && fstat(fd_, &st) == 0) {
      inode_ = st.st_ino;
      device_ = st.st_dev;
    }
  }

  std::string path_;
  const std::atomic<bool>* stop_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  ino_t inode_ = 0;
  dev_t device_ = 0;
};

class LogFileSource : public EventSource {
 public:
  LogFileSource(std::string path, std::unique_ptr<LineFormat> format, const SourceOptions& options)
      : path_(std::move(path)), format_(std::move(format)), options_(options) {}

  Status Run(const EventSink& sink) override {
    std::unique_ptr<ByteSource> in;
    if (options_.follow) {
      if (access(path_.c_str(), R_OK) != 0) return Status::IOError(path_ + ": " + std::strerror(errno));
      in = std::make_unique<FollowedFile>(path_, options_.stop);
    } else {
      NSRADAR_RETURN_IF_ERROR(ByteSource::Open(path_, &in));
    }
    LineFormat* format = format_.get();
    LineContext ctx(path_, options_, &stats_, &sink);
    std::string buf(1 << 16, '\0');
    std::string line;
    bool overlong = false;
    uint64_t line_no = 0;
    auto finish_line = [&] {
      ++line_no;
      ++stats_.records;
      ctx.set_line_no(line_no);
      if (overlong) {
        ctx.Skip("line_too_long", fmt::format("over {} bytes", kMaxLine));
      } else {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) format->Line(line, ctx);
      }
      line.clear();
      overlong = false;
    };
    for (;;) {
      size_t got = 0;
      Status s = in->Read(buf.data(), buf.size(), &got);
      if (!s.ok()) {
        // A damaged compressed file: keep what was read, say where it broke.
        ctx.set_line_no(line_no + 1);
        ctx.Skip("read_error", s.message());
        stats_.input_error = s;
        break;
      }
      if (got == 0) break;
      std::string_view chunk(buf.data(), got);
      while (!chunk.empty()) {
        size_t nl = chunk.find('\n');
        std::string_view piece = chunk.substr(0, nl);
        if (!overlong) {
          if (line.size() + piece.size() > kMaxLine) {
            overlong = true;
            line.clear();
          } else {
            line.append(piece);
          }
        }
        if (nl == std::string_view::npos) break;
        chunk.remove_prefix(nl + 1);
        finish_line();
      }
    }
    if (!line.empty() || overlong) finish_line();
    format->Finish(ctx);
    return Status::OK();
  }

 private:
  std::string path_;
  std::unique_ptr<LineFormat> format_;
  SourceOptions options_;
};

}  // namespace

std::unique_ptr<EventSource> NewLogFileSource(const std::string& path, std::unique_ptr<LineFormat> format,
                                              const SourceOptions& options) {
  return std::make_unique<LogFileSource>(path, std::move(format), options);
}

}  // namespace nsradar::ingest
