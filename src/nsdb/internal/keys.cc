#include "nsdb/internal/keys.h"

#include <charconv>

#include "dns/name.h"
#include "util/varint.h"

namespace nsradar::nsdb {
namespace {

// `first` \0 `second`: the form of every key that pairs a name with more.
void AppendJoined(std::string* out, std::string_view first, std::string_view second) {
  out->append(first);
  out->push_back('\0');
  out->append(second);
}

// Splits at the first NUL, which ends the leading name.
bool SplitJoined(std::string_view key, std::string_view* first, std::string_view* second) {
  const size_t nul = key.find('\0');
  if (nul == std::string_view::npos) return false;
  *first = key.substr(0, nul);
  *second = key.substr(nul + 1);
  return true;
}

// Every key starting with `name` \0 sorts below `name` \1.
std::string JoinedLimit(std::string_view name) {
  std::string limit(name);
  limit.push_back('\1');
  return limit;
}

// Takes the big-endian zone id from the front of *key.
bool TakeZoneId(std::string_view* key, uint32_t* zone_id) {
  if (key->size() < 4) return false;
  *zone_id = DecodeFixed32BE(key->data());
  key->remove_prefix(4);
  return true;
}

// Takes the big-endian zone id from the back of *key.
bool TakeTrailingZoneId(std::string_view* key, uint32_t* zone_id) {
  if (key->size() < 4) return false;
  *zone_id = DecodeFixed32BE(key->data() + key->size() - 4);
  key->remove_suffix(4);
  return true;
}

const char* const kCounterKeys[kCounterCount] = {"counter/edges", "counter/active_edges", "counter/domains",
                                                 "counter/name_servers", "counter/glue"};

}  // namespace

std::string EncodeFormatVersion(int version) { return std::to_string(version); }

bool DecodeFormatVersion(std::string_view in, int* version) {
  int v = 0;
  auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), v);
  if (ec != std::errc() || end != in.data() + in.size() || EncodeFormatVersion(v) != in) return false;
  *version = v;
  return true;
}

std::string ZoneTableKey(std::string_view zone) {
  std::string key(kZoneTablePrefix);
  key.append(zone);
  return key;
}

bool ParseZoneTableKey(std::string_view key, std::string_view* zone) {
  if (!key.starts_with(kZoneTablePrefix)) return false;
  *zone = key.substr(kZoneTablePrefix.size());
  return true;
}

void EncodeZoneInfo(const ZoneInfo& z, std::string* out) {
  PutVarint64(out, z.id);
  PutVarint64(out, z.snapshots.size());
  for (const auto& s : z.snapshots) {
    PutVarint64(out, static_cast<uint64_t>(s.observed_at));
    PutVarint64(out, s.serial);
    out->push_back(s.has_serial ? 1 : 0);
    PutVarint64(out, s.domains);
    PutVarint64(out, s.edges);
    PutVarint64(out, s.source.size());
    out->append(s.source);
  }
}

bool DecodeZoneInfo(std::string_view in, ZoneInfo* z) {
  uint64_t id, n;
  if (!GetVarint64(&in, &id) || !GetVarint64(&in, &n)) return false;
  z->id = static_cast<uint32_t>(id);
  z->snapshots.clear();
  for (uint64_t i = 0; i < n; ++i) {
    SnapshotInfo s;
    uint64_t t, serial, len;
    if (!GetVarint64(&in, &t) || !GetVarint64(&in, &serial) || in.empty()) return false;
    s.observed_at = static_cast<int64_t>(t);
    s.serial = static_cast<uint32_t>(serial);
    s.has_serial = in[0] != 0;
    in.remove_prefix(1);
    if (!GetVarint64(&in, &s.domains) || !GetVarint64(&in, &s.edges) || !GetVarint64(&in, &len) || len > in.size()) {
      return false;
    }
    s.source.assign(in.substr(0, len));
    in.remove_prefix(len);
    z->snapshots.push_back(std::move(s));
  }
  return in.empty();
}

std::string_view CounterKey(Counter c) { return kCounterKeys[c]; }

void EncodeCounter(uint64_t value, std::string* out) { PutVarint64(out, value); }

bool DecodeCounter(std::string_view in, uint64_t* value) { return GetVarint64(&in, value); }

void AppendNsEdgeKey(std::string* out, std::string_view host, std::string_view domain) {
  AppendJoined(out, host, domain);
}

bool ParseNsEdgeKey(std::string_view key, std::string_view* host, std::string_view* domain) {
  return SplitJoined(key, host, domain);
}

std::string NsEdgeHostLimit(std::string_view host) { return JoinedLimit(host); }

std::string ZoneKeyPrefix(uint32_t zone_id) {
  std::string prefix;
  PutFixed32BE(&prefix, zone_id);
  return prefix;
}

void AppendZoneDomainKey(std::string* out, uint32_t zone_id, std::string_view domain) {
  PutFixed32BE(out, zone_id);
  out->append(domain);
}

bool ParseZoneDomainKey(std::string_view key, uint32_t* zone_id, std::string_view* domain) {
  if (!TakeZoneId(&key, zone_id)) return false;
  *domain = key;
  return true;
}

void AppendZoneGlueKey(std::string* out, uint32_t zone_id, std::string_view host, std::string_view address) {
  PutFixed32BE(out, zone_id);
  AppendJoined(out, host, address);
}

bool ParseZoneGlueKey(std::string_view key, uint32_t* zone_id, std::string_view* host, std::string_view* address) {
  return TakeZoneId(&key, zone_id) && SplitJoined(key, host, address);
}

std::string NsCountsKey(std::string_view host) { return dns::ReverseLabels(host); }

std::string ParseNsCountsKey(std::string_view key) { return dns::ReverseLabels(key); }

void EncodeNsCounts(const NsCounts& c, std::string* out) {
  PutVarint64(out, c.total);
  PutVarint64(out, c.active);
}

bool DecodeNsCounts(std::string_view in, NsCounts* c) {
  return GetVarint64(&in, &c->total) && GetVarint64(&in, &c->active) && in.empty();
}

NsCountsSubtree::NsCountsSubtree(std::string_view name) : self_(NsCountsKey(name)) {
  // Below the root is every host; below any other name, its reversed form
  // and a dot.
  if (!name.empty()) below_ = self_ + ".";
}

NsCountsSubtree::Place NsCountsSubtree::Locate(std::string_view key) const {
  if (key == self_ || key.starts_with(below_)) return Place::kInside;
  if (key > self_ && !key.starts_with(self_)) return Place::kPast;
  return Place::kBetween;
}

void AppendGlueKey(std::string* out, const GlueKey& key) {
  AppendJoined(out, key.host, key.address);
  PutFixed32BE(out, key.zone_id);
}

bool ParseGlueKey(std::string_view key, GlueKey* out) {
  return TakeTrailingZoneId(&key, &out->zone_id) && SplitJoined(key, &out->host, &out->address);
}

std::string GlueHostPrefix(std::string_view host) {
  std::string prefix;
  AppendJoined(&prefix, host, {});
  return prefix;
}

std::string GlueAddressPrefix(const dns::Address& address) { return address.ToKey(); }

void AppendGlueByAddressKey(std::string* out, const GlueKey& key) {
  out->append(key.address);
  AppendJoined(out, key.host, {});
  PutFixed32BE(out, key.zone_id);
}

bool ParseGlueByAddressKey(std::string_view key, GlueKey* out) {
  if (key.empty() || (key[0] != 4 && key[0] != 6)) return false;
  const size_t address_size = key[0] == 4 ? 5 : 17;  // the family byte and the address
  if (!TakeTrailingZoneId(&key, &out->zone_id) || key.size() < address_size) return false;
  out->address = key.substr(0, address_size);
  std::string_view host = key.substr(address_size);
  if (host.empty() || host.back() != '\0') return false;
  host.remove_suffix(1);
  out->host = host;
  return true;
}

std::string ObservedKey(std::string_view name, std::string_view other) {
  std::string key;
  AppendJoined(&key, name, other);
  return key;
}

bool ParseObservedKey(std::string_view key, std::string_view* name, std::string_view* other) {
  return SplitJoined(key, name, other);
}

std::string ObservedNamePrefix(std::string_view name) { return ObservedKey(name, {}); }

std::string ObservedNameLimit(std::string_view name) { return JoinedLimit(name); }

// The span is computed modulo 2^64 both ways, so that no time (a damaged
// store's included) overflows a signed subtraction or addition.
void EncodeObservedValue(const ObservedValue& v, std::string* out) {
  PutVarint64(out, static_cast<uint64_t>(v.first));
  PutVarint64(out, static_cast<uint64_t>(v.last) - static_cast<uint64_t>(v.first));
  PutVarint64(out, v.count);
}

bool DecodeObservedValue(std::string_view in, ObservedValue* v) {
  uint64_t first, span, count;
  if (!GetVarint64(&in, &first) || !GetVarint64(&in, &span) || !GetVarint64(&in, &count) || !in.empty()) return false;
  v->first = static_cast<int64_t>(first);
  v->last = static_cast<int64_t>(first + span);
  v->count = count;
  return true;
}

void EncodeAlert(const StoredAlert& alert, std::string* key, std::string* value) {
  AppendJoined(key, alert.domain, {});
  PutFixed64BE(key, static_cast<uint64_t>(alert.alert_time_us));
  AppendJoined(value, alert.category, alert.json);
}

bool DecodeAlert(std::string_view key, std::string_view value, StoredAlert* alert) {
  std::string_view domain, time, category, json;
  if (!SplitJoined(key, &domain, &time) || time.size() != 8 || !SplitJoined(value, &category, &json)) return false;
  alert->domain.assign(domain);
  alert->alert_time_us = static_cast<int64_t>(DecodeFixed64BE(time.data()));
  alert->category.assign(category);
  alert->json.assign(json);
  return true;
}

std::string AlertDomainPrefix(std::string_view domain) {
  std::string prefix;
  if (!domain.empty()) AppendJoined(&prefix, domain, {});
  return prefix;
}

std::string IndicatorKey(IndicatorKind kind, std::string_view value) {
  std::string key(1, static_cast<char>(kind));
  key.append(value);
  return key;
}

void EncodeIndicator(const Indicator& i, std::string* key, std::string* value) {
  *key = IndicatorKey(i.kind, i.value);
  AppendJoined(value, i.category, i.source);
  value->push_back('\0');
  PutVarint64(value, static_cast<uint64_t>(i.added));
}

bool DecodeIndicator(std::string_view key, std::string_view value, Indicator* out) {
  if (key.empty()) return false;
  const char kind = key[0];
  if (kind != 'd' && kind != 'n' && kind != 'a') return false;
  std::string_view category, rest, source;
  if (!SplitJoined(value, &category, &rest) || !SplitJoined(rest, &source, &rest)) return false;
  uint64_t added = 0;
  if (!GetVarint64(&rest, &added)) return false;
  out->kind = static_cast<IndicatorKind>(kind);
  out->value.assign(key.substr(1));
  out->category.assign(category);
  out->source.assign(source);
  out->added = static_cast<int64_t>(added);
  return true;
}

// The reason goes last: it is free text, and only the first two NULs split.
void EncodeAllowlistEvent(const AllowlistEvent& e, std::string* key, std::string* value) {
  key->clear();
  AppendJoined(key, e.domain, {});
  PutFixed64BE(key, static_cast<uint64_t>(e.time_us));
  value->assign(1, e.listed ? '+' : '-');
  AppendJoined(value, e.by, e.alert);
  value->push_back('\0');
  value->append(e.reason);
}

bool DecodeAllowlistEvent(std::string_view key, std::string_view value, AllowlistEvent* e) {
  std::string_view domain, time, by, alert, reason;
  if (!SplitJoined(key, &domain, &time) || time.size() != 8 || value.empty()) return false;
  if (value[0] != '+' && value[0] != '-') return false;
  if (!SplitJoined(value.substr(1), &by, &reason) || !SplitJoined(reason, &alert, &reason)) return false;
  e->domain.assign(domain);
  e->time_us = static_cast<int64_t>(DecodeFixed64BE(time.data()));
  e->listed = value[0] == '+';
  e->by.assign(by);
  e->alert.assign(alert);
  e->reason.assign(reason);
  return true;
}

std::string AllowlistDomainPrefix(std::string_view domain) { return AlertDomainPrefix(domain); }

}  // namespace nsradar::nsdb
