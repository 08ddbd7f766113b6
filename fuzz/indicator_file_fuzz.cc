// Threat-intelligence lists of every format (plain, hosts, CSV, RPZ zones),
// read through the real loader from a temporary file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "intel/indicator_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/nsradar-intel-fuzz-" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  std::vector<nsradar::nsdb::Indicator> out;
  nsradar::intel::IndicatorFileStats stats;
  nsradar::intel::IndicatorFileOptions options;
  options.on_error = [](const std::string& place, const std::string&) {
    if (place.empty()) __builtin_trap();  // every error names its place
  };
  if (nsradar::intel::ReadIndicatorFile(path, options, &out, &stats).ok()) {
    for (const auto& i : out) {
      if (i.value.empty() || i.value.size() > 255) __builtin_trap();
    }
  }
  return 0;
}
