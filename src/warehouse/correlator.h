// Correlator: the central evaluator of the warehouse (docs/warehouse.md,
// "One detection across sensors"). Every few seconds it reads the evidence
// rows all sensors wrote since its watermark, reads each back into the
// event the sensor's detector saw (EvidenceEvent), and feeds them, in time
// order, to one detect::Detector with the sensors' own scoring: a tunnel
// whose queries a load balancer spreads over N resolvers shows each sensor
// a third, and the correlator the whole. Its alerts name every site's
// clients; each is raised once (AlertFn), however often it restarts.
//
// Incremental reading: a poll reads rows with ts >= watermark - lateness,
// the watermark being the newest ts read so far. Rows seen in that overlap
// are remembered by their id (sensor, batch_seq, batch_row) and not fed
// twice, so a sensor's batch arriving up to `lateness` after its events
// (batch age, a short outage, a partial insert completed later) is still
// counted once; rows later than that are not read (counted by nothing: a
// sensor that spooled for longer than `lateness` is evaluated only by
// itself).
//
// Restarts: the state file (ReplaceFile: written whole or not at all)
// holds the watermark and every domain alerted, and is rewritten before an
// alert is handed on. After a restart the detector's memory is rebuilt from
// the rows of the last `rebuild` seconds before the watermark; domains in
// the state file are not alerted again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "detect/detector.h"
#include "util/status.h"
#include "warehouse/endpoint.h"
#include "warehouse/http_client.h"
#include "warehouse/schema.h"

namespace nsradar::warehouse {

// Where the correlator reads evidence rows: the cluster, or a fake.
class EvidenceReader {
 public:
  virtual ~EvidenceReader() = default;
  // RowBinary rows of EvidenceTable()'s columns with ts >= since_ts.
  virtual Status Read(uint32_t since_ts, std::string* rows) = 0;
};

// Reads db.evidence (the Distributed table) from the first endpoint that
// answers.
std::unique_ptr<EvidenceReader> NewClickHouseEvidenceReader(std::vector<Endpoint> endpoints, SchemaNames names,
                                                            QueryOptions options = {});

// The row's identity and the event the sensor's detector saw, read from
// one evidence row's decoded values (in EvidenceTable()'s column order).
struct EvidenceRowId {
  std::string sensor;
  uint64_t batch_seq = 0;
  uint32_t batch_row = 0;
  auto operator<=>(const EvidenceRowId&) const = default;
};
Status EvidenceEvent(const std::vector<std::string>& values, ingest::DnsEvent* ev, EvidenceRowId* id);

struct CorrelatorOptions {
  std::string name;        // the correlator's name in `alerts` (sensor)
  std::string state_path;  // the watermark and the domains alerted
  std::chrono::seconds lateness{60};
  std::chrono::seconds rebuild{600};  // the detector's short window
  // As the sensors' (serve's `allowlist` files and the built-in list).
  detect::DetectorOptions detector;
  detect::Allowlist allowlist = detect::Allowlist::BuiltIn();
};

struct CorrelatorCounters {
  uint64_t polls = 0, rows_read = 0, rows_fed = 0, alerts = 0, suppressed = 0;
  uint32_t watermark = 0;
};

class Correlator {
 public:
  using AlertFn = std::function<void(detect::Alert& alert)>;
  // Loads the state file (a missing file: a first start, reading from
  // `now_ts - rebuild`); a malformed one is an error naming file:line.
  static Status Open(CorrelatorOptions options, std::unique_ptr<EvidenceReader> reader, AlertFn on_alert,
                     uint32_t now_ts, std::unique_ptr<Correlator>* out);

  // One poll: reads, feeds, alerts. An unreachable warehouse is an error
  // and changes nothing; the next poll tries again.
  Status Poll();
  CorrelatorCounters counters() const { return counters_; }

 private:
  Correlator(CorrelatorOptions options, std::unique_ptr<EvidenceReader> reader, AlertFn on_alert);
  Status SaveState() const;

  const CorrelatorOptions options_;
  const std::unique_ptr<EvidenceReader> reader_;
  const AlertFn on_alert_;
  detect::Detector detector_;
  uint32_t watermark_ = 0;                             // newest ts read
  uint32_t read_from_ = 0;                             // the first poll's start
  std::set<std::pair<uint32_t, EvidenceRowId>> seen_;  // rows fed with ts >= watermark - lateness
  std::unordered_set<std::string> alerted_;
  CorrelatorCounters counters_;
};

}  // namespace nsradar::warehouse
