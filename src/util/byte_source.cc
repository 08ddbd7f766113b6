#include "util/byte_source.h"

#include <fcntl.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace nsradar {
namespace {

// Where compressed or plain bytes come from: a file descriptor or memory.
class RawInput {
 public:
  virtual ~RawInput() = default;
  virtual Status Read(char* buf, size_t n, size_t* got) = 0;
  virtual uint64_t size() const = 0;
};

class FdInput final : public RawInput {
 public:
  FdInput(int fd, std::string path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  ~FdInput() override {
    if (fd_ >= 0) close(fd_);
  }
  Status Read(char* buf, size_t n, size_t* got) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) {
        *got = static_cast<size_t>(r);
        return Status::OK();
      }
      if (errno != EINTR) return Status::IOError(path_ + ": read: " + std::strerror(errno));
    }
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

class MemoryInput final : public RawInput {
 public:
  MemoryInput(const char* data, size_t size) : data_(data), size_(size) {}
  Status Read(char* buf, size_t n, size_t* got) override {
    size_t k = std::min(n, size_ - pos_);
    if (k) std::memcpy(buf, data_ + pos_, k);
    pos_ += k;
    *got = k;
    return Status::OK();
  }
  uint64_t size() const override { return size_; }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Holds the raw input and a window of its bytes; the decoders below pull
// compressed bytes through it. `pending` is the unconsumed part of the window.
class InputWindow {
 public:
  static constexpr size_t kSize = 256 * 1024;
  // Small known inputs get a small window; unknown sizes (pipes) the full one.
  static size_t WindowSize(uint64_t input_size) {
    return input_size == 0 || input_size >= kSize ? kSize : std::max<size_t>(4096, input_size);
  }

  InputWindow(std::unique_ptr<RawInput> in, std::string name)
      : in_(std::move(in)), name_(std::move(name)), buf_(WindowSize(in_->size())) {}

  // Refills when empty. Returns OK with pending().empty() at end of input.
  Status Fill() {
    if (begin_ < end_ || eof_) return Status::OK();
    size_t got = 0;
    NSRADAR_RETURN_IF_ERROR(in_->Read(buf_.data(), buf_.size(), &got));
    begin_ = 0;
    end_ = got;
    consumed_ += got;
    if (got == 0) eof_ = true;
    return Status::OK();
  }
  const char* data() const { return buf_.data() + begin_; }
  size_t pending() const { return end_ - begin_; }
  void Consume(size_t n) { begin_ += n; }
  bool eof() const { return eof_ && begin_ == end_; }
  uint64_t consumed() const { return consumed_ - pending(); }
  uint64_t size() const { return in_->size(); }
  const std::string& name() const { return name_; }

 private:
  std::unique_ptr<RawInput> in_;
  std::string name_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  uint64_t consumed_ = 0;
  bool eof_ = false;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<InputWindow> w) : w_(std::move(w)) {}
  Status Read(char* buf, size_t n, size_t* got) override {
    NSRADAR_RETURN_IF_ERROR(w_->Fill());
    size_t k = std::min(n, w_->pending());
    std::memcpy(buf, w_->data(), k);
    w_->Consume(k);
    *got = k;
    return Status::OK();
  }
  uint64_t raw_offset() const override { return w_->consumed(); }
  uint64_t raw_size() const override { return w_->size(); }
  Encoding encoding() const override { return Encoding::kPlain; }

 private:
  std::unique_ptr<InputWindow> w_;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<InputWindow> w) : w_(std::move(w)) {
    std::memset(&zs_, 0, sizeof(zs_));
    // 16 + MAX_WBITS: gzip wrapper only, so a zlib or raw stream is an error.
    init_ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&zs_); }

  Status Read(char* buf, size_t n, size_t* got) override {
    *got = 0;
    if (!init_ok_) return Status::IOError(w_->name() + ": cannot initialise zlib");
    while (*got == 0) {
      NSRADAR_RETURN_IF_ERROR(w_->Fill());
      if (w_->eof()) {
        if (in_member_) {
          return Status::Corruption(w_->name() + ": gzip stream truncated at offset " + std::to_string(w_->consumed()));
        }
        return Status::OK();
      }
      if (!in_member_) {
        // A new member may only start with the gzip magic; anything else
        // after a complete member is trailing garbage.
        if (w_->pending() >= 1 && static_cast<unsigned char>(w_->data()[0]) != 0x1f) {
          return Status::Corruption(w_->name() + ": trailing garbage after gzip stream at offset " +
                                    std::to_string(w_->consumed()));
        }
        inflateReset(&zs_);
        in_member_ = true;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(w_->data()));
      zs_.avail_in = static_cast<uInt>(w_->pending());
      zs_.next_out = reinterpret_cast<Bytef*>(buf);
      zs_.avail_out = static_cast<uInt>(n);
      int rc = inflate(&zs_, Z_NO_FLUSH);
      w_->Consume(w_->pending() - zs_.avail_in);
      *got = n - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Corruption(w_->name() + ": gzip data error at offset " + std::to_string(w_->consumed()) + ": " +
                                  (zs_.msg ? zs_.msg : "inflate failed"));
      }
    }
    return Status::OK();
  }
  uint64_t raw_offset() const override { return w_->consumed(); }
  uint64_t raw_size() const override { return w_->size(); }
  Encoding encoding() const override { return Encoding::kGzip; }

 private:
  std::unique_ptr<InputWindow> w_;
  z_stream zs_;
  bool init_ok_ = false;
  bool in_member_ = false;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<InputWindow> w) : w_(std::move(w)), ds_(ZSTD_createDStream()) {
    // Cap the window so a hostile frame header cannot demand gigabytes.
    ZSTD_DCtx_setParameter(ds_, ZSTD_d_windowLogMax, 27);
  }
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }

  Status Read(char* buf, size_t n, size_t* got) override {
    *got = 0;
    while (*got == 0) {
      NSRADAR_RETURN_IF_ERROR(w_->Fill());
      if (w_->eof()) {
        if (in_frame_) {
          return Status::Corruption(w_->name() + ": zstd stream truncated at offset " + std::to_string(w_->consumed()));
        }
        return Status::OK();
      }
      ZSTD_inBuffer in{w_->data(), w_->pending(), 0};
      ZSTD_outBuffer out{buf, n, 0};
      size_t rc = ZSTD_decompressStream(ds_, &out, &in);
      w_->Consume(in.pos);
      *got = out.pos;
      if (ZSTD_isError(rc)) {
        return Status::Corruption(w_->name() + ": zstd data error at offset " + std::to_string(w_->consumed()) + ": " +
                                  ZSTD_getErrorName(rc));
      }
      in_frame_ = rc != 0;
    }
    return Status::OK();
  }
  uint64_t raw_offset() const override { return w_->consumed(); }
  uint64_t raw_size() const override { return w_->size(); }
  Encoding encoding() const override { return Encoding::kZstd; }

 private:
  std::unique_ptr<InputWindow> w_;
  ZSTD_DStream* ds_;
  bool in_frame_ = false;
};

class XzSource final : public ByteSource {
 public:
  explicit XzSource(std::unique_ptr<InputWindow> w) : w_(std::move(w)) {
    // LZMA_CONCATENATED: several streams one after the other read as one, as
    // xz itself reads them. The memory limit keeps a hostile header from
    // demanding more than xz -9 (64 MiB dictionary) ever needs.
    init_ok_ = lzma_stream_decoder(&xs_, kMemoryLimit, LZMA_CONCATENATED) == LZMA_OK;
  }
  ~XzSource() override { lzma_end(&xs_); }

  Status Read(char* buf, size_t n, size_t* got) override {
    *got = 0;
    if (!init_ok_) return Status::IOError(w_->name() + ": cannot initialise liblzma");
    while (*got == 0 && !ended_) {
      NSRADAR_RETURN_IF_ERROR(w_->Fill());
      // At the end of the input LZMA_FINISH tells a complete stream from a cut one.
      const lzma_action action = w_->eof() ? LZMA_FINISH : LZMA_RUN;
      xs_.next_in = reinterpret_cast<const uint8_t*>(w_->data());
      xs_.avail_in = w_->pending();
      xs_.next_out = reinterpret_cast<uint8_t*>(buf);
      xs_.avail_out = n;
      lzma_ret rc = lzma_code(&xs_, action);
      w_->Consume(w_->pending() - xs_.avail_in);
      *got = n - xs_.avail_out;
      if (rc == LZMA_STREAM_END) {
        ended_ = true;
      } else if (rc == LZMA_BUF_ERROR && action == LZMA_FINISH) {
        return Status::Corruption(w_->name() + ": xz stream truncated at offset " + std::to_string(w_->consumed()));
      } else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
        return Status::Corruption(w_->name() + ": xz data error at offset " + std::to_string(w_->consumed()) + ": " +
                                  ErrorName(rc));
      }
    }
    return Status::OK();
  }
  uint64_t raw_offset() const override { return w_->consumed(); }
  uint64_t raw_size() const override { return w_->size(); }
  Encoding encoding() const override { return Encoding::kXz; }

 private:
  static constexpr uint64_t kMemoryLimit = 256ull << 20;

  static const char* ErrorName(lzma_ret rc) {
    switch (rc) {
      case LZMA_MEMLIMIT_ERROR:
        return "needs more memory than the 256 MiB allowed";
      case LZMA_FORMAT_ERROR:
        return "not xz data (trailing garbage?)";
      case LZMA_OPTIONS_ERROR:
        return "unsupported options";
      case LZMA_DATA_ERROR:
        return "corrupt data";
      default:
        return "decoder error";
    }
  }

  std::unique_ptr<InputWindow> w_;
  lzma_stream xs_ = LZMA_STREAM_INIT;
  bool init_ok_ = false;
  bool ended_ = false;
};

Status Detect(std::unique_ptr<InputWindow> w, std::unique_ptr<ByteSource>* out) {
  NSRADAR_RETURN_IF_ERROR(w->Fill());
  const auto* p = reinterpret_cast<const unsigned char*>(w->data());
  size_t n = w->pending();
  if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    *out = std::make_unique<GzipSource>(std::move(w));
  } else if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) {
    *out = std::make_unique<ZstdSource>(std::move(w));
  } else if (n >= 6 && std::memcmp(p,
                                   "\xfd"
                                   "7zXZ\0",
                                   6) == 0) {
    *out = std::make_unique<XzSource>(std::move(w));
  } else {
    *out = std::make_unique<PlainSource>(std::move(w));
  }
  return Status::OK();
}

}  // namespace

Status ByteSource::ReadAll(std::string* out) {
  char buf[1 << 16];
  for (;;) {
    size_t got = 0;
    NSRADAR_RETURN_IF_ERROR(Read(buf, sizeof buf, &got));
    if (got == 0) return Status::OK();
    out->append(buf, got);
  }
}

Status ByteSource::ReadFull(char* buf, size_t n, size_t* got) {
  *got = 0;
  while (*got < n) {
    size_t k = 0;
    NSRADAR_RETURN_IF_ERROR(Read(buf + *got, n - *got, &k));
    if (k == 0) break;
    *got += k;
  }
  return Status::OK();
}

Status ByteSource::Open(const std::string& path, std::unique_ptr<ByteSource>* out) {
  int fd = path == "-" ? dup(0) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    Status s = Status::IOError(path + ": " + std::strerror(errno));
    close(fd);
    return s;
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return Status::IOError(path + ": is a directory");
  }
  uint64_t size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  if (S_ISREG(st.st_mode)) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  auto w = std::make_unique<InputWindow>(std::make_unique<FdInput>(fd, path, size), path);
  return Detect(std::move(w), out);
}

std::unique_ptr<ByteSource> ByteSource::FromMemory(const char* data, size_t size) {
  auto w = std::make_unique<InputWindow>(std::make_unique<MemoryInput>(data, size), "<memory>");
  std::unique_ptr<ByteSource> out;
  // Detect fails only when filling the window fails, and reading memory
  // cannot; decompression errors come later, from Read.
  Detect(std::move(w), &out).IgnoreError();
  return out;
}

}  // namespace nsradar
