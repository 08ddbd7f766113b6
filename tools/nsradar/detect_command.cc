// nsradar detect: tunneling and exfiltration alerts over DNS traffic files
// (batch, event time). First version of issue 5: see docs/detection.md.
#include <fmt/format.h>

#include "commands.h"
#include "detect/detector.h"
#include "inputs.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::cli {
namespace {

struct DetectOptions {
  std::vector<std::string> inputs;
  std::string format = "auto";
  double duration = 0;
};

void PrintAlertJson(const detect::Alert& a) {
  std::string line;
  JsonWriter w(&line);
  w.BeginObject()
      .Field("registered_domain", a.registered_domain)
      .Field("category", a.category)
      .Field("severity", a.severity)
      .Field("score", a.score)
      .Field("first_seen", FormatTime(a.first_seen_us / 1'000'000))
      .Field("last_seen", FormatTime(a.last_seen_us / 1'000'000))
      .Field("alert_time", FormatTime(a.alert_time_us / 1'000'000));
  w.Key("clients").BeginArray();
  for (const auto& c : a.clients) {
    w.BeginObject()
        .Field("address", c.address.ToString())
        .Field("queries", c.queries)
        .Field("first_seen", FormatTime(c.first_seen_us / 1'000'000))
        .EndObject();
  }
  w.EndArray().Key("reasons").BeginArray();
  for (const auto& r : a.reasons) {
    w.BeginObject().Field("feature", r.feature).Field("value", r.value).Field("threshold", r.threshold);
    if (!r.detail.empty()) w.Field("detail", r.detail);
    w.EndObject();
  }
  w.EndArray().Key("samples").BeginArray();
  for (const auto& s : a.samples) w.String(s);
  w.EndArray().EndObject();
  fmt::print("{}\n", line);
}

void RunDetect(const GlobalOptions& g, const DetectOptions& o) {
  const ingest::Format format = FormatOption(o.format);
  detect::Detector detector;
  std::vector<detect::Alert> alerts, all;
  StopControl stop(o.duration);
  ingest::SourceOptions so;
  so.stop = &g_stop_inputs;
  auto on_event = [&](const ingest::DnsEvent& ev, bool) {
    detector.Add(ev, &alerts);
    for (auto& a : alerts) {
      if (g.json) {
        PrintAlertJson(a);
        std::fflush(stdout);
      }
      all.push_back(std::move(a));
    }
    alerts.clear();
  };
  const bool ok = RunInputs(ExpandInputs(o.inputs), format, so, false, on_event);
  if (!g.json) {
    Table t({"ALERT TIME", "DOMAIN", "CATEGORY", "SEVERITY", "SCORE", "TOP CLIENT", "WHY"});
    for (const auto& a : all) {
      std::string why;
      for (const auto& r : a.reasons) {
        if (r.threshold > 0 && r.value >= r.threshold) why += (why.empty() ? "" : ", ") + r.feature;
      }
      t.Add({FormatTime(a.alert_time_us / 1'000'000), a.registered_domain, a.category, a.severity,
             fmt::format("{:.2f}", a.score), a.clients.empty() ? "" : a.clients[0].address.ToString(), why});
    }
    t.Print(stdout);
  }
  fmt::print(stderr, "{} alerts; {} domains tracked\n", all.size(), detector.domains());
  if (!ok) throw CLI::RuntimeError(1);
}

}  // namespace

void AddDetectCommand(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<DetectOptions>();
  CLI::App* cmd = app.add_subcommand("detect", "DNS tunneling and exfiltration alerts over traffic (first version)");
  cmd->add_option("inputs", o->inputs, "Inputs as for 'events'")->required();
  cmd->add_option("--format", o->format, "As for 'events'")->capture_default_str();
  cmd->add_option("--duration", o->duration, "Live sources: stop after this many seconds");
  cmd->callback([o, &global] { RunDetect(global, *o); });
}

}  // namespace nsradar::cli
