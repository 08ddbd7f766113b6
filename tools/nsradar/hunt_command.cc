// nsradar hunt events|clients|timeline|first-seen|observations|top: forensics over the
// ClickHouse warehouse (docs/warehouse.md, "Hunting").
#include <fmt/format.h>

#include <ctime>
#include <memory>
#include <optional>

#include "commands.h"
#include "util/time.h"
#include "warehouse/hunt.h"
#include "warehouse/hunt_json.h"

namespace nsradar::cli {
namespace {

struct HuntOptions : WarehouseConnection {
  std::string domain;
  std::string from;
  std::string to;
  std::optional<uint64_t> limit;
  std::string cursor;
};

warehouse::HuntTarget Target(const HuntOptions& o) {
  warehouse::HuntTarget t;
  t.shards = WarehouseShards(o);
  t.names = o.names;
  return t;
}

// --from/--to, each defaulting as the query wants: `span` seconds before
// --to, and --to now (a minute ahead, for clocks a little apart); span 0
// means the whole history.
warehouse::TimeWindow Window(const HuntOptions& o, int64_t span) {
  warehouse::TimeWindow w;
  if (span > 0) {
    w.to = (std::time(nullptr) / 60 + 1) * 60;
    w.from = w.to - span;
  }
  if (!o.to.empty()) w.to = TimeArgument(o.to, "--to");
  if (!o.from.empty()) w.from = TimeArgument(o.from, "--from");
  if (span > 0 && o.from.empty() && !o.to.empty()) w.from = w.to - span;
  return w;
}

uint64_t Limit(const HuntOptions& o, uint64_t fallback) { return o.limit.value_or(fallback); }

// A page of the domain's rows over the whole history, unless --from/--to.
warehouse::PageRequest Page(const HuntOptions& o) { return {o.domain, Window(o, 0), Limit(o, 100), o.cursor}; }

void PrintMore(const std::string& next_cursor) {
  if (!next_cursor.empty()) fmt::print(stderr, "more: --cursor {}\n", next_cursor);
}

std::string Bytes(uint64_t n) { return WithCommas(n); }

void RunEvents(const GlobalOptions& g, const HuntOptions& o) {
  warehouse::EventsPage page;
  if (Status s = warehouse::HuntEvents(Target(o), Page(o), &page); !s.ok()) Fail(s);
  if (g.json) return fmt::print("{}\n", warehouse::EventsJson(page));
  Table t({"TIME", "SENSOR", "CLIENT", "QTYPE", "RCODE", "BYTES", "QNAME"});
  for (const auto& e : page.events) {
    t.Add({warehouse::FormatMicros(e.ts * 1'000'000 + e.usec), e.sensor, e.client, std::to_string(e.qtype),
           std::to_string(e.rcode), Bytes(uint64_t{e.query_size} + e.response_size), e.qname});
  }
  t.Print(stdout);
  PrintMore(page.next_cursor);
}

void RunClients(const GlobalOptions& g, const HuntOptions& o) {
  warehouse::ClientsAnswer a;
  if (Status s = warehouse::HuntClients(Target(o), {o.domain, Window(o, 0), Limit(o, 1000)}, &a); !s.ok()) Fail(s);
  if (g.json) return fmt::print("{}\n", warehouse::ClientsJson(a));
  Table t({"CLIENT", "FIRST SEEN", "LAST SEEN", "QUERIES", "BYTES", "SENSORS"});
  for (const auto& c : a.clients) {
    t.Add({c.client, warehouse::FormatMicros(c.first_seen_usec), warehouse::FormatMicros(c.last_seen_usec),
           WithCommas(c.queries), Bytes(c.bytes), fmt::format("{}", fmt::join(c.sensors, ","))});
  }
  t.Print(stdout);
  if (a.truncated) fmt::print(stderr, "more clients than --limit {}\n", Limit(o, 1000));
}

void RunTimeline(const GlobalOptions& g, const HuntOptions& o) {
  warehouse::TimelineAnswer a;
  if (Status s = warehouse::HuntTimeline(Target(o), {o.domain, Window(o, 86400)}, &a); !s.ok()) Fail(s);
  if (g.json) return fmt::print("{}\n", warehouse::TimelineJson(a));
  Table t({"MINUTE", "QUERIES", "SUBDOMAINS", "BYTES"});
  for (const auto& p : a.minutes) {
    t.Add({FormatTime(p.minute), WithCommas(p.queries), WithCommas(p.subdomains), Bytes(p.bytes)});
  }
  t.Print(stdout);
}

void RunFirstSeen(const GlobalOptions& g, const HuntOptions& o) {
  warehouse::FirstSeenAnswer a;
  if (Status s = warehouse::HuntFirstSeen(Target(o), o.domain, Window(o, 0), &a); !s.ok()) Fail(s);
  if (g.json) return fmt::print("{}\n", warehouse::FirstSeenJson(a));
  if (!a.found) return fmt::print("{}: never seen\n", o.domain);
  const auto& e = a.first;
  fmt::print("{}: first seen {} by sensor {}, client {}: {} (type {})\n", a.registered_domain,
             warehouse::FormatMicros(e.ts * 1'000'000 + e.usec), e.sensor, e.client, e.qname, e.qtype);
}

void RunObservations(const GlobalOptions& g, const HuntOptions& o) {
  warehouse::ObservationsPage page;
  if (Status s = warehouse::HuntObservations(Target(o), Page(o), &page); !s.ok()) Fail(s);
  if (g.json) return fmt::print("{}\n", warehouse::ObservationsJson(page));
  Table t({"NAME", "TYPE", "DATA", "FIRST SEEN", "LAST SEEN", "COUNT", "SENSORS"});
  for (const auto& ob : page.observations) {
    t.Add({ob.rrname, std::to_string(ob.rrtype), ob.rdata, FormatTime(ob.first_seen), FormatTime(ob.last_seen),
           WithCommas(ob.count), fmt::format("{}", fmt::join(ob.sensors, ","))});
  }
  t.Print(stdout);
  PrintMore(page.next_cursor);
}

void RunTop(const GlobalOptions& g, const HuntOptions& o) {
  warehouse::TopAnswer a;
  warehouse::TopRequest r{Window(o, 3600), Limit(o, 20)};
  if (Status s = warehouse::HuntTop(Target(o), r, &a); !s.ok()) Fail(s);
  if (g.json) return fmt::print("{}\n", warehouse::TopJson(r, a));
  Table t({"DOMAIN", "SUBDOMAIN BYTES", "SUBDOMAINS", "QUERIES", "CLIENTS"});
  for (const auto& d : a.domains) {
    t.Add({d.registered_domain, Bytes(d.subdomain_bytes), WithCommas(d.subdomains), WithCommas(d.queries),
           WithCommas(d.clients)});
  }
  t.Print(stdout);
}

CLI::App* AddHunt(CLI::App* hunt, const char* name, const char* help, HuntOptions* o, bool domain,
                  const char* window_help) {
  CLI::App* cmd = hunt->add_subcommand(name, help);
  AddWarehouseConnectionOptions(cmd, o);
  cmd->add_option("--from", o->from,
                  std::string("Start of the window (UNIX seconds, date or RFC 3339); ") + window_help);
  cmd->add_option("--to", o->to, "End of the window, excluded");
  if (domain) cmd->add_option("domain", o->domain, "Domain name (its registered domain's rows)")->required();
  return cmd;
}

}  // namespace

void AddHuntCommands(CLI::App& app, const GlobalOptions& global) {
  CLI::App* hunt = app.add_subcommand("hunt", "Forensics over the ClickHouse warehouse (all sensors)");
  hunt->require_subcommand(1);
  auto o = std::make_shared<HuntOptions>();
  CLI::App* events = AddHunt(hunt, "events", "A domain's events, oldest first, a page at a time", o.get(), true,
                             "default: the whole history");
  events->add_option("--limit", o->limit, fmt::format("Events per page (1-{}; default 100)", warehouse::kMaxEventsPage))
      ->check(CountAtLeast(0));
  events->add_option("--cursor", o->cursor, "The next page: the cursor the previous page gave");
  events->callback([o, &global] { RunEvents(global, *o); });
  CLI::App* clients = AddHunt(hunt, "clients", "A domain's clients: first/last seen, queries, bytes, sensors", o.get(),
                              true, "default: the whole history");
  clients
      ->add_option("--limit", o->limit,
                   fmt::format("Clients, most active first (1-{}; default 1000)", warehouse::kMaxClients))
      ->check(CountAtLeast(0));
  clients->callback([o, &global] { RunClients(global, *o); });
  CLI::App* timeline = AddHunt(hunt, "timeline", "A domain's queries, distinct subdomains and bytes per minute",
                               o.get(), true, "default: a day before --to (now); at most 7 days");
  timeline->callback([o, &global] { RunTimeline(global, *o); });
  CLI::App* first = AddHunt(hunt, "first-seen", "The first query of a domain across all sensors", o.get(), true,
                            "default: the whole history");
  first->callback([o, &global] { RunFirstSeen(global, *o); });
  CLI::App* observations =
      AddHunt(hunt, "observations",
              "A domain's passive-DNS records (NS, name servers' addresses) across sensors: first/last seen, count",
              o.get(), true, "default: the whole history");
  observations
      ->add_option("--limit", o->limit,
                   fmt::format("Records per page (1-{}; default 100)", warehouse::kMaxObservationsPage))
      ->check(CountAtLeast(0));
  observations->add_option("--cursor", o->cursor, "The next page: the cursor the previous page gave");
  observations->callback([o, &global] { RunObservations(global, *o); });
  CLI::App* top = AddHunt(hunt, "top", "Registered domains by bytes of distinct subdomains (tunnels lead)", o.get(),
                          false, "default: an hour before --to (now); at most 31 days");
  top->add_option("--limit", o->limit, fmt::format("Domains (1-{}; default 20)", warehouse::kMaxTop))
      ->check(CountAtLeast(0));
  top->callback([o, &global] { RunTop(global, *o); });
}

}  // namespace nsradar::cli
