// Any bytes as a zone file: the reader must report, skip or stop, and never
// crash, hang or grow without bound. Every block-scanner kernel this CPU
// runs reads the same bytes, and all must report the same records, errors
// and status; the name parsers must agree with dns::ParseName. Also drives
// snapshot building, which sorts and classifies whatever the reader
// accepted.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "dns/name.h"
#include "zone/fast_name.h"
#include "zone/snapshot.h"
#include "zone/zone_reader.h"

namespace {

// A canonical name is its own canonical form (dns/name.h).
bool IsCanonical(std::string_view name) {
  std::string again;
  return nsradar::dns::ParseName(nsradar::dns::ToDisplay(name), "", &again) == nullptr && again == name;
}

// Everything the reader reports, in order, as one string.
std::string Transcript(std::string_view text, nsradar::zone::ReaderOptions opt, nsradar::zone::ScanKernel kernel) {
  std::string out;
  opt.kernel = kernel;
  opt.on_error = [&out](const nsradar::zone::Diagnostic& d) { out += "error " + d.ToString() + "\n"; };
  auto reader = nsradar::zone::ZoneReader::FromMemory(text, opt);
  nsradar::zone::Record r;
  while (reader->Next(&r)) {
    out += std::to_string(r.line) + " " + std::string(r.owner) + " " + std::to_string(r.type) + " " +
           std::to_string(r.rclass) + " " + std::to_string(r.ttl) + " " + std::string(r.ns_target) + " " +
           (r.address.family ? r.address.ToString() : "-") + " " + std::to_string(r.soa_serial) + "\n";
  }
  out += reader->status().ToString() + " " + std::to_string(reader->stats().records) + " " +
         std::to_string(reader->stats().errors) + " " + std::to_string(reader->stats().lines);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nsradar::zone::SnapshotOptions so;
  so.reader.allow_include = false;  // the fuzzer must not read other files
  so.reader.max_record_bytes = 4096;
  so.reader.origin = "fuzz";

  // Every kernel reads the input alike.
  const std::string want = Transcript(text, so.reader, nsradar::zone::ScanKernel::kScalar);
  for (nsradar::zone::ScanKernel k : nsradar::zone::SupportedScanKernels()) {
    if (Transcript(text, so.reader, k) != want) __builtin_trap();
  }

  // The name parsers give dns::ParseName's answer on the input's first line.
  const std::string_view name = text.substr(0, std::min(text.find('\n'), size_t{300}));
  std::string parsed;
  const char* err = nsradar::dns::ParseName(name, so.reader.origin, &parsed);
  for (nsradar::zone::ScanKernel k : nsradar::zone::SupportedScanKernels()) {
    std::string fast;
    const char* fast_err =
        nsradar::zone::NameParserFor(k)(name, so.reader.origin, nsradar::dns::WireLength(so.reader.origin), &fast);
    if ((err == nullptr) != (fast_err == nullptr)) __builtin_trap();
    if (err != nullptr ? std::strcmp(err, fast_err) != 0 : fast != parsed) __builtin_trap();
  }

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
