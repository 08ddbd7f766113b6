#include "ingest/prefetching_source.h"

#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace nsradar::ingest {
namespace {

// 256 events of about 200 bytes stay in L2 while the other thread reads
// them; four batches let the reader run a little ahead.
constexpr size_t kBatchEvents = 256;
constexpr size_t kBatches = 4;

uint64_t SkippedTotal(const SourceStats& s) {
  uint64_t n = 0;
  for (const auto& [reason, count] : s.skipped) n += count;
  return n;
}

class PrefetchingSource final : public EventSource {
 public:
  PrefetchingSource(std::unique_ptr<EventSource> inner, const dns::PublicSuffixList* psl)
      : inner_(std::move(inner)), psl_(psl) {}

  Status Run(const EventSink& sink) override {
    Status status;
    {
      std::thread reader([&] { status = Read(); });
      // However this thread leaves (a sink may throw), the reader is told to
      // stop waiting for spare batches, then joined.
      struct Join {
        PrefetchingSource* self;
        std::thread* reader;
        ~Join() {
          {
            std::lock_guard lock(self->mu_);
            self->abandoned_ = true;
          }
          self->changed_.notify_all();
          reader->join();
        }
      } join{this, &reader};
      Consume(sink);
    }
    return status;
  }

 private:
  struct Batch;

  // On the caller's thread: every batch to the sink, until the last.
  void Consume(const EventSink& sink) {
    for (;;) {
      Batch* b;
      {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [&] { return !ready_.empty(); });
        b = ready_.front();
        ready_.pop_front();
      }
      for (size_t i = 0; i < b->size; ++i) {
        if (psl_) SetRegisteredDomain(*psl_, &b->events[i]);
        sink(b->events[i]);
      }
      if (b->last) {
        stats_ = b->stats;
        return;  // the reader has handed over its last batch: no spare is needed
      }
      stats_.records = b->stats.records;
      stats_.events = b->stats.events;
      if (b->skipped_changed) {
        stats_.skipped = b->stats.skipped;
        stats_.samples = b->stats.samples;
      }
      {
        std::lock_guard lock(mu_);
        spare_.push_back(b);
      }
      changed_.notify_all();
    }
  }

  struct Batch {
    std::vector<DnsEvent> events;  // slots keep their strings' capacity from batch to batch
    size_t size = 0;
    SourceStats stats;
    bool skipped_changed = false;
    bool last = false;
  };

  // On the reader thread.
  Status Read() {
    Batch* current = nullptr;
    uint64_t skipped_handed = 0;
    auto hand_over = [&](bool last) {
      const SourceStats& now = inner_->stats();
      current->stats.records = now.records;
      current->stats.events = now.events;
      const uint64_t skipped = SkippedTotal(now);
      current->skipped_changed = skipped != skipped_handed || last;
      if (current->skipped_changed) {
        skipped_handed = skipped;
        current->stats = now;
      }
      current->last = last;
      {
        std::lock_guard lock(mu_);
        ready_.push_back(current);
      }
      changed_.notify_all();
      current = nullptr;
    };
    // False when the caller has gone: the events are read to the end and
    // dropped, since an input cannot be stopped from its sink.
    auto take_spare = [&] {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return !spare_.empty() || abandoned_; });
      if (abandoned_) return false;
      current = spare_.front();
      spare_.pop_front();
      current->size = 0;
      return true;
    };
    Status s = inner_->Run([&](const DnsEvent& ev) {
      if (!current && !take_spare()) return;
      if (current->size < current->events.size()) {
        current->events[current->size] = ev;
      } else {
        current->events.push_back(ev);
      }
      if (++current->size == kBatchEvents) hand_over(/*last=*/false);
    });
    if (current || take_spare()) hand_over(/*last=*/true);
    return s;
  }

  std::unique_ptr<EventSource> inner_;
  const dns::PublicSuffixList* psl_;  // not owned; null when the inner source finds registered domains
  std::array<Batch, kBatches> batches_;
  std::mutex mu_;  // guards the queues and abandoned_
  std::condition_variable changed_;
  std::deque<Batch*> ready_;                    // filled, oldest first
  std::deque<Batch*> spare_ = InitialSpares();  // free for the reader
  bool abandoned_ = false;

  std::deque<Batch*> InitialSpares() {
    std::deque<Batch*> all;
    for (Batch& b : batches_) all.push_back(&b);
    return all;
  }
};

}  // namespace

std::unique_ptr<EventSource> NewPrefetchingSource(std::unique_ptr<EventSource> inner,
                                                  const dns::PublicSuffixList* psl) {
  return std::make_unique<PrefetchingSource>(std::move(inner), psl);
}

}  // namespace nsradar::ingest
