// nsradar ingest-traffic: passive DNS into the reverse-NS index. NS records
// seen in responses, and the addresses of name servers, are written to the
// store with first and last observation, beside what zone files say.
#include <fmt/format.h>

#include <chrono>
#include <unordered_map>

#include "commands.h"
#include "ingest/passive_dns.h"
#include "inputs.h"
#include "nsdb/store.h"

namespace nsradar::cli {
namespace {

struct TrafficOptions : TrafficInputOptions {
  size_t batch = 50000;
};

void RunIngestTraffic(const GlobalOptions& g, const TrafficOptions& o) {
  const ingest::Format format = FormatOption(o.format);
  std::unique_ptr<nsdb::Store> store;
  if (Status s = nsdb::Store::Open(g.store, nsdb::StoreOptions(), &store); !s.ok()) Fail(s);
  // Whether the index already knows a host as a name server, remembered.
  std::unordered_map<std::string, bool> known;
  ingest::PassiveDns passive([&](const std::string& host) {
    auto it = known.find(host);
    if (it != known.end()) return it->second;
    nsdb::NsCounts c;
    bool is_ns = store->Counts(host, &c).ok() && c.total > 0;
    if (known.size() > (1 << 20)) known.clear();
    known.emplace(host, is_ns);
    return is_ns;
  });
  nsdb::ObserveResult total;
  uint64_t events = 0;
  auto flush = [&] {
    std::vector<ingest::PassiveNsRecord> ns;
    std::vector<ingest::PassiveAddressRecord> addresses;
    passive.Drain(&ns, &addresses);
    if (ns.empty() && addresses.empty()) return;
    std::vector<nsdb::NsObservation> pairs;
    pairs.reserve(ns.size());
    for (auto& r : ns) pairs.push_back(nsdb::NsObservation{std::move(r.ns), std::move(r.domain), r.time});
    std::vector<nsdb::AddressObservation> glue;
    for (auto& r : addresses) glue.push_back(nsdb::AddressObservation{std::move(r.host), r.address, r.time});
    nsdb::ObserveResult r;
    if (Status s = store->Observe(pairs, glue, &r); !s.ok()) Fail(s);
    total.pairs_new += r.pairs_new;
    total.pairs_again += r.pairs_again;
    total.addresses_new += r.addresses_new;
    total.addresses_again += r.addresses_again;
  };
  StopControl stop(o.duration);
  std::unique_ptr<dns::PublicSuffixList> psl;
  ingest::SourceOptions so = o.ToSourceOptions(&psl);
  // Resolver-side repeats of client queries carry the referrals: every
  // delegation the resolver walked.
  so.keep_echoes = true;
  auto last_flush = std::chrono::steady_clock::now();
  auto on_event = [&](const ingest::DnsEvent& ev, bool live) {
    ++events;
    passive.Add(ev);
    // Live sources write at least every two seconds.
    if (passive.pending() >= o.batch ||
        (live && std::chrono::steady_clock::now() - last_flush > std::chrono::seconds(2))) {
      flush();
      last_flush = std::chrono::steady_clock::now();
    }
  };
  const bool ok = RunInputs(ingest::ExpandInputs(o.inputs), format, so, false, on_event, [&](bool) { flush(); });
  fmt::print(
      "{} events: {} new (name server, domain) pairs, {} seen again; {} new name server addresses, {} seen again\n",
      events, total.pairs_new, total.pairs_again, total.addresses_new, total.addresses_again);
  if (!ok) throw CLI::RuntimeError(1);
}

}  // namespace

void AddTrafficCommand(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<TrafficOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ingest-traffic", "Passive DNS: NS records and name-server addresses seen in traffic into the index");
  AddTrafficInputOptions(cmd, o.get(), "inputs",
                         "Files as for 'events', or one live source (dnstap-socket:PATH, interface:NAME)", true);
  cmd->add_option("--batch", o->batch, "Observations per write")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->callback([o, &global] { RunIngestTraffic(global, *o); });
}

}  // namespace nsradar::cli
