#include "nsdb/internal/sorted_run.h"

#include <algorithm>
#include <cstring>

#include "util/varint.h"

namespace nsradar::nsdb {

SortedRunWriter::~SortedRunWriter() {
  if (f_) std::fclose(f_);
}

Status SortedRunWriter::Open(const std::string& path) {
  path_ = path;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return Status::IOError("cannot create run file " + path);
  return Status::OK();
}

Status SortedRunWriter::Add(std::string_view key, const std::string_view* value) {
  record_.clear();
  PutVarint64(&record_, key.size());
  record_.append(key);
  PutVarint64(&record_, value ? value->size() + 1 : 0);
  if (value) record_.append(*value);
  if (std::fwrite(record_.data(), 1, record_.size(), f_) != record_.size()) {
    return Status::IOError("cannot write run file " + path_ + " (disk full?)");
  }
  return Status::OK();
}

Status SortedRunWriter::Finish() {
  FILE* f = f_;
  f_ = nullptr;
  if (std::fclose(f) != 0) return Status::IOError("cannot write run file " + path_ + " (disk full?)");
  return Status::OK();
}

namespace {

// One run, read record by record through its buffer.
class RunReader {
 public:
  RunReader(const std::string& path, size_t buffer_bytes)
      : path_(path), f_(std::fopen(path.c_str(), "rb")), buf_(std::max<size_t>(buffer_bytes, 64), '\0') {
    if (!f_) status_ = Status::IOError("cannot open run file " + path);
  }
  ~RunReader() {
    if (f_) std::fclose(f_);
  }
  RunReader(const RunReader&) = delete;
  RunReader& operator=(const RunReader&) = delete;

  // The next record, valid until the next call; false at the end or on error.
  bool Next() {
    if (!f_ || !status_.ok()) return false;
    for (;;) {
      std::string_view in(buf_.data() + pos_, end_ - pos_);
      uint64_t klen, vcode;
      if (GetVarint64(&in, &klen) && in.size() >= klen) {
        std::string_view rest = in.substr(klen);
        if (GetVarint64(&rest, &vcode) && (vcode == 0 || rest.size() >= vcode - 1)) {
          key_ = in.substr(0, klen);
          has_value_ = vcode != 0;
          if (has_value_) value_ = rest.substr(0, vcode - 1);
          pos_ = (has_value_ ? value_.data() + value_.size() : rest.data()) - buf_.data();
          return true;
        }
      }
      if (eof_) {
        if (pos_ != end_) status_ = Status::Corruption("run file " + path_ + " ends inside a record");
        return false;
      }
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
      if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // a record longer than the buffer
      const size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, f_);
      if (n == 0) {
        if (std::ferror(f_)) status_ = Status::IOError("cannot read run file " + path_);
        eof_ = true;
      }
      end_ += n;
    }
  }
  std::string_view key() const { return key_; }
  const std::string_view* value() const { return has_value_ ? &value_ : nullptr; }
  const Status& status() const { return status_; }

 private:
  std::string path_;
  FILE* f_;
  std::string buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  std::string_view key_, value_;
  bool has_value_ = false;
  Status status_;
};

}  // namespace

Status MergeSortedRuns(const std::vector<std::string>& paths, size_t buffer_bytes,
                       const std::function<Status(std::string_view key, const std::string_view* value)>& emit) {
  std::vector<std::unique_ptr<RunReader>> runs;
  std::vector<RunReader*> heap;
  // The heap's top is the run with the least key.
  auto later = [](const RunReader* a, const RunReader* b) { return a->key() > b->key(); };
  for (const std::string& path : paths) {
    runs.push_back(std::make_unique<RunReader>(path, buffer_bytes));
    if (runs.back()->Next()) heap.push_back(runs.back().get());
    NSRADAR_RETURN_IF_ERROR(runs.back()->status());
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    RunReader* top = heap.back();
    NSRADAR_RETURN_IF_ERROR(emit(top->key(), top->value()));
    if (top->Next()) {
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
      NSRADAR_RETURN_IF_ERROR(top->status());
    }
  }
  return Status::OK();
}

}  // namespace nsradar::nsdb
