// Status: the outcome of an operation that can fail, with a message that
// names the place (file:line, offset, parameter) where it failed.
//
// Library code returns Status; only programs decide to print or exit. A
// default-constructed Status is OK and costs one pointer-sized empty string.
//
// [[nodiscard]]: a Status must be looked at. Where dropping one is right,
// the caller says so with IgnoreError() and a comment saying why, never a
// bare (void) cast, so every ignored failure can be found with grep.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace nsradar {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kIOError, kCorruption, kBusy };

  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status Busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Drops the status on purpose (see the comment at the top).
  void IgnoreError() const {}

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Returns early from the enclosing function when `expr` is not OK.
#define NSRADAR_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::nsradar::Status _nsradar_st = (expr);    \
    if (!_nsradar_st.ok()) return _nsradar_st; \
  } while (0)

}  // namespace nsradar
