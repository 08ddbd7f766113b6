// Every text log format: the first input byte picks the format, the rest is
// its lines, read through the real file source (from a temporary file) so
// line splitting, length limits and pairing are exercised too.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ingest/formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nsradar::ingest::Format;
  // The text formats in table order: the seeds' first bytes index this list.
  static const std::vector<Format> kFormats = [] {
    std::vector<Format> text;
    for (const auto& row : nsradar::ingest::Formats()) {
      if (row.new_line_format) text.push_back(row.format);
    }
    return text;
  }();
  if (size < 1) return 0;
  static const std::string path = "/tmp/nsradar-log-fuzz-" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);
  std::unique_ptr<nsradar::ingest::EventSource> source;
  if (!nsradar::ingest::OpenSource(path, kFormats[data[0] % kFormats.size()], {}, &source).ok()) __builtin_trap();
  // Hostile bytes may end the read with an error (a damaged compressed
  // stream); the target checks that nothing crashes and names stay bounded.
  source
      ->Run([](const nsradar::ingest::DnsEvent& ev) {
        if (ev.qname.size() > 4 * 255) __builtin_trap();
      })
      .IgnoreError();
  return 0;
}
