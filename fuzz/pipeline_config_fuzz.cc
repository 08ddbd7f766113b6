// The configuration file of `nsradar serve --config`, through the real
// loader from a temporary file: any bytes give a config or an error naming
// the file, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "pipeline/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/nsradar-config-fuzz-" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  nsradar::pipeline::Config config;
  nsradar::Status s = nsradar::pipeline::LoadConfig(path, &config);
  if (!s.ok() && s.message().find(path) == std::string::npos) __builtin_trap();
  return 0;
}
