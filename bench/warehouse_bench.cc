// The warehouse writer's row format: RowBinary (what nsradar sends) against
// TabSeparated, the text format, for the same events: bytes per event, the
// sensor's encoding cost, and, with --warehouse, the insert into a real
// ClickHouse (the server's parsing and writing, over HTTP on loopback).
//
//   warehouse_bench [--events N] [--batch ROWS] [--warehouse URLS] [--runs R]
//
// Events: a resolver's mix, 70% ordinary names of 10,000 domains with an
// A answer, 30% base32 labels under 100 domains with a TXT answer, IPv4
// clients. Encoding is timed over all events, best of R runs. Inserts go to
// a database of their own (nsradar_bench: created with the schema, dropped
// at the end) in batches of --batch rows, into the Distributed table as the
// writer does (insert_distributed_sync=1); median of R runs per format.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "warehouse/endpoint.h"
#include "warehouse/http_client.h"
#include "warehouse/lifecycle.h"
#include "warehouse/rows.h"

namespace {

using nsradar::ingest::DnsEvent;
namespace wh = nsradar::warehouse;
using Clock = std::chrono::steady_clock;

std::vector<DnsEvent> MakeEvents(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<DnsEvent> out(n);
  const char* b32 = "abcdefghijklmnopqrstuvwxyz234567";
  for (size_t i = 0; i < n; ++i) {
    DnsEvent& ev = out[i];
    ev.ts_us = 1'764'633'600'000'000 + int64_t(i) * 1000;
    ev.client = *nsradar::dns::Address::Parse(fmt::format("10.{}.{}.{}", rng() % 256, rng() % 256, rng() % 256));
    ev.server = *nsradar::dns::Address::Parse("10.0.0.53");
    ev.client_port = static_cast<uint16_t>(1024 + rng() % 60000);
    ev.server_port = 53;
    ev.transport = nsradar::ingest::Transport::kUdp;
    std::string domain;
    const bool tunnel = rng() % 10 < 3;
    if (tunnel) {
      std::string label;
      for (int k = 0; k < 50; ++k) label += b32[rng() % 32];
      domain = fmt::format("t{}.example", rng() % 100);
      ev.qname = label + "." + domain;
      ev.qtype = 16;
    } else {
      domain = fmt::format("d{}.example", rng() % 10000);
      ev.qname = "www." + domain;
      ev.qtype = 1;
    }
    ev.qname_raw = ev.qname;
    ev.registered_offset = ev.qname.size() - domain.size();
    ev.qclass = 1;
    ev.id = static_cast<uint16_t>(rng());
    ev.rcode = 0;
    ev.has_query = ev.has_response = true;
    ev.query_size = static_cast<uint32_t>(30 + ev.qname.size());
    ev.response_size = ev.query_size + 40;
    ev.answers.push_back({ev.qname, ev.qtype, 300, tunnel ? "\"aGVsbG8gd29ybGQ=\"" : "192.0.2.1"});
  }
  return out;
}

// TabSeparated: \t, \n, \\ and the other control bytes escaped; arrays as
// ['a','b'] with quotes escaped inside.
void TsvString(std::string* out, std::string_view s, bool quoted) {
  if (quoted) *out += '\'';
  for (char c : s) {
    switch (c) {
      case '\t':
        *out += "\\t";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\0':
        *out += "\\0";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\'':
        *out += quoted ? "\\'" : "'";
        break;
      default:
        *out += c;
    }
  }
  if (quoted) *out += '\'';
}

void TsvAddress(std::string* out, const nsradar::dns::Address& a) {
  std::string bytes;
  wh::PutAddress(&bytes, a);
  TsvString(out, bytes, false);
}

void TsvRecords(std::string* out, const std::vector<nsradar::ingest::DnsRecordData>& records) {
  auto list = [&](auto&& each) {
    *out += '[';
    for (size_t i = 0; i < records.size(); ++i) {
      if (i) *out += ',';
      each(records[i]);
    }
    *out += "]\t";
  };
  list([&](const auto& r) { TsvString(out, r.name, true); });
  list([&](const auto& r) { fmt::format_to(std::back_inserter(*out), "{}", r.type); });
  list([&](const auto& r) { fmt::format_to(std::back_inserter(*out), "{}", r.ttl); });
  list([&](const auto& r) { TsvString(out, r.data, true); });
}

void AppendEventTsv(const DnsEvent& ev, std::string_view sensor, uint64_t seq, uint32_t row, std::string* out) {
  auto o = std::back_inserter(*out);
  fmt::format_to(o, "{}\t{}\t", ev.ts_us / 1'000'000, ev.ts_us % 1'000'000);
  TsvString(out, sensor, false);
  fmt::format_to(o, "\t{}\t", nsradar::ingest::VantageName(ev.vantage));
  TsvAddress(out, ev.client);
  *out += '\t';
  TsvAddress(out, ev.server);
  fmt::format_to(o, "\t{}\t{}\t{}\t", ev.client_port, ev.server_port, nsradar::ingest::TransportName(ev.transport));
  for (std::string_view s : {std::string_view(ev.qname_raw), std::string_view(ev.qname), ev.registered_domain()}) {
    TsvString(out, s, false);
    *out += '\t';
  }
  fmt::format_to(o, "{}\t{}\t{}\t{}\t{:d}\t{:d}\t{}\t{}\t", ev.qtype, ev.qclass, ev.id, ev.rcode, ev.has_query,
                 ev.has_response, ev.query_size, ev.response_size);
  TsvRecords(out, ev.answers);
  TsvRecords(out, ev.authority_ns);
  TsvRecords(out, ev.glue);
  TsvString(out, ev.bailiwick, false);
  fmt::format_to(o, "\t{:d}\t{:d}\t{}\t{}\n", ev.has_bailiwick, ev.echo, seq, row);
}

struct Encoded {
  std::vector<std::string> batches;
  size_t bytes = 0;
  double encode_ns = 1e300;  // per event, best run
};

template <typename F>
Encoded Encode(const std::vector<DnsEvent>& events, size_t batch, int runs, F&& append) {
  Encoded e;
  for (int r = 0; r < runs; ++r) {
    std::vector<std::string> batches;
    const auto start = Clock::now();
    for (size_t i = 0; i < events.size(); i += batch) {
      std::string b;
      for (size_t k = i; k < std::min(events.size(), i + batch); ++k) append(events[k], uint32_t(k - i), &b);
      batches.push_back(std::move(b));
    }
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / events.size();
    e.encode_ns = std::min(e.encode_ns, ns);
    e.batches = std::move(batches);
  }
  for (const auto& b : e.batches) e.bytes += b.size();
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"RowBinary against TabSeparated for the warehouse writer"};
  size_t n = 500'000, batch = 50'000;
  int runs = 3;
  std::string urls;
  app.add_option("--events", n, "events");
  app.add_option("--batch", batch, "rows per insert");
  app.add_option("--runs", runs, "runs per figure");
  app.add_option("--warehouse", urls, "ClickHouse shards (as nsradar warehouse init takes them)");
  CLI11_PARSE(app, argc, argv);
  const std::vector<DnsEvent> events = MakeEvents(n);
  const std::string columns = wh::ColumnList(wh::EventsTable());
  Encoded rowbinary = Encode(events, batch, runs, [](const DnsEvent& ev, uint32_t row, std::string* out) {
    wh::AppendEventRow(ev, {"bench", 1, row}, out);
  });
  Encoded tsv = Encode(events, batch, runs, [](const DnsEvent& ev, uint32_t row, std::string* out) {
    AppendEventTsv(ev, "bench", 2, row, out);
  });
  std::vector<std::pair<std::string, const Encoded*>> formats = {{"RowBinary", &rowbinary}, {"TabSeparated", &tsv}};
  std::vector<double> insert_ns(formats.size(), 0);
  std::vector<wh::Endpoint> shards;
  wh::SchemaNames names{"nsradar_bench", "nsradar"};
  if (!urls.empty()) {
    nsradar::Status s = wh::ParseEndpoints(urls, "", "", &shards);
    wh::InitResult init;
    if (s.ok()) s = wh::Init(shards, names, &init);
    if (!s.ok()) {
      fmt::print(stderr, "{}\n", s.ToString());
      return 1;
    }
    for (size_t f = 0; f < formats.size(); ++f) {
      const std::string target =
          wh::QueryTarget(fmt::format("INSERT INTO nsradar_bench.dns_events {} FORMAT {}", columns, formats[f].first)) +
          "&insert_distributed_sync=1";
      std::vector<double> times;
      for (int r = 0; r < runs; ++r) {
        const auto start = Clock::now();
        for (const std::string& b : formats[f].second->batches) {
          std::string answer;
          if (s = wh::Post(shards[0], target, b, &answer, {.timeout_seconds = 300}); !s.ok()) {
            fmt::print(stderr, "{}: {}\n", formats[f].first, s.ToString());
            return 1;
          }
        }
        times.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count() / events.size());
      }
      std::sort(times.begin(), times.end());
      insert_ns[f] = times[times.size() / 2];
    }
    std::string answer;
    s = wh::Execute(shards[0], "SELECT count() FROM nsradar_bench.dns_events", &answer);
    fmt::print("rows in nsradar_bench.dns_events: {}", s.ok() ? answer : s.ToString() + "\n");
    if (s = wh::Drop(shards, names); !s.ok()) fmt::print(stderr, "drop: {}\n", s.ToString());
    (void)wh::Execute(shards[0], "DROP DATABASE IF EXISTS nsradar_bench", &answer);
  }
  fmt::print("{} events, batches of {}, {} shards\n", n, batch, shards.size());
  fmt::print("{:<13} {:>12} {:>16} {:>16}\n", "format", "bytes/event", "encode ns/event", "insert ns/event");
  for (size_t f = 0; f < formats.size(); ++f) {
    fmt::print("{:<13} {:>12.1f} {:>16.1f} {:>16}\n", formats[f].first, double(formats[f].second->bytes) / n,
               formats[f].second->encode_ns, urls.empty() ? std::string("-") : fmt::format("{:.0f}", insert_ns[f]));
  }
  return 0;
}
