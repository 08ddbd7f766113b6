// Queries of the reverse-NS index: nsradar ns ..., domain ..., ip ..., stats.
#include <fmt/format.h>

#include <functional>
#include <optional>

#include "commands.h"
#include "dns/name.h"
#include "nsdb/cursor.h"
#include "nsdb/json.h"
#include "nsdb/store.h"
#include "nsdb/suffix_filter.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::cli {
namespace {

std::unique_ptr<nsdb::Store> OpenForReading(const GlobalOptions& g) {
  nsdb::StoreOptions so;
  so.read_only = true;
  std::unique_ptr<nsdb::Store> store;
  Status s = nsdb::Store::Open(g.store, so, &store);
  if (!s.ok()) Fail(s);
  return store;
}

void Check(const Status& s) {
  if (!s.ok()) {
    PrintError(s.ToString());
    throw CLI::RuntimeError(s.IsNotFound() ? 3 : 1);
  }
}

// --json output: one document, written by the same nsdb/json.h writers the
// HTTP API's v2 uses, so scripts can move between the two.
void PrintJson(const std::function<void(JsonWriter&)>& write) {
  std::string out;
  JsonWriter j(&out);
  write(j);
  fmt::print("{}\n", out);
}

// Where a page starts: after --from (a name), or after the page --cursor
// (a next_cursor of --json output or of the API) continues.
std::string PageStart(const std::string& from, const std::string& cursor) {
  if (!from.empty()) return NameArgument(from, "--from");
  std::string after;
  if (!cursor.empty() && !nsdb::DecodeCursor(cursor, &after)) {
    throw CLI::ValidationError("--cursor", "'" + cursor + "' is not a next_cursor nsradar gave");
  }
  return after;
}

// --from NAME or --cursor C (see PageStart), and --limit.
void AddPageOptions(CLI::App* cmd, const char* from_help, std::string* from, std::string* cursor, size_t* limit) {
  auto* from_option = cmd->add_option("--from", *from, from_help);
  cmd->add_option("--cursor", *cursor, "Start where a --json page's next_cursor says")->excludes(from_option);
  cmd->add_option("--limit", *limit, "Rows per page")->check(CLI::Range(1, 10000))->capture_default_str();
}

struct NsDomainsOptions {
  std::string ns, from, cursor;
  size_t limit = 100;
  std::string since, until, first_after, first_before, last_after, last_before, kind = "all";
  std::optional<std::string> suffix;  // given, even empty, it must be a name
  bool active = false;
};

void RunNsDomains(const GlobalOptions& g, const NsDomainsOptions& o) {
  nsdb::DomainQuery q;
  q.ns = NameArgument(o.ns, "NS");
  q.after = PageStart(o.from, o.cursor);
  q.limit = o.limit;
  // --since/--until select edges seen at any time within the window.
  if (!o.since.empty()) q.last_seen_after = TimeArgument(o.since, "--since") - 1;
  if (!o.until.empty()) q.first_seen_before = TimeArgument(o.until, "--until") + 1;
  if (!o.first_after.empty()) q.first_seen_after = TimeArgument(o.first_after, "--first-seen-after");
  if (!o.first_before.empty()) q.first_seen_before = TimeArgument(o.first_before, "--first-seen-before");
  if (!o.last_after.empty()) q.last_seen_after = TimeArgument(o.last_after, "--last-seen-after");
  if (!o.last_before.empty()) q.last_seen_before = TimeArgument(o.last_before, "--last-seen-before");
  if (!nsdb::ParseKindFilter(o.kind, &q.kind)) {
    throw CLI::ValidationError("--kind", "'" + o.kind + "': expected " + nsdb::KindFilterNames());
  }
  q.active_only = o.active;
  if (o.suffix) {
    if (std::string err = nsdb::ParseSuffixFilter(*o.suffix, &q.suffix); !err.empty()) {
      throw CLI::ValidationError("--suffix", err);
    }
  }
  auto store = OpenForReading(g);
  nsdb::DomainPage page;
  Check(store->DomainsOnNs(q, &page));
  if (g.json) {
    PrintJson([&](JsonWriter& j) { nsdb::WriteDomainPageJson(q.ns, page, j); });
    return;
  }
  Table t({"DOMAIN", "FIRST SEEN", "LAST SEEN", "ACTIVE", "KIND"});
  for (const auto& r : page.rows) {
    t.Add({r.name, FormatTime(r.first_seen), FormatTime(r.last_seen), r.active ? "yes" : "no",
           std::string(zone::DomainKindName(r.kind))});
  }
  t.Print(stdout);
  fmt::print("{} of {} domains on {}", page.rows.size(), WithCommas(page.total), q.ns);
  if (page.more) fmt::print("; next page: --from {}", page.rows.back().name);
  fmt::print("\n");
}

struct NsListOptions {
  std::string suffix, from, cursor;
  size_t limit = 100;
};

void RunNsList(const GlobalOptions& g, const NsListOptions& o) {
  std::string suffix = NameArgument(o.suffix, "SUFFIX");
  std::string after = PageStart(o.from, o.cursor);
  auto store = OpenForReading(g);
  std::vector<nsdb::NsRow> rows;
  bool more = false;
  Check(store->NameServersUnder(suffix, after, o.limit, &rows, &more));
  if (g.json) {
    PrintJson([&](JsonWriter& j) { nsdb::WriteNsPageJson(suffix, rows, more, j); });
    return;
  }
  Table t({"NAME SERVER", "DOMAINS", "ACTIVE"});
  for (const auto& r : rows) t.Add({r.name, WithCommas(r.counts.total), WithCommas(r.counts.active)});
  t.Print(stdout);
}

// The rows of `ns ips` (by_host: the addresses of one host) or `ip hosts`,
// as a table or with --json as `write_json` writes them.
void PrintGlue(const GlobalOptions& g, const std::vector<nsdb::GlueRow>& rows, bool by_host,
               const std::function<void(JsonWriter&)>& write_json) {
  if (g.json) {
    PrintJson(write_json);
    return;
  }
  Table t({by_host ? "ADDRESS" : "NAME SERVER", "FIRST SEEN", "LAST SEEN"});
  for (const auto& r : rows) {
    t.Add({by_host ? r.address.ToString() : r.host, FormatTime(r.first_seen), FormatTime(r.last_seen)});
  }
  t.Print(stdout);
}

void RunDomainHistory(const GlobalOptions& g, const std::string& arg) {
  std::string name = NameArgument(arg, "DOMAIN");
  auto store = OpenForReading(g);
  nsdb::DomainInfo info;
  Check(store->Domain(name, &info));
  if (g.json) {
    PrintJson([&](JsonWriter& j) { nsdb::WriteDomainJson(info, j); });
    return;
  }
  fmt::print("{} (zone {}, {})\n\n", dns::ToDisplay(info.name), info.zone.empty() ? "." : info.zone,
             zone::DomainKindName(info.kind));
  Table edges({"NAME SERVER", "FIRST SEEN", "LAST SEEN", "CURRENT"});
  for (const auto& e : info.edges) {
    edges.Add({e.ns, FormatTime(e.first_seen), FormatTime(e.last_seen), e.active ? "yes" : "no"});
  }
  edges.Print(stdout);
  fmt::print("\n");
  Table hist({"TIME", "EVENT", "NAME SERVERS"});
  for (const auto& ev : info.history) {
    std::string list;
    for (const auto& ns : ev.name_servers) list += (list.empty() ? "" : " ") + ns;
    hist.Add({FormatTime(ev.time), nsdb::DomainEventName(ev.type), list});
  }
  hist.Print(stdout);
}

void RunStats(const GlobalOptions& g) {
  auto store = OpenForReading(g);
  nsdb::StoreStats st;
  Check(store->Stats(&st));
  if (g.json) {
    PrintJson([&](JsonWriter& j) { nsdb::WriteStatsJson(st, j); });
    return;
  }
  Table t({"WHAT", "COUNT"});
  t.Add({"zones", WithCommas(st.zones)});
  t.Add({"snapshots", WithCommas(st.snapshots)});
  t.Add({"domains", WithCommas(st.domains)});
  t.Add({"name servers", WithCommas(st.name_servers)});
  t.Add({"edges (ever)", WithCommas(st.edges)});
  t.Add({"edges (active)", WithCommas(st.active_edges)});
  t.Add({"glue addresses", WithCommas(st.glue)});
  t.Add({"disk", HumanBytes(static_cast<double>(st.disk_bytes))});
  t.Print(stdout);
  if (!st.zone_list.empty()) {
    fmt::print("\n");
    Table z({"ZONE", "SNAPSHOTS", "FIRST", "LATEST"});
    for (const auto& zi : st.zone_list) {
      z.Add({zi.name.empty() ? "." : zi.name, WithCommas(zi.snapshots.size()),
             FormatTime(zi.snapshots.empty() ? 0 : zi.snapshots.front().observed_at), FormatTime(zi.latest())});
    }
    z.Print(stdout);
  }
}

struct AlertsOptions {
  std::string domain;
  size_t limit = 1000;
};

// Alerts kept by `detect --store` / `watch --store`.
void RunAlerts(const GlobalOptions& g, const AlertsOptions& o) {
  auto store = OpenForReading(g);
  std::vector<nsdb::StoredAlert> alerts;
  Check(store->Alerts(o.domain.empty() ? "" : NameArgument(o.domain, "DOMAIN"), o.limit, &alerts));
  if (g.json) {
    for (const auto& a : alerts) fmt::print("{}\n", a.json);
    return;
  }
  Table t({"ALERT TIME", "DOMAIN", "CATEGORY"});
  for (const auto& a : alerts) t.Add({FormatTime(a.alert_time_us / 1'000'000), a.domain, a.category});
  t.Print(stdout);
}

}  // namespace

void AddQueryCommands(CLI::App& app, const GlobalOptions& global) {
  {
    auto o = std::make_shared<AlertsOptions>();
    CLI::App* cmd = app.add_subcommand("alerts", "Detection alerts kept in the store (detect/watch --store)");
    cmd->add_option("domain", o->domain, "Only this domain's alerts");
    cmd->add_option("--limit", o->limit, "At most this many")->check(CountAtLeast(1))->capture_default_str();
    cmd->callback([o, &global] { RunAlerts(global, *o); });
  }
  auto* ns = app.add_subcommand("ns", "Name server queries")->require_subcommand(1);

  auto d = std::make_shared<NsDomainsOptions>();
  auto* domains = ns->add_subcommand("domains", "Domains using a name server, in name order");
  domains->add_option("NS", d->ns, "Name server host")->required();
  AddPageOptions(domains, "Start strictly after this domain (keyset cursor)", &d->from, &d->cursor, &d->limit);
  domains->add_option("--since", d->since, "Only edges seen at or after this time");
  domains->add_option("--until", d->until, "Only edges seen at or before this time");
  domains->add_option("--first-seen-after", d->first_after);
  domains->add_option("--first-seen-before", d->first_before);
  domains->add_option("--last-seen-after", d->last_after);
  domains->add_option("--last-seen-before", d->last_before);
  std::vector<std::string> kinds = {"all"};
  for (const auto& row : zone::kDomainKindNames) kinds.emplace_back(row.name);
  domains->add_option("--kind", d->kind, nsdb::KindFilterNames())->check(CLI::IsMember(kinds))->capture_default_str();
  domains->add_flag("--active", d->active, "Only domains present in their zone's latest snapshot");
  domains->add_option("--suffix", d->suffix, "Only domains at or below this name (label by label)");
  domains->callback([&global, d]() { RunNsDomains(global, *d); });

  auto l = std::make_shared<NsListOptions>();
  auto* list = ns->add_subcommand("list", "Name servers at or below a name (e.g. ns.cloudflare.com), with counts");
  list->add_option("SUFFIX", l->suffix, "Name")->required();
  AddPageOptions(list, "Start after this name server", &l->from, &l->cursor, &l->limit);
  list->callback([&global, l]() { RunNsList(global, *l); });

  auto host = std::make_shared<std::string>();
  auto* ips = ns->add_subcommand("ips", "Addresses of a name server host (from glue)");
  ips->add_option("NS", *host, "Name server host")->required();
  ips->callback([&global, host]() {
    std::string name = NameArgument(*host, "NS");
    auto store = OpenForReading(global);
    std::vector<nsdb::GlueRow> rows;
    Check(store->HostAddresses(name, &rows));
    PrintGlue(global, rows, true, [&](JsonWriter& j) { nsdb::WriteHostAddressesJson(name, rows, j); });
  });

  auto* ip = app.add_subcommand("ip", "Address queries")->require_subcommand(1);
  auto addr = std::make_shared<std::string>();
  auto* hosts = ip->add_subcommand("hosts", "Name server hosts with this address in glue");
  hosts->add_option("ADDRESS", *addr, "IPv4 or IPv6 address")->required();
  hosts->callback([&global, addr]() {
    auto a = dns::Address::Parse(*addr);
    if (!a) throw CLI::ValidationError("ADDRESS", "'" + *addr + "' is not an IPv4 or IPv6 address");
    auto store = OpenForReading(global);
    std::vector<nsdb::GlueRow> rows;
    Check(store->AddressHosts(*a, &rows));
    PrintGlue(global, rows, false, [&](JsonWriter& j) { nsdb::WriteAddressHostsJson(*a, rows, j); });
  });

  auto* domain = app.add_subcommand("domain", "Domain queries")->require_subcommand(1);
  auto dname = std::make_shared<std::string>();
  auto* history = domain->add_subcommand("history", "A domain's name servers and their history");
  history->add_option("DOMAIN", *dname, "Domain")->required();
  history->callback([&global, dname]() { RunDomainHistory(global, *dname); });

  app.add_subcommand("stats", "Store statistics")->callback([&global]() { RunStats(global); });
}

}  // namespace nsradar::cli
