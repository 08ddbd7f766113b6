#include "nsdb/edge_value.h"

#include <algorithm>

#include "util/varint.h"

namespace nsradar::nsdb {

// Layout: varint zone_id, kind byte, then the runs (EncodeRuns). Deltas
// keep typical values to a few bytes before block compression.
void EdgeValue::EncodeTo(std::string* out) const {
  PutVarint64(out, zone_id);
  out->push_back(static_cast<char>(kind));
  EncodeRuns(runs, out);
}

namespace {

bool DecodeHeader(std::string_view* in, uint32_t* zone_id, zone::DomainKind* kind) {
  uint64_t zone;
  if (!GetVarint64(in, &zone) || zone > UINT32_MAX || in->empty()) return false;
  *zone_id = static_cast<uint32_t>(zone);
  const auto k = static_cast<uint8_t>((*in)[0]);
  if (k > static_cast<uint8_t>(zone::DomainKind::kSubdomain)) return false;
  *kind = static_cast<zone::DomainKind>(k);
  in->remove_prefix(1);
  return true;
}

// Consumes encoded runs from the front of *in, handing each to `visit` in
// order; false, part way through, if they break EdgeValue's invariants.
template <typename Visit>
bool ParseRuns(std::string_view* in, Visit&& visit) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  uint64_t prev = 0;
  int64_t previous_last = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t d1, d2;
    if (!GetVarint64(in, &d1) || !GetVarint64(in, &d2)) return false;
    uint64_t first = prev + d1;
    if (first < prev || first > static_cast<uint64_t>(INT64_MAX) - 1) return false;
    SeenRun r{static_cast<int64_t>(first), kOpenEnd};
    if (d2 != 0) {
      if (d2 - 1 > static_cast<uint64_t>(INT64_MAX - 1) - first) return false;
      r.last = static_cast<int64_t>(first + d2 - 1);
    } else if (i + 1 != n) {
      return false;  // only the last run may be open
    }
    prev = r.open() ? first : static_cast<uint64_t>(r.last);
    if (i > 0 && r.first <= previous_last) return false;
    previous_last = r.last;
    visit(r);
  }
  return true;
}

}  // namespace

bool EdgeValue::Decode(std::string_view in, EdgeValue* v) {
  if (!DecodeHeader(&in, &v->zone_id, &v->kind)) return false;
  return DecodeRuns(&in, &v->runs) && in.empty();
}

bool EdgeSpan::Decode(std::string_view in, EdgeSpan* span) {
  if (!DecodeHeader(&in, &span->zone_id, &span->kind)) return false;
  span->has_runs = false;
  span->first_seen = 0;
  const bool ok = ParseRuns(&in, [span](const SeenRun& r) {
    if (!span->has_runs) span->first_seen = r.first;
    span->has_runs = true;
    span->last_run = r;
  });
  return ok && in.empty();
}

void EncodeRuns(const std::vector<SeenRun>& runs, std::string* out) {
  PutVarint64(out, runs.size());
  uint64_t prev = 0;
  for (const SeenRun& r : runs) {
    PutVarint64(out, static_cast<uint64_t>(r.first) - prev);
    PutVarint64(out, r.open() ? 0 : static_cast<uint64_t>(r.last - r.first) + 1);
    prev = r.open() ? static_cast<uint64_t>(r.first) : static_cast<uint64_t>(r.last);
  }
}

bool DecodeRuns(std::string_view* in, std::vector<SeenRun>* runs) {
  runs->clear();
  return ParseRuns(in, [runs](const SeenRun& r) { runs->push_back(r); });
}

bool ApplyObservation(std::vector<SeenRun>* runs, int64_t t, bool present, std::optional<int64_t> prev,
                      std::optional<int64_t> next) {
  auto covering =
      std::find_if(runs->begin(), runs->end(), [&](const SeenRun& r) { return r.first <= t && t <= r.last; });
  if (present) {
    if (covering != runs->end()) return false;
    auto a = prev ? std::find_if(runs->begin(), runs->end(), [&](const SeenRun& r) { return r.last == *prev; })
                  : runs->end();
    auto b = next ? std::find_if(runs->begin(), runs->end(), [&](const SeenRun& r) { return r.first == *next; })
                  : runs->end();
    if (a != runs->end() && b != runs->end()) {
      a->last = b->last;
      runs->erase(b);
    } else if (a != runs->end()) {
      a->last = next ? t : kOpenEnd;
    } else if (b != runs->end()) {
      b->first = t;
    } else {
      SeenRun r{t, next ? t : kOpenEnd};
      runs->insert(std::upper_bound(runs->begin(), runs->end(), r,
                                    [](const SeenRun& x, const SeenRun& y) { return x.first < y.first; }),
                   r);
    }
    return true;
  }
  if (covering == runs->end()) return false;
  SeenRun old = *covering;
  auto pos = runs->erase(covering);
  if (old.last > t && next) pos = runs->insert(pos, SeenRun{*next, old.last});
  if (old.first < t && prev) runs->insert(pos, SeenRun{old.first, *prev});
  return true;
}

}  // namespace nsradar::nsdb
