// Detection under a random-subdomain flood: memory must stay within the
// documented ceiling (256 MB at default settings) whatever the stream
// holds, and the detector must keep up.
//
//   detect_flood_bench [--events N]   (default 100,000,000)
//
// Events are built in memory (no file, no parser) so the figure is the
// detector's own: every event is a fresh random label under a random one
// of 10 million registered domains (half of them) or under one of 50
// victims (water torture), from 100,000 random clients; a real tunnel
// (one client, base32 TXT) runs through the middle of it and must still be
// reported. Prints events/s, peak RSS, tracked domains and clients,
// evictions and alerts.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <random>

#include "detect/detector.h"
#include "dns/rr_type.h"

namespace {

using nsradar::detect::Alert;
using nsradar::ingest::DnsEvent;

void SetName(DnsEvent* ev, const std::string& sub, const std::string& domain) {
  ev->qname_raw = sub + "." + domain;
  ev->qname = ev->qname_raw;
  ev->registered_offset = sub.size() + 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Detection memory under a random-subdomain flood"};
  uint64_t events = 100'000'000;
  app.add_option("--events", events, "Events to feed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  nsradar::detect::Detector detector;
  std::vector<Alert> alerts;
  uint64_t alert_count = 0, attack_alerts = 0;
  bool tunnel_found = false;
  std::mt19937_64 rng(7);
  const char* b32 = "abcdefghijklmnopqrstuvwxyz234567";
  DnsEvent ev;
  ev.has_query = ev.has_response = true;
  ev.rcode = 3;
  ev.qtype = nsradar::dns::rr::kA;
  ev.client.family = 4;
  std::string sub;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < events; ++i) {
    ev.ts_us = 1'790'000'000'000'000 + static_cast<int64_t>(i) * 10;  // 100K events/s of event time
    const uint64_t r = rng();
    const bool tunnel = i % 1000 == 0 && i >= events / 2 && i < events / 2 + 400'000;
    sub.assign(tunnel ? 50 : 12 + r % 20, 'a');
    for (char& c : sub) c = b32[rng() % 32];
    if (tunnel) {
      ev.qtype = nsradar::dns::rr::kTXT;
      ev.client.bytes = {10, 9, 9, 9};
      SetName(&ev, sub, "tunnel-in-the-flood.example");
    } else {
      ev.qtype = nsradar::dns::rr::kA;
      const uint32_t c = static_cast<uint32_t>(r >> 40) % 100'000;
      ev.client.bytes = {10, static_cast<uint8_t>(c >> 16), static_cast<uint8_t>(c >> 8), static_cast<uint8_t>(c)};
      SetName(&ev, sub,
              (r & 1) ? fmt::format("d{}.com", (r >> 8) % 10'000'000) : fmt::format("victim{}.net", (r >> 8) % 50));
    }
    detector.Add(ev, &alerts);
    for (const auto& a : alerts) tunnel_found |= a.registered_domain == "tunnel-in-the-flood.example";
    for (const auto& a : alerts) attack_alerts += a.category == nsradar::detect::AlertCategory::kRandomSubdomainAttack;
    alert_count += alerts.size();
    alerts.clear();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  fmt::print("events {}  seconds {:.1f}  events/s {:.0f}  peak RSS {} MB\n", events, secs, events / secs,
             ru.ru_maxrss / 1024);
  fmt::print(
      "domains tracked {}  clients tracked {}  domain evictions {}  alerts {} ({} random-subdomain-attack)  tunnel in "
      "the flood {}\n",
      detector.domains(), detector.clients(), detector.domain_evictions(), alert_count, attack_alerts,
      tunnel_found ? "reported" : "MISSED");
  return tunnel_found ? 0 : 1;
}
