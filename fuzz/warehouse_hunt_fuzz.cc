// The hunt's parsers and SQL (warehouse/hunt_tsv.h, hunt_sql.h) on any
// bytes: a TabSeparated answer parses into rows that escape back into an
// answer parsing to the same rows, or is an error naming row or offset; a
// cursor (of events, of observations) decodes into a position that encodes
// and decodes to itself; and a domain, whatever its bytes, changes nothing of a statement outside its
// string literals.
#include <cstddef>
#include <cstdint>
#include <string>

#include "warehouse/hunt_sql.h"
#include "warehouse/hunt_tsv.h"

namespace {

using namespace nsradar::warehouse;

std::string Escape(const std::string& field) {
  std::string out;
  for (char c : field) {
    switch (c) {
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The statement with the bodies of its '...' literals dropped.
std::string Skeleton(const std::string& sql) {
  std::string out;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (quoted && sql[i] == '\\') {
      ++i;
      continue;
    }
    if (sql[i] == '\'') quoted = !quoted;
    if (!quoted || sql[i] == '\'') out += sql[i];
  }
  if (quoted) __builtin_trap();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t columns = data[0] % 16 + 1;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::vector<TsvRow> rows, again;
  nsradar::Status s = ParseTsv(text, columns, &rows);
  if (s.ok()) {
    std::string answer;
    for (const TsvRow& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) answer += (i ? "\t" : "") + Escape(row[i]);
      answer += '\n';
    }
    if (!ParseTsv(answer, columns, &again).ok() || again != rows) __builtin_trap();
  } else if (s.message().find("offset") == std::string::npos) {
    __builtin_trap();
  }

  HuntEvent position, back;
  if (DecodeCursor(text, &position).ok()) {
    if (!DecodeCursor(EncodeCursor(position), &back).ok() || back.sensor != position.sensor || back.ts != position.ts ||
        back.usec != position.usec || back.batch_seq != position.batch_seq || back.batch_row != position.batch_row) {
      __builtin_trap();
    }
  }

  HuntObservation record, record_back;
  if (DecodeObservationCursor(text, &record).ok()) {
    if (!DecodeObservationCursor(EncodeObservationCursor(record), &record_back).ok() ||
        record_back.rrname != record.rrname || record_back.rrtype != record.rrtype ||
        record_back.rdata != record.rdata) {
      __builtin_trap();
    }
  }

  HuntDomain domain;
  if (CheckHuntDomain(text, &domain).ok()) {
    const HuntDomain hostile{domain.name, domain.name}, plain{"a.example", "a.example"};
    const SchemaNames names;
    const TimeWindow window;
    if (Skeleton(EventsSql(names, hostile, window, 10, &position)) !=
            Skeleton(EventsSql(names, plain, window, 10, &position)) ||
        Skeleton(ClientsSql(names, hostile, window, 10)) != Skeleton(ClientsSql(names, plain, window, 10)) ||
        Skeleton(TimelineSql(names, hostile, window)) != Skeleton(TimelineSql(names, plain, window)) ||
        Skeleton(ObservationsSql(names, hostile, window, 10, &record)) !=
            Skeleton(ObservationsSql(names, plain, window, 10, &record))) {
      __builtin_trap();
    }
  }
  return 0;
}
