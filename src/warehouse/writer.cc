#include "warehouse/writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "dns/rr_type.h"
#include "util/log.h"
#include "warehouse/row_binary.h"
#include "warehouse/rows.h"

namespace nsradar::warehouse {

namespace {

constexpr std::string_view kTableNames[] = {"dns_events", "alerts", "evidence", "observations"};
constexpr int64_t kDropLogEveryNs = 10'000'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t MicrosSinceEpoch() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

Status Writer::Open(WriterOptions options, std::unique_ptr<Sink> sink, std::unique_ptr<Writer>* out) {
  if (options.sensor.empty()) return Status::InvalidArgument("warehouse: the sensor needs a name (sensor = NAME)");
  if (options.batch_rows == 0 || options.batch_rows > UINT32_MAX) {
    return Status::InvalidArgument("warehouse: batch rows must be 1 to 4294967295");
  }
  std::unique_ptr<Spool> spool;
  uint64_t corrupt = 0;
  NSRADAR_RETURN_IF_ERROR(Spool::Open(
      options.spool_dir, options.spool_max_bytes,
      [&](const std::string& what) {
        ++corrupt;
        Log(LogLevel::kError, "warehouse", "a corrupt spooled batch, set aside as .corrupt", {{"error", what}});
      },
      &spool));
  out->reset(new Writer(std::move(options), std::move(sink), std::move(spool)));
  (*out)->corrupt_ = corrupt;
  return Status::OK();
}

Writer::Writer(WriterOptions options, std::unique_ptr<Sink> sink, std::unique_ptr<Spool> spool)
    : options_(std::move(options)), sink_(std::move(sink)), spool_(std::move(spool)) {
  uncertain_below_ = spool_->max_seq() + 1;
  next_seq_ = std::max(uncertain_below_, MicrosSinceEpoch());
  if (spool_->batches() > 0) {
    Log(LogLevel::kInfo, "warehouse",
        fmt::format("{} batches ({} bytes) in the spool {} will be replayed", spool_->batches(), spool_->bytes(),
                    spool_->dir()));
  }
}

Writer::~Writer() { Stop(); }

void Writer::Start() {
  if (started_) return;
  started_ = true;
  spooler_ = std::thread([this] { SpoolLoop(); });
  sender_ = std::thread([this] { SendLoop(); });
}

void Writer::Stop() {
  if (!started_) return;
  started_ = false;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  spool_cv_.notify_all();
  spooler_.join();
  {
    std::lock_guard lock(send_mu_);
    stop_sending_ = true;
  }
  send_cv_.notify_all();
  sender_.join();
  if (dropped_batches_ > 0) {
    Log(LogLevel::kWarn, "warehouse",
        fmt::format("{} batches ({} rows) were dropped in this run", dropped_batches_.load(), dropped_rows_.load()));
  }
}

void Writer::OpenLocked(TableIndex table) {
  Batch& b = open_[table];
  b.table = kTableNames[table];
  b.sensor = options_.sensor;
  b.seq = next_seq_++;
  b.min_ts = UINT32_MAX;
  b.max_ts = 0;
}

uint64_t Writer::OpenRowsLocked(TableIndex table) const {
  return table == kObservations ? observations_.rows() : open_[table].rows;
}

template <typename Encode>
void Writer::Append(TableIndex table, Encode&& encode) {
  std::lock_guard lock(mu_);
  Batch& b = open_[table];
  if (b.rows == 0) {
    OpenLocked(table);
    opened_[table] = std::chrono::steady_clock::now();
  }
  const uint32_t ts = encode(RowId{options_.sensor, b.seq, b.rows}, &b.payload);
  b.min_ts = std::min(b.min_ts, ts);
  b.max_ts = std::max(b.max_ts, ts);
  ++b.rows;
  ++rows_added_;
  if (b.rows >= options_.batch_rows) CloseLocked(table);
}

void Writer::AddEvent(const ingest::DnsEvent& ev) {
  Append(kEvents, [&](const RowId& id, std::string* out) { return AppendEventRow(ev, id, out); });
  if (const detect::EvidenceClass evidence = detect::ClassifyEvidence(ev); evidence.in_tier) {
    Append(kEvidence, [&](const RowId& id, std::string* out) { return AppendEvidenceRow(ev, evidence, id, out); });
  }
}

void Writer::AddAlert(const detect::Alert& alert, std::string_view json_line) {
  Append(kAlerts, [&](const RowId& id, std::string* out) { return AppendAlertRow(alert, json_line, id, out); });
}

void Writer::AddObservations(const std::vector<ingest::PassiveNsRecord>& ns,
                             const std::vector<ingest::PassiveAddressRecord>& addresses) {
  if (ns.empty() && addresses.empty()) return;
  std::lock_guard lock(mu_);
  if (observations_.rows() == 0) opened_[kObservations] = std::chrono::steady_clock::now();
  for (const ingest::PassiveNsRecord& r : ns) observations_.Add(r.domain, dns::rr::kNS, r.ns, r.time);
  for (const ingest::PassiveAddressRecord& r : addresses) {
    observations_.Add(r.host, r.address.family == 4 ? dns::rr::kA : dns::rr::kAAAA, r.address.ToString(), r.time);
  }
  if (observations_.rows() >= options_.batch_rows || observations_.bytes() >= options_.observation_bytes) {
    CloseLocked(kObservations);
  }
}

void Writer::CloseLocked(TableIndex table) {
  Batch& b = open_[table];
  if (table == kObservations) {
    // The batch gets its id when it closes: its rows exist only now.
    OpenLocked(table);
    observations_.Encode(&b);
    rows_added_ += b.rows;
  }
  if (waiting_bytes_ + b.payload.size() > options_.max_waiting_bytes) {
    Dropped(b.rows, fmt::format("{} bytes of closed batches wait for the spool (a slow disk)", waiting_bytes_));
  } else {
    waiting_bytes_ += b.payload.size();
    waiting_.push_back(std::move(b));
    spool_cv_.notify_one();
  }
  b = Batch{};
}

void Writer::Dropped(uint64_t rows, const std::string& why) {
  ++dropped_batches_;
  dropped_rows_ += rows;
  int64_t last = last_drop_log_ns_.load(), now = NowNs();
  if (now - last >= kDropLogEveryNs && last_drop_log_ns_.compare_exchange_strong(last, now)) {
    Log(LogLevel::kError, "warehouse",
        fmt::format("a batch of {} rows was dropped: {}; {} batches ({} rows) dropped so far", rows, why,
                    dropped_batches_.load(), dropped_rows_.load()));
  }
}

void Writer::SpoolLoop() {
  std::unique_lock lock(mu_);
  for (bool last = false; !last;) {
    spool_cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return !waiting_.empty() || stopping_; });
    last = stopping_;
    const auto now = std::chrono::steady_clock::now();
    for (int t = 0; t < kTables; ++t) {
      const auto age = t == kObservations ? options_.observation_age : options_.batch_age;
      if (OpenRowsLocked(TableIndex(t)) > 0 && (last || now - opened_[t] >= age)) CloseLocked(TableIndex(t));
    }
    std::deque<Batch> batches;
    batches.swap(waiting_);
    lock.unlock();
    for (const Batch& b : batches) {
      Status s = spool_->Put(b);
      {
        std::lock_guard done(mu_);
        waiting_bytes_ -= b.payload.size();
      }
      if (!s.ok()) {
        Dropped(b.rows, s.ToString());
        continue;
      }
      rows_spooled_ += b.rows;
    }
    if (!batches.empty()) send_cv_.notify_one();
    lock.lock();
  }
}

bool Writer::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(send_mu_);
  return !send_cv_.wait_for(lock, d, [&] { return stop_sending_; });
}

void Writer::Failed(const Status& s, bool* streak) {
  up_ = false;
  if (*streak) {
    Log(LogLevel::kDebug, "warehouse", "still unavailable", {{"error", s.ToString()}});
    return;
  }
  *streak = true;
  Log(LogLevel::kError, "warehouse",
      fmt::format("the warehouse is unavailable; degraded: batches are spooled to {} (at most {} bytes) and sent when "
                  "it answers, detection goes on",
                  spool_->dir(), options_.spool_max_bytes),
      {{"error", s.ToString()}});
}

void Writer::SendLoop() {
  bool ready = false, failing = false;
  auto backoff = options_.backoff_min;
  auto fail = [&](const Status& s) {
    Failed(s, &failing);
    ready = false;
    const bool go_on = Pause(backoff);
    backoff = std::min(backoff * 2, options_.backoff_max);
    return go_on;
  };
  // The first probe runs at once, so a wrong URL or password is reported
  // at start, not with the first batch.
  for (bool probed = false;;) {
    {
      std::unique_lock lock(send_mu_);
      send_cv_.wait_for(lock, std::chrono::milliseconds(200),
                        [&] { return stop_sending_ || spool_->Oldest().has_value() || !probed; });
      if (stop_sending_) return;
    }
    const std::optional<uint64_t> head = spool_->Oldest();
    if (!ready && (head || !probed)) {
      probed = true;
      if (Status s = sink_->Probe(); !s.ok()) {
        if (!fail(s)) return;
        continue;
      }
      ready = true;
      up_ = true;
      if (failing) {
        Log(LogLevel::kInfo, "warehouse",
            fmt::format("the warehouse answers again; replaying {} spooled batches", spool_->batches()));
      }
      failing = false;
    }
    if (!head) continue;
    Batch batch;
    if (Status s = spool_->Read(*head, &batch); !s.ok()) {
      ++corrupt_;
      Log(LogLevel::kError, "warehouse", "a corrupt spooled batch, set aside as .corrupt", {{"error", s.ToString()}});
      continue;
    }
    Status s = SendBatch(batch);
    if (s.ok()) {
      uncertain_.erase(batch.seq);
      ++batches_sent_;
      backoff = options_.backoff_min;
      if (Status r = spool_->Remove(batch.seq); !r.ok()) {
        // Sent again at the next start, where the lookup finds its rows.
        Log(LogLevel::kError, "warehouse", "removing a sent batch from the spool", {{"error", r.ToString()}});
        if (!fail(r)) return;
      }
      continue;
    }
    uncertain_.insert(batch.seq);
    ++send_failures_;
    if (s.code() == Status::Code::kInvalidArgument) {
      // Refused as data. A schema that changed under us is the cluster's
      // state, not the batch's fault: look before setting the batch aside.
      if (Status p = sink_->Probe(); !p.ok()) {
        if (!fail(p)) return;
        continue;
      }
      ++rejected_;
      const Status r = spool_->Reject(batch.seq);
      Log(LogLevel::kError, "warehouse",
          fmt::format("the warehouse refused batch {} of {} ({} rows); kept in {}/rejected", batch.seq, batch.table,
                      batch.rows, spool_->dir()),
          {{"error", s.ToString()}, {"move", r.ok() ? "done" : r.ToString()}});
      if (!r.ok() && !fail(r)) return;
      continue;
    }
    if (!fail(s)) return;
  }
}

Status Writer::SendBatch(const Batch& batch) {
  TableIndex table = kEvents;
  for (int t = 0; t < kTables; ++t) {
    if (batch.table == kTableNames[t]) table = TableIndex(t);
  }
  std::string_view rows = batch.payload;
  uint64_t count = batch.rows;
  std::string missing;
  if (batch.seq < uncertain_below_ || uncertain_.contains(batch.seq)) {
    std::vector<uint32_t> stored;
    NSRADAR_RETURN_IF_ERROR(sink_->StoredRows(batch, &stored));
    if (!stored.empty()) {
      std::vector<bool> have(batch.rows);
      for (uint32_t r : stored) {
        if (r < batch.rows) have[r] = true;
      }
      std::vector<size_t> starts;
      NSRADAR_RETURN_IF_ERROR(SplitRows(batch.payload, batch.rows, FindTable(batch.table)->columns, &starts));
      count = 0;
      for (uint32_t r = 0; r < batch.rows; ++r) {
        if (have[r]) continue;
        missing.append(batch.payload, starts[r], starts[r + 1] - starts[r]);
        ++count;
      }
      rows_already_stored_ += batch.rows - count;
      if (count == 0) return Status::OK();
      rows = missing;
    }
  }
  NSRADAR_RETURN_IF_ERROR(sink_->Insert(batch, rows));
  rows_sent_[table] += count;
  return Status::OK();
}

WriterCounters Writer::counters() const {
  WriterCounters c;
  c.rows_added = rows_added_;
  c.rows_spooled = rows_spooled_;
  c.event_rows_sent = rows_sent_[kEvents];
  c.alert_rows_sent = rows_sent_[kAlerts];
  c.evidence_rows_sent = rows_sent_[kEvidence];
  c.observation_rows_sent = rows_sent_[kObservations];
  c.rows_already_stored = rows_already_stored_;
  c.batches_sent = batches_sent_;
  c.send_failures = send_failures_;
  c.rejected_batches = rejected_;
  c.dropped_batches = dropped_batches_;
  c.dropped_rows = dropped_rows_;
  c.corrupt_files = corrupt_;
  c.spool_batches = spool_->batches();
  c.spool_bytes = spool_->bytes();
  c.up = up_;
  return c;
}

std::string Writer::MetricsText() const {
  const WriterCounters c = counters();
  std::string out;
  auto o = std::back_inserter(out);
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help, uint64_t value) {
    fmt::format_to(o, "# HELP nsradar_warehouse_{0} {1}\n# TYPE nsradar_warehouse_{0} {2}\nnsradar_warehouse_{0} {3}\n",
                   name, help, type, value);
  };
  metric("up", "gauge", "Whether the last attempt reached a warehouse with the schema.", c.up ? 1 : 0);
  metric("rows_added_total", "counter", "Rows (events, alerts, evidence, observations) put into batches.",
         c.rows_added);
  metric("rows_spooled_total", "counter", "Rows of batches written to the spool.", c.rows_spooled);
  fmt::format_to(o,
                 "# HELP nsradar_warehouse_rows_sent_total Rows the warehouse acknowledged, per table.\n"
                 "# TYPE nsradar_warehouse_rows_sent_total counter\n"
                 "nsradar_warehouse_rows_sent_total{{table=\"dns_events\"}} {}\n"
                 "nsradar_warehouse_rows_sent_total{{table=\"alerts\"}} {}\n"
                 "nsradar_warehouse_rows_sent_total{{table=\"evidence\"}} {}\n"
                 "nsradar_warehouse_rows_sent_total{{table=\"observations\"}} {}\n",
                 c.event_rows_sent, c.alert_rows_sent, c.evidence_rows_sent, c.observation_rows_sent);
  metric("rows_already_stored_total", "counter", "Rows of replayed batches the warehouse held already (not resent).",
         c.rows_already_stored);
  metric("batches_sent_total", "counter", "Batches the warehouse acknowledged.", c.batches_sent);
  metric("send_failures_total", "counter", "Failed sends (retried, or rejected).", c.send_failures);
  metric("rejected_batches_total", "counter", "Batches the warehouse refused as data, kept in the spool's rejected/.",
         c.rejected_batches);
  metric("dropped_batches_total", "counter", "Batches dropped: spool or memory queue full, or the spool failed.",
         c.dropped_batches);
  metric("dropped_rows_total", "counter", "Rows of dropped batches.", c.dropped_rows);
  metric("corrupt_spool_files_total", "counter", "Spooled batches found corrupt and set aside.", c.corrupt_files);
  metric("spool_batches", "gauge", "Batches in the spool waiting to be sent.", c.spool_batches);
  metric("spool_bytes", "gauge", "Bytes in the spool, rejected batches included.", c.spool_bytes);
  return out;
}

}  // namespace nsradar::warehouse
