// nsradar events: DNS traffic from captures, dnstap and logs as one event
// stream, printed as a table or JSON lines.
#include <fmt/format.h>

#include "commands.h"
#include "dns/rr_type.h"
#include "ingest/formats.h"
#include "ingest/source.h"
#include "inputs.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::cli {
namespace {

struct EventsOptions : TrafficInputOptions {
  uint64_t limit = 0;
  bool verbose = false;
};

std::string FormatTimeMicros(int64_t us) {
  std::string s = FormatTime(us / 1'000'000);  // "...:SSZ"
  s.pop_back();
  return s + fmt::format(".{:06d}Z", us % 1'000'000);
}

void WriteRecords(JsonWriter& w, std::string_view key, const std::vector<ingest::DnsRecordData>& records) {
  w.Key(key).BeginArray();
  for (const auto& r : records) {
    w.BeginObject()
        .Field("name", r.name)
        .Field("type", dns::TypeToString(r.type))
        .Field("ttl", r.ttl)
        .Field("data", r.data)
        .EndObject();
  }
  w.EndArray();
}

void PrintJsonEvent(const ingest::DnsEvent& ev, std::string* line) {
  line->clear();
  JsonWriter w(line);
  w.BeginObject().Field("ts", FormatTimeMicros(ev.ts_us)).Field("ts_us", ev.ts_us);
  if (ev.client.family) w.Field("client", ev.client.ToString()).Field("client_port", ev.client_port);
  if (ev.server.family) w.Field("server", ev.server.ToString()).Field("server_port", ev.server_port);
  if (ev.transport != ingest::Transport::kUnknown) w.Field("transport", ingest::TransportName(ev.transport));
  w.Field("qname", ev.qname);
  if (ev.qname_raw != ev.qname) w.Field("qname_raw", ev.qname_raw);
  w.Field("qtype", dns::TypeToString(ev.qtype)).Field("qclass", ev.qclass).Field("id", ev.id);
  w.Key("rcode");
  if (const char* name = dns::RcodeName(ev.rcode)) {
    w.String(name);
  } else if (ev.rcode >= 0) {
    w.Int(ev.rcode);
  } else {
    w.Null();
  }
  w.Key("registered_domain");
  if (ev.registered_domain().empty()) {
    w.Null();
  } else {
    w.String(ev.registered_domain());
  }
  if (ev.has_query) w.Field("query_size", ev.query_size);
  if (ev.has_response) {
    w.Field("response_size", ev.response_size);
    WriteRecords(w, "answers", ev.answers);
    if (!ev.authority_ns.empty()) WriteRecords(w, "authority_ns", ev.authority_ns);
  }
  if (!ev.glue.empty()) WriteRecords(w, "glue", ev.glue);
  if (!ev.sensor.empty()) w.Field("sensor", ev.sensor);
  w.Field("vantage", ingest::VantageName(ev.vantage));
  if (ev.has_bailiwick) w.Field("bailiwick", ev.bailiwick);
  if (ev.echo) w.Field("echo", true);
  w.EndObject();
  line->push_back('\n');
  std::fwrite(line->data(), 1, line->size(), stdout);
}

void RunEvents(const GlobalOptions& g, const EventsOptions& o) {
  const ingest::Format format = FormatOption(o.format);
  std::unique_ptr<dns::PublicSuffixList> psl;
  ingest::SourceOptions so = o.ToSourceOptions(&psl);
  so.keep_echoes = true;  // shown, marked: what ingest-traffic reads
  const std::vector<std::string> inputs = ingest::ExpandInputs(o.inputs);
  if (o.follow && inputs.size() != 1) throw CLI::ValidationError("--follow", "follows exactly one file");
  uint64_t printed = 0;
  std::string line;
  const std::vector<std::string> header = {"TIME", "SIDE", "CLIENT", "QNAME", "QTYPE", "RCODE", "REGISTERED DOMAIN"};
  // An echo is a resolver-side event (ingest/event.h).
  auto side = [](const ingest::DnsEvent& ev) { return ev.echo ? "echo" : ingest::VantageName(ev.vantage); };
  Table table(header);
  StopControl stop(o.duration);
  auto on_event = [&](const ingest::DnsEvent& ev, bool live) {
    if (o.limit && printed >= o.limit) return;
    ++printed;
    const char* rcode = dns::RcodeName(ev.rcode);
    if (g.json) {
      PrintJsonEvent(ev, &line);
      std::fflush(stdout);
    } else if (live) {  // no table to align: one row as it comes
      fmt::print("{}  {:<8}  {:<15}  {:<40}  {:<6}  {:<8}  {}\n", FormatTimeMicros(ev.ts_us), side(ev),
                 ev.client.family ? ev.client.ToString() : "", ev.qname, dns::TypeToString(ev.qtype),
                 rcode ? rcode : "-", ev.registered_domain());
      std::fflush(stdout);
    } else {
      table.Add({FormatTimeMicros(ev.ts_us), side(ev), ev.client.family ? ev.client.ToString() : "",
                 ev.qname.empty() ? "." : ev.qname, dns::TypeToString(ev.qtype),
                 rcode ? rcode : (ev.rcode < 0 ? "-" : std::to_string(ev.rcode)), std::string(ev.registered_domain())});
    }
  };
  auto after_input = [&](bool live) {
    if (g.json || live) return;
    table.Print(stdout);
    table = Table(header);
  };
  if (!RunInputs(inputs, format, so, o.verbose, on_event, after_input)) throw CLI::RuntimeError(1);
}

}  // namespace

void AddEventsCommand(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<EventsOptions>();
  CLI::App* cmd = app.add_subcommand("events", "Print the DNS events of captures, dnstap files and DNS logs");
  AddTrafficInputOptions(cmd, o.get(), "inputs",
                         "Files (pcap/pcapng, dnstap, Zeek TSV/JSON, Suricata EVE, BIND, Unbound, dnsmasq, PowerDNS, "
                         "CoreDNS, Windows DNS logs; plain, gzip or zstd), or one live source: dnstap-socket:PATH, "
                         "interface:NAME",
                         true);
  cmd->add_option("--limit", o->limit, "Print at most N events (0: all)")->check(CountAtLeast(0));
  cmd->add_flag("--verbose,-v", o->verbose, "Show samples of skipped input");
  cmd->callback([o, &global] { RunEvents(global, *o); });
}

}  // namespace nsradar::cli
