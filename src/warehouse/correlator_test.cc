// The central evaluator against a fake evidence table: a tunnel spread
// round-robin over three sensors stays under each sensor's thresholds and
// is alerted once centrally; rows are read incrementally (each fed once,
// late ones within the lateness too); a restart rebuilds without alerting
// again; bad rows and state files are errors naming the place.
#include "warehouse/correlator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "detect/evidence_tier.h"
#include "detect/testing/benign_corpus.h"
#include "dns/rr_type.h"
#include "warehouse/row_binary.h"
#include "warehouse/rows.h"
#include "warehouse/test_batches.h"

namespace nsradar::warehouse {
namespace {

using testing::ScratchDir;

constexpr uint32_t kStart = 1'790'000'000;

struct FakeTable {
  std::vector<std::pair<uint32_t, std::string>> rows;  // (ts, RowBinary row)
  std::vector<uint32_t> reads;                         // since_ts of every read
  bool down = false;
};

class FakeReader : public EvidenceReader {
 public:
  explicit FakeReader(FakeTable* t) : t_(t) {}
  Status Read(uint32_t since_ts, std::string* rows) override {
    if (t_->down) return Status::IOError("http://127.0.0.1:1: Connection refused");
    t_->reads.push_back(since_ts);
    rows->clear();
    for (const auto& [ts, row] : t_->rows) {
      if (ts >= since_ts) *rows += row;
    }
    return Status::OK();
  }

 private:
  FakeTable* t_;
};

// A tunnel's queries: new base32 names under tun.example, TXT answers of
// data, one a second.
std::vector<ingest::DnsEvent> Tunnel(int n, uint32_t start = kStart, const std::string& client = "10.1.7.23") {
  std::mt19937 rng(7);
  const char* alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  std::vector<ingest::DnsEvent> out;
  for (int i = 0; i < n; ++i) {
    ingest::DnsEvent ev;
    ev.ts_us = int64_t{start + static_cast<uint32_t>(i)} * 1'000'000;
    ev.client = *dns::Address::Parse(client);
    std::string label;
    for (int k = 0; k < 40; ++k) label += alphabet[rng() % 32];
    ev.qname = ev.qname_raw = label + ".tun.example";
    ev.registered_offset = ev.qname.size() - std::string_view("tun.example").size();
    ev.qtype = dns::rr::kTXT;
    ev.has_query = ev.has_response = true;
    ev.rcode = 0;
    ev.answers.push_back({ev.qname, dns::rr::kTXT, 0, std::string(100, 'x')});
    out.push_back(std::move(ev));
  }
  return out;
}

detect::DetectorOptions NoMarks() {
  detect::DetectorOptions o;
  o.fingerprints = false;  // the tunnel must be found by its traffic alone
  return o;
}

// Sensor `sensor`'s evidence row of `ev`, as its writer encodes it.
void Write(FakeTable* t, const ingest::DnsEvent& ev, const std::string& sensor, uint64_t seq, uint32_t row) {
  const detect::EvidenceClass c = detect::ClassifyEvidence(ev);
  ASSERT_TRUE(c.in_tier);
  std::string payload;
  const uint32_t ts = AppendEvidenceRow(ev, c, {sensor, seq, row}, &payload);
  t->rows.emplace_back(ts, std::move(payload));
}

std::unique_ptr<Correlator> Open(FakeTable* t, const std::string& state, std::vector<detect::Alert>* alerts,
                                 uint32_t now = kStart) {
  CorrelatorOptions o;
  o.name = "central";
  o.state_path = state;
  o.detector = NoMarks();
  std::unique_ptr<Correlator> c;
  Status s = Correlator::Open(
      o, std::make_unique<FakeReader>(t), [alerts](detect::Alert& a) { alerts->push_back(a); }, now, &c);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return c;
}

TEST(Correlator, AnEvidenceRowReadsBackIntoTheEventTheSensorSaw) {
  ingest::DnsEvent ev = Tunnel(1)[0];
  ev.vantage = ingest::Vantage::kResolver;
  ev.rcode = 3;
  ev.authority_ns.push_back({"tun.example", dns::rr::kNS, 60, "ns.tun.example"});
  std::string payload;
  AppendEvidenceRow(ev, detect::ClassifyEvidence(ev), {"s2", 41, 6}, &payload);
  size_t offset = 0;
  std::vector<std::string> values;
  ASSERT_TRUE(DecodeRow(payload, &offset, EvidenceTable().columns, &values).ok());
  ingest::DnsEvent back;
  EvidenceRowId id;
  Status s = EvidenceEvent(values, &back, &id);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(id, (EvidenceRowId{"s2", 41, 6}));
  EXPECT_EQ(back.ts_us, ev.ts_us);
  EXPECT_EQ(back.client, ev.client);
  EXPECT_EQ(back.vantage, ev.vantage);
  EXPECT_EQ(back.qname, ev.qname);
  EXPECT_EQ(back.qname_raw, ev.qname_raw);
  EXPECT_EQ(back.registered_domain(), "tun.example");
  EXPECT_EQ(back.qtype, ev.qtype);
  EXPECT_EQ(back.rcode, 3);
  EXPECT_TRUE(back.has_query && back.has_response);
  EXPECT_EQ(detect::AnswerDataBytes(back), detect::AnswerDataBytes(ev));
  ASSERT_EQ(back.authority_ns.size(), 1u);
  EXPECT_EQ(back.authority_ns[0].data, "ns.tun.example");
  EXPECT_EQ(detect::ClassifyEvidence(back).name.shape, detect::ClassifyEvidence(ev).name.shape);

  // A row whose registered domain is not the name's end is refused.
  values[7] = "other.example";
  s = EvidenceEvent(values, &back, &id);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("other.example"), std::string::npos) << s.message();
  values[7] = "tun.example";
  values[0] = "x";
  EXPECT_FALSE(EvidenceEvent(values, &back, &id).ok());
  values.pop_back();
  EXPECT_FALSE(EvidenceEvent(values, &back, &id).ok());
}

TEST(Correlator, ATunnelSpreadOverThreeSensorsIsAlertedCentrallyOnce) {
  // Where the whole stream alerts, on one detector that saw all of it.
  std::vector<ingest::DnsEvent> all = Tunnel(200);
  size_t needed = 0;
  {
    detect::Detector one(NoMarks());
    std::vector<detect::Alert> alerts;
    for (; needed < all.size() && alerts.empty(); ++needed) one.Add(all[needed], &alerts);
    ASSERT_EQ(alerts.size(), 1u);
  }
  all.resize(needed);
  // Round-robin over three sensors: none of them alerts.
  FakeTable table;
  for (int s = 0; s < 3; ++s) {
    detect::Detector sensor(NoMarks());
    std::vector<detect::Alert> alerts;
    for (size_t i = s; i < all.size(); i += 3) {
      sensor.Add(all[i], &alerts);
      Write(&table, all[i], fmt::format("s{}", s), 1000 + s, static_cast<uint32_t>(i / 3));
    }
    EXPECT_TRUE(alerts.empty()) << "sensor " << s << " alerted alone on " << all.size() / 3 << " of " << needed;
  }
  // The correlator sees them all, the first half in one poll, the rest in
  // the next.
  std::sort(table.rows.begin(), table.rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<uint32_t, std::string>> later(table.rows.begin() + table.rows.size() / 2, table.rows.end());
  table.rows.resize(table.rows.size() / 2);
  ScratchDir dir;
  std::vector<detect::Alert> alerts;
  auto c = Open(&table, dir.path() + "/state", &alerts);
  ASSERT_TRUE(c->Poll().ok());
  EXPECT_TRUE(alerts.empty());
  table.rows.insert(table.rows.end(), later.begin(), later.end());
  ASSERT_TRUE(c->Poll().ok());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].registered_domain, "tun.example");
  ASSERT_FALSE(alerts[0].clients.empty());
  EXPECT_EQ(alerts[0].clients[0].address, *dns::Address::Parse("10.1.7.23"));
  EXPECT_EQ(c->counters().rows_fed, needed);  // each row once across the two polls
  // Nothing new: nothing fed, nothing raised.
  ASSERT_TRUE(c->Poll().ok());
  EXPECT_EQ(c->counters().rows_fed, needed);
  EXPECT_EQ(alerts.size(), 1u);
  EXPECT_EQ(c->counters().watermark, kStart + needed - 1);
}

TEST(Correlator, ClientsOfEverySiteAreNamed) {
  // The same tunnel domain used from two sites' hosts, each site's sensor
  // seeing one host.
  std::vector<ingest::DnsEvent> a = Tunnel(40, kStart, "10.1.7.23"), b = Tunnel(40, kStart, "10.2.0.9");
  FakeTable table;
  for (size_t i = 0; i < a.size(); ++i) {
    b[i].qname = b[i].qname_raw = "x" + b[i].qname;  // other names than a's
    b[i].registered_offset += 1;
    Write(&table, a[i], "site-a", 1, static_cast<uint32_t>(i));
    Write(&table, b[i], "site-b", 1, static_cast<uint32_t>(i));
  }
  ScratchDir dir;
  std::vector<detect::Alert> alerts;
  auto c = Open(&table, dir.path() + "/state", &alerts);
  ASSERT_TRUE(c->Poll().ok());
  ASSERT_EQ(alerts.size(), 1u);
  std::vector<dns::Address> clients;
  for (const auto& cl : alerts[0].clients) clients.push_back(cl.address);
  EXPECT_NE(std::find(clients.begin(), clients.end(), *dns::Address::Parse("10.1.7.23")), clients.end());
}

TEST(Correlator, LateRowsWithinTheLatenessAreFedOnceAndTheWatermarkSurvivesARestart) {
  FakeTable table;
  std::vector<ingest::DnsEvent> tunnel = Tunnel(200, kStart + 1000);
  ScratchDir dir;
  const std::string state = dir.path() + "/state";
  std::vector<detect::Alert> alerts;
  auto c = Open(&table, state, &alerts, kStart + 1000);
  // s1's rows come at once; s2's batch of the same seconds later: its
  // rows within the lateness (60 s before the newest read) are fed, older
  // ones are not read.
  for (size_t i = 0; i < 100; i += 2) Write(&table, tunnel[i], "s1", 1, static_cast<uint32_t>(i));
  ASSERT_TRUE(c->Poll().ok());
  EXPECT_EQ(c->counters().rows_fed, 50u);
  EXPECT_EQ(table.reads.back(), kStart + 1000 - 600);  // a first start: the rebuild window before now
  for (size_t i = 1; i < 100; i += 2) Write(&table, tunnel[i], "s2", 1, static_cast<uint32_t>(i));
  ASSERT_TRUE(c->Poll().ok());
  EXPECT_EQ(table.reads.back(), kStart + 1000 + 98 - 60);  // the watermark less the lateness
  EXPECT_EQ(c->counters().rows_fed, 50u + 31u);            // s2's rows 39..99
  ASSERT_TRUE(c->Poll().ok());
  EXPECT_EQ(c->counters().rows_fed, 81u);
  ASSERT_EQ(alerts.size(), 1u);
  // A warehouse that does not answer: an error, nothing changes.
  table.down = true;
  EXPECT_FALSE(c->Poll().ok());
  table.down = false;
  c.reset();

  // The state: the watermark and the domain alerted.
  std::ifstream in(state);
  std::string text;
  for (std::string line; std::getline(in, line);) text += line + "\n";
  EXPECT_EQ(text, fmt::format("watermark {}\nalerted tun.example\n", kStart + 1000 + 99));

  // A restart rebuilds from the rows before the watermark and goes on;
  // the tunnel, still running, is not alerted again.
  for (size_t i = 100; i < 200; ++i) Write(&table, tunnel[i], i % 2 ? "s2" : "s1", 2, static_cast<uint32_t>(i));
  c = Open(&table, state, &alerts, kStart + 5000);
  ASSERT_TRUE(c->Poll().ok());
  EXPECT_EQ(table.reads.back(), kStart + 1000 + 99 - 600);  // the rebuild window
  EXPECT_EQ(c->counters().rows_fed, 200u);
  EXPECT_EQ(alerts.size(), 1u);
  EXPECT_EQ(c->counters().suppressed, 1u);
}

TEST(Correlator, ADayOfBenignEvidenceRaisesNoDataChannelAlert) {
  // The evidence tier of the benign corpus (an office day), every row from
  // one of three sensors: the central evaluator, which lacks the plain
  // queries a sensor sees, must not turn it into tunnels either.
  std::vector<std::string> hosts;
  ASSERT_TRUE(
      detect::testing::LoadHostList(std::string(NSRADAR_TESTDATA) + "/detect/benign-hosts.txt.zst", &hosts).ok());
  FakeTable table;
  uint32_t n = 0;
  detect::testing::GenerateBenignCorpus(hosts, {}, [&](const ingest::DnsEvent& ev) {
    const detect::EvidenceClass c = detect::ClassifyEvidence(ev);
    if (!c.in_tier) return;
    std::string row;
    const uint32_t ts = AppendEvidenceRow(ev, c, {fmt::format("s{}", n % 3), 1, n}, &row);
    table.rows.emplace_back(ts, std::move(row));
    ++n;
  });
  ASSERT_GT(n, 10'000u);
  ScratchDir dir;
  std::vector<detect::Alert> alerts;
  CorrelatorOptions o;
  o.name = "central";
  o.state_path = dir.path() + "/state";
  std::unique_ptr<Correlator> c;
  ASSERT_TRUE(Correlator::Open(
                  o, std::make_unique<FakeReader>(&table), [&](detect::Alert& a) { alerts.push_back(a); }, 0, &c)
                  .ok());
  ASSERT_TRUE(c->Poll().ok());
  EXPECT_EQ(c->counters().rows_fed, n);
  for (const auto& a : alerts) {
    EXPECT_FALSE(detect::IsDataChannel(a.category))
        << detect::CategoryName(a.category) << " alert on benign evidence: " << a.registered_domain;
  }
}

TEST(Correlator, BadStateFilesAndRowsAreErrorsNamingThePlace) {
  ScratchDir dir;
  const std::string state = dir.path() + "/state";
  {
    std::ofstream out(state);
    out << "watermark 5\nalerted a.example\nwatermark minus-one\n";
  }
  FakeTable table;
  CorrelatorOptions o;
  o.name = "central";
  o.state_path = state;
  std::unique_ptr<Correlator> c;
  Status s = Correlator::Open(
      o, std::make_unique<FakeReader>(&table), [](detect::Alert&) {}, kStart, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(state + ":3:"), std::string::npos) << s.message();
  o.name.clear();
  EXPECT_FALSE(Correlator::Open(
                   o, std::make_unique<FakeReader>(&table), [](detect::Alert&) {}, kStart, &c)
                   .ok());

  // A truncated answer: the error names the column and the offset; every
  // cut of a valid row fails without reading beyond it.
  std::vector<detect::Alert> alerts;
  auto ok = Open(&table, dir.path() + "/state2", &alerts);
  Write(&table, Tunnel(1)[0], "s1", 1, 0);
  const std::string row = table.rows[0].second;
  for (size_t cut = 1; cut < row.size(); ++cut) {
    table.rows[0].second = row.substr(0, cut);
    s = ok->Poll();
    ASSERT_FALSE(s.ok()) << cut;
    EXPECT_NE(s.message().find("offset"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace nsradar::warehouse
