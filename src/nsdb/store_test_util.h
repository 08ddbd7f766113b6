// Helpers shared by the store's tests: temporary stores, snapshots from
// text, and a canonical dump of everything a store answers.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "nsdb/store.h"
#include "zone/snapshot.h"

namespace nsradar::nsdb::testing {

// The whole content of a file ("" when it cannot be read).
inline std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = std::filesystem::temp_directory_path() /
            ("nsradar-test-" + std::to_string(getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A store in `dir`, opened with `batch_limit` (the edge count up to which an
// ingest is one WriteBatch rather than SST files); null, and the test
// failed, when it does not open.
inline std::unique_ptr<Store> OpenStore(const std::string& dir, size_t batch_limit = StoreOptions{}.batch_limit) {
  StoreOptions o;
  o.batch_limit = batch_limit;
  std::unique_ptr<Store> s;
  Status st = Store::Open(dir, o, &s);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

inline zone::ZoneSnapshot SnapshotFromText(const std::string& text, const std::string& zone_name = "") {
  zone::SnapshotOptions so;
  if (!zone_name.empty()) {
    so.zone = zone_name;
    so.has_zone = true;
  }
  auto reader = zone::ZoneReader::FromMemory(text, so.reader);
  zone::ZoneSnapshot snap;
  Status s = zone::ZoneSnapshot::Load(reader.get(), so, &snap);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return snap;
}

// Every answer the store gives, as text: name servers with counts, their
// domains with times, each domain's name servers and history, glue, stats.
inline std::string Dump(const Store& store) {
  std::string out;
  std::vector<NsRow> hosts;
  std::string after;
  std::set<std::string> domains;
  for (;;) {
    std::vector<NsRow> page;
    EXPECT_TRUE(store.NameServersUnder("", after, 1000, &page).ok());
    if (page.empty()) break;
    after = page.back().name;
    hosts.insert(hosts.end(), page.begin(), page.end());
  }
  for (const auto& h : hosts) {
    out += "ns " + h.name + " total=" + std::to_string(h.counts.total) + " active=" + std::to_string(h.counts.active) +
           "\n";
    DomainQuery q;
    q.ns = h.name;
    q.limit = kMaxPage;
    DomainPage page;
    EXPECT_TRUE(store.DomainsOnNs(q, &page).ok());
    for (const auto& r : page.rows) {
      out += "  " + r.name + " " + std::to_string(r.first_seen) + " " + std::to_string(r.last_seen) +
             (r.active ? " active " : " gone ") + std::string(zone::DomainKindName(r.kind)) + "\n";
      domains.insert(r.name);
    }
    std::vector<GlueRow> glue;
    EXPECT_TRUE(store.HostAddresses(h.name, &glue).ok());
    for (const auto& g : glue) {
      out += "  glue " + g.address.ToString() + " " + std::to_string(g.first_seen) + " " + std::to_string(g.last_seen) +
             "\n";
    }
  }
  for (const auto& d : domains) {
    DomainInfo info;
    EXPECT_TRUE(store.Domain(d, &info).ok()) << d;
    out += "domain " + d + "\n";
    for (const auto& ev : info.history) {
      out += "  " + std::to_string(ev.time) + " " + DomainEventName(ev.type);
      for (const auto& ns : ev.name_servers) out += " " + ns;
      out += "\n";
    }
  }
  StoreStats st;
  EXPECT_TRUE(store.Stats(&st).ok());
  out += "stats edges=" + std::to_string(st.edges) + " active=" + std::to_string(st.active_edges) +
         " domains=" + std::to_string(st.domains) + " ns=" + std::to_string(st.name_servers) +
         " glue=" + std::to_string(st.glue) + " snapshots=" + std::to_string(st.snapshots) + "\n";
  return out;
}

}  // namespace nsradar::nsdb::testing
