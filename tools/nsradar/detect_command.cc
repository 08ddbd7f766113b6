// nsradar detect (batch over files, event time) and nsradar watch (live
// sources, each alert printed the moment its evidence crosses the bar):
// tunneling and exfiltration alerts over DNS traffic. docs/detection.md.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.h"
#include "detect/alert_json.h"
#include "detect/detector.h"
#include "inputs.h"
#include "intel/ns_oracle.h"
#include "nsdb/store.h"
#include "pipeline/alert_sink.h"
#include "util/time.h"

namespace nsradar::cli {
namespace {

struct DetectOptions : TrafficInputOptions {
  std::string envelope = "plain";
  std::vector<std::string> allowlists;
  std::string popularity;
  size_t popularity_top = 10'000;
  std::string learn_out;
  std::string out;
  bool no_fingerprints = false;
};

detect::Allowlist BuildAllowlist(const DetectOptions& o) {
  detect::Allowlist allow = detect::Allowlist::BuiltIn();
  for (const auto& path : o.allowlists) {
    if (Status s = allow.LoadFile(path, "allowlisted"); !s.ok()) throw CLI::ValidationError("--allowlist", s.message());
  }
  if (!o.popularity.empty()) {
    if (Status s = allow.LoadPopularity(o.popularity, o.popularity_top); !s.ok()) {
      throw CLI::ValidationError("--popular", s.message());
    }
  }
  return allow;
}

void Run(const GlobalOptions& g, const DetectOptions& o, bool watch) {
  const ingest::Format format = FormatOption(o.format);
  detect::AlertEnvelope envelope;
  if (!detect::ParseAlertEnvelope(o.envelope, &envelope)) {
    throw CLI::ValidationError("--envelope", "'" + o.envelope + "': expected plain, eve or ecs");
  }
  // Alerts are kept when a store is named (--store) or the default one
  // exists: the checks, the API and the RPZ read them there, and the
  // detector weighs suspicious domains by their name servers in its index.
  std::unique_ptr<nsdb::Store> store;
  std::unique_ptr<intel::StoreNameServerOracle> name_servers;
  if (g.store_given || std::filesystem::exists(std::filesystem::path(g.store) / "CURRENT")) {
    if (Status s = nsdb::Store::Open(g.store, nsdb::StoreOptions(), &store); !s.ok()) Fail(s);
    name_servers = std::make_unique<intel::StoreNameServerOracle>(store.get());
    fmt::print(stderr, "alerts are kept in the store {}, whose index weighs the name servers\n", g.store);
  }
  detect::DetectorOptions options;
  options.fingerprints = !o.no_fingerprints;
  options.name_servers = name_servers.get();
  detect::Detector detector(options, BuildAllowlist(o));
  pipeline::AlertSinkOptions sink_options;
  sink_options.store = store.get();
  sink_options.out_path = o.out;
  sink_options.envelope = envelope;
  sink_options.on_alert = [&g, watch](const detect::Alert& a, const std::string& line) {
    if (g.json) {
      std::fputs(line.c_str(), stdout);
      std::fputc('\n', stdout);
    } else if (watch) {
      std::puts(pipeline::AlertLine(a).c_str());
    }
    std::fflush(stdout);
  };
  std::unique_ptr<pipeline::AlertSink> sink;
  if (Status s = pipeline::AlertSink::Open(std::move(sink_options), &sink); !s.ok()) {
    throw CLI::ValidationError("--out", s.message());
  }
  std::vector<detect::Alert> fresh, all;
  StopControl stop(o.duration);
  std::unique_ptr<dns::PublicSuffixList> psl;
  ingest::SourceOptions so = o.ToSourceOptions(&psl);  // echoes stay out (keep_echoes): each query counts once
  so.follow = watch;
  auto on_event = [&](const ingest::DnsEvent& ev, bool) {
    detector.Add(ev, &fresh);
    for (auto& a : fresh) {
      sink->Emit(a);
      all.push_back(std::move(a));
    }
    fresh.clear();
  };
  const bool ok = RunInputs(ingest::ExpandInputs(o.inputs), format, so, false, on_event);
  if (!g.json && !watch) {
    Table t({"ALERT TIME", "DOMAIN", "CATEGORY", "SEVERITY", "SCORE", "TOP CLIENT", "WHY"});
    for (const auto& a : all) {
      t.Add({FormatTime(a.alert_time_us / 1'000'000), a.registered_domain,
             std::string(detect::CategoryName(a.category)), std::string(detect::SeverityName(a.severity)),
             fmt::format("{:.2f}", a.score), a.clients.empty() ? "" : a.clients[0].address.ToString(),
             pipeline::AlertWhy(a)});
    }
    t.Print(stdout);
  }
  if (!o.learn_out.empty()) {
    // Peacetime learning: whatever alerts on traffic known to be clean
    // becomes an allowlist for the next runs (--allowlist FILE).
    std::ofstream learned(o.learn_out, std::ios::app);
    size_t n = 0;
    for (const auto& a : all) {
      if (a.category == detect::AlertCategory::kBenignDataOverDns) continue;
      learned << a.registered_domain << " learned-peacetime\n";
      ++n;
    }
    if (!learned) throw CLI::ValidationError("--learn-allowlist", o.learn_out + ": cannot write");
    fmt::print(stderr, "{}: {} names learned\n", o.learn_out, n);
  }
  fmt::print(stderr, "{} alerts; {} domains and {} clients tracked\n", all.size(), detector.domains(),
             detector.clients());
  if (!ok) throw CLI::RuntimeError(1);
}

void AddOptions(CLI::App* cmd, DetectOptions* o, const std::string& inputs_name, const std::string& inputs_help) {
  AddTrafficInputOptions(cmd, o, inputs_name, inputs_help, false);
  cmd->add_option("--envelope", o->envelope, "JSON alert shape: plain, eve (Suricata-style) or ecs")
      ->capture_default_str();
  cmd->add_option("--allowlist", o->allowlists, "Extra allowlist files: 'NAME [CATEGORY]' per line (repeatable)");
  cmd->add_option("--popular", o->popularity, "Popularity list ('RANK,NAME' CSV, e.g. Tranco) to allowlist");
  cmd->add_option("--popular-top", o->popularity_top, "How many names of --popular to take")->capture_default_str();
  cmd->add_option("--out", o->out, "Also append every alert as a JSON line to this file");
  cmd->add_flag("--no-fingerprints", o->no_fingerprints, "Ignore known tools' marks (to evaluate the features alone)");
}

}  // namespace

void AddDetectCommand(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<DetectOptions>();
  CLI::App* cmd = app.add_subcommand("detect", "DNS tunneling and exfiltration alerts over traffic files");
  AddOptions(cmd, o.get(), "inputs", "Inputs as for 'events'");
  cmd->add_option("--learn-allowlist", o->learn_out,
                  "Peacetime learning: append every alerting domain to this allowlist file");
  cmd->callback([o, &global] { Run(global, *o, false); });

  auto w = std::make_shared<DetectOptions>();
  CLI::App* watch = app.add_subcommand(
      "watch", "Live detection: dnstap-socket:PATH, interface:NAME or log files followed like tail -F");
  AddOptions(watch, w.get(), "source", "One live source or log file");
  watch->callback([w, &global] { Run(global, *w, true); });
}

}  // namespace nsradar::cli
