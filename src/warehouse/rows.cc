#include "warehouse/rows.h"

#include <fmt/format.h>

#include <algorithm>

#include "dns/rr_type.h"

namespace nsradar::warehouse {

namespace {

using T = ColumnType;

// A Nested(name String, type UInt16, ttl UInt32, data String) column is
// four arrays to RowBinary.
constexpr Column kEventColumns[] = {
    {"ts", T::kUInt32, false},
    {"usec", T::kUInt32, false},
    {"sensor", T::kString, false},
    {"vantage", T::kInt8, false},
    {"client", T::kAddress, false},
    {"server", T::kAddress, false},
    {"client_port", T::kUInt16, false},
    {"server_port", T::kUInt16, false},
    {"transport", T::kInt8, false},
    {"qname_raw", T::kString, false},
    {"qname", T::kString, false},
    {"registered_domain", T::kString, false},
    {"qtype", T::kUInt16, false},
    {"qclass", T::kUInt16, false},
    {"id", T::kUInt16, false},
    {"rcode", T::kInt16, false},
    {"has_query", T::kUInt8, false},
    {"has_response", T::kUInt8, false},
    {"query_size", T::kUInt32, false},
    {"response_size", T::kUInt32, false},
    {"answers.name", T::kString, true},
    {"answers.type", T::kUInt16, true},
    {"answers.ttl", T::kUInt32, true},
    {"answers.data", T::kString, true},
    {"authority_ns.name", T::kString, true},
    {"authority_ns.type", T::kUInt16, true},
    {"authority_ns.ttl", T::kUInt32, true},
    {"authority_ns.data", T::kString, true},
    {"glue.name", T::kString, true},
    {"glue.type", T::kUInt16, true},
    {"glue.ttl", T::kUInt32, true},
    {"glue.data", T::kString, true},
    {"bailiwick", T::kString, false},
    {"has_bailiwick", T::kUInt8, false},
    {"echo", T::kUInt8, false},
    {"batch_seq", T::kUInt64, false},
    {"batch_row", T::kUInt32, false},
};

constexpr Column kAlertColumns[] = {
    {"ts", T::kUInt32, false},        {"sensor", T::kString, false},
    {"alert_id", T::kString, false},  {"registered_domain", T::kString, false},
    {"kind", T::kString, false},      {"score", T::kFloat64, false},
    {"clients", T::kAddress, true},   {"detail", T::kString, false},
    {"batch_seq", T::kUInt64, false}, {"batch_row", T::kUInt32, false},
};

// Schema version 3's evidence table: enough of the event for the central
// evaluator to give the detector what it would have seen (the name as
// sent, the side, the rcode, the data answers carried, the NS targets the
// response named for the domain), plus the sensor's own class.
constexpr Column kEvidenceColumns[] = {
    {"ts", T::kUInt32, false},
    {"usec", T::kUInt32, false},
    {"sensor", T::kString, false},
    {"vantage", T::kInt8, false},
    {"client", T::kAddress, false},
    {"qname_raw", T::kString, false},
    {"qname", T::kString, false},
    {"registered_domain", T::kString, false},
    {"qtype", T::kUInt16, false},
    {"rcode", T::kInt16, false},
    {"has_response", T::kUInt8, false},
    {"query_size", T::kUInt32, false},
    {"response_size", T::kUInt32, false},
    {"answer_bytes", T::kUInt32, false},
    {"ns_targets", T::kString, true},
    {"encoded_bytes", T::kUInt32, false},
    {"marks", T::kString, true},
    {"batch_seq", T::kUInt64, false},
    {"batch_row", T::kUInt32, false},
};

// Schema version 1's observations table with version 2's batch id.
constexpr Column kObservationColumns[] = {
    {"sensor", T::kString, false},    {"registered_domain", T::kString, false},
    {"rrname", T::kString, false},    {"rrtype", T::kUInt16, false},
    {"rdata", T::kString, false},     {"first_seen", T::kUInt32, false},
    {"last_seen", T::kUInt32, false}, {"count", T::kUInt64, false},
    {"batch_seq", T::kUInt64, false}, {"batch_row", T::kUInt32, false},
};

const TableSpec kEvents{"dns_events", kEventColumns, "ts"};
const TableSpec kAlerts{"alerts", kAlertColumns, "ts"};
const TableSpec kEvidence{"evidence", kEvidenceColumns, "ts"};
const TableSpec kObservations{"observations", kObservationColumns, "last_seen"};

uint32_t ClampSeconds(int64_t s) { return static_cast<uint32_t>(std::clamp<int64_t>(s, 0, UINT32_MAX)); }
uint32_t Seconds(int64_t us) { return ClampSeconds(us / 1'000'000); }

void PutRecords(std::string* out, const std::vector<ingest::DnsRecordData>& records) {
  PutVarint64(out, records.size());
  for (const auto& r : records) PutString(out, r.name);
  PutVarint64(out, records.size());
  for (const auto& r : records) PutNumber<uint16_t>(out, r.type);
  PutVarint64(out, records.size());
  for (const auto& r : records) PutNumber<uint32_t>(out, r.ttl);
  PutVarint64(out, records.size());
  for (const auto& r : records) PutString(out, r.data);
}

// ts, usec, sensor, vantage: the first columns of events and evidence.
uint32_t PutEventHead(const ingest::DnsEvent& ev, const RowId& id, std::string* out) {
  const uint32_t ts = Seconds(ev.ts_us);
  PutNumber<uint32_t>(out, ts);
  PutNumber<uint32_t>(out, static_cast<uint32_t>(ev.ts_us < 0 ? 0 : ev.ts_us % 1'000'000));
  PutString(out, id.sensor);
  PutNumber<int8_t>(out, static_cast<int8_t>(ev.vantage));
  return ts;
}

void PutId(std::string* out, const RowId& id) {
  PutNumber<uint64_t>(out, id.batch_seq);
  PutNumber<uint32_t>(out, id.batch_row);
}

}  // namespace

const TableSpec& EventsTable() { return kEvents; }
const TableSpec& AlertsTable() { return kAlerts; }
const TableSpec& EvidenceTable() { return kEvidence; }
const TableSpec& ObservationsTable() { return kObservations; }

const TableSpec* FindTable(std::string_view name) {
  for (const TableSpec* t : {&kEvents, &kAlerts, &kEvidence, &kObservations}) {
    if (t->name == name) return t;
  }
  return nullptr;
}

std::string ColumnList(const TableSpec& table) {
  std::string out = "(";
  for (const Column& c : table.columns) {
    if (out.size() > 1) out += ", ";
    out += c.name;
  }
  return out + ")";
}

uint32_t AppendEventRow(const ingest::DnsEvent& ev, const RowId& id, std::string* out) {
  const uint32_t ts = PutEventHead(ev, id, out);
  PutAddress(out, ev.client);
  PutAddress(out, ev.server);
  PutNumber<uint16_t>(out, ev.client_port);
  PutNumber<uint16_t>(out, ev.server_port);
  PutNumber<int8_t>(out, static_cast<int8_t>(ev.transport));
  PutString(out, ev.qname_raw);
  PutString(out, ev.qname);
  PutString(out, ev.registered_domain());
  PutNumber<uint16_t>(out, ev.qtype);
  PutNumber<uint16_t>(out, ev.qclass);
  PutNumber<uint16_t>(out, ev.id);
  PutNumber<int16_t>(out, static_cast<int16_t>(std::clamp(ev.rcode, -1, 4095)));
  PutNumber<uint8_t>(out, ev.has_query);
  PutNumber<uint8_t>(out, ev.has_response);
  PutNumber<uint32_t>(out, ev.query_size);
  PutNumber<uint32_t>(out, ev.response_size);
  PutRecords(out, ev.answers);
  PutRecords(out, ev.authority_ns);
  PutRecords(out, ev.glue);
  PutString(out, ev.bailiwick);
  PutNumber<uint8_t>(out, ev.has_bailiwick);
  PutNumber<uint8_t>(out, ev.echo);
  PutId(out, id);
  return ts;
}

uint32_t AppendEvidenceRow(const ingest::DnsEvent& ev, const detect::EvidenceClass& evidence, const RowId& id,
                           std::string* out) {
  const uint32_t ts = PutEventHead(ev, id, out);
  PutAddress(out, ev.client);
  PutString(out, ev.qname_raw);
  PutString(out, ev.qname);
  PutString(out, ev.registered_domain());
  PutNumber<uint16_t>(out, ev.qtype);
  PutNumber<int16_t>(out, static_cast<int16_t>(std::clamp(ev.rcode, -1, 4095)));
  PutNumber<uint8_t>(out, ev.has_response);
  PutNumber<uint32_t>(out, ev.query_size);
  PutNumber<uint32_t>(out, ev.response_size);
  PutNumber<uint32_t>(out, ev.has_response ? detect::AnswerDataBytes(ev) : 0);
  // The NS records of the registered domain itself, in either section: the
  // detector's name-server facts (self-hosted) come from those.
  std::vector<std::string_view> ns;
  for (const auto* records : {&ev.answers, &ev.authority_ns}) {
    for (const ingest::DnsRecordData& r : *records) {
      if (r.type == dns::rr::kNS && r.name == ev.registered_domain()) ns.push_back(r.data);
    }
  }
  PutVarint64(out, ns.size());
  for (std::string_view target : ns) PutString(out, target);
  PutNumber<uint32_t>(out, evidence.encoded_bytes);
  PutVarint64(out, evidence.mark ? 1 : 0);
  if (evidence.mark) {
    PutString(out, fmt::format("{}/{}", evidence.mark.tool, detect::MarkConfidenceName(evidence.mark.confidence)));
  }
  PutId(out, id);
  return ts;
}

uint32_t AppendAlertRow(const detect::Alert& alert, std::string_view detail, const RowId& id, std::string* out) {
  const uint32_t ts = Seconds(alert.alert_time_us);
  PutNumber<uint32_t>(out, ts);
  PutString(out, id.sensor);
  // The sensor's own name for the alert: one alert per domain and moment.
  PutString(out, fmt::format("{}/{}/{}", id.sensor, alert.registered_domain, alert.alert_time_us));
  PutString(out, alert.registered_domain);
  PutString(out, detect::CategoryName(alert.category));
  PutNumber<double>(out, alert.score);
  PutVarint64(out, alert.clients.size());
  for (const auto& c : alert.clients) PutAddress(out, c.address);
  PutString(out, detail);
  PutId(out, id);
  return ts;
}

uint32_t AppendObservationRow(const ObservationRow& row, const RowId& id, std::string* out) {
  PutString(out, id.sensor);
  PutString(out, row.registered_domain);
  PutString(out, row.rrname);
  PutNumber<uint16_t>(out, row.rrtype);
  PutString(out, row.rdata);
  PutNumber<uint32_t>(out, ClampSeconds(row.first_seen));
  const uint32_t last = ClampSeconds(row.last_seen);
  PutNumber<uint32_t>(out, last);
  PutNumber<uint64_t>(out, row.count);
  PutId(out, id);
  return last;
}

}  // namespace nsradar::warehouse
