// Forensics over the warehouse: typed queries about one registered domain
// (its events, its clients, its per-minute timeline, its first-ever query,
// its passive-DNS records across sensors) and the registered domains whose distinct subdomains carry the most bytes
// over a time window (what a tunnel looks like), read through the
// Distributed tables of the schema (warehouse/schema.h) on any shard.
//
// Every input is checked before any SQL is built, and each error names its
// parameter ("domain", "from", "to", "limit", "cursor"). Names reach SQL
// only as SqlString literals, so a domain that DNS allows but SQL does not
// (quotes, backslashes: "x'y.example" is a valid name) stays data. The
// answers come back as TabSeparated rows and are parsed field by field
// (hunt_tsv.h); a ClickHouse error is returned with the server's message.
//
// Shards are tried in order: an endpoint that cannot be reached is skipped,
// an error the server answered ends the query (another shard would say the
// same), so one shard being down does not stop a hunt that the cluster can
// still answer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"
#include "warehouse/endpoint.h"
#include "warehouse/schema.h"

namespace nsradar::warehouse {

struct HuntTarget {
  std::vector<Endpoint> shards;  // any order; every shard has the Distributed tables
  SchemaNames names;
  int timeout_seconds = 30;  // per shard tried; the server is told the same
};

// [from, to) in UNIX seconds.
struct TimeWindow {
  int64_t from = 0;
  int64_t to = kEndOfTime;
  // 2100-01-01: beyond any DateTime a sensor writes, and within UInt32.
  static constexpr int64_t kEndOfTime = 4102444800;
};

// The upper bounds of limits and windows: each query reads one domain's
// rows (its shard's primary-key range) but the answer is held in memory.
inline constexpr uint64_t kMaxEventsPage = 10'000;
inline constexpr uint64_t kMaxClients = 10'000;
inline constexpr int64_t kMaxTimelineSeconds = 7 * 86400;  // 10,080 minutes
inline constexpr uint64_t kMaxTop = 1'000;
inline constexpr int64_t kMaxTopSeconds = 31 * 86400;
inline constexpr uint64_t kMaxObservationsPage = 10'000;

// One event of dns_events, as a hunt shows it.
struct HuntEvent {
  int64_t ts = 0;
  uint32_t usec = 0;
  std::string sensor;
  uint64_t batch_seq = 0;
  uint32_t batch_row = 0;
  std::string client;  // "10.9.0.1", "2001:db8::1", "::" when unknown
  std::string qname;
  uint16_t qtype = 0;
  int16_t rcode = -1;  // -1: no response seen
  uint32_t query_size = 0;
  uint32_t response_size = 0;
};

// A page of a domain's rows: events, or passive-DNS records.
struct PageRequest {
  std::string domain;  // any name; its registered domain picks the rows, the name itself filters them
  TimeWindow window;
  uint64_t limit = 100;  // 1..kMaxEventsPage or kMaxObservationsPage
  std::string cursor;    // "" for the first page, else a previous page's next_cursor
};
using EventsRequest = PageRequest;

// Ordered by (ts, usec, sensor, batch_seq, batch_row), the writer's unique
// row id after the time, so pages neither skip nor repeat a row while rows
// are added later than the cursor.
struct EventsPage {
  std::string registered_domain;
  std::vector<HuntEvent> events;
  std::string next_cursor;  // "" on the last page
};

struct HuntClient {
  std::string client;
  int64_t first_seen_usec = 0;  // microseconds since 1970
  int64_t last_seen_usec = 0;
  uint64_t queries = 0;
  uint64_t bytes = 0;                // query_size + response_size
  std::vector<std::string> sensors;  // sorted
};

struct ClientsRequest {
  std::string domain;
  TimeWindow window;
  uint64_t limit = 1000;  // 1..kMaxClients, the most active first
};

struct ClientsAnswer {
  std::string registered_domain;
  std::vector<HuntClient> clients;  // by queries, descending, then address
  bool truncated = false;           // more clients than the limit
};

struct TimelinePoint {
  int64_t minute = 0;  // UNIX seconds, a multiple of 60
  uint64_t queries = 0;
  uint64_t subdomains = 0;  // distinct qnames
  uint64_t bytes = 0;
};

struct TimelineRequest {
  std::string domain;
  TimeWindow window;  // required, at most kMaxTimelineSeconds long
};

struct TimelineAnswer {
  std::string registered_domain;
  std::vector<TimelinePoint> minutes;  // only minutes with queries, in order
};

struct FirstSeenAnswer {
  std::string registered_domain;
  bool found = false;
  HuntEvent first;  // the earliest event of the domain across every sensor
};

struct TopRequest {
  TimeWindow window;    // required, at most kMaxTopSeconds long
  uint64_t limit = 20;  // 1..kMaxTop
};

struct TopDomain {
  std::string registered_domain;
  uint64_t subdomain_bytes = 0;  // bytes of the distinct labels below it
  uint64_t subdomains = 0;       // distinct qnames
  uint64_t queries = 0;
  uint64_t clients = 0;
};

struct TopAnswer {
  std::vector<TopDomain> domains;  // by subdomain_bytes, descending, then name
};

// One passive-DNS record (an NS record of a domain, or an address of a
// name server) merged over every sensor and batch that saw it.
struct HuntObservation {
  std::string rrname;
  uint16_t rrtype = 0;
  std::string rdata;
  int64_t first_seen = 0, last_seen = 0;  // UNIX seconds
  uint64_t count = 0;                     // sightings
  std::vector<std::string> sensors;       // sorted
};

// The window selects the records whose batches saw them in it;
// first/last/count are those batches'.
using ObservationsRequest = PageRequest;

// Ordered by (rrname, rrtype, rdata), the record itself, so keyset pages
// neither skip nor repeat one.
struct ObservationsPage {
  std::string registered_domain;
  std::vector<HuntObservation> observations;
  std::string next_cursor;  // "" on the last page
};

Status HuntEvents(const HuntTarget& target, const EventsRequest& request, EventsPage* out);
Status HuntObservations(const HuntTarget& target, const ObservationsRequest& request, ObservationsPage* out);
Status HuntClients(const HuntTarget& target, const ClientsRequest& request, ClientsAnswer* out);
Status HuntTimeline(const HuntTarget& target, const TimelineRequest& request, TimelineAnswer* out);
// The whole history of the domain unless `window` narrows it.
Status HuntFirstSeen(const HuntTarget& target, const std::string& domain, const TimeWindow& window,
                     FirstSeenAnswer* out);
Status HuntTop(const HuntTarget& target, const TopRequest& request, TopAnswer* out);

}  // namespace nsradar::warehouse
