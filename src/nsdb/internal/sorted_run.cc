#include "nsdb/internal/sorted_run.h"

#include <algorithm>
#include <cstring>

#include "util/refill_buffer.h"
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
      : path_(path), f_(std::fopen(path.c_str(), "rb")), buf_(buffer_bytes) {
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
      std::string_view in = buf_.unread();
      const char* const begin = in.data();
      uint64_t klen, vcode;
      if (GetVarint64(&in, &klen) && in.size() >= klen) {
        std::string_view rest = in.substr(klen);
        if (GetVarint64(&rest, &vcode) && (vcode == 0 || rest.size() >= vcode - 1)) {
          key_ = in.substr(0, klen);
          has_value_ = vcode != 0;
          if (has_value_) value_ = rest.substr(0, vcode - 1);
          // The views stay valid: only the next Fill moves the buffer.
          buf_.Consume((has_value_ ? value_.data() + value_.size() : rest.data()) - begin);
          return true;
        }
      }
      if (buf_.at_end()) {
        if (!buf_.unread().empty()) status_ = Status::Corruption("run file " + path_ + " ends inside a record");
        return false;
      }
      status_ = buf_.FillMore(ReadFromFile(f_, path_));
      if (!status_.ok()) return false;
    }
  }
  std::string_view key() const { return key_; }
  const std::string_view* value() const { return has_value_ ? &value_ : nullptr; }
  const Status& status() const { return status_; }

 private:
  std::string path_;
  FILE* f_;
  RefillBuffer buf_;
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
