// The store's write path: each input is a few zone snapshots, separated by
// lines "=== T" giving their times, applied to one long-lived store. After
// every input the per-host counts must equal the listed edges.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "nsdb/store.h"
#include "zone/snapshot.h"

namespace {

nsradar::nsdb::Store* TheStore() {
  static nsradar::nsdb::Store* store = [] {
    std::string dir = "/tmp/nsradar-fuzz-store-" + std::to_string(getpid());
    std::filesystem::remove_all(dir);
    nsradar::nsdb::StoreOptions o;
    o.batch_limit = 64;  // exercise the SST path too
    std::unique_ptr<nsradar::nsdb::Store> s;
    if (!nsradar::nsdb::Store::Open(dir, o, &s).ok()) __builtin_trap();
    return s.release();
  }();
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto* store = TheStore();
  size_t pos = 0;
  int64_t t = 1000;
  while (pos <= input.size()) {
    size_t sep = input.find("\n=== ", pos);
    std::string text = input.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos);
    nsradar::zone::SnapshotOptions so;
    so.reader.allow_include = false;
    so.reader.max_record_bytes = 4096;
    so.zone = "fuzz";
    so.has_zone = true;
    auto reader = nsradar::zone::ZoneReader::FromMemory(text, so.reader);
    nsradar::zone::ZoneSnapshot snap;
    if (nsradar::zone::ZoneSnapshot::Load(reader.get(), so, &snap).ok()) {
      nsradar::nsdb::IngestResult r;
      if (!store->IngestSnapshot(snap, t, "fuzz", &r).ok()) __builtin_trap();
      for (size_t h = 0; h < snap.host_count() && h < 8; ++h) {
        nsradar::nsdb::DomainQuery q;
        q.ns = std::string(snap.host(static_cast<uint32_t>(h)));
        q.limit = nsradar::nsdb::kMaxPage;
        nsradar::nsdb::DomainPage page;
        if (!store->DomainsOnNs(q, &page).ok()) __builtin_trap();
        uint64_t active = 0;
        for (const auto& row : page.rows) active += row.active;
        nsradar::nsdb::NsCounts c;
        if (!store->Counts(q.ns, &c).ok()) __builtin_trap();
        if (!page.more && (c.total != page.rows.size() || c.active != active)) __builtin_trap();
      }
    }
    if (sep == std::string::npos) break;
    size_t eol = input.find('\n', sep + 5);
    t = std::atoll(input.substr(sep + 5, eol == std::string::npos ? std::string::npos : eol - sep - 5).c_str()) %
        100000;
    if (t < 0) t = -t;
    pos = eol == std::string::npos ? input.size() + 1 : eol + 1;
  }
  return 0;
}
