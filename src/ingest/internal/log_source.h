// Text log sources: one LineFormat per log format, read line by line from a
// file (plain, gzip or zstd) by LogFileSource.
//
// A LineFormat sees each line with its number and emits zero or more events;
// lines it cannot read are skipped with a reason and a sample
// ("file:line: ..."). Formats whose logs split a transaction over several
// lines (a query line, later a reply line) pair them with LinePairing.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ingest/source.h"

namespace nsradar::ingest {

// What a LineFormat works with while reading one file.
class LineContext {
 public:
  LineContext(std::string file, const SourceOptions& options, SourceStats* stats, const EventSink* sink);
  void Skip(const char* reason, std::string_view detail = {});
  // Completes `ev` (registered domain) and hands it on.
  void Emit(DnsEvent& ev);
  uint64_t line_no() const { return line_no_; }
  void set_line_no(uint64_t n) { line_no_ = n; }
  // The scratch event formats fill; Clear()ed by the caller.
  DnsEvent& event() { return event_; }

 private:
  std::string file_;
  const SourceOptions& options_;
  const dns::PublicSuffixList& psl_;
  SourceStats* stats_;
  const EventSink* sink_;
  uint64_t line_no_ = 0;
  DnsEvent event_;
};

class LineFormat {
 public:
  virtual ~LineFormat() = default;
  virtual void Line(std::string_view line, LineContext& ctx) = 0;
  // End of input: emit what is still waiting.
  virtual void Finish(LineContext& ctx) { (void)ctx; }
};

// Pairs the query line of a transaction with its reply line, in bounded
// memory: at most kMaxPending transactions wait; the oldest leaves as a
// query-only event when the table is full, and every one at Finish.
class LinePairing {
 public:
  static constexpr size_t kMaxPending = 100'000;
  // The query half; replaces (and emits) an earlier one under the same key.
  void Query(const std::string& key, const DnsEvent& ev, LineContext& ctx);
  // The reply half: `respond` sets the response fields on the waiting query,
  // or, when none waits, on a copy of `alone` (the reply's own view of the
  // transaction), which is then emitted by itself.
  void Reply(const std::string& key, const DnsEvent& alone, const std::function<void(DnsEvent&)>& respond,
             LineContext& ctx);
  // Takes the query waiting under `key` out of the table into *out; false
  // when none waits. For replies that span several lines, which the format
  // completes before it emits them.
  bool Take(const std::string& key, DnsEvent* out);
  void Flush(LineContext& ctx);

 private:
  struct Entry {
    DnsEvent event;
    std::list<std::string>::iterator age;
  };
  std::unordered_map<std::string, Entry> pending_;
  std::list<std::string> ages_;
};

// A log file read line by line, each line handed to `format`.
std::unique_ptr<EventSource> NewLogFileSource(const std::string& path, std::unique_ptr<LineFormat> format,
                                              const SourceOptions& options);

// Helpers the formats share.
// Splits off the next field ending at `sep`; the rest stays in *in.
std::string_view NextField(std::string_view* in, char sep);
// Name as logs print it (trailing dot optional, any case) into canonical and
// raw forms; false when it is not a valid name.
bool ReadLoggedName(std::string_view text, DnsEvent* ev);
// Type mnemonic or number ("A", "TYPE65", "65").
bool ReadLoggedType(std::string_view text, uint16_t* type);
// Response code name or number ("NXDOMAIN", "3").
bool ReadLoggedRcode(std::string_view text, int* rcode);
// Decimal digits only (no sign, blank or exponent) whose value is at most
// `max`: how every log number is range-checked before it meets a narrower
// type.
bool ReadUnsigned(std::string_view text, uint64_t max, uint64_t* out);
// Takes 1 to `max_digits` (at most 9, so the value fits an int) decimal
// digits, or the character `c`, from the front of *in: the pieces of logged
// dates and times, read without sscanf (whose %d overflow is undefined).
bool TakeDigits(std::string_view* in, size_t max_digits, int* out);
bool TakeChar(std::string_view* in, char c);
// "addr", "addr#port", "addr:port", "[v6]:port" into address and port.
bool ReadLoggedEndpoint(std::string_view text, dns::Address* addr, uint16_t* port);

}  // namespace nsradar::ingest
