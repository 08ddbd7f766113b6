// Any bytes as a zone file: the reader must report, skip or stop, and never
// crash, hang or grow without bound. Also drives snapshot building, which
// sorts and classifies whatever the reader accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "zone/snapshot.h"
#include "zone/zone_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nsradar::zone::SnapshotOptions so;
  so.reader.allow_include = false;  // the fuzzer must not read other files
  so.reader.max_record_bytes = 4096;
  so.reader.origin = "fuzz";
  auto reader = nsradar::zone::ZoneReader::FromMemory(text, so.reader);
  nsradar::zone::ZoneSnapshot snap;
  if (!nsradar::zone::ZoneSnapshot::Load(reader.get(), so, &snap).ok()) return 0;
  // Invariants the store relies on.
  for (size_t i = 1; i < snap.domain_count(); ++i) {
    if (!(snap.domain(i - 1) < snap.domain(i))) __builtin_trap();
  }
  for (size_t i = 0; i < snap.domain_count(); ++i) {
    for (const uint32_t* h = snap.hosts_begin(i); h != snap.hosts_end(i); ++h) {
      if (*h >= snap.host_count()) __builtin_trap();
      if (h != snap.hosts_begin(i) && !(*(h - 1) < *h)) __builtin_trap();
    }
  }
  return 0;
}
