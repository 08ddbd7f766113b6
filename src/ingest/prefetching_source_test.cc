// PrefetchingSource: the same events in the same order and the same stats
// as the source it wraps, read on another thread; errors and a throwing sink
// neither lose the status nor hang.
#include "ingest/prefetching_source.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ingest/inputs.h"

namespace nsradar::ingest {
namespace {

// `count` events named e0.example, e1.example, ...; every 100th record is
// also skipped with a sample; ends with `end`.
class CountingSource final : public EventSource {
 public:
  CountingSource(int count, Status end) : count_(count), end_(std::move(end)) {}
  Status Run(const EventSink& sink) override {
    run_thread = std::this_thread::get_id();
    DnsEvent ev;
    for (int i = 0; i < count_; ++i) {
      ++stats_.records;
      if (i % 100 == 0) stats_.Skip("test_reason", "record " + std::to_string(i), 3);
      ev.qname = "e" + std::to_string(i) + ".example";
      ev.answers.resize(i % 3);
      ++stats_.events;
      sink(ev);
    }
    if (!end_.ok()) stats_.input_error = end_;
    return end_;
  }
  std::thread::id run_thread;

 private:
  int count_;
  Status end_;
};

struct Outcome {
  std::vector<std::string> names;
  std::vector<size_t> answers;
  Status status;
  SourceStats stats;
};

Outcome Drain(EventSource& source) {
  Outcome out;
  out.status = source.Run([&](const DnsEvent& ev) {
    out.names.push_back(ev.qname);
    out.answers.push_back(ev.answers.size());
  });
  out.stats = source.stats();
  return out;
}

TEST(PrefetchingSource, SameEventsOrderAndStatsAsTheSourceItWraps) {
  for (int count : {0, 1, 255, 256, 257, 1000, 10'000}) {
    CountingSource direct(count, Status::OK());
    const Outcome want = Drain(direct);
    auto inner = std::make_unique<CountingSource>(count, Status::OK());
    CountingSource* raw = inner.get();
    auto prefetching = NewPrefetchingSource(std::move(inner));
    const Outcome got = Drain(*prefetching);
    EXPECT_EQ(got.names, want.names) << count;
    EXPECT_EQ(got.answers, want.answers) << count;
    EXPECT_TRUE(got.status.ok()) << count;
    EXPECT_EQ(got.stats.records, want.stats.records) << count;
    EXPECT_EQ(got.stats.events, want.stats.events) << count;
    EXPECT_EQ(got.stats.skipped, want.stats.skipped) << count;
    EXPECT_EQ(got.stats.samples, want.stats.samples) << count;
    EXPECT_NE(raw->run_thread, std::this_thread::get_id()) << "the inner source must run on a thread of its own";
  }
}

TEST(PrefetchingSource, StatsFollowTheBatchesHandedOver) {
  auto prefetching = NewPrefetchingSource(std::make_unique<CountingSource>(5000, Status::OK()));
  uint64_t seen = 0;
  bool behind = false;
  ASSERT_TRUE(prefetching
                  ->Run([&](const DnsEvent&) {
                    // Never fewer events counted than delivered, once the first batch is in.
                    ++seen;
                    if (seen > 256 && prefetching->stats().events + 256 < seen) behind = true;
                  })
                  .ok());
  EXPECT_FALSE(behind);
  EXPECT_EQ(prefetching->stats().events, 5000u);
}

TEST(PrefetchingSource, TheInnerErrorComesBackWithEveryEventBeforeIt) {
  auto prefetching =
      NewPrefetchingSource(std::make_unique<CountingSource>(700, Status::Corruption("f.dnstap at byte 9")));
  const Outcome got = Drain(*prefetching);
  EXPECT_EQ(got.names.size(), 700u);
  EXPECT_EQ(got.status.ToString(), Status::Corruption("f.dnstap at byte 9").ToString());
  EXPECT_FALSE(got.stats.input_error.ok());
}

TEST(PrefetchingSource, AThrowingSinkNeitherHangsNorLosesTheException) {
  for (int at : {0, 300, 999}) {
    auto prefetching = NewPrefetchingSource(std::make_unique<CountingSource>(100'000, Status::OK()));
    int calls = 0;
    // Run throws before it returns a status: there is none to look at.
    EXPECT_THROW(prefetching
                     ->Run([&](const DnsEvent&) {
                       if (calls++ == at) throw std::runtime_error("sink failed");
                     })
                     .IgnoreError(),
                 std::runtime_error);
    EXPECT_EQ(calls, at + 1);
  }
}

// Real inputs read as nsradar's batch commands read them: without
// registered domains on the reading thread, found on the caller's. Every
// event the same as a direct read, registered domain included.
TEST(PrefetchingSource, RegisteredDomainsFoundOnTheCallersThread) {
  const std::string fixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";
  for (const std::string name : {"unbound.dnstap", "bind-resolver.dnstap", "unbound.pcap", "zeek-dns.log",
                                 "suricata-eve-v2.json", "unbound.log"}) {
    auto read = [&](bool prefetch) {
      SourceOptions options;
      options.registered_domains = !prefetch;
      std::unique_ptr<EventSource> source;
      EXPECT_TRUE(OpenInput(fixtures + name, Format::kAuto, options, &source).ok()) << name;
      if (prefetch) source = NewPrefetchingSource(std::move(source), &dns::PublicSuffixList::Default());
      std::vector<std::pair<std::string, std::string>> events;
      EXPECT_TRUE(
          source->Run([&](const DnsEvent& ev) { events.emplace_back(ev.qname, std::string(ev.registered_domain())); })
              .ok())
          << name;
      return events;
    };
    const auto direct = read(false);
    EXPECT_FALSE(direct.empty()) << name;
    EXPECT_EQ(read(true), direct) << name;
    size_t with_domain = 0;
    for (const auto& [qname, domain] : direct) with_domain += !domain.empty();
    EXPECT_GT(with_domain, direct.size() / 2) << name;
  }
}

}  // namespace
}  // namespace nsradar::ingest
