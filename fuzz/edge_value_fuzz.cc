// Stored keys and values from a damaged store must decode or be refused,
// never crash; a decoded one must encode to bytes that decode to the same
// thing (exactly the input, for layouts without varints). Covers EdgeValue
// (and EdgeSpan, which must accept the same values and agree on them)
// and every encoding of nsdb/internal/keys.h; the first byte picks keys,
// values, or key-value records, the second where a record's key ends.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nsdb/edge_value.h"
#include "nsdb/internal/keys.h"

namespace {

using namespace nsradar::nsdb;

// decode(encode(decode(in))) re-encodes to the same bytes as decode(in).
template <typename T, typename Decode, typename Encode>
void Fixpoint(std::string_view in, Decode decode, Encode encode) {
  T first;
  if (!decode(in, &first)) return;
  std::string once = encode(first);
  T second;
  if (!decode(once, &second) || encode(second) != once) __builtin_trap();
}

// For layouts without varints: parse, append the parts again, get the input.
void Exact(std::string_view in, std::string_view rebuilt, bool parsed) {
  if (parsed && rebuilt != in) __builtin_trap();
}

void Keys(std::string_view in) {
  std::string k;
  std::string_view a, b;
  uint32_t zone = 0;
  const bool ns_edge = ParseNsEdgeKey(in, &a, &b);
  if (ns_edge) AppendNsEdgeKey(&k, a, b);
  Exact(in, k, ns_edge);
  k.clear();
  const bool zone_domain = ParseZoneDomainKey(in, &zone, &a);
  if (zone_domain) AppendZoneDomainKey(&k, zone, a);
  Exact(in, k, zone_domain);
  k.clear();
  const bool zone_glue = ParseZoneGlueKey(in, &zone, &a, &b);
  if (zone_glue) AppendZoneGlueKey(&k, zone, a, b);
  Exact(in, k, zone_glue);
  GlueKey g;
  k.clear();
  const bool glue = ParseGlueKey(in, &g);
  if (glue) AppendGlueKey(&k, g);
  Exact(in, k, glue);
  k.clear();
  const bool by_address = ParseGlueByAddressKey(in, &g);
  if (by_address) AppendGlueByAddressKey(&k, g);
  Exact(in, k, by_address);
  const bool observed = ParseObservedKey(in, &a, &b);
  Exact(in, observed ? ObservedKey(a, b) : std::string(), observed);
  const bool zone_table = ParseZoneTableKey(in, &a);
  Exact(in, zone_table ? ZoneTableKey(a) : std::string(), zone_table);
  int version = 0;
  const bool format = DecodeFormatVersion(in, &version);
  Exact(in, format ? EncodeFormatVersion(version) : std::string(), format);
}

template <typename T, void (*EncodeTo)(const T&, std::string*)>
std::string Encoded(const T& v) {
  std::string out;
  EncodeTo(v, &out);
  return out;
}

// EdgeSpan reads what EdgeValue reads, and the same bounds.
void SpanAgrees(std::string_view in, bool decoded, const EdgeValue& edge) {
  EdgeSpan span;
  if (EdgeSpan::Decode(in, &span) != decoded) __builtin_trap();
  if (!decoded) return;
  constexpr int64_t kLatest = 1700000000;
  if (span.zone_id != edge.zone_id || span.kind != edge.kind || span.first_seen != edge.first_seen() ||
      span.active() != edge.active() || span.last_seen(kLatest) != edge.last_seen(kLatest)) {
    __builtin_trap();
  }
}

void Values(std::string_view in) {
  EdgeValue edge;
  const bool decoded = EdgeValue::Decode(in, &edge);
  SpanAgrees(in, decoded, edge);
  if (decoded) {
    std::string out;
    edge.EncodeTo(&out);
    EdgeValue again;
    if (!EdgeValue::Decode(out, &again) || !(again == edge)) __builtin_trap();
  }
  Fixpoint<ZoneInfo>(in, DecodeZoneInfo, Encoded<ZoneInfo, EncodeZoneInfo>);
  Fixpoint<NsCounts>(in, DecodeNsCounts, Encoded<NsCounts, EncodeNsCounts>);
  Fixpoint<ObservedValue>(in, DecodeObservedValue, Encoded<ObservedValue, EncodeObservedValue>);
  Fixpoint<uint64_t>(in, DecodeCounter, [](const uint64_t& v) {
    std::string out;
    EncodeCounter(v, &out);
    return out;
  });
}

// Records stored as a key and a value: the input is split in two.
void Records(std::string_view key, std::string_view value) {
  StoredAlert alert;
  if (DecodeAlert(key, value, &alert)) {
    std::string k, v;
    EncodeAlert(alert, &k, &v);
    if (k != key || v != value) __builtin_trap();
  }
  AllowlistEvent event;
  if (DecodeAllowlistEvent(key, value, &event)) {
    std::string k, v;
    EncodeAllowlistEvent(event, &k, &v);
    if (k != key || v != value) __builtin_trap();
  }
  Indicator indicator;
  if (DecodeIndicator(key, value, &indicator)) {
    std::string k, v;
    EncodeIndicator(indicator, &k, &v);
    Indicator again;
    if (k != key || !DecodeIndicator(k, v, &again) || again.category != indicator.category ||
        again.source != indicator.source || again.added != indicator.added) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  switch (data[0] % 3) {
    case 0:
      Keys(in);
      break;
    case 1:
      Values(in);
      break;
    default: {
      const size_t split = data[1] % (in.size() + 1);
      Records(in.substr(0, split), in.substr(split));
    }
  }
  return 0;
}
