// The detector's false positives on benign traffic (issue 13): the hard
// benign days (an office and an ISP resolver, 24 h each,
// detect/testing/benign_corpus.h) and the office corpus the detector was
// first calibrated on, each replayed once through a detector at its
// default settings, keeping every domain's peak evidence (score plus
// prior): a detector with threshold T below the default alerts on exactly
// the domains whose peak reached T; above it, a domain that alerted stops
// scoring, so the count is an upper bound. Prints that curve, the busiest
// benign domains with their peak and family, the alerts raised, and the
// replay speed.
//
//   build/bench/benign_days_bench [--scale 1] [--day office|isp|corpus|all]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>

#include "detect/detector.h"
#include "detect/testing/benign_corpus.h"

namespace {

using nsradar::detect::Alert;
using nsradar::detect::Detector;
using nsradar::detect::DetectorOptions;
namespace testing = nsradar::detect::testing;

constexpr double kThresholds[] = {10, 15, 20, 25, 30, 40, 50, 60};

struct Run {
  std::string name;
  uint64_t queries = 0;
  double seconds = 0;
  std::map<std::string, int> alerts;  // by category, raised at an unreachable threshold
  std::vector<std::pair<std::string, double>> peaks;
  std::unordered_map<std::string, std::string> family;  // of each domain's first query
};

DetectorOptions Options() {
  DetectorOptions o;
  o.max_suspicious_domains = 2'000'000;  // every domain's peak kept, none evicted
  return o;
}

template <typename Replay>
Run Measure(const std::string& name, Replay replay) {
  Run run;
  run.name = name;
  Detector detector(Options());
  std::vector<Alert> alerts;
  const auto t0 = std::chrono::steady_clock::now();
  replay([&](const nsradar::ingest::DnsEvent& ev, std::string_view family) {
    ++run.queries;
    detector.Add(ev, &alerts);
    if (!family.empty() && !ev.registered_domain().empty()) {
      run.family.try_emplace(std::string(ev.registered_domain()), family);
    }
  });
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Alerted domains stop scoring: their peak counts as beyond any threshold.
  std::unordered_map<std::string, double> peaks;
  for (auto& [domain, peak] : detector.PeakEvidence(2'000'000)) peaks[domain] = peak;
  for (const Alert& a : alerts) {
    bool evidence = false;
    for (const auto& r : a.reasons) evidence |= r.feature == "evidence_score";
    ++run.alerts[fmt::format("{}{}", nsradar::detect::CategoryName(a.category), evidence ? " (evidence)" : "")];
    if (a.category != nsradar::detect::AlertCategory::kBenignDataOverDns) {
      peaks[a.registered_domain] = std::numeric_limits<double>::infinity();
    }
  }
  run.peaks.assign(peaks.begin(), peaks.end());
  std::sort(run.peaks.begin(), run.peaks.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return run;
}

void Print(const Run& r) {
  fmt::print("\n## {}: {} queries in {:.1f} s ({:.0f} events/s)\n\n", r.name, r.queries, r.seconds,
             r.queries / r.seconds);
  fmt::print("alerts at the default threshold (30):");
  if (r.alerts.empty()) fmt::print(" none");
  for (const auto& [category, n] : r.alerts) fmt::print(" {} {};", category, n);
  fmt::print("\n\n| threshold | domains at or above (evidence alerts) |\n|---|---|\n");
  for (double t : kThresholds) {
    size_t n = 0;
    for (const auto& [domain, peak] : r.peaks) n += peak >= t;
    fmt::print("| {:.0f} | {}{} |\n", t, n, t > 30 ? " (at most)" : "");
  }
  fmt::print("\n| busiest benign domains | peak evidence | family |\n|---|---|---|\n");
  int shown = 0;
  for (const auto& [domain, peak] : r.peaks) {
    auto f = r.family.find(domain);
    fmt::print("| {} | {} | {} |\n", domain, std::isinf(peak) ? "alerted" : fmt::format("{:.1f}", peak),
               f == r.family.end() ? "" : f->second);
    if (++shown == 10) break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("False positives of the detector on the benign days");
  double scale = 1;
  std::string day = "all";
  std::string hosts_file = NSRADAR_TESTDATA "/detect/benign-hosts.txt.zst";
  app.add_option("--scale", scale, "Share of each day (1: the documented day)");
  app.add_option("--day", day, "office, isp, corpus or all")->check(CLI::IsMember({"office", "isp", "corpus", "all"}));
  app.add_option("--hosts", hosts_file, "The real host names the days draw on");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> hosts;
  if (auto s = testing::LoadHostList(hosts_file, &hosts); !s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    return 1;
  }
  for (auto [name, which] : {std::pair{"office", testing::Day::kOffice}, std::pair{"isp", testing::Day::kIsp}}) {
    if (day != "all" && day != name) continue;
    testing::DayOptions o;
    o.day = which;
    o.scale = scale;
    Print(Measure(fmt::format("hard benign day: {} (scale {})", name, scale), [&](auto sink) {
      testing::ReplayBenignDay(
          hosts, o, [&](const nsradar::ingest::DnsEvent& ev, testing::Family f) { sink(ev, testing::FamilyName(f)); });
    }));
  }
  if (day == "all" || day == "corpus") {
    Print(Measure("office corpus (false_positive_test)", [&](auto sink) {
      testing::GenerateBenignCorpus(hosts, {}, [&](const nsradar::ingest::DnsEvent& ev) { sink(ev, ""); });
    }));
  }
  return 0;
}
