// The warehouse writer's spool files and the RowBinary rows inside them:
// any bytes are a batch that encodes back to the same bytes, or an error
// naming an offset; as rows of each table they decode row by row, each
// advancing, never beyond the bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "warehouse/row_binary.h"
#include "warehouse/rows.h"
#include "warehouse/spool.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nsradar::warehouse;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Batch batch;
  nsradar::Status s = DecodeBatchFile(bytes, &batch);
  if (s.ok() && EncodeBatchFile(batch) != bytes) __builtin_trap();
  if (!s.ok() && s.message().find("offset ") == std::string::npos) __builtin_trap();
  for (const TableSpec* table : {&EventsTable(), &AlertsTable(), &EvidenceTable(), &ObservationsTable()}) {
    size_t offset = 0;
    while (offset < bytes.size()) {
      const size_t before = offset;
      std::vector<std::string> values;
      if (!DecodeRow(bytes, &offset, table->columns, &values).ok()) break;
      if (offset <= before || offset > bytes.size() || values.size() != table->columns.size()) __builtin_trap();
    }
  }
  return 0;
}
