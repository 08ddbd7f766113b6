#include "warehouse/spool.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "warehouse/row_binary.h"
#include "warehouse/rows.h"

namespace nsradar::warehouse {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "NSRSPOOL";
constexpr uint32_t kFormat = 1;
constexpr size_t kFixedHeader = 44;  // magic .. payload size

constexpr size_t kCrcAt = 32;

uLong Crc(uLong crc, std::string_view s) {
  // zlib takes a uInt length: feed large payloads in pieces.
  for (size_t at = 0; at < s.size(); at += 1u << 30) {
    const size_t n = std::min<size_t>(s.size() - at, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(s.data() + at), static_cast<uInt>(n));
  }
  return crc;
}

// The CRC-32 of every byte of the file but the CRC's own four.
uint32_t FileCrc(std::string_view file) {
  uLong crc = Crc(crc32(0L, Z_NULL, 0), file.substr(0, kCrcAt));
  return static_cast<uint32_t>(Crc(crc, file.substr(kCrcAt + 4)));
}

template <typename T>
bool Take(std::string_view data, size_t* at, T* v) {
  if (data.size() - *at < sizeof(T)) return false;
  std::memcpy(v, data.data() + *at, sizeof(T));
  *at += sizeof(T);
  return true;
}

Status ShortName(std::string_view data, size_t* at, const char* what, std::string* out) {
  const size_t start = *at;
  uint16_t n = 0;
  if (!Take(data, at, &n) || data.size() - *at < n) {
    return Status::Corruption(fmt::format("offset {}: a truncated {} name", start, what));
  }
  out->assign(data.substr(*at, n));
  *at += n;
  return Status::OK();
}

std::string SeqName(uint64_t seq) { return fmt::format("{:020}", seq); }

// The sequence number a file name "<digits>.batch" carries.
std::optional<uint64_t> SeqOf(const std::string& name) {
  constexpr std::string_view kExt = ".batch";
  if (name.size() != 20 + kExt.size() || !name.ends_with(kExt)) return std::nullopt;
  uint64_t seq = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    seq = seq * 10 + uint64_t(name[i] - '0');
  }
  return seq;
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::IOError(fmt::format("{}: {}", path, std::strerror(errno)));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::IOError(fmt::format("{}: fsync: {}", path, std::strerror(err)));
}

Status WriteSynced(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Status::IOError(fmt::format("{}: {}", path, std::strerror(errno)));
  for (size_t at = 0; at < data.size();) {
    ssize_t n = ::write(fd, data.data() + at, data.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Status::IOError(fmt::format("{}: {}", path, std::strerror(err)));
    }
    at += static_cast<size_t>(n);
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::IOError(fmt::format("{}: fsync: {}", path, std::strerror(err)));
}

Status ReadFile(const std::string& path, std::string* out) {
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(fmt::format("{}: {}", path, std::strerror(errno)));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::IOError(fmt::format("{}: {}", path, std::strerror(err)));
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

}  // namespace

std::string EncodeBatchFile(const Batch& b) {
  std::string out(kMagic);
  PutNumber<uint32_t>(&out, kFormat);
  PutNumber<uint64_t>(&out, b.seq);
  PutNumber<uint32_t>(&out, b.rows);
  PutNumber<uint32_t>(&out, b.min_ts);
  PutNumber<uint32_t>(&out, b.max_ts);
  PutNumber<uint32_t>(&out, 0);  // the CRC, below
  PutNumber<uint64_t>(&out, b.payload.size());
  for (const std::string* name : {&b.table, &b.sensor}) {
    PutNumber<uint16_t>(&out, static_cast<uint16_t>(std::min<size_t>(name->size(), UINT16_MAX)));
    out.append(name->substr(0, UINT16_MAX));
  }
  out += b.payload;
  const uint32_t crc = FileCrc(out);
  std::memcpy(out.data() + kCrcAt, &crc, sizeof(crc));
  return out;
}

Status DecodeBatchFile(std::string_view data, Batch* b) {
  if (data.size() < kFixedHeader) {
    return Status::Corruption(
        fmt::format("offset {}: a truncated header ({} of {} bytes)", data.size(), data.size(), kFixedHeader));
  }
  if (data.substr(0, kMagic.size()) != kMagic) return Status::Corruption("offset 0: not a spooled batch");
  size_t at = kMagic.size();
  uint32_t format = 0, crc = 0;
  uint64_t size = 0;
  (void)Take(data, &at, &format);
  if (format != kFormat) return Status::Corruption(fmt::format("offset 8: format {}, expected {}", format, kFormat));
  (void)(Take(data, &at, &b->seq) && Take(data, &at, &b->rows) && Take(data, &at, &b->min_ts) &&
         Take(data, &at, &b->max_ts) && Take(data, &at, &crc) && Take(data, &at, &size));
  NSRADAR_RETURN_IF_ERROR(ShortName(data, &at, "table", &b->table));
  NSRADAR_RETURN_IF_ERROR(ShortName(data, &at, "sensor", &b->sensor));
  if (size != data.size() - at) {
    return Status::Corruption(
        fmt::format("offset {}: the header says {} payload bytes, the file has {}", at, size, data.size() - at));
  }
  const std::string_view payload = data.substr(at);
  if (FileCrc(data) != crc) return Status::Corruption(fmt::format("offset {}: the checksum differs", kCrcAt));
  const TableSpec* table = FindTable(b->table);
  if (table == nullptr) return Status::Corruption(fmt::format("offset {}: unknown table '{}'", kFixedHeader, b->table));
  std::vector<size_t> starts;
  if (Status s = SplitRows(payload, b->rows, table->columns, &starts); !s.ok()) {
    return Status::Corruption(fmt::format("offset {}: payload {}", at, s.message()));
  }
  b->payload.assign(payload);
  return Status::OK();
}

Status Spool::Open(const std::string& dir, uint64_t max_bytes, const std::function<void(const std::string&)>& report,
                   std::unique_ptr<Spool>* out) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "rejected", ec);
  if (ec) return Status::IOError(fmt::format("warehouse spool {}: {}", dir, ec.message()));
  std::unique_ptr<Spool> spool(new Spool(dir, max_bytes));
  for (const char* sub : {"", "rejected"}) {
    const fs::path folder = fs::path(dir) / sub;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".tmp")) {  // a batch whose write a crash interrupted: never acknowledged nor sent
        fs::remove(entry.path(), ec);
        continue;
      }
      std::optional<uint64_t> seq = SeqOf(name);
      if (!seq || !entry.is_regular_file()) continue;
      std::string data;
      Batch b;
      Status s = ReadFile(entry.path().string(), &data);
      if (s.ok()) s = DecodeBatchFile(data, &b);
      if (s.ok() && b.seq != *seq) s = Status::Corruption(fmt::format("offset 12: sequence {} in the file", b.seq));
      if (!s.ok()) {
        report(fmt::format("{}: {}", entry.path().string(), s.message()));
        spool->SetAside(entry.path().string());
        continue;
      }
      spool->bytes_ += data.size();
      spool->max_seq_ = std::max(spool->max_seq_, *seq);
      if (*sub == '\0') spool->files_[*seq] = data.size();
    }
    if (ec) return Status::IOError(fmt::format("warehouse spool {}: {}", folder.string(), ec.message()));
  }
  *out = std::move(spool);
  return Status::OK();
}

std::string Spool::PathOf(uint64_t seq) const { return fmt::format("{}/{}.batch", dir_, SeqName(seq)); }

void Spool::SetAside(const std::string& path) {
  std::error_code ec;
  fs::rename(path, path + ".corrupt", ec);
  if (ec) fs::remove(path, ec);  // never read it again either way
}

Status Spool::Put(const Batch& batch) {
  const std::string data = EncodeBatchFile(batch);
  {
    std::lock_guard lock(mu_);
    if (bytes_ + data.size() > max_bytes_) {
      return Status::Busy(fmt::format("the spool {} holds {} of {} bytes; a batch of {} does not fit", dir_, bytes_,
                                      max_bytes_, data.size()));
    }
  }
  const std::string path = PathOf(batch.seq), tmp = fmt::format("{}/{}.tmp", dir_, SeqName(batch.seq));
  Status s = WriteSynced(tmp, data);
  std::error_code ec;
  if (s.ok()) {
    fs::rename(tmp, path, ec);
    if (ec) s = Status::IOError(fmt::format("{}: {}", path, ec.message()));
  }
  if (s.ok()) s = SyncPath(dir_, O_RDONLY | O_DIRECTORY);
  if (!s.ok()) {
    fs::remove(tmp, ec);
    return s;
  }
  std::lock_guard lock(mu_);
  files_[batch.seq] = data.size();
  bytes_ += data.size();
  max_seq_ = std::max(max_seq_, batch.seq);
  return Status::OK();
}

std::optional<uint64_t> Spool::Oldest() const {
  std::lock_guard lock(mu_);
  if (files_.empty()) return std::nullopt;
  return files_.begin()->first;
}

Status Spool::Read(uint64_t seq, Batch* out) {
  const std::string path = PathOf(seq);
  std::string data;
  Status s = ReadFile(path, &data);
  if (s.ok()) s = DecodeBatchFile(data, out);
  if (s.ok()) return s;
  SetAside(path);
  std::lock_guard lock(mu_);
  if (auto it = files_.find(seq); it != files_.end()) {
    bytes_ -= it->second;
    files_.erase(it);
  }
  return Status::Corruption(fmt::format("{}: {}", path, s.message()));
}

Status Spool::Remove(uint64_t seq) {
  std::error_code ec;
  fs::remove(PathOf(seq), ec);
  if (ec) return Status::IOError(fmt::format("{}: {}", PathOf(seq), ec.message()));
  std::lock_guard lock(mu_);
  if (auto it = files_.find(seq); it != files_.end()) {
    bytes_ -= it->second;
    files_.erase(it);
  }
  return Status::OK();
}

Status Spool::Reject(uint64_t seq) {
  const std::string to = fmt::format("{}/rejected/{}.batch", dir_, SeqName(seq));
  std::error_code ec;
  fs::rename(PathOf(seq), to, ec);
  if (ec) return Status::IOError(fmt::format("{}: {}", to, ec.message()));
  std::lock_guard lock(mu_);
  files_.erase(seq);  // its bytes stay counted: rejected batches are kept
  return Status::OK();
}

size_t Spool::batches() const {
  std::lock_guard lock(mu_);
  return files_.size();
}

uint64_t Spool::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

uint64_t Spool::max_seq() const {
  std::lock_guard lock(mu_);
  return max_seq_;
}

}  // namespace nsradar::warehouse
