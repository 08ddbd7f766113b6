#include "warehouse/correlator.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>

#include "dns/rr_type.h"
#include "util/atomic_file.h"
#include "warehouse/row_binary.h"
#include "warehouse/rows.h"

namespace nsradar::warehouse {

namespace {

class ClickHouseEvidenceReader : public EvidenceReader {
 public:
  ClickHouseEvidenceReader(std::vector<Endpoint> endpoints, SchemaNames names, QueryOptions options)
      : endpoints_(std::move(endpoints)), names_(std::move(names)), options_(options) {}

  Status Read(uint32_t since_ts, std::string* rows) override {
    std::string columns = ColumnList(EvidenceTable());
    columns = columns.substr(1, columns.size() - 2);
    const std::string sql = fmt::format("SELECT {} FROM {}.evidence WHERE ts >= toDateTime({}) FORMAT RowBinary",
                                        columns, names_.database, since_ts);
    Status last = Status::InvalidArgument("no warehouse endpoint");
    for (const Endpoint& e : endpoints_) {
      rows->clear();
      last = Post(e, QueryTarget(sql), "", rows, options_);
      if (last.ok()) return last;
    }
    return last;
  }

 private:
  const std::vector<Endpoint> endpoints_;
  const SchemaNames names_;
  const QueryOptions options_;
};

template <typename T>
bool Number(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

dns::Address MappedAddress(std::string_view b) {
  dns::Address a;
  if (b.size() != 16 || b.find_first_not_of('\0') == std::string_view::npos) return a;
  if (b.substr(0, 10).find_first_not_of('\0') == std::string_view::npos && b[10] == '\xff' && b[11] == '\xff') {
    a.family = 4;
    std::memcpy(a.bytes.data(), b.data() + 12, 4);
  } else {
    a.family = 6;
    std::memcpy(a.bytes.data(), b.data(), 16);
  }
  return a;
}

// "[a,b]" as DecodeRow prints an array of strings.
std::vector<std::string> Elements(std::string_view text) {
  std::vector<std::string> out;
  if (text.size() <= 2) return out;
  text = text.substr(1, text.size() - 2);
  for (size_t at = 0; at <= text.size();) {
    const size_t comma = std::min(text.find(',', at), text.size());
    out.emplace_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

}  // namespace

std::unique_ptr<EvidenceReader> NewClickHouseEvidenceReader(std::vector<Endpoint> endpoints, SchemaNames names,
                                                            QueryOptions options) {
  return std::make_unique<ClickHouseEvidenceReader>(std::move(endpoints), std::move(names), options);
}

Status EvidenceEvent(const std::vector<std::string>& v, ingest::DnsEvent* ev, EvidenceRowId* id) {
  const auto columns = EvidenceTable().columns;
  if (v.size() != columns.size()) {
    return Status::InvalidArgument(fmt::format("an evidence row of {} values, expected {}", v.size(), columns.size()));
  }
  auto col = [&](std::string_view name) -> const std::string& {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].name == name) return v[i];
    }
    return v[0];  // unreachable: the names below are the table's
  };
  uint32_t ts = 0, usec = 0, answer_bytes = 0;
  int vantage = 0, rcode = 0, has_response = 0;
  *ev = ingest::DnsEvent{};
  if (!Number(col("ts"), &ts) || !Number(col("usec"), &usec) || !Number(col("vantage"), &vantage) ||
      !Number(col("qtype"), &ev->qtype) || !Number(col("rcode"), &rcode) ||
      !Number(col("has_response"), &has_response) || !Number(col("query_size"), &ev->query_size) ||
      !Number(col("response_size"), &ev->response_size) || !Number(col("answer_bytes"), &answer_bytes) ||
      !Number(col("batch_seq"), &id->batch_seq) || !Number(col("batch_row"), &id->batch_row)) {
    return Status::InvalidArgument("an evidence row with a number out of range");
  }
  id->sensor = col("sensor");
  ev->ts_us = int64_t{ts} * 1'000'000 + usec;
  ev->vantage = vantage == 1 ? ingest::Vantage::kResolver : ingest::Vantage::kClient;
  ev->client = MappedAddress(col("client"));
  ev->qname_raw = col("qname_raw");
  ev->qname = col("qname");
  const std::string& registered = col("registered_domain");
  if (registered.empty() || !ev->qname.ends_with(registered) ||
      (ev->qname.size() > registered.size() && ev->qname[ev->qname.size() - registered.size() - 1] != '.')) {
    return Status::InvalidArgument(
        fmt::format("an evidence row whose registered domain '{}' does not end '{}'", registered, ev->qname));
  }
  ev->registered_offset = ev->qname.size() - registered.size();
  if (ev->qname_raw.size() != ev->qname.size()) ev->qname_raw = ev->qname;
  ev->rcode = rcode;
  ev->has_query = true;
  ev->has_response = has_response != 0;
  // The data the answers carried, as one record of that many bytes in the
  // RFC 3597 form the detector counts (detect::AnswerDataBytes).
  if (answer_bytes > 0) ev->answers.push_back({ev->qname, 0, 0, fmt::format("\\# {}", answer_bytes)});
  for (std::string& target : Elements(col("ns_targets"))) {
    ev->authority_ns.push_back({registered, dns::rr::kNS, 0, std::move(target)});
  }
  return Status::OK();
}

Correlator::Correlator(CorrelatorOptions options, std::unique_ptr<EvidenceReader> reader, AlertFn on_alert)
    : options_(std::move(options)),
      reader_(std::move(reader)),
      on_alert_(std::move(on_alert)),
      detector_(options_.detector, options_.allowlist) {}

Status Correlator::Open(CorrelatorOptions options, std::unique_ptr<EvidenceReader> reader, AlertFn on_alert,
                        uint32_t now_ts, std::unique_ptr<Correlator>* out) {
  if (options.name.empty()) return Status::InvalidArgument("correlate: the correlator needs a name (--name)");
  if (options.state_path.empty()) return Status::InvalidArgument("correlate: the state file needs a path (--state)");
  std::unique_ptr<Correlator> c(new Correlator(std::move(options), std::move(reader), std::move(on_alert)));
  const uint32_t rebuild = static_cast<uint32_t>(c->options_.rebuild.count());
  uint32_t watermark = now_ts;
  std::ifstream in(c->options_.state_path);
  if (in) {
    // "watermark SECONDS", then "alerted DOMAIN" lines.
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      const size_t space = line.find(' ');
      const std::string_view key = std::string_view(line).substr(0, space);
      const std::string_view value = space == std::string::npos ? "" : std::string_view(line).substr(space + 1);
      if (key == "watermark" && Number(value, &watermark)) continue;
      if (key == "alerted" && !value.empty()) {
        c->alerted_.emplace(value);
        continue;
      }
      return Status::InvalidArgument(fmt::format("{}:{}: expected 'watermark SECONDS' or 'alerted DOMAIN', got '{}'",
                                                 c->options_.state_path, n, line.substr(0, 80)));
    }
  }
  c->watermark_ = watermark;
  c->read_from_ = watermark > rebuild ? watermark - rebuild : 0;
  c->counters_.watermark = watermark;
  *out = std::move(c);
  return Status::OK();
}

Status Correlator::SaveState() const {
  std::string text = fmt::format("watermark {}\n", watermark_);
  std::vector<std::string> domains(alerted_.begin(), alerted_.end());
  std::sort(domains.begin(), domains.end());
  for (const std::string& d : domains) text += fmt::format("alerted {}\n", d);
  return ReplaceFile(options_.state_path, text);
}

Status Correlator::Poll() {
  const uint32_t lateness = static_cast<uint32_t>(options_.lateness.count());
  const uint32_t since = read_from_ != 0 ? read_from_ : (watermark_ > lateness ? watermark_ - lateness : 0);
  std::string payload;
  NSRADAR_RETURN_IF_ERROR(reader_->Read(since, &payload));
  ++counters_.polls;
  struct Fed {
    ingest::DnsEvent ev;
    EvidenceRowId id;
  };
  std::vector<Fed> fresh;
  std::vector<std::string> values;
  uint32_t newest = watermark_;
  for (size_t offset = 0; offset < payload.size();) {
    values.clear();
    const size_t start = offset;
    NSRADAR_RETURN_IF_ERROR(DecodeRow(payload, &offset, EvidenceTable().columns, &values));
    ++counters_.rows_read;
    Fed f;
    if (Status s = EvidenceEvent(values, &f.ev, &f.id); !s.ok()) {
      return Status::Corruption(fmt::format("the evidence row at offset {} of the answer: {}", start, s.message()));
    }
    const uint32_t ts = static_cast<uint32_t>(f.ev.ts_us / 1'000'000);
    if (!seen_.emplace(ts, f.id).second) continue;
    newest = std::max(newest, ts);
    fresh.push_back(std::move(f));
  }
  // In time order across sensors, as one sensor would have seen them.
  std::sort(fresh.begin(), fresh.end(), [](const Fed& a, const Fed& b) { return a.ev.ts_us < b.ev.ts_us; });
  std::vector<detect::Alert> alerts;
  for (const Fed& f : fresh) detector_.Add(f.ev, &alerts);
  counters_.rows_fed += fresh.size();
  read_from_ = 0;
  watermark_ = newest;
  counters_.watermark = newest;
  while (!seen_.empty() && seen_.begin()->first + lateness < watermark_) seen_.erase(seen_.begin());
  std::vector<detect::Alert*> raised;
  for (detect::Alert& a : alerts) {
    if (!alerted_.insert(a.registered_domain).second) {
      ++counters_.suppressed;
      continue;
    }
    raised.push_back(&a);
  }
  // The state first: an alert handed on is never raised again. A state
  // that cannot be written does not hold the alerts back (a restart may
  // then raise them again): losing one would be worse.
  const Status saved = SaveState();
  for (detect::Alert* a : raised) {
    ++counters_.alerts;
    on_alert_(*a);
  }
  return saved;
}

}  // namespace nsradar::warehouse
