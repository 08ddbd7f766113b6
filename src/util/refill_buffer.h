// RefillBuffer: the read-ahead window of a sequential input, for parsers
// that look at whole records in place. The unread bytes are always one
// contiguous span: a refill moves them to the front and appends after them,
// and a record longer than the buffer doubles it, so no record is ever split
// and no read allocates in proportion to the input beyond its longest record.
//
// The input is a callable `Status read(char* dst, size_t n, size_t* got)`
// that sets *got to the bytes written (0 at the end of the input), as
// ByteSource::Read does; ReadFromFile adapts a FILE*.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nsradar {

class RefillBuffer {
 public:
  explicit RefillBuffer(size_t capacity) : buf_(std::max<size_t>(capacity, 64), '\0') {}

  // The bytes read and not yet consumed; valid until the next Fill.
  std::string_view unread() const { return std::string_view(buf_.data() + pos_, end_ - pos_); }
  // Marks the first `n` unread bytes consumed; n <= unread().size().
  void Consume(size_t n) { pos_ += n; }
  // True once `read` has reported the end of the input.
  bool at_end() const { return at_end_; }

  // Reads until at least `want` bytes are unread or the input ends (then
  // fewer are, and at_end() is true). Reads as much as fits each time, so
  // small records cost one read per buffer, not one per record.
  template <typename Read>
  Status Fill(size_t want, Read&& read) {
    if (end_ - pos_ >= want) return Status::OK();
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    if (buf_.size() < want) buf_.resize(std::max(want, buf_.size() * 2));
    while (end_ < want && !at_end_) {
      size_t got = 0;
      NSRADAR_RETURN_IF_ERROR(read(buf_.data() + end_, buf_.size() - end_, &got));
      if (got == 0) at_end_ = true;
      end_ += got;
    }
    return Status::OK();
  }
  // One more byte than is unread now: for parsers that find a record
  // incomplete and need the input to go on.
  template <typename Read>
  Status FillMore(Read&& read) {
    return Fill(end_ - pos_ + 1, read);
  }

 private:
  std::string buf_;
  size_t pos_ = 0, end_ = 0;  // the unread bytes are buf_[pos_, end_)
  bool at_end_ = false;
};

// A reader of `file` for RefillBuffer::Fill; `name` goes into its error.
inline auto ReadFromFile(std::FILE* file, std::string_view name) {
  return [file, name](char* dst, size_t n, size_t* got) {
    *got = std::fread(dst, 1, n, file);
    if (*got == 0 && std::ferror(file)) return Status::IOError("cannot read " + std::string(name));
    return Status::OK();
  };
}

}  // namespace nsradar
