#include "pipeline/pipeline.h"

#include <fmt/format.h>

#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/alert_stream.h"
#include "api/api_keys.h"
#include "api/http_server.h"
#include "api/metrics.h"
#include "api/service.h"
#include "ingest/inputs.h"
#include "ingest/passive_dns.h"
#include "intel/import.h"
#include "intel/ns_oracle.h"
#include "intel/rpz.h"
#include "intel/store_allowlist.h"
#include "nsdb/store.h"
#include "util/log.h"
#include "util/service_notify.h"
#include "warehouse/clickhouse_sink.h"
#include "warehouse/hunt.h"
#include "warehouse/writer.h"

namespace nsradar::pipeline {
namespace {

// A Prometheus label value: backslash, quote and newline escaped.
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// What the metrics thread may read of an input while its thread runs: a
// copy of the source's counters, refreshed every few thousand events and
// at the end.
struct InputState {
  explicit InputState(std::string n) : name(std::move(n)) {}
  const std::string name;
  std::atomic<bool> running{false};
  mutable std::mutex mu;  // guards stats and status
  ingest::SourceStats stats;
  Status status;
};

// An input's counters are copied out for /metrics every 4096 events, and at
// least once a second while events come, so a quiet resolver's input does
// not look stalled (docs/operating.md: NsradarInputStalled).
constexpr uint64_t kSnapshotEvery = 4096;
constexpr int64_t kSnapshotEveryNs = 1'000'000'000;

// A clock that costs a few nanoseconds per read (the coarse one: ticks of
// a few milliseconds are plenty here).
int64_t CoarseNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

class Pipeline::Impl {
 public:
  Impl(Config config, PipelineHooks hooks) : config_(std::move(config)), hooks_(std::move(hooks)) {}

  Status Init() {
    if (!ingest::ParseFormat(config_.input_format, &format_)) {
      return Status::InvalidArgument("input_format '" + config_.input_format + "': expected one of " +
                                     ingest::FormatNames());
    }
    if (!detect::ParseAlertEnvelope(config_.envelope, &envelope_)) {
      return Status::InvalidArgument("envelope '" + config_.envelope + "': expected plain, eve or ecs");
    }
    allow_ = detect::Allowlist::BuiltIn();
    for (const auto& path : config_.allowlists) NSRADAR_RETURN_IF_ERROR(allow_.LoadFile(path, "allowlisted"));
    NSRADAR_RETURN_IF_ERROR(keys_.Load(config_.api_keys));
    nsdb::StoreOptions so;
    so.block_cache_bytes = config_.cache_mb << 20;
    NSRADAR_RETURN_IF_ERROR(nsdb::Store::Open(config_.store, so, &store_));
    name_servers_ = std::make_unique<intel::StoreNameServerOracle>(store_.get());
    detect::DetectorOptions detector_options;
    detector_options.name_servers = name_servers_.get();
    detector_options.fingerprints = config_.fingerprints;
    detector_ = std::make_unique<detect::Detector>(detector_options, allow_);
    detect::Allowlist marks;  // the analysts' false positives
    NSRADAR_RETURN_IF_ERROR(intel::AddStoreAllowlist(*store_, &marks));
    detector_->SetMarked(std::move(marks));
    AlertSinkOptions sink_options;
    sink_options.store = store_.get();
    sink_options.out_path = config_.alerts_out;
    sink_options.envelope = envelope_;
    sink_options.on_alert = [this](const detect::Alert& a, const std::string& line) {
      {
        std::lock_guard lock(alerts_mu_);
        ++alerts_by_category_[std::string(detect::CategoryName(a.category))];
      }
      if (hooks_.on_alert) hooks_.on_alert(a, line);
      if (writer_) writer_->AddAlert(a, line);
    };
    // The RPZ is made from the store, so it follows what the store has taken,
    // including alerts that waited out a full disk.
    // The web UI's live list hears of an alert once the store has it, so a
    // click on it finds it there.
    sink_options.on_kept = [this](const detect::Alert& a) {
      rpz_dirty_ = true;
      std::string json;
      detect::AppendAlertJson(a, detect::AlertEnvelope::kPlain, &json);
      alert_stream_.Publish(json);
    };
    NSRADAR_RETURN_IF_ERROR(AlertSink::Open(std::move(sink_options), &sink_));
    NSRADAR_RETURN_IF_ERROR(OpenWarehouse());
    ImportIntel();
    rpz_dirty_ = !config_.rpz_out.empty();
    for (const auto& input : ingest::ExpandInputs(config_.inputs)) {
      inputs_.push_back(std::make_unique<InputState>(input));
    }

    api::ServiceOptions service_options;
    service_options.rate_limit = config_.rate_limit;
    service_options.extra_metrics = [this](std::string* out) { out->append(MetricsText()); };
    // Analysts' blocks from the API or the web UI go into the RPZ.
    service_options.writable_store = store_.get();
    service_options.on_store_changed = [this] {
      rpz_dirty_ = true;
      ReadMarks();
    };
    service_options.rpz_path = config_.rpz_out;
    service_options.rpz.origin = config_.rpz_origin;
    service_options.rpz.action = config_.rpz_action;
    service_options.rpz.allowlist = &allow_;
    service_options.alert_stream = &alert_stream_;
    // A sensor with a warehouse answers /v2/hunt from it (the Service copies
    // the target).
    warehouse::HuntTarget hunt;
    hunt.shards = config_.warehouse;
    hunt.names.database = config_.warehouse_database;
    if (!hunt.shards.empty()) service_options.hunt = &hunt;
    service_ = std::make_unique<api::Service>(store_.get(), &keys_, &metrics_, service_options);
    server_ = std::make_unique<api::HttpServer>(service_.get(), &metrics_, config_.server);
    return server_->Listen();
  }

  uint16_t port() const { return server_->port(); }

  void Run(bool handle_signals) {
    stop_inputs_ = false;
    if (writer_) writer_->Start();
    std::vector<std::thread> threads;
    for (auto& input : inputs_) threads.emplace_back([this, state = input.get()] { RunInput(*state); });
    auto interval =
        std::chrono::milliseconds(static_cast<int64_t>(std::max(0.05, config_.rpz_interval_seconds) * 1000));
    server_->Every(interval, [this] {
      sink_->Retry();
      ExportRpz();
    });
    if (handle_signals) server_->HandleSignals([this] { ReloadData(); });
    Log(LogLevel::kInfo, "serve",
        fmt::format("pipeline on {} ({} inputs), API on port {}", config_.store, inputs_.size(), port()));
    if (Status s = NotifyServiceManager("READY=1"); !s.ok()) Log(LogLevel::kWarn, "serve", s.ToString());
    server_->Run();
    stop_inputs_ = true;
    for (auto& t : threads) t.join();
    sink_->Retry();
    if (writer_) writer_->Stop();  // what is in memory goes to the spool
    ExportRpz();
    Log(LogLevel::kInfo, "serve", fmt::format("stopped; {} alerts", sink_->counters().emitted));
  }

  void Stop() { server_->Stop(); }

  void Reload() {
    if (Status s = server_->Reload(); !s.ok()) {
      Log(LogLevel::kError, "serve", "reloading the server failed; the previous certificate stays in force",
          {{"error", s.ToString()}});
    }
    ReloadData();
  }

  std::string MetricsText() const {
    std::string out;
    auto o = std::back_inserter(out);
    fmt::format_to(o,
                   "# HELP nsradar_input_up Whether the input is being read.\n"
                   "# TYPE nsradar_input_up gauge\n");
    for (const auto& in : inputs_)
      fmt::format_to(o, "nsradar_input_up{{input=\"{}\"}} {}\n", LabelValue(in->name), in->running ? 1 : 0);
    fmt::format_to(o,
                   "# HELP nsradar_input_records_total Packets, frames or lines read per input.\n"
                   "# TYPE nsradar_input_records_total counter\n"
                   "# HELP nsradar_input_events_total DNS events per input.\n"
                   "# TYPE nsradar_input_events_total counter\n"
                   "# HELP nsradar_input_skipped_total Input skipped (dropped) per input and reason.\n"
                   "# TYPE nsradar_input_skipped_total counter\n");
    for (const auto& in : inputs_) {
      std::lock_guard lock(in->mu);
      const std::string name = LabelValue(in->name);
      fmt::format_to(o, "nsradar_input_records_total{{input=\"{}\"}} {}\n", name, in->stats.records);
      fmt::format_to(o, "nsradar_input_events_total{{input=\"{}\"}} {}\n", name, in->stats.events);
      for (const auto& [reason, n] : in->stats.skipped) {
        fmt::format_to(o, "nsradar_input_skipped_total{{input=\"{}\",reason=\"{}\"}} {}\n", name, LabelValue(reason),
                       n);
      }
    }
    fmt::format_to(o,
                   "# HELP nsradar_alerts_total Alerts raised, by category.\n"
                   "# TYPE nsradar_alerts_total counter\n");
    {
      std::lock_guard lock(alerts_mu_);
      for (const auto& [category, n] : alerts_by_category_) {
        fmt::format_to(o, "nsradar_alerts_total{{category=\"{}\"}} {}\n", LabelValue(category), n);
      }
    }
    AlertSinkCounters c = sink_->counters();
    fmt::format_to(o,
                   "# HELP nsradar_alerts_pending Alerts waiting for the store or alerts_out (a full disk).\n"
                   "# TYPE nsradar_alerts_pending gauge\n"
                   "nsradar_alerts_pending {}\n"
                   "# HELP nsradar_alerts_dropped_total Alerts dropped from a full waiting queue.\n"
                   "# TYPE nsradar_alerts_dropped_total counter\n"
                   "nsradar_alerts_dropped_total {}\n"
                   "# HELP nsradar_alert_store_failures_total Failed attempts to keep an alert in the store.\n"
                   "# TYPE nsradar_alert_store_failures_total counter\n"
                   "nsradar_alert_store_failures_total {}\n"
                   "# HELP nsradar_alert_file_failures_total Failed attempts to append an alert to alerts_out.\n"
                   "# TYPE nsradar_alert_file_failures_total counter\n"
                   "nsradar_alert_file_failures_total {}\n"
                   "# HELP nsradar_rpz_writes_total RPZ zone files written.\n"
                   "# TYPE nsradar_rpz_writes_total counter\n"
                   "nsradar_rpz_writes_total {}\n"
                   "# HELP nsradar_rpz_failures_total Failed RPZ writes (retried).\n"
                   "# TYPE nsradar_rpz_failures_total counter\n"
                   "nsradar_rpz_failures_total {}\n"
                   "# HELP nsradar_detector_domains Registered domains the detector tracks.\n"
                   "# TYPE nsradar_detector_domains gauge\n"
                   "nsradar_detector_domains {}\n"
                   "# HELP nsradar_detector_clients Clients the detector has seen.\n"
                   "# TYPE nsradar_detector_clients gauge\n"
                   "nsradar_detector_clients {}\n",
                   c.pending, c.dropped, c.store_failures, c.file_failures, rpz_writes_.load(), rpz_failures_.load(),
                   detector_domains_.load(), detector_clients_.load());
    alert_stream_.AppendMetrics(&out);
    if (writer_) out += writer_->MetricsText();
    return out;
  }

  AlertSinkCounters alert_counters() const { return sink_->counters(); }

 private:
  void RunInput(InputState& state) {
    ingest::SourceOptions options;
    options.stop = &stop_inputs_;
    options.follow = config_.follow;
    options.vantage = config_.vantage;
    std::unique_ptr<ingest::EventSource> source;
    Status s = ingest::OpenInput(state.name, format_, options, &source);
    state.running = s.ok();
    std::vector<detect::Alert> fresh;
    if (s.ok()) {
      uint64_t events = 0;
      int64_t last_snapshot_ns = CoarseNowNs();
      s = source->Run([&](const ingest::DnsEvent& ev) {
        if (++events % kSnapshotEvery == 0 || CoarseNowNs() - last_snapshot_ns >= kSnapshotEveryNs) {
          last_snapshot_ns = CoarseNowNs();
          std::lock_guard lock(state.mu);
          state.stats = source->stats();
        }
        std::lock_guard lock(detect_mu_);
        if (marks_pending_.load(std::memory_order_acquire)) TakeMarks();
        detector_->Add(ev, &fresh);
        if (writer_) {
          writer_->AddEvent(ev);
          // Passive DNS for the warehouse's observations: the writer
          // aggregates them per batch, so they are handed on at once.
          passive_.Add(ev);
          if (passive_.pending() > 0) {
            passive_.Drain(&passive_ns_, &passive_addresses_);
            writer_->AddObservations(passive_ns_, passive_addresses_);
          }
        }
        for (auto& a : fresh) {
          sink_->Emit(a);
        }
        fresh.clear();
        detector_domains_ = detector_->domains();
        detector_clients_ = detector_->clients();
      });
    }
    state.running = false;
    {
      std::lock_guard lock(state.mu);
      if (source) state.stats = source->stats();
      state.status = s;
    }
    const ingest::SourceStats none;
    std::string summary = ingest::InputSummary(state.name, source ? source->stats() : none, s);
    const bool failed = !s.ok() || (source && !source->stats().input_error.ok());
    Log(failed ? LogLevel::kError : LogLevel::kInfo, "input", summary);
  }

  // The analysts' false positives as the store has them now, for the
  // detector's next event: read here, on the server thread that changed
  // them, so the inputs' threads only swap a list in. Reads are serialised
  // so the last one published is the latest.
  void ReadMarks() {
    std::lock_guard lock(marks_mu_);
    detect::Allowlist marks;
    if (Status s = intel::AddStoreAllowlist(*store_, &marks); !s.ok()) {
      Log(LogLevel::kError, "serve", "reading the allowlist for the detector; it keeps the previous one",
          {{"error", s.ToString()}});
      return;
    }
    pending_marks_ = std::move(marks);
    marks_pending_.store(true, std::memory_order_release);
  }

  // Under detect_mu_. Never waits for a read in progress: the next event
  // tries again.
  void TakeMarks() {
    std::unique_lock lock(marks_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    if (pending_marks_) detector_->SetMarked(std::move(*pending_marks_));
    pending_marks_.reset();
    marks_pending_.store(false, std::memory_order_relaxed);
  }

  // The warehouse writer, when configured: a bad spool folder stops the
  // start; an unreachable warehouse does not (the writer reports it and
  // spools).
  Status OpenWarehouse() {
    if (config_.warehouse.empty()) return Status::OK();
    warehouse::SchemaNames names;
    names.database = config_.warehouse_database;
    NSRADAR_RETURN_IF_ERROR(warehouse::CheckNames(names));
    warehouse::WriterOptions wo;
    wo.sensor = config_.sensor;
    wo.batch_rows = config_.warehouse_batch_rows;
    wo.batch_age = config_.warehouse_batch_age;
    wo.observation_age = config_.warehouse_observations_age;
    wo.spool_dir = config_.warehouse_spool;
    wo.spool_max_bytes = uint64_t{config_.warehouse_spool_mb} << 20;
    return warehouse::Writer::Open(std::move(wo), warehouse::NewClickHouseSink(config_.warehouse, names), &writer_);
  }

  // Every intel file, each replacing its earlier indicators. A feed that
  // fails keeps its earlier indicators; the others go on.
  void ImportIntel() {
    for (const auto& file : config_.intel) {
      intel::IndicatorFileOptions fo;
      fo.default_category = config_.intel_category;
      fo.added = static_cast<int64_t>(std::time(nullptr));
      uint64_t shown = 0;
      fo.on_error = [&](const std::string& place, const std::string& why) {
        if (++shown <= 10) Log(LogLevel::kWarn, "intel", why, {{"place", place}});
      };
      intel::FetchOptions fetch;
      fetch.ca_file = config_.intel_ca_file;
      intel::ImportResult r;
      if (Status s = intel::ImportIndicators(*store_, file, fo, /*replace=*/true, &r, fetch); !s.ok()) {
        Log(LogLevel::kError, "intel", "import failed; the feed's earlier indicators stay", {{"error", s.ToString()}});
        continue;
      }
      Log(LogLevel::kInfo, "intel",
          fmt::format("{}: {} indicators ({}), {} lines skipped, {} replaced", file, r.indicators, r.stats.format,
                      r.stats.errors, r.replaced));
    }
  }

  void ReloadData() {
    if (Status s = ReopenLogFile(); !s.ok()) {
      Log(LogLevel::kError, "serve", "reopening the log", {{"error", s.ToString()}});
    }
    if (Status s = keys_.Load(config_.api_keys); !s.ok()) {
      Log(LogLevel::kError, "serve", "reloading API keys; the previous keys stay in force", {{"error", s.ToString()}});
    }
    ImportIntel();
    ReadMarks();
    rpz_dirty_ = !config_.rpz_out.empty();
  }

  // Rewrites the zone when anything changed since the last write; a failed
  // write is tried again on the next tick.
  void ExportRpz() {
    if (config_.rpz_out.empty() || !rpz_dirty_.exchange(false)) return;
    intel::RpzOptions rpz;
    rpz.origin = config_.rpz_origin;
    rpz.action = config_.rpz_action;
    rpz.allowlist = &allow_;
    if (Status s = intel::ExportRpzAndReload(*store_, rpz, config_.rpz_out, config_.rpz_reload_command); !s.ok()) {
      ++rpz_failures_;
      Log(LogLevel::kError, "rpz", "writing the RPZ failed; retrying", {{"error", s.ToString()}});
      rpz_dirty_ = true;
      return;
    }
    ++rpz_writes_;
  }

  const Config config_;
  const PipelineHooks hooks_;
  ingest::Format format_ = ingest::Format::kAuto;
  detect::AlertEnvelope envelope_ = detect::AlertEnvelope::kPlain;
  detect::Allowlist allow_;  // built-in and files' entries; the store's marks change, so are read apart
  api::ApiKeys keys_;
  std::unique_ptr<nsdb::Store> store_;
  api::AlertStream alert_stream_;              // before sink_, which publishes to it until destroyed
  std::unique_ptr<warehouse::Writer> writer_;  // before sink_: the sink's on_alert uses it
  std::unique_ptr<AlertSink> sink_;
  std::mutex detect_mu_;  // the detector and the sink's order serve every input thread
  // Under detect_mu_: the warehouse's passive DNS and its drained records
  // (kept for their capacity). Addresses are taken for name servers this
  // stream named (no store lookups on the detecting thread).
  ingest::PassiveDns passive_;
  std::vector<ingest::PassiveNsRecord> passive_ns_;
  std::vector<ingest::PassiveAddressRecord> passive_addresses_;
  std::unique_ptr<intel::StoreNameServerOracle> name_servers_;  // reads store_
  std::unique_ptr<detect::Detector> detector_;                  // asks name_servers_
  std::mutex marks_mu_;                                         // guards pending_marks_
  std::optional<detect::Allowlist> pending_marks_;              // for the detector's next event
  std::atomic<bool> marks_pending_{false};
  std::atomic<uint64_t> detector_domains_{0}, detector_clients_{0};
  std::vector<std::unique_ptr<InputState>> inputs_;
  std::atomic<bool> stop_inputs_{false};
  std::atomic<bool> rpz_dirty_{false};
  std::atomic<uint64_t> rpz_writes_{0}, rpz_failures_{0};
  mutable std::mutex alerts_mu_;  // guards alerts_by_category_
  std::map<std::string, uint64_t> alerts_by_category_;
  api::Metrics metrics_;
  std::unique_ptr<api::Service> service_;
  std::unique_ptr<api::HttpServer> server_;
};

Status Pipeline::Create(const Config& config, PipelineHooks hooks, std::unique_ptr<Pipeline>* out) {
  auto impl = std::make_unique<Impl>(config, std::move(hooks));
  NSRADAR_RETURN_IF_ERROR(impl->Init());
  out->reset(new Pipeline(std::move(impl)));
  return Status::OK();
}

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;
uint16_t Pipeline::port() const { return impl_->port(); }
void Pipeline::Run(bool handle_signals) { impl_->Run(handle_signals); }
void Pipeline::Stop() { impl_->Stop(); }
void Pipeline::Reload() { impl_->Reload(); }
std::string Pipeline::MetricsText() const { return impl_->MetricsText(); }
AlertSinkCounters Pipeline::alert_counters() const { return impl_->alert_counters(); }

}  // namespace nsradar::pipeline
