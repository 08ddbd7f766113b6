#include "warehouse/hunt_sql.h"

#include <fmt/format.h>

#include <charconv>

#include "dns/name.h"
#include "dns/public_suffix.h"

namespace nsradar::warehouse {

namespace {

// The name `column` at or below the domain's name, when it is below its
// registered domain (which the caller selects by).
std::string NameWhere(const HuntDomain& domain, std::string_view column) {
  if (domain.name == domain.registered) return "";
  return fmt::format(" AND ({0} = {1} OR endsWith({0}, {2}))", column, SqlString(domain.name),
                     SqlString("." + domain.name));
}

// The rows of the domain within the window: the registered domain is the
// primary key's prefix (and the shard key), the name narrows it further.
std::string DomainWhere(const HuntDomain& domain, const TimeWindow& window) {
  return fmt::format("registered_domain = {} AND ts >= toDateTime({}) AND ts < toDateTime({}){}",
                     SqlString(domain.registered), window.from, window.to, NameWhere(domain, "qname"));
}

std::string Hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

// Hex of at most `max_bytes` bytes back into bytes; false when it is not.
bool Unhex(std::string_view hex, size_t max_bytes, std::string* out) {
  if (hex.size() % 2 != 0 || hex.size() > 2 * max_bytes) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned byte = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) return false;
    *out += static_cast<char>(byte);
  }
  return true;
}

Status BadCursor(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(
      fmt::format("cursor '{:.100}': {}; pass the next_cursor of the previous page as it is", text, why));
}

constexpr std::string_view kEventSelect =
    "toUInt32(ts), usec, sensor, batch_seq, batch_row, IPv6NumToString(client), qname, qtype, rcode, query_size, "
    "response_size";
constexpr std::string_view kEventOrder = "ts, usec, sensor, batch_seq, batch_row";

std::string FromTable(const SchemaNames& names) { return fmt::format("{}.dns_events", names.database); }

}  // namespace

Status CheckHuntDomain(std::string_view text, HuntDomain* out) {
  out->name.clear();
  std::string_view trimmed = text;
  if (!trimmed.empty() && trimmed.back() == '.') trimmed.remove_suffix(1);
  if (trimmed.empty()) return Status::InvalidArgument("domain: empty; expected a domain name like example.com");
  if (const char* err = dns::ParseName(trimmed, "", &out->name)) {
    return Status::InvalidArgument(fmt::format("domain '{:.300}': not a domain name: {}", text, err));
  }
  out->registered = std::string(dns::PublicSuffixList::Default().RegisteredDomain(out->name));
  if (out->registered.empty()) {
    return Status::InvalidArgument(
        fmt::format("domain '{}': a public suffix, not a registered domain or a name below one", out->name));
  }
  return Status::OK();
}

Status CheckWindow(const TimeWindow& window, int64_t max_seconds) {
  for (auto [param, value] : {std::pair{"from", window.from}, std::pair{"to", window.to}}) {
    if (value < 0 || value > TimeWindow::kEndOfTime) {
      return Status::InvalidArgument(
          fmt::format("{} {}: out of range (0 to {}, 2100-01-01)", param, value, TimeWindow::kEndOfTime));
    }
  }
  if (window.from >= window.to) {
    return Status::InvalidArgument(fmt::format("to {} is not after from {}", window.to, window.from));
  }
  if (max_seconds > 0 && window.to - window.from > max_seconds) {
    return Status::InvalidArgument(fmt::format("from {} to {}: {} s, longer than this query's {} s ({} days)",
                                               window.from, window.to, window.to - window.from, max_seconds,
                                               max_seconds / 86400));
  }
  return Status::OK();
}

Status CheckLimit(uint64_t limit, uint64_t max) {
  if (limit < 1 || limit > max) return Status::InvalidArgument(fmt::format("limit {}: expected 1 to {}", limit, max));
  return Status::OK();
}

std::string EncodeCursor(const HuntEvent& last) {
  return fmt::format("{}-{}-{}-{}-{}", last.ts, last.usec, last.batch_seq, last.batch_row, Hex(last.sensor));
}

Status DecodeCursor(std::string_view text, HuntEvent* position) {
  auto bad = [&](std::string_view why) { return BadCursor(text, why); };
  std::string_view rest = text;
  auto number = [&](auto* out, uint64_t max) {
    size_t dash = rest.find('-');
    if (dash == std::string_view::npos) return false;
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + dash, v);
    if (ec != std::errc() || end != rest.data() + dash || dash == 0 || v > max) return false;
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(v);
    rest.remove_prefix(dash + 1);
    return true;
  };
  if (!number(&position->ts, TimeWindow::kEndOfTime) || !number(&position->usec, 999'999) ||
      !number(&position->batch_seq, UINT64_MAX) || !number(&position->batch_row, UINT32_MAX)) {
    return bad("expected four numbers and a hex sensor name, separated by '-'");
  }
  if (!Unhex(rest, 256, &position->sensor)) return bad("the sensor part is not hex of at most 256 bytes");
  return Status::OK();
}

std::string EncodeObservationCursor(const HuntObservation& last) {
  return fmt::format("{}-{}-{}", Hex(last.rrname), last.rrtype, Hex(last.rdata));
}

Status DecodeObservationCursor(std::string_view text, HuntObservation* position) {
  const size_t a = text.find('-');
  const size_t b = a == std::string_view::npos ? a : text.find('-', a + 1);
  if (b == std::string_view::npos) return BadCursor(text, "expected hex, a number and hex, separated by '-'");
  unsigned type = 0;
  auto [end, ec] = std::from_chars(text.data() + a + 1, text.data() + b, type);
  if (ec != std::errc() || end != text.data() + b || b == a + 1 || type > UINT16_MAX) {
    return BadCursor(text, "the record type is not a number of 0 to 65535");
  }
  position->rrtype = static_cast<uint16_t>(type);
  // The writer keeps names and data of at most 1024 bytes (ObservationBatch).
  if (!Unhex(text.substr(0, a), 1024, &position->rrname) || !Unhex(text.substr(b + 1), 1024, &position->rdata)) {
    return BadCursor(text, "the name or data part is not hex of at most 1024 bytes");
  }
  return Status::OK();
}

std::string EventsSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window, uint64_t limit,
                      const HuntEvent* after) {
  std::string where = DomainWhere(domain, window);
  if (after != nullptr) {
    // (ts, usec, sensor, batch_seq, batch_row) > the cursor's, spelled out
    // (tuple comparison is not in 18.16); the plain ts bound lets the
    // primary key skip what lies before.
    where += fmt::format(
        " AND ts >= toDateTime({0}) AND (ts > toDateTime({0}) OR (ts = toDateTime({0}) AND (usec > {1} OR (usec = {1} "
        "AND (sensor > {2} OR (sensor = {2} AND (batch_seq > {3} OR (batch_seq = {3} AND batch_row > {4}))))))))",
        after->ts, after->usec, SqlString(after->sensor), after->batch_seq, after->batch_row);
  }
  return fmt::format("SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {} FORMAT TabSeparated", kEventSelect,
                     FromTable(names), where, kEventOrder, limit);
}

std::string ClientsSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window, uint64_t limit) {
  // Sensors joined by NUL, which TabSeparated writes as "\0" and a sensor
  // name (a host name or a config value) does not contain.
  return fmt::format(
      "SELECT IPv6NumToString(client) AS address, min(toUInt64(ts) * 1000000 + usec), "
      "max(toUInt64(ts) * 1000000 + usec), count() AS queries, sum(toUInt64(query_size) + response_size), "
      "arrayStringConcat(groupUniqArray(sensor), '\\0') FROM {} WHERE {} GROUP BY address "
      "ORDER BY queries DESC, address LIMIT {} FORMAT TabSeparated",
      FromTable(names), DomainWhere(domain, window), limit);
}

std::string TimelineSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window) {
  return fmt::format(
      "SELECT toUInt32(toStartOfMinute(ts)) AS minute, count(), uniqExact(qname), "
      "sum(toUInt64(query_size) + response_size) FROM {} WHERE {} GROUP BY minute ORDER BY minute "
      "FORMAT TabSeparated",
      FromTable(names), DomainWhere(domain, window));
}

std::string FirstSeenSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window) {
  return EventsSql(names, domain, window, 1, nullptr);
}

std::string ObservationsSql(const SchemaNames& names, const HuntDomain& domain, const TimeWindow& window,
                            uint64_t limit, const HuntObservation* after) {
  // Rows of every sensor's batches that overlap the window, merged per
  // record; last_seen bounds the month partitions read.
  std::string where =
      fmt::format("registered_domain = {} AND last_seen >= toDateTime({}) AND first_seen < toDateTime({}){}",
                  SqlString(domain.registered), window.from, window.to, NameWhere(domain, "rrname"));
  if (after != nullptr) {
    // (rrname, rrtype, rdata) > the cursor's, spelled out (no tuple
    // comparison in 18.16); the grouping key, so it applies before GROUP BY.
    where += fmt::format(" AND (rrname > {0} OR (rrname = {0} AND (rrtype > {1} OR (rrtype = {1} AND rdata > {2}))))",
                         SqlString(after->rrname), after->rrtype, SqlString(after->rdata));
  }
  return fmt::format(
      "SELECT rrname, rrtype, rdata, toUInt32(min(first_seen)), toUInt32(max(last_seen)), sum(count), "
      "arrayStringConcat(groupUniqArray(sensor), '\\0') FROM {}.observations WHERE {} GROUP BY rrname, rrtype, "
      "rdata ORDER BY rrname, rrtype, rdata LIMIT {} FORMAT TabSeparated",
      names.database, where, limit);
}

std::string TopSql(const SchemaNames& names, const TimeWindow& window, uint64_t limit) {
  // Per distinct qname first (a tunnel's names are mostly unique, a benign
  // domain's repeat), then per registered domain: the bytes below the
  // registered domain of each distinct name, without the joining dot.
  return fmt::format(
      "SELECT domain, sum(if(length(qname) > length(domain), length(qname) - length(domain) - 1, 0)) AS bytes, "
      "count(), sum(queries), uniqExactArray(clients) FROM (SELECT registered_domain AS domain, qname, "
      "count() AS queries, groupUniqArray(client) AS clients FROM {} WHERE registered_domain != '' AND "
      "ts >= toDateTime({}) AND ts < toDateTime({}) GROUP BY domain, qname) GROUP BY domain "
      "ORDER BY bytes DESC, domain LIMIT {} FORMAT TabSeparated",
      FromTable(names), window.from, window.to, limit);
}

}  // namespace nsradar::warehouse
