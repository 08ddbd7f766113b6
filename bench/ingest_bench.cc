// Ingest throughput: DNS traffic from pcap and dnstap files into normalised
// events (registered domain included), against tshark on the same capture.
//
//   ingest_bench [--transactions N] [--dir DIR] [--no-tshark]
//   ingest_bench --generate-only [--transactions N] [--dir DIR]
//
// Writes a synthetic capture (Ethernet/IPv4/UDP, a query and a response per
// transaction, as tcpdump records them) and the same traffic as a dnstap
// Frame Streams file and a Zeek dns.log, then times each reader in a fresh
// process (so peak RSS is the reader's own; median of three warm runs) and
// `tshark -r FILE -T fields -e dns.qry.name` once. The pcap and dnstap
// files are read a second time with every event also going through the
// tunnel detector (`+detect` rows): what detection adds to ingestion; and
// once more with the reading and decoding on a second thread
// (`+detect/2t` rows, ingest::NewPrefetchingSource), as `nsradar detect`
// reads files.
// Names: 70% ordinary hosts of 100,000 registered domains, 30% random
// base32 labels under 200 domains (tunnel-like, all unique): a stress mix
// for detection. --office-corpus uses the benign office day of the
// false-positive test instead (real host names, CDN hashes, antivirus and
// DNSBL lookups, reverse DNS...). --generate-only writes the three files for
// N transactions (always afresh), prints their paths and exits: inputs for
// other runs (scripts/soak.sh replays the dnstap file through fstrm_replay).
#include <fmt/format.h>
#include <pcap/pcap.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "detect/detector.h"
#include "detect/testing/benign_corpus.h"
#include "ingest/formats.h"
#include "ingest/prefetching_source.h"

namespace {

using nsradar::ingest::DnsEvent;

void Put16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v >> 8));
  s->push_back(static_cast<char>(v));
}

std::string Message(uint16_t id, bool response, const std::string& qname, uint32_t answer) {
  std::string m;
  Put16(&m, id);
  Put16(&m, response ? 0x8180 : 0x0100);
  Put16(&m, 1);
  Put16(&m, response ? 1 : 0);
  Put16(&m, 0);
  Put16(&m, 0);
  size_t start = 0;
  while (start < qname.size()) {
    size_t dot = qname.find('.', start);
    if (dot == std::string::npos) dot = qname.size();
    m.push_back(static_cast<char>(dot - start));
    m += qname.substr(start, dot - start);
    start = dot + 1;
  }
  m.push_back('\0');
  Put16(&m, 1);
  Put16(&m, 1);
  if (response) {
    Put16(&m, 0xc00c);
    Put16(&m, 1);
    Put16(&m, 1);
    Put16(&m, 0);
    Put16(&m, 300);
    Put16(&m, 4);
    for (int i = 3; i >= 0; --i) m.push_back(static_cast<char>(answer >> (8 * i)));
  }
  return m;
}

std::string Frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, const std::string& dns) {
  std::string f(12, '\0');  // MAC addresses
  Put16(&f, 0x0800);
  f.push_back(0x45);
  f.push_back(0);
  Put16(&f, static_cast<uint16_t>(28 + dns.size()));
  Put16(&f, 0);
  Put16(&f, 0x4000);
  f.push_back(64);
  f.push_back(17);
  Put16(&f, 0);
  for (uint32_t a : {src, dst}) {
    for (int i = 3; i >= 0; --i) f.push_back(static_cast<char>(a >> (8 * i)));
  }
  Put16(&f, sport);
  Put16(&f, dport);
  Put16(&f, static_cast<uint16_t>(8 + dns.size()));
  Put16(&f, 0);
  return f + dns;
}

// Protobuf encoding, enough for dnstap.
void Varint(std::string* s, uint64_t v) {
  while (v >= 0x80) {
    s->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s->push_back(static_cast<char>(v));
}
void Field(std::string* s, uint32_t field, uint64_t v) {
  Varint(s, field << 3);
  Varint(s, v);
}
void Field(std::string* s, uint32_t field, const std::string& bytes) {
  Varint(s, field << 3 | 2);
  Varint(s, bytes.size());
  *s += bytes;
}
void Fixed32(std::string* s, uint32_t field, uint32_t v) {
  Varint(s, field << 3 | 5);
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}
std::string Be32(uint32_t v) {
  std::string s;
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

std::string DnstapFrame(bool response, uint32_t client, uint16_t port, int64_t ts_us, const std::string& dns) {
  std::string m;
  Field(&m, 1, response ? 6 : 5);
  Field(&m, 2, 1);
  Field(&m, 3, 1);
  Field(&m, 4, Be32(client));
  Field(&m, 5, Be32(0x7f000035));
  Field(&m, 6, port);
  Field(&m, 7, 53);
  Field(&m, 8, static_cast<uint64_t>(ts_us / 1'000'000));
  Fixed32(&m, 9, static_cast<uint32_t>(ts_us % 1'000'000 * 1000));
  if (response) {
    Field(&m, 12, static_cast<uint64_t>(ts_us / 1'000'000));
    Fixed32(&m, 13, static_cast<uint32_t>(ts_us % 1'000'000 * 1000));
  }
  Field(&m, response ? 14 : 10, dns);
  std::string d;
  Field(&d, 1, std::string("bench"));
  Field(&d, 14, m);
  Field(&d, 15, 1);
  return Be32(static_cast<uint32_t>(d.size())) + d;
}

// A query name and the client that sends it.
struct Query {
  std::string qname;
  uint32_t client;
};

// The default mix: 70% ordinary hosts, 30% tunnel-like names.
std::vector<Query> StressMix(uint64_t transactions) {
  std::vector<Query> out;
  out.reserve(transactions);
  std::mt19937_64 rng(42);
  static const char* kWords[] = {"blue", "cloud", "shop", "news", "data", "home", "star", "fast", "green", "city"};
  static const char* kHosts[] = {"www", "mail", "api", "cdn", "static", "img", "m", "login"};
  const char* b32 = "abcdefghijklmnopqrstuvwxyz234567";
  for (uint64_t i = 0; i < transactions; ++i) {
    std::string qname;
    if (rng() % 10 < 7) {
      uint64_t d = rng() % 100000;
      qname = fmt::format("{}.{}{}{}.com", kHosts[rng() % 8], kWords[d % 10], kWords[d / 10 % 10], d / 100);
    } else {
      for (int k = 0; k < 40; ++k) qname.push_back(b32[rng() % 32]);
      qname += fmt::format(".t{}.example.net", rng() % 200);
    }
    out.push_back({std::move(qname), 0x0a000000 | static_cast<uint32_t>(rng() % 5000)});
  }
  return out;
}

// The benign office day of src/detect/testing/benign_corpus.h.
std::vector<Query> OfficeMix(uint64_t transactions, const std::string& hosts_path) {
  std::vector<std::string> hosts;
  if (auto s = nsradar::detect::testing::LoadHostList(hosts_path, &hosts); !s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    std::exit(1);
  }
  std::vector<Query> out;
  out.reserve(transactions);
  nsradar::detect::testing::CorpusOptions o;
  o.queries = transactions;
  nsradar::detect::testing::GenerateBenignCorpus(hosts, o, [&](const DnsEvent& ev) {
    out.push_back({ev.qname_raw, 0x0a000000u | (ev.client.bytes[2] << 8) | ev.client.bytes[3]});
  });
  return out;
}

void Generate(const std::vector<Query>& queries, const std::string& pcap_path, const std::string& tap_path,
              const std::string& zeek_path) {
  FILE* zeek = std::fopen(zeek_path.c_str(), "wb");
  std::fputs(
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
      "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\t"
      "qclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n",
      zeek);
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* dump = pcap_dump_open(dead, pcap_path.c_str());
  FILE* tap = std::fopen(tap_path.c_str(), "wb");
  std::string ct = "protobuf:dnstap.Dnstap";
  std::string start = Be32(2) + Be32(1) + Be32(static_cast<uint32_t>(ct.size())) + ct;
  std::string head = Be32(0) + Be32(static_cast<uint32_t>(start.size())) + start;
  std::fwrite(head.data(), 1, head.size(), tap);
  std::mt19937_64 rng(42);
  int64_t ts = 1'790'000'000'000'000;
  for (uint64_t i = 0; i < queries.size(); ++i) {
    const std::string& qname = queries[i].qname;
    const uint32_t client = queries[i].client;
    uint16_t port = static_cast<uint16_t>(1024 + rng() % 60000);
    uint16_t id = static_cast<uint16_t>(rng());
    std::string q = Message(id, false, qname, 0), r = Message(id, true, qname, 0xc0000201);
    for (int half = 0; half < 2; ++half) {
      std::string f = half ? Frame(0x7f000035, client, 53, port, r) : Frame(client, 0x7f000035, port, 53, q);
      pcap_pkthdr h{};
      h.ts.tv_sec = ts / 1'000'000;
      h.ts.tv_usec = ts % 1'000'000;
      h.caplen = h.len = static_cast<uint32_t>(f.size());
      pcap_dump(reinterpret_cast<u_char*>(dump), &h, reinterpret_cast<const u_char*>(f.data()));
      std::string t = DnstapFrame(half == 1, client, port, ts, half ? r : q);
      std::fwrite(t.data(), 1, t.size(), tap);
      ts += 150;
    }
    std::string line = fmt::format(
        "{}.{:06d}\tC{:x}\t10.0.{}.{}\t{}\t127.0.0.53\t53\tudp\t{}\t0.000150\t{}\t1\tC_INTERNET\t1\tA\t0\t"
        "NOERROR\tF\tF\tT\tT\t0\t192.0.2.1\t300.000000\tF\n",
        ts / 1'000'000, ts % 1'000'000, i, (client >> 8) & 255, client & 255, port, id, qname);
    std::fwrite(line.data(), 1, line.size(), zeek);
  }
  std::string stop = Be32(0) + Be32(4) + Be32(3);
  std::fwrite(stop.data(), 1, stop.size(), tap);
  std::fclose(tap);
  std::fclose(zeek);
  pcap_dump_close(dump);
  pcap_close(dead);
}

// In a child process: read `path` through nsradar, print "events seconds rss_kb".
int Measure(const std::string& path, bool detect, bool prefetch) {
  std::unique_ptr<nsradar::ingest::EventSource> source;
  nsradar::ingest::SourceOptions options;
  options.registered_domains = !prefetch;  // as nsradar's batch commands read files
  nsradar::Status s = nsradar::ingest::OpenSource(path, nsradar::ingest::Format::kAuto, options, &source);
  if (!s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    return 1;
  }
  if (prefetch) {
    source = nsradar::ingest::NewPrefetchingSource(std::move(source), &nsradar::dns::PublicSuffixList::Default());
  }
  uint64_t events = 0, with_domain = 0;
  std::optional<nsradar::detect::Detector> detector;
  if (detect) detector.emplace();
  std::vector<nsradar::detect::Alert> alerts;
  auto t0 = std::chrono::steady_clock::now();
  s = source->Run([&](const DnsEvent& ev) {
    ++events;
    with_domain += !ev.registered_domain().empty();
    if (detect) {
      detector->Add(ev, &alerts);
      alerts.clear();
    }
  });
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  fmt::print("{} {} {:.3f} {}\n", events, with_domain, secs, ru.ru_maxrss);
  return s.ok() ? 0 : 1;
}

struct Figures {
  uint64_t events = 0, with_domain = 0;
  double seconds = 0;
  long rss_kb = 0;
};

Figures RunChild(const std::string& self, const std::string& path, bool detect, bool prefetch) {
  std::string cmd =
      fmt::format("'{}' --measure '{}'{}{}", self, path, detect ? " --detect" : "", prefetch ? " --prefetch" : "");
  FILE* p = popen(cmd.c_str(), "r");
  Figures f;
  if (!p || std::fscanf(p, "%lu %lu %lf %ld", &f.events, &f.with_domain, &f.seconds, &f.rss_kb) != 4) {
    fmt::print(stderr, "measuring {} failed\n", path);
  }
  if (p) pclose(p);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"DNS traffic ingest benchmark"};
  uint64_t transactions = 1'000'000;
  std::string dir = "/tmp/nsradar-ingest-bench", measure, corpus;
  bool no_tshark = false, detect = false, prefetch = false, generate_only = false;
  app.add_option("--transactions", transactions, "Query/response pairs")->capture_default_str();
  app.add_option("--dir", dir, "Where the generated files go")->capture_default_str();
  app.add_flag("--no-tshark", no_tshark, "Skip the tshark comparison");
  app.add_flag("--generate-only", generate_only,
               "Write the pcap, dnstap and Zeek files for --transactions into --dir, print their paths and exit");
  app.add_option("--office-corpus", corpus,
                 "Instead of the stress mix, the benign office corpus made of this host list "
                 "(testdata/detect/benign-hosts.txt.zst)");
  app.add_option("--measure", measure, "(internal) read one file and print its figures");
  app.add_flag("--detect", detect, "(internal) with --measure: run the detector too");
  app.add_flag("--prefetch", prefetch, "(internal) with --measure: read and decode on a second thread");
  CLI11_PARSE(app, argc, argv);
  if (!measure.empty()) return Measure(measure, detect, prefetch);

  std::filesystem::create_directories(dir);
  const std::string mix = corpus.empty() ? "bench" : "office";
  auto paths = [&](uint64_t n) {
    return std::array<std::string, 3>{fmt::format("{}/{}-{}.pcap", dir, mix, n),
                                      fmt::format("{}/{}-{}.dnstap", dir, mix, n),
                                      fmt::format("{}/{}-{}.zeek.log", dir, mix, n)};
  };
  if (generate_only) {
    const auto [pcap, tap, zeek] = paths(transactions);
    Generate(corpus.empty() ? StressMix(transactions) : OfficeMix(transactions, corpus), pcap, tap, zeek);
    for (const auto& path : {pcap, tap, zeek}) {
      fmt::print("{}\t{}\n", path, std::filesystem::file_size(path));
    }
    return 0;
  }
  std::string self = std::filesystem::canonical("/proc/self/exe").string();
  fmt::print("transactions  file           events      with domain  seconds  events/s    peak RSS\n");
  for (uint64_t n : {transactions / 4, transactions}) {
    const auto [pcap, tap, zeek] = paths(n);
    if (!std::filesystem::exists(pcap) || !std::filesystem::exists(tap) || !std::filesystem::exists(zeek)) {
      Generate(corpus.empty() ? StressMix(n) : OfficeMix(n, corpus), pcap, tap, zeek);
    }
    struct Row {
      std::string path;
      bool detect, prefetch;
    };
    for (const auto& [path, with_detect, two_threads] :
         {Row{pcap, false, false}, Row{pcap, true, false}, Row{pcap, true, true}, Row{tap, false, false},
          Row{tap, true, false}, Row{tap, true, true}, Row{zeek, false, false}}) {
      // The median of three runs, after one that brings the file into the
      // page cache: the figure is the reader's, not the disk's.
      RunChild(self, path, with_detect, two_threads);
      std::vector<Figures> runs = {RunChild(self, path, with_detect, two_threads),
                                   RunChild(self, path, with_detect, two_threads),
                                   RunChild(self, path, with_detect, two_threads)};
      std::sort(runs.begin(), runs.end(), [](const Figures& a, const Figures& b) { return a.seconds < b.seconds; });
      Figures f = runs[1];
      std::string kind = path.ends_with("pcap") ? "pcap" : path.ends_with("dnstap") ? "dnstap" : "zeek";
      if (with_detect) kind += two_threads ? "+detect/2t" : "+detect";
      fmt::print("{:<12}  {:<13}  {:<10}  {:<11}  {:<7.2f}  {:<10.0f}  {} MB  ({:.0f} MB file)\n", n, kind, f.events,
                 f.with_domain, f.seconds, f.events / f.seconds, f.rss_kb / 1024,
                 std::filesystem::file_size(path) / 1e6);
    }
    if (!no_tshark && n == transactions) {
      auto t0 = std::chrono::steady_clock::now();
      std::string cmd = fmt::format("tshark -r '{}' -T fields -e dns.qry.name 2>/dev/null | wc -l", pcap);
      FILE* p = popen(cmd.c_str(), "r");
      unsigned long lines = 0;
      if (p && std::fscanf(p, "%lu", &lines) != 1) lines = 0;
      if (p) pclose(p);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print("{:<12}  tshark         {:<10}  {:<11}  {:<7.2f}  {:<10.0f}  (packets/s: {:.0f})\n", n, lines, "-",
                 secs, lines / 2 / secs, lines / secs);
    }
  }
  return 0;
}
