#include "warehouse/hunt.h"

#include <fmt/format.h>

#include <algorithm>

#include "warehouse/http_client.h"
#include "warehouse/hunt_sql.h"
#include "warehouse/hunt_tsv.h"

namespace nsradar::warehouse {

namespace {

// Runs `sql` on the first shard that answers and parses its rows.
Status Run(const HuntTarget& target, const std::string& sql, size_t columns, std::vector<TsvRow>* rows) {
  NSRADAR_RETURN_IF_ERROR(CheckNames(target.names));
  if (target.shards.empty()) return Status::InvalidArgument("--warehouse: no shard given");
  // wait_end_of_query: the server sends the answer only once it is whole,
  // so an error is an HTTP error with its message, not text after rows.
  const std::string url = fmt::format("/?wait_end_of_query=1&max_execution_time={}", target.timeout_seconds);
  QueryOptions options;
  options.timeout_seconds = target.timeout_seconds + 5;  // the server's own limit goes first
  std::string unreachable;
  for (const Endpoint& shard : target.shards) {
    std::string answer;
    int code = 0;
    Status s = Post(shard, url, sql, &answer, options, &code);
    if (s.ok()) {
      if (Status p = ParseTsv(answer, columns, rows); !p.ok()) {
        return Status::Corruption(fmt::format("{}: the answer: {}", shard.Display(), p.message()));
      }
      return Status::OK();
    }
    // The server answered: the statement or the cluster is at fault, and
    // every shard would say so.
    if (code != 0) return s;
    unreachable += (unreachable.empty() ? "" : "; ") + s.message();
  }
  return Status::IOError("no shard answered: " + unreachable);
}

std::string Address(std::string text) {
  // IPv4 is stored mapped into IPv6 (schema.h).
  constexpr std::string_view kMapped = "::ffff:";
  if (text.starts_with(kMapped) && text.find('.') != std::string::npos) text.erase(0, kMapped.size());
  return text;
}

Status ParseEvent(const TsvRow& row, size_t i, HuntEvent* e) {
  uint64_t u = 0;
  int64_t v = 0;
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 0, UINT32_MAX, &u));
  e->ts = static_cast<int64_t>(u);
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 1, 999'999, &u));
  e->usec = static_cast<uint32_t>(u);
  e->sensor = row[2];
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 3, UINT64_MAX, &e->batch_seq));
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 4, UINT32_MAX, &u));
  e->batch_row = static_cast<uint32_t>(u);
  e->client = Address(row[5]);
  e->qname = row[6];
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 7, UINT16_MAX, &u));
  e->qtype = static_cast<uint16_t>(u);
  NSRADAR_RETURN_IF_ERROR(TsvSigned(row, i, 8, INT16_MIN, INT16_MAX, &v));
  e->rcode = static_cast<int16_t>(v);
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 9, UINT32_MAX, &u));
  e->query_size = static_cast<uint32_t>(u);
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 10, UINT32_MAX, &u));
  e->response_size = static_cast<uint32_t>(u);
  return Status::OK();
}

// The sensors of a grouped row, joined by NUL in the SQL; sorted.
std::vector<std::string> Sensors(std::string_view joined) {
  std::vector<std::string> out;
  for (size_t at = 0; at <= joined.size();) {
    size_t end = std::min(joined.find('\0', at), joined.size());
    out.emplace_back(joined.substr(at, end - at));
    at = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status Usec(const TsvRow& row, size_t i, size_t column, int64_t* out) {
  uint64_t u = 0;
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, column, uint64_t{TimeWindow::kEndOfTime} * 1'000'000, &u));
  *out = static_cast<int64_t>(u);
  return Status::OK();
}

Status ParseObservation(const TsvRow& row, size_t i, HuntObservation* o) {
  uint64_t u = 0;
  o->rrname = row[0];
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 1, UINT16_MAX, &u));
  o->rrtype = static_cast<uint16_t>(u);
  o->rdata = row[2];
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 3, UINT32_MAX, &u));
  o->first_seen = static_cast<int64_t>(u);
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 4, UINT32_MAX, &u));
  o->last_seen = static_cast<int64_t>(u);
  NSRADAR_RETURN_IF_ERROR(TsvUnsigned(row, i, 5, UINT64_MAX, &o->count));
  o->sensors = Sensors(row[6]);
  return Status::OK();
}

// What differs between the keyset-paged hunts: the row, its cursor, its
// statement and its parser.
template <typename Row>
struct PagedQuery {
  uint64_t max_limit;
  size_t columns;
  Status (*decode_cursor)(std::string_view, Row*);
  std::string (*encode_cursor)(const Row&);
  std::string (*sql)(const SchemaNames&, const HuntDomain&, const TimeWindow&, uint64_t, const Row*);
  Status (*parse)(const TsvRow&, size_t, Row*);
};

// A page of a domain's rows, after every check; the statement asks for one
// row more than the page: whether another page follows.
template <typename Row>
Status HuntPage(const HuntTarget& target, const PageRequest& request, const PagedQuery<Row>& query,
                std::string* registered_domain, std::vector<Row>* page, std::string* next_cursor) {
  HuntDomain domain;
  NSRADAR_RETURN_IF_ERROR(CheckHuntDomain(request.domain, &domain));
  NSRADAR_RETURN_IF_ERROR(CheckWindow(request.window, 0));
  NSRADAR_RETURN_IF_ERROR(CheckLimit(request.limit, query.max_limit));
  Row after;
  if (!request.cursor.empty()) NSRADAR_RETURN_IF_ERROR(query.decode_cursor(request.cursor, &after));
  std::vector<TsvRow> rows;
  NSRADAR_RETURN_IF_ERROR(
      Run(target,
          query.sql(target.names, domain, request.window, request.limit + 1, request.cursor.empty() ? nullptr : &after),
          query.columns, &rows));
  *registered_domain = domain.registered;
  for (size_t i = 0; i < rows.size() && i < request.limit; ++i) {
    NSRADAR_RETURN_IF_ERROR(query.parse(rows[i], i, &page->emplace_back()));
  }
  if (rows.size() > request.limit) *next_cursor = query.encode_cursor(page->back());
  return Status::OK();
}

}  // namespace

Status HuntEvents(const HuntTarget& target, const EventsRequest& request, EventsPage* out) {
  *out = {};
  const PagedQuery<HuntEvent> query{kMaxEventsPage, kEventColumns, DecodeCursor, EncodeCursor, EventsSql, ParseEvent};
  return HuntPage(target, request, query, &out->registered_domain, &out->events, &out->next_cursor);
}

Status HuntObservations(const HuntTarget& target, const ObservationsRequest& request, ObservationsPage* out) {
  *out = {};
  const PagedQuery<HuntObservation> query{kMaxObservationsPage,    kObservationColumns, DecodeObservationCursor,
                                          EncodeObservationCursor, ObservationsSql,     ParseObservation};
  return HuntPage(target, request, query, &out->registered_domain, &out->observations, &out->next_cursor);
}

Status HuntClients(const HuntTarget& target, const ClientsRequest& request, ClientsAnswer* out) {
  *out = {};
  HuntDomain domain;
  NSRADAR_RETURN_IF_ERROR(CheckHuntDomain(request.domain, &domain));
  NSRADAR_RETURN_IF_ERROR(CheckWindow(request.window, 0));
  NSRADAR_RETURN_IF_ERROR(CheckLimit(request.limit, kMaxClients));
  std::vector<TsvRow> rows;
  NSRADAR_RETURN_IF_ERROR(Run(target, ClientsSql(target.names, domain, request.window, request.limit + 1), 6, &rows));
  out->registered_domain = domain.registered;
  out->truncated = rows.size() > request.limit;
  for (size_t i = 0; i < rows.size() && i < request.limit; ++i) {
    HuntClient& c = out->clients.emplace_back();
    c.client = Address(rows[i][0]);
    NSRADAR_RETURN_IF_ERROR(Usec(rows[i], i, 1, &c.first_seen_usec));
    NSRADAR_RETURN_IF_ERROR(Usec(rows[i], i, 2, &c.last_seen_usec));
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 3, UINT64_MAX, &c.queries));
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 4, UINT64_MAX, &c.bytes));
    c.sensors = Sensors(rows[i][5]);
  }
  return Status::OK();
}

Status HuntTimeline(const HuntTarget& target, const TimelineRequest& request, TimelineAnswer* out) {
  *out = {};
  HuntDomain domain;
  NSRADAR_RETURN_IF_ERROR(CheckHuntDomain(request.domain, &domain));
  NSRADAR_RETURN_IF_ERROR(CheckWindow(request.window, kMaxTimelineSeconds));
  std::vector<TsvRow> rows;
  NSRADAR_RETURN_IF_ERROR(Run(target, TimelineSql(target.names, domain, request.window), 4, &rows));
  out->registered_domain = domain.registered;
  for (size_t i = 0; i < rows.size(); ++i) {
    TimelinePoint& p = out->minutes.emplace_back();
    uint64_t minute = 0;
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 0, UINT32_MAX, &minute));
    p.minute = static_cast<int64_t>(minute);
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 1, UINT64_MAX, &p.queries));
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 2, UINT64_MAX, &p.subdomains));
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 3, UINT64_MAX, &p.bytes));
  }
  return Status::OK();
}

Status HuntFirstSeen(const HuntTarget& target, const std::string& domain_text, const TimeWindow& window,
                     FirstSeenAnswer* out) {
  *out = {};
  HuntDomain domain;
  NSRADAR_RETURN_IF_ERROR(CheckHuntDomain(domain_text, &domain));
  NSRADAR_RETURN_IF_ERROR(CheckWindow(window, 0));
  std::vector<TsvRow> rows;
  NSRADAR_RETURN_IF_ERROR(Run(target, FirstSeenSql(target.names, domain, window), kEventColumns, &rows));
  out->registered_domain = domain.registered;
  out->found = !rows.empty();
  if (out->found) NSRADAR_RETURN_IF_ERROR(ParseEvent(rows[0], 0, &out->first));
  return Status::OK();
}

Status HuntTop(const HuntTarget& target, const TopRequest& request, TopAnswer* out) {
  *out = {};
  NSRADAR_RETURN_IF_ERROR(CheckWindow(request.window, kMaxTopSeconds));
  NSRADAR_RETURN_IF_ERROR(CheckLimit(request.limit, kMaxTop));
  std::vector<TsvRow> rows;
  NSRADAR_RETURN_IF_ERROR(Run(target, TopSql(target.names, request.window, request.limit), 5, &rows));
  for (size_t i = 0; i < rows.size(); ++i) {
    TopDomain& d = out->domains.emplace_back();
    d.registered_domain = rows[i][0];
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 1, UINT64_MAX, &d.subdomain_bytes));
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 2, UINT64_MAX, &d.subdomains));
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 3, UINT64_MAX, &d.queries));
    NSRADAR_RETURN_IF_ERROR(TsvUnsigned(rows[i], i, 4, UINT64_MAX, &d.clients));
  }
  return Status::OK();
}

}  // namespace nsradar::warehouse
