// The rows sensors write to the warehouse, in RowBinary: which columns of
// which table (schema version 3, warehouse/schema.h), and the encoding of
// an event of the event model (ingest::DnsEvent), of an evidence-tier
// event, of an alert and of a passive-DNS observation. Every row
// carries its batch id (sensor, batch_seq) and its index in the batch
// (batch_row), which name it once (docs/warehouse.md, idempotence).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "detect/alert.h"
#include "detect/evidence_tier.h"
#include "ingest/event.h"
#include "warehouse/row_binary.h"

namespace nsradar::warehouse {

struct TableSpec {
  std::string_view name;  // the Distributed table, without the database
  std::span<const Column> columns;
  // The DateTime column the table is partitioned by: a batch's time range
  // (Batch::min_ts/max_ts) is of this column, so that the lookup of a
  // replayed batch's rows reads only its partitions.
  std::string_view time_column;
};

const TableSpec& EventsTable();
const TableSpec& AlertsTable();
const TableSpec& EvidenceTable();
const TableSpec& ObservationsTable();
// nullptr when no table of that name is written by sensors.
const TableSpec* FindTable(std::string_view name);

// "(ts, usec, ..., batch_row)": the INSERT's column list.
std::string ColumnList(const TableSpec& table);

struct RowId {
  std::string_view sensor;
  uint64_t batch_seq = 0;
  uint32_t batch_row = 0;
};

// The row's DateTime (seconds, clamped to UInt32) is returned: batches
// remember their time range to look up their rows in the day partitions.
uint32_t AppendEventRow(const ingest::DnsEvent& ev, const RowId& id, std::string* out);
// An event of the evidence tier (detect/evidence_tier.h) with its class:
// what the central evaluator reads back into the event (EvidenceEvent).
uint32_t AppendEvidenceRow(const ingest::DnsEvent& ev, const detect::EvidenceClass& evidence, const RowId& id,
                           std::string* out);
// `detail` is the alert's JSON line.
uint32_t AppendAlertRow(const detect::Alert& alert, std::string_view detail, const RowId& id, std::string* out);

// One (rrname, rrtype, rdata) as a batch of one sensor summarises it
// (warehouse/observation_batch.h). Returns last_seen, the partition's time.
struct ObservationRow {
  std::string_view registered_domain;  // of rrname; "" for a public suffix
  std::string_view rrname;
  uint16_t rrtype = 0;
  std::string_view rdata;
  int64_t first_seen = 0, last_seen = 0;  // UNIX seconds
  uint64_t count = 0;
};
uint32_t AppendObservationRow(const ObservationRow& row, const RowId& id, std::string* out);

}  // namespace nsradar::warehouse
