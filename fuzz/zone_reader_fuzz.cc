// Any bytes as a zone file: the reader must report, skip or stop, and never
// crash, hang or grow without bound. Also drives snapshot building, which
// sorts and classifies whatever the reader accepted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dns/name.h"
#include "zone/snapshot.h"
#include "zone/zone_reader.h"

namespace {

// A canonical name is its own canonical form (dns/name.h).
bool IsCanonical(std::string_view name) {
  std::string again;
  return nsradar::dns::ParseName(nsradar::dns::ToDisplay(name), "", &again) == nullptr && again == name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nsradar::zone::SnapshotOptions so;
  so.reader.allow_include = false;  // the fuzzer must not read other files
  so.reader.max_record_bytes = 4096;
  so.reader.origin = "fuzz";
  auto reader = nsradar::zone::ZoneReader::FromMemory(text, so.reader);
  nsradar::zone::ZoneSnapshot snap;
  if (!nsradar::zone::ZoneSnapshot::Load(reader.get(), so, &snap).ok()) return 0;
  // Invariants the store relies on: names canonical, domains and hosts
  // strictly ascending in the one order of names, each domain's host ranks
  // strictly ascending.
  for (size_t i = 0; i < snap.domain_count(); ++i) {
    if (!IsCanonical(snap.domain(i))) __builtin_trap();
    if (i > 0 && !(snap.domain(i - 1) < snap.domain(i))) __builtin_trap();
    for (const uint32_t* h = snap.hosts_begin(i); h != snap.hosts_end(i); ++h) {
      if (*h >= snap.host_count()) __builtin_trap();
      if (h != snap.hosts_begin(i) && !(*(h - 1) < *h)) __builtin_trap();
    }
  }
  for (uint32_t r = 0; r < snap.host_count(); ++r) {
    if (!IsCanonical(snap.host(r))) __builtin_trap();
    if (r > 0 && !(snap.host(r - 1) < snap.host(r))) __builtin_trap();
  }
  return 0;
}
