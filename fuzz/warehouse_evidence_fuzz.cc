// The central evaluator's reading of evidence rows (warehouse/correlator.h):
// any bytes as the warehouse's RowBinary answer decode row by row, each
// advancing and never beyond the bytes, and each decoded row reads back
// into an event whose registered domain ends its name, or is refused.
#include <cstddef>
#include <cstdint>
#include <string>

#include "warehouse/correlator.h"
#include "warehouse/row_binary.h"
#include "warehouse/rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nsradar::warehouse;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t offset = 0;
  while (offset < bytes.size()) {
    const size_t before = offset;
    std::vector<std::string> values;
    if (!DecodeRow(bytes, &offset, EvidenceTable().columns, &values).ok()) break;
    if (offset <= before || offset > bytes.size()) __builtin_trap();
    nsradar::ingest::DnsEvent ev;
    EvidenceRowId id;
    if (!EvidenceEvent(values, &ev, &id).ok()) continue;
    if (!ev.qname.ends_with(ev.registered_domain()) || ev.registered_domain().empty()) __builtin_trap();
  }
  return 0;
}
