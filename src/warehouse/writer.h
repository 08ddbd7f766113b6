// Writer: a sensor's events, alerts and passive-DNS observations into the
// warehouse, in batches, without ever making detection wait for the network.
//
// The detecting thread calls AddEvent/AddAlert, which encode the row
// (RowBinary, warehouse/rows.h) into the table's open batch in memory: no
// I/O, one short lock. An event of the evidence tier (detect/evidence_tier.h)
// is also written to `evidence`, which the central evaluator reads
// (warehouse/correlator.h). Observations (AddObservations) are aggregated
// per (rrname, rrtype, rdata) while their batch is open
// (warehouse/observation_batch.h) and encoded when it closes. Batches of
// the four tables are independent. A batch closes at `batch_rows` rows or
// `batch_age` after its first row (observations: `batch_rows` distinct
// records, `observation_bytes` of them in memory, or `observation_age`). The spooling thread writes each closed batch
// to the spool (warehouse/spool.h: one fsync'ed file) before anything is sent; the sending thread sends the spool's
// batches oldest first and deletes each once ClickHouse acknowledged it. So the spool is both the queue of an
// unreachable warehouse and the journal that survives kill -9.
//
// Idempotence: every batch has an id, (sensor, seq), written into each of
// its rows with the row's index (batch_row). seq grows across restarts (at
// least the spool's highest, and at least the microseconds since 1970 at
// start, so a lost spool folder does not reuse one either). A batch whose
// fate is unknown (found in the spool at start, or after a failed send that
// may have stored some rows on some shards) is first looked up (which of
// its rows does the warehouse hold?) and only the missing rows are sent.
// docs/warehouse.md says why this rather than ReplacingMergeTree or insert
// deduplication.
//
// Failures: a warehouse that does not answer, answers an error for its
// state (shard down, timeout, overload) or lacks the schema leaves the
// batches in the spool, retried with backoff (200 ms doubling to 5 s); the
// first failure of a streak is logged as an error ("degraded"), recovery as
// info. A batch the server refuses as data (bad row, unknown column while
// the schema probe passes) moves to the spool's rejected/ folder, logged
// with the server's message. Dropped batches (memory queue or spool full:
// the newest goes, so the spool stays an ordered, gapless run) are counted
// and logged (at most every 10 s, with totals). Passwords never reach the
// log (errors name endpoints by Endpoint::Display).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "detect/alert.h"
#include "ingest/event.h"
#include "ingest/passive_dns.h"
#include "util/status.h"
#include "warehouse/observation_batch.h"
#include "warehouse/sink.h"
#include "warehouse/spool.h"

namespace nsradar::warehouse {

struct WriterOptions {
  std::string sensor;  // unique per sensor: it names the batches
  size_t batch_rows = 50'000;
  std::chrono::milliseconds batch_age{1000};
  // Observations repeat (the same NS records all day): a longer batch is
  // fewer rows in the warehouse, for at most this long of them lost to a
  // kill -9. Their batch's memory is bounded by observation_bytes too.
  std::chrono::milliseconds observation_age{60'000};
  uint64_t observation_bytes = uint64_t{16} << 20;
  std::string spool_dir;
  uint64_t spool_max_bytes = uint64_t{1} << 30;
  // Bytes of closed batches waiting in memory for the spooling thread (a
  // burst, a slow disk); beyond this the newest is dropped and counted.
  uint64_t max_waiting_bytes = uint64_t{128} << 20;
  std::chrono::milliseconds backoff_min{200}, backoff_max{5000};
};

struct WriterCounters {
  uint64_t rows_added = 0;       // rows encoded into batches
  uint64_t rows_spooled = 0;     // rows of batches written to the spool
  uint64_t event_rows_sent = 0;  // rows the warehouse acknowledged, per table
  uint64_t alert_rows_sent = 0;
  uint64_t evidence_rows_sent = 0;
  uint64_t observation_rows_sent = 0;
  uint64_t rows_already_stored = 0;  // rows a replay found in the warehouse and did not send again
  uint64_t batches_sent = 0;
  uint64_t send_failures = 0;
  uint64_t rejected_batches = 0;
  uint64_t dropped_batches = 0, dropped_rows = 0;
  uint64_t corrupt_files = 0;
  uint64_t spool_batches = 0, spool_bytes = 0;
  bool up = false;  // the last attempt reached a warehouse with the schema
};

class Writer {
 public:
  // Opens the spool (corrupt files are logged and set aside); nothing is
  // sent before Start.
  static Status Open(WriterOptions options, std::unique_ptr<Sink> sink, std::unique_ptr<Writer>* out);
  ~Writer();

  void Start();
  // Spools what is in memory, then stops both threads (a send under way
  // ends first, within the sink's deadline). Idempotent.
  void Stop();

  // Thread-safe; never blocks on I/O. An event of the evidence tier is
  // written to both dns_events and evidence.
  void AddEvent(const ingest::DnsEvent& ev);
  void AddAlert(const detect::Alert& alert, std::string_view json_line);
  // What passive DNS (ingest::PassiveDns) drew from events: NS records as
  // (domain, NS, name server) and name servers' addresses as (host, A or
  // AAAA, address), counted into the open observations batch.
  void AddObservations(const std::vector<ingest::PassiveNsRecord>& ns,
                       const std::vector<ingest::PassiveAddressRecord>& addresses);

  WriterCounters counters() const;
  // The counters in the Prometheus text format (nsradar_warehouse_*).
  std::string MetricsText() const;

 private:
  enum TableIndex { kEvents, kAlerts, kEvidence, kObservations, kTables };
  Writer(WriterOptions options, std::unique_ptr<Sink> sink, std::unique_ptr<Spool> spool);

  template <typename Encode>
  void Append(TableIndex table, Encode&& encode);
  void OpenLocked(TableIndex table);
  uint64_t OpenRowsLocked(TableIndex table) const;
  void CloseLocked(TableIndex table);
  void Dropped(uint64_t rows, const std::string& why);
  void SpoolLoop();
  void SendLoop();
  Status SendBatch(const Batch& batch);
  void Failed(const Status& s, bool* streak);
  bool Pause(std::chrono::milliseconds d);

  const WriterOptions options_;
  const std::unique_ptr<Sink> sink_;
  const std::unique_ptr<Spool> spool_;

  mutable std::mutex mu_;  // guards the open batches, waiting_ and stopping_
  std::condition_variable spool_cv_;
  Batch open_[kTables];            // observations: encoded from observations_ when closing
  ObservationBatch observations_;  // the open observations batch
  std::chrono::steady_clock::time_point opened_[kTables];
  std::deque<Batch> waiting_;
  uint64_t waiting_bytes_ = 0;  // of waiting_ and of the batches being spooled
  uint64_t next_seq_ = 0;
  bool stopping_ = false;

  std::mutex send_mu_;  // for send_cv_ and stop_sending_
  std::condition_variable send_cv_;
  bool stop_sending_ = false;
  // Batches whose rows may be partly stored: every batch below this
  // sequence number (spooled before the start) and those whose send failed.
  uint64_t uncertain_below_ = 0;
  std::set<uint64_t> uncertain_;  // the sending thread's

  std::atomic<uint64_t> rows_added_{0}, rows_spooled_{0}, rows_sent_[kTables] = {}, rows_already_stored_{0};
  std::atomic<uint64_t> batches_sent_{0}, send_failures_{0}, rejected_{0}, dropped_batches_{0}, dropped_rows_{0};
  std::atomic<uint64_t> corrupt_{0};
  std::atomic<bool> up_{false};
  std::atomic<int64_t> last_drop_log_ns_{0};

  std::thread spooler_, sender_;
  bool started_ = false;
};

}  // namespace nsradar::warehouse
