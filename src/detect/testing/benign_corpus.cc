#include "detect/testing/benign_corpus.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <memory>
#include <numbers>
#include <random>
#include <unordered_set>

#include "dns/public_suffix.h"
#include "dns/rr_type.h"
#include "ingest/source.h"
#include "util/byte_source.h"

namespace nsradar::detect::testing {

Status LoadHostList(const std::string& path, std::vector<std::string>* hosts) {
  std::unique_ptr<ByteSource> in;
  if (Status s = ByteSource::Open(path, &in); !s.ok()) return s;
  std::string text;
  if (Status s = in->ReadAll(&text); !s.ok()) return s;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) hosts->emplace_back(text, start, end - start);
    start = end + 1;
  }
  if (hosts->empty()) return Status::Corruption(path + ": no host names");
  return Status::OK();
}

namespace {

constexpr uint16_t kA = dns::rr::kA, kAAAA = dns::rr::kAAAA, kTXT = dns::rr::kTXT, kPTR = dns::rr::kPTR,
                   kSRV = dns::rr::kSRV, kSOA = dns::rr::kSOA, kMX = dns::rr::kMX, kCNAME = dns::rr::kCNAME;
constexpr uint16_t kTLSA = 52, kSVCB = 64, kHTTPS = 65, kTKEY = 249;
constexpr int kNoError = 0, kNxDomain = 3;

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";  // RFC 4648, lower case
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The random choices of both generators, over one seeded engine. Uniform
// and Unit draw as the first corpus always did, so its stream (the one the
// false-positive figures were measured on) stays the same.
class Draws {
 public:
  explicit Draws(uint64_t seed) : rng_(seed) {}
  std::mt19937_64& engine() { return rng_; }
  uint32_t Uniform(uint64_t n) { return static_cast<uint32_t>(rng_() % n); }
  uint32_t Between(uint32_t lo, uint32_t hi) { return lo + Uniform(uint64_t{hi} - lo + 1); }  // both included
  double Unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  bool Chance(double p) { return Unit() < p; }
  double Exponential(double mean) { return -mean * std::log1p(-Unit()); }
  std::string Chars(std::string_view alphabet, size_t n) {
    std::string s(n, 'a');
    for (char& c : s) c = alphabet[Uniform(alphabet.size())];
    return s;
  }
  std::string Hex(size_t n) { return Chars(kHexDigits, n); }
  std::string Alnum(size_t n) { return Chars(kAlnum, n); }
  template <class C>
  const auto& Pick(const C& c) {
    return c[Uniform(std::size(c))];
  }
  // Zipf(1) over n ranks: rank = n^u - 1, so rank r has weight about 1/(r+1).
  size_t ZipfRank(size_t n) {
    const size_t rank = static_cast<size_t>(std::pow(static_cast<double>(n), Unit())) - 1;
    return std::min(rank, n - 1);
  }

 private:
  std::mt19937_64 rng_;
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The first corpus: each event's kind drawn independently (see the header).
class Generator {
 public:
  Generator(const std::vector<std::string>& hosts, const CorpusOptions& o)
      : o_(o), d_(o.seed), hosts_(hosts), psl_(dns::PublicSuffixList::Default()) {
    // Popularity: a fixed shuffle of the alphabetical list, then Zipf.
    std::shuffle(hosts_.begin(), hosts_.end(), d_.engine());
    for (size_t i = 0; i < hosts_.size() && popular_.size() < 300; ++i) {
      std::string_view d = psl_.RegisteredDomain(hosts_[i]);
      if (!d.empty() && std::find(popular_.begin(), popular_.end(), d) == popular_.end()) popular_.emplace_back(d);
    }
    for (int i = 0; i < 500; ++i) safeframe_.push_back(d_.Hex(32));
    for (uint32_t c = 0; c < o_.clients; ++c) workstation_.push_back("DESKTOP-" + Upper(d_.Alnum(7)));
  }

  void Run(const std::function<void(const ingest::DnsEvent&)>& sink) {
    const double gap = static_cast<double>(o_.span_us) / static_cast<double>(o_.queries);
    double t = static_cast<double>(o_.start_us);
    std::exponential_distribution<double> next(1.0);
    for (uint64_t i = 0; i < o_.queries; ++i) {
      t += gap * next(d_.engine());
      ev_.Clear();
      ev_.ts_us = static_cast<int64_t>(t);
      ev_.rcode = 0;
      client_ = d_.Uniform(o_.clients);
      Draw();
      Finish();
      sink(ev_);
    }
  }

 private:
  const std::string& PopularHost() { return hosts_[d_.ZipfRank(hosts_.size())]; }
  const std::string& PopularDomain() { return popular_[d_.ZipfRank(popular_.size())]; }

  void Query(std::string name, uint16_t qtype, int rcode = 0) {
    ev_.qname_raw = std::move(name);
    ev_.qtype = qtype;
    ev_.rcode = rcode;
  }

  void Draw() {
    const uint32_t roll = d_.Uniform(100);
    if (roll < 48) return Browse();
    if (roll < 58) return PopularSubdomains();
    if (roll < 67) return CloudHashes();
    if (roll < 72) return Antivirus();
    if (roll < 76) return Blocklists();
    if (roll < 79) return MailAuthentication();
    if (roll < 85) return ReverseDns();
    if (roll < 93) return OfficeDomain();
    if (roll < 97) return Telemetry();
    return Typo();
  }

  void Browse() {
    const std::string& host = PopularHost();
    static constexpr std::array<uint16_t, 4> kTypes = {dns::rr::kA, dns::rr::kAAAA, kHTTPS, dns::rr::kA};
    Query(d_.Chance(0.1) && host.find('.') == host.rfind('.') ? "www." + host : host, d_.Pick(kTypes));
  }

  void PopularSubdomains() {
    const std::string& d = PopularDomain();
    static constexpr std::array<std::string_view, 8> kRegions = {"us-east-1",    "us-west-2",   "eu-west-1",
                                                                 "eu-central-1", "ap-south-1",  "ap-northeast-1",
                                                                 "sa-east-1",    "ca-central-1"};
    static constexpr std::array<std::string_view, 12> kWords = {"blue",  "river", "maple", "pixel", "north", "star",
                                                                "cloud", "delta", "amber", "lucky", "stone", "fox"};
    static constexpr std::array<std::string_view, 8> kAirports = {"sjc", "lax", "fra", "ams",
                                                                  "lhr", "nrt", "gru", "syd"};
    switch (d_.Uniform(6)) {
      case 0:
        return Query(fmt::format("img{}.{}", d_.Uniform(100), d), dns::rr::kA);
      case 1:
        return Query(fmt::format("cdn{}-{}.{}", d_.Uniform(20), d_.Pick(kRegions), d), dns::rr::kA);
      case 2:  // per-user sites
        return Query(fmt::format("{}{}{}.{}", d_.Pick(kWords), d_.Pick(kWords), d_.Uniform(1000), d), dns::rr::kA);
      case 3: {  // AMP cache: the publisher's host with dots as dashes
        std::string h = PopularHost();
        std::replace(h.begin(), h.end(), '.', '-');
        if (h.size() > 63) h.resize(63);
        while (h.back() == '-') h.pop_back();
        return Query(h + ".cdn.ampproject.org", dns::rr::kA);
      }
      case 4:  // streaming cache nodes
        return Query(fmt::format("ipv4-c{:03}-{}{:03}-ix.1.oca.nflxvideo.net", d_.Uniform(200), d_.Pick(kAirports),
                                 1 + d_.Uniform(9)),
                     dns::rr::kA);
      default:
        return Query(fmt::format("rr{}---sn-{}{}.googlevideo.com", 1 + d_.Uniform(5), d_.Alnum(4), d_.Uniform(10)),
                     dns::rr::kA);
    }
  }

  void CloudHashes() {
    switch (d_.Uniform(7)) {
      case 0:
        return Query("d" + d_.Alnum(13) + ".cloudfront.net", dns::rr::kA);
      case 1:
        return Query(safeframe_[d_.Uniform(safeframe_.size())] + ".safeframe.googlesyndication.com", dns::rr::kA);
      case 2:
        return Query(fmt::format("o{}.ingest.sentry.io", 100000 + d_.Uniform(400)), dns::rr::kA);
      case 3:
        return Query(
            fmt::format("{}-{}-{}-{}-{}.s3.amazonaws.com", d_.Hex(8), d_.Hex(4), d_.Hex(4), d_.Hex(4), d_.Hex(12)),
            dns::rr::kA);
      case 4:
        return Query(fmt::format("e{}.{}.akamaiedge.net", d_.Uniform(10000), "abg"[d_.Uniform(3)]), dns::rr::kA);
      case 5:
        return Query(fmt::format("{}.execute-api.{}.amazonaws.com", d_.Alnum(10), "us-east-1"), dns::rr::kA);
      default:
        return Query(fmt::format("{}.firebaseio.com", "proj-" + d_.Hex(6)), dns::rr::kA);
    }
  }

  void Antivirus() {
    switch (d_.Uniform(3)) {
      case 0:
        return Query(fmt::format("{}.{}.sxl.sophosxl.net", d_.Hex(32), 1 + d_.Uniform(4)), dns::rr::kA,
                     d_.Chance(0.9) ? 3 : 0);
      case 1:
        return Query(fmt::format("0.0.0.0.1.0.0.4e.{}.{}.avqs.mcafee.com", d_.Hex(16), d_.Alnum(12)), dns::rr::kA);
      default:
        return Query(d_.Chars(kBase32, 52) + ".e5.sk", dns::rr::kA);
    }
  }

  std::string ReversedIp() {
    return fmt::format("{}.{}.{}.{}", d_.Uniform(256), d_.Uniform(256), d_.Uniform(256), 1 + d_.Uniform(223));
  }

  void Blocklists() {
    client_ = 25 + d_.Uniform(5);  // the mail servers
    switch (d_.Uniform(4)) {
      case 0:
        return Query(ReversedIp() + ".zen.spamhaus.org", dns::rr::kA, d_.Chance(0.95) ? 3 : 0);
      case 1:
        return Query(ReversedIp() + ".b.barracudacentral.org", dns::rr::kA, d_.Chance(0.95) ? 3 : 0);
      case 2:
        return Query(PopularHost() + ".multi.surbl.org", dns::rr::kA, 3);
      default:
        return Query(d_.Hex(40) + "._vouch.dwl.spamhaus.org", dns::rr::kA, 3);
    }
  }

  void MailAuthentication() {
    client_ = 25 + d_.Uniform(5);
    std::string_view d = psl_.RegisteredDomain(PopularHost());
    if (d.empty()) d = "example.com";
    static constexpr std::array<std::string_view, 6> kSelectors = {"selector1", "selector2", "google",
                                                                   "s1",        "k1",        "default"};
    switch (d_.Uniform(4)) {
      case 0:
        return Query(fmt::format("{}._domainkey.{}", d_.Chance(0.3) ? d_.Hex(24) : std::string(d_.Pick(kSelectors)), d),
                     dns::rr::kTXT);
      case 1:
        return Query(fmt::format("_dmarc.{}", d), dns::rr::kTXT);
      case 2:
        return Query(std::string(d), dns::rr::kTXT);
      default:
        return Query(fmt::format("_mta-sts.{}", d), dns::rr::kTXT, 3);
    }
  }

  void ReverseDns() {
    if (d_.Chance(0.8)) return Query(ReversedIp() + ".in-addr.arpa", kPTR, d_.Chance(0.3) ? 3 : 0);
    std::string name;
    for (int i = 0; i < 32; ++i) name += fmt::format("{}.", kHexDigits[d_.Uniform(16)]);
    return Query(name + "ip6.arpa", kPTR, 3);
  }

  // The office's own domain: search-suffix noise, Active Directory.
  void OfficeDomain() {
    constexpr std::string_view kOffice = "corp.acme-widgets.com";
    switch (d_.Uniform(5)) {
      case 0:  // a name tried with the search suffix appended first
        return Query(fmt::format("{}.{}", PopularHost(), kOffice), dns::rr::kA, 3);
      case 1:  // workstations registering and finding each other
        return Query(fmt::format("{}.{}", workstation_[d_.Uniform(workstation_.size())], kOffice), dns::rr::kA);
      case 2:
        return Query(fmt::format("_ldap._tcp.dc._msdcs.{}", kOffice), kSRV);
      case 3:
        return Query(fmt::format("_kerberos._tcp.site{}._sites.dc._msdcs.{}", d_.Uniform(4), kOffice), kSRV);
      default:
        return Query(fmt::format("wpad.{}", kOffice), dns::rr::kA, 3);
    }
  }

  void Telemetry() {
    switch (d_.Uniform(4)) {
      case 0:
        return Query(fmt::format("{}-courier.push.apple.com", 1 + d_.Uniform(50)), dns::rr::kA);
      case 1:
        return Query(fmt::format("{}.pool.ntp.org", d_.Uniform(4)), dns::rr::kA);
      case 2:
        return Query("v10.events.data.microsoft.com", dns::rr::kA);
      default:  // Chrome's intranet-redirect probes: one random label
        return Query(d_.Chars(kLetters, 7 + d_.Uniform(9)), dns::rr::kA, 3);
    }
  }

  void Typo() {
    std::string h = PopularHost();
    size_t dot = h.find('.');
    if (dot > 1) h[d_.Uniform(dot)] = static_cast<char>('a' + d_.Uniform(26));
    Query(std::move(h), dns::rr::kA, 3);
  }

  void Finish() {
    ev_.qname = ev_.qname_raw;
    for (char& c : ev_.qname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ev_.qclass = 1;
    ev_.has_query = ev_.has_response = true;
    ev_.transport = ingest::Transport::kUdp;
    ev_.client.family = 4;
    ev_.client.bytes = {10, 1, static_cast<uint8_t>(client_ >> 8), static_cast<uint8_t>(client_)};
    ev_.server = *dns::Address::Parse("10.1.0.1");
    ev_.server_port = 53;
    ev_.client_port = static_cast<uint16_t>(1024 + d_.Uniform(60000));
    ev_.query_size = static_cast<uint32_t>(ev_.qname.size() + 18);
    ev_.response_size = ev_.query_size + (ev_.rcode == 0 ? 16 : 0);
    ingest::SetRegisteredDomain(psl_, &ev_);
  }

  CorpusOptions o_;
  Draws d_;
  std::vector<std::string> hosts_;
  const dns::PublicSuffixList& psl_;
  std::vector<std::string> popular_, safeframe_, workstation_;
  ingest::DnsEvent ev_;
  uint32_t client_ = 0;
};

}  // namespace

void GenerateBenignCorpus(const std::vector<std::string>& hosts, const CorpusOptions& options,
                          const std::function<void(const ingest::DnsEvent&)>& sink) {
  Generator(hosts, options).Run(sink);
}

std::string_view FamilyName(Family f) {
  static constexpr std::array<std::string_view, kFamilyCount> kNames = {
      "browsing",         "https-svcb",     "esni",          "cdn",
      "ad-tech",          "cloud",          "av-reputation", "ip-blocklist",
      "domain-blocklist", "dkim",           "mail-policy",   "forward-confirm",
      "reverse-dns",      "push-telemetry", "time",          "search-suffix",
      "local-leak",       "doh-canary",     "chrome-probe",  "active-directory",
      "dynamic-update",   "typo",           "retry-loop"};
  return kNames[static_cast<size_t>(f)];
}

namespace {

// ---- When: hourly weights of each kind of activity over the day ----

using Shape = std::array<double, 24>;
// People at their desks: arrivals from 7, a lunch dip, gone by 19.
constexpr Shape kOfficeHours = {0.03, 0.02, 0.02, 0.02, 0.02, 0.04, 0.12, 0.5,  1.0,  1.15, 1.15, 1.05,
                                0.75, 1.05, 1.1,  1.05, 0.9,  0.55, 0.25, 0.12, 0.08, 0.06, 0.05, 0.04};
// Machines: a third stay on overnight, the rest start with their users.
constexpr Shape kOfficeMachines = {0.35, 0.35, 0.35, 0.35, 0.35, 0.38, 0.45, 0.75, 1.0,  1.0, 1.0,  1.0,
                                   0.95, 1.0,  1.0,  1.0,  0.95, 0.8,  0.6,  0.5,  0.45, 0.4, 0.38, 0.36};
// Boots and wakes: the morning, and again after lunch.
constexpr Shape kMornings = {0.01, 0.01, 0.01, 0.01, 0.01, 0.05, 0.4, 2.2,  3.0,  1.4,  0.6,  0.4,
                             0.5,  0.9,  0.5,  0.3,  0.25, 0.2,  0.1, 0.05, 0.03, 0.02, 0.02, 0.01};
// Mail: spam arrives all night, business mail in office hours.
constexpr Shape kMail = {0.45, 0.42, 0.4, 0.4,  0.42, 0.5, 0.65, 0.9, 1.1,  1.15, 1.15, 1.1,
                         0.95, 1.05, 1.1, 1.05, 0.95, 0.8, 0.7,  0.6, 0.55, 0.5,  0.48, 0.46};
// Homes: quiet before dawn, a morning bump, the evening peak.
constexpr Shape kEvenings = {0.55, 0.35, 0.22, 0.16, 0.14, 0.16, 0.3, 0.55, 0.65, 0.6, 0.6, 0.62,
                             0.68, 0.66, 0.64, 0.66, 0.72, 0.85, 1.0, 1.15, 1.25, 1.2, 1.0, 0.78};
// Home devices: always on, a little busier when people are in.
constexpr Shape kHomeMachines = {0.7,  0.65, 0.6,  0.6,  0.6, 0.62, 0.7, 0.85, 0.9, 0.9,  0.9, 0.92,
                                 0.95, 0.95, 0.95, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.15, 1.0, 0.85};
// Batch jobs that follow the logs they read: flat.
constexpr Shape kFlat = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
// Nightly log analysis (awstats-style cron jobs) and DMARC report runs.
constexpr Shape kNights = {1.0,  3.0,  3.0,  2.0,  1.0,  0.3,  0.1,  0.05, 0.05, 0.05, 0.05, 0.05,
                           0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1,  0.3};

// ---- Who: devices and the addresses their queries come from ----

enum class Device : uint8_t { kWindows, kMac, kLinux, kIphone, kAndroid, kTv, kConsole, kIot };
constexpr size_t kDevices = 8;

struct DeviceTraits {
  double aaaa;           // lookups also asked as AAAA (dual-stack hosts ask both)
  double https_rr;       // every lookup also asked as HTTPS (65): Apple's system resolver does for URL loads (iOS 14,
                         // macOS 11); Windows', Linux's and Android's system resolvers do not
  double browser_https;  // a browser's lookups also asked as HTTPS: Chromium's built-in resolver does on every
                         // platform (net/base/features.cc: AsyncDns and UseDnsHttpsSvcb enabled by default, over
                         // plain DNS too), so the share of Chromium browsers; Safari through Apple's resolver
  double chromium;       // desktop Chromium (Chrome, Edge): random-label probes at start
  double firefox;        // Firefox: the DoH canary at start
};
constexpr std::array<DeviceTraits, kDevices> kTraits = {{
    {0.9, 0.0, 0.85, 0.85, 0.10},  // Windows
    {0.9, 1.0, 1.0, 0.45, 0.10},   // Mac
    {0.8, 0.0, 0.6, 0.6, 0.35},    // Linux
    {0.95, 1.0, 1.0, 0.0, 0.0},    // iPhone: every browser runs on Apple's resolver
    {0.9, 0.0, 0.85, 0.0, 0.05},   // Android: Chrome and Samsung Internet are Chromium
    {0.5, 0.0, 0.0, 0.0, 0.0},     // TV
    {0.7, 0.0, 0.0, 0.0, 0.0},     // console
    {0.2, 0.0, 0.0, 0.0, 0.0},     // IoT
}};

// Which devices sit behind an address that carries many hosts.
using Mix = std::array<double, kDevices>;
constexpr Mix kOfficeMix = {0.90, 0.07, 0.03, 0, 0, 0, 0, 0};
constexpr Mix kHomeMix = {0.16, 0.07, 0.01, 0.24, 0.26, 0.09, 0.05, 0.12};
constexpr Mix kBusinessMix = {0.62, 0.1, 0.06, 0.11, 0.11, 0, 0, 0};
constexpr Mix kCampusMix = {0.25, 0.2, 0.05, 0.25, 0.25, 0, 0, 0};

// What a person does on a device, by weight: a page load, an app's
// lookups, files opened (antivirus lookups), an intranet name, a mistyped
// name, the rest (browser starts, Bonjour browsing).
enum Action : uint8_t { kPage, kApp, kFiles, kIntranet, kMistype, kMisc };
constexpr std::array<std::array<double, 6>, kDevices> kActions = {{
    {66, 12, 10, 7, 2, 3},  // Windows
    {64, 14, 6, 6, 2, 8},   // Mac
    {58, 10, 4, 22, 2, 4},  // Linux: developers, containers with long search lists
    {55, 42, 0, 0, 1, 2},   // iPhone
    {55, 40, 2, 0, 1, 2},   // Android
    {0, 100, 0, 0, 0, 0},   // TV
    {6, 94, 0, 0, 0, 0},    // console
    {0, 100, 0, 0, 0, 0},   // IoT
}};

enum class Av : uint8_t { kNone, kTrellix, kMcAfee, kSophos, kEset, kDefender, kAvast, kBitdefender };

enum class Role : uint8_t { kHost, kNat, kMailGateway, kMailRelay, kLogServer, kNsmSensor, kWebServer };

struct Client {
  dns::Address address;
  Role role = Role::kHost;
  Device device = Device::kWindows;  // of a single host
  const Mix* mix = nullptr;          // of the hosts behind it, when it carries many
  uint32_t hosts = 1;
  uint32_t suffix = 0;  // its search domain, into DayGenerator::suffixes_ (0: none)
  Av av = Av::kNone;
  bool caps = false;  // a forwarder sending names with DNS 0x20 case randomisation
  bool ad = false;    // in the office's Active Directory
  uint32_t mail = 0;  // mail servers: their list configuration
  uint32_t lan = 0;   // an address carrying many hosts: their network behind it (IPv4, a /16 or /24)
  std::string name;   // host name, when one host
  std::string ddns;   // a home router's dynamic DNS label
};

// One event waiting for its time.
struct Pending {
  int64_t ts = 0;
  uint32_t client = 0;
  Family family = Family::kBrowsing;
  uint16_t qtype = 0;
  int rcode = 0;
  ingest::Transport transport = ingest::Transport::kUdp;
  std::string qname;  // as sent
  std::vector<ingest::DnsRecordData> answers;
};

// Activity that fires over the day: streams with an hourly rate over a
// population, and series (one client's storm, sweep or retry loop) at a
// fixed mean gap until their count runs out.
enum class Kind : uint8_t {
  kUser,
  kBackground,
  kSession,
  kMailIn,
  kMailOut,
  kDmarcReports,
  kNsm,
  kLogJobs,
  kWebLogs,
  kStorm,
  kSweep,
  kRetry
};
struct Process {
  Kind kind = Kind::kUser;
  std::array<double, 24> per_hour{};  // streams: fires per hour
  uint32_t client = 0;                // series: whose
  uint32_t left = 0;                  // series: fires left
  double gap_us = 0;                  // series: mean gap between fires
  bool periodic = false;              // series: gaps of gap_us +-10% (a timer), else exponential (a queue)
  uint32_t state = 0;                 // series: the swept /24, the retried name's index
};

struct Population {
  std::vector<uint32_t> ids;
  std::vector<double> cumulative;
  void Add(uint32_t id, double weight) {
    ids.push_back(id);
    cumulative.push_back((cumulative.empty() ? 0 : cumulative.back()) + weight);
  }
};

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A name's hash owned by this file (FNV-1a, then SplitMix), so that a day
// stays the same when util/hash.h's HashBytes, free to change, changes.
uint64_t NameHash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
  return SplitMix(h);
}

// Characters drawn from a hash: names that must be the same wherever they
// recur (a CDN distribution, a server's key) without drawing from the
// day's random stream.
std::string HashChars(uint64_t key, std::string_view alphabet, size_t n) {
  std::string s(n, 'a');
  for (char& c : s) {
    key = SplitMix(key);
    c = alphabet[key % alphabet.size()];
  }
  return s;
}

std::string Dashed(uint32_t ip) {
  return fmt::format("{}-{}-{}-{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}
std::string Reversed(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip & 255, (ip >> 8) & 255, (ip >> 16) & 255, ip >> 24);
}
std::string Dotted(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}
// RFC 3596 / RFC 5782 §2.4: the 32 nibbles of an IPv6 address, least significant first.
std::string Nibbles(const std::array<uint8_t, 16>& a) {
  std::string s;
  s.reserve(64);
  for (int i = 15; i >= 0; --i) {
    s += kHexDigits[a[i] & 15];
    s += '.';
    s += kHexDigits[a[i] >> 4];
    s += '.';
  }
  s.pop_back();
  return s;
}

constexpr std::string_view kOfficeDomain = "corp.acme-widgets.com";  // the AD forest and DNS suffix of HQ
constexpr std::string_view kBranchDomain = "nwtraders.local";        // the acquired branch's older AD domain
constexpr std::array<std::string_view, 3> kAdSites = {"HQ", "Branch", "Default-First-Site-Name"};
constexpr std::array<std::string_view, 22> kAirports = {"fra", "ams", "lhr", "cdg", "mad", "mxp", "waw", "arn",
                                                        "vie", "zrh", "ber", "ham", "muc", "dus", "iad", "ord",
                                                        "dfw", "lax", "sjc", "nrt", "sin", "gru"};
constexpr std::array<std::string_view, 8> kRegions = {"us-east-1",  "us-west-2",  "eu-west-1",      "eu-central-1",
                                                      "ap-south-1", "eu-north-1", "ap-northeast-1", "us-east-2"};

// One day, built as a population of clients and a set of processes (streams
// with an hourly rate, series of one client's lookups), replayed through a
// heap of what is due next: process fires and the events they left pending
// (a fire emits a burst, at most seconds ahead), so memory holds the
// clients and the next few seconds, never the day.
//
// Every random draw is a statement of its own (or sequenced: a condition,
// a declarator, a nested call): C++ leaves the order of a call's
// arguments to the compiler, and GCC and clang differ, so two draws in one
// call would give each compiler another day.
class DayGenerator {
 public:
  DayGenerator(const std::vector<std::string>& hosts, const DayOptions& o)
      : o_(o), d_(o.seed), hosts_(hosts), psl_(dns::PublicSuffixList::Default()), end_(o.start_us + kDay) {
    // Popularity: a fixed shuffle of the alphabetical list, then Zipf over
    // hosts and over their registered domains (the sites).
    std::shuffle(hosts_.begin(), hosts_.end(), d_.engine());
    std::unordered_set<std::string_view> seen;
    for (const std::string& h : hosts_) {
      std::string_view site = psl_.RegisteredDomain(h);
      if (!site.empty() && seen.insert(site).second) sites_.push_back(site);
    }
    // Stand-ins for access operators around the world: sites under
    // country-code TLDs (not those sold as generic names).
    for (std::string_view site : sites_) {
      const std::string_view tld = site.substr(site.rfind('.') + 1);
      static constexpr std::array<std::string_view, 8> kGeneric = {"io", "co", "me", "tv", "ai", "ly", "cc", "to"};
      if (tld.size() == 2 && std::find(kGeneric.begin(), kGeneric.end(), tld) == kGeneric.end()) {
        operators_.push_back(site);
      }
    }
    if (operators_.empty()) operators_ = sites_;
    suffixes_.emplace_back();
    if (o.day == Day::kOffice) {
      BuildOffice();
    } else {
      BuildIsp();
    }
  }

  DayCounts Run(const DaySink& sink) {
    for (uint32_t i = 0; i < processes_.size(); ++i) Schedule(i, o_.start_us);
    std::vector<bool> sent(clients_.size());
    while (!due_.empty() && due_.front().ts < end_) {
      std::pop_heap(due_.begin(), due_.end(), Later);
      const Due due = due_.back();
      due_.pop_back();
      if (due.ref & kProcessBit) {
        Fire(due.ref & ~kProcessBit, due.ts);
        continue;
      }
      Pending& p = slots_[due.ref];
      Finish(p);
      ++counts_.queries;
      ++counts_.by_family[static_cast<size_t>(p.family)];
      if (clients_[p.client].role == Role::kNat) ++counts_.nat_queries;
      if (!sent[p.client]) {
        sent[p.client] = true;
        ++counts_.client_addresses;
      }
      sink(ev_, p.family);
      free_.push_back(due.ref);
    }
    for (const Client& c : clients_) {
      counts_.hosts += c.hosts;
      counts_.nat_addresses += c.role == Role::kNat;
    }
    return counts_;
  }

 private:
  static constexpr int64_t kDay = 86'400'000'000, kSecond = 1'000'000, kMs = 1'000;
  static constexpr uint32_t kProcessBit = 1u << 31;
  struct Due {
    int64_t ts;
    uint64_t seq;
    uint32_t ref;  // a slot, or a process with kProcessBit
  };
  static bool Later(const Due& a, const Due& b) { return a.ts != b.ts ? a.ts > b.ts : a.seq > b.seq; }

  uint32_t Scaled(double n) const { return std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(n * o_.scale))); }
  uint64_t Key(uint64_t purpose, uint64_t index) const {
    return SplitMix(o_.seed * 0x9e3779b97f4a7c15ULL ^ purpose) ^ SplitMix(index);
  }

  // ---- Building the day ----

  uint32_t AddClient(Client c) {
    clients_.push_back(std::move(c));
    return static_cast<uint32_t>(clients_.size() - 1);
  }
  uint32_t AddSuffix(std::string_view s) {
    suffixes_.emplace_back(s);
    return static_cast<uint32_t>(suffixes_.size() - 1);
  }
  void AddStream(Kind kind, const Shape& shape, double per_day) {
    Process p;
    p.kind = kind;
    double total = 0;
    for (double w : shape) total += w;
    for (int h = 0; h < 24; ++h) p.per_hour[h] = per_day * o_.scale * shape[h] / total;
    processes_.push_back(p);
  }
  uint32_t AddSeries(Kind kind, uint32_t client, uint32_t count, double gap_us, uint32_t state) {
    Process p;
    p.kind = kind;
    p.client = client;
    p.left = count;
    p.gap_us = gap_us;
    p.state = state;
    processes_.push_back(p);
    return static_cast<uint32_t>(processes_.size() - 1);
  }
  static dns::Address V4(uint32_t ip) {
    dns::Address a;
    a.family = 4;
    a.bytes = {static_cast<uint8_t>(ip >> 24), static_cast<uint8_t>(ip >> 16), static_cast<uint8_t>(ip >> 8),
               static_cast<uint8_t>(ip)};
    return a;
  }
  // Host names as each system makes them up: Windows' setup names the
  // machine DESKTOP- and 7 characters; Apple devices take the owner's name
  // and the model; Android up to 7 announced android-<16 hex of its
  // ANDROID_ID> over DHCP; the rest their product name and a MAC suffix.
  std::string WindowsName() { return "DESKTOP-" + Upper(d_.Alnum(7)); }
  std::string OwnerName(std::string_view model) {
    static constexpr std::array<std::string_view, 12> kOwners = {
        "Annas", "Bens", "Claras", "Davids", "Emmas", "Felix", "Jonas", "Lauras", "Marias", "Noahs", "Paulas", "Toms"};
    return fmt::format("{}-{}", d_.Pick(kOwners), model);
  }
  std::string MacName() {
    static constexpr std::array<std::string_view, 3> kModels = {"MacBook-Pro", "MacBook-Air", "iMac"};
    const std::string_view model = d_.Pick(kModels);
    return OwnerName(model);
  }
  std::string DeviceName(Device d) {
    switch (d) {
      case Device::kWindows:
        return WindowsName();
      case Device::kMac:
        return MacName();
      case Device::kIphone:
        return OwnerName(d_.Chance(0.8) ? "iPhone" : "iPad");
      case Device::kAndroid:
        return "android-" + d_.Hex(16);
      case Device::kLinux:
        return "dev-" + d_.Alnum(5);
      case Device::kTv:
        return d_.Chance(0.5) ? "LGwebOSTV" : "Samsung-TV";
      case Device::kConsole:
        return d_.Chance(0.5) ? "PS5-" + Upper(d_.Hex(6)) : "XboxOne";
      case Device::kIot:
        return "ESP_" + Upper(d_.Hex(6));
    }
    return WindowsName();
  }
  // Activity of one host relative to the mean: a log-normal spread, the
  // heavy tail of real per-host volumes.
  double Activity(double sigma) { return std::exp(sigma * Normal() - sigma * sigma / 2); }
  double Normal() {  // Box-Muller, one value a call
    const double u = std::max(d_.Unit(), 1e-12), v = d_.Unit();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
  }

  // The office: 2,000 hosts. On the HQ network 1,481 workstations and 19
  // servers (12 file, print, application and build servers; the 7 whose
  // lookups are data: mail gateways and relays, log collectors, an NSM
  // sensor); a branch of 500 hosts behind one NAT address.
  void BuildOffice() {
    server4_ = V4(0x0a14000a);  // 10.20.0.10, a domain controller's DNS service
    const uint32_t hq = AddSuffix(kOfficeDomain), branch = AddSuffix(kBranchDomain);
    const uint32_t workstations = Scaled(1481);
    for (uint32_t i = 0; i < workstations; ++i) {
      Client c;
      c.address = V4(0x0a141000 + (i / 254) * 256 + 1 + i % 254);  // 10.20.16.1 on
      const double r = d_.Unit();
      c.device = r < 0.92 ? Device::kWindows : r < 0.97 ? Device::kMac : Device::kLinux;
      c.name = DeviceName(c.device);
      c.suffix = hq;
      c.ad = c.device != Device::kLinux;
      // Trellix (McAfee) Endpoint Security on Windows; the Macs run Sophos.
      c.av = c.device == Device::kWindows ? Av::kTrellix : c.device == Device::kMac ? Av::kSophos : Av::kNone;
      const double a = Activity(0.8);
      users_.Add(AddClient(std::move(c)), a);
      machines_.Add(static_cast<uint32_t>(clients_.size() - 1), 1);
      sessions_.Add(static_cast<uint32_t>(clients_.size() - 1), 1);
    }
    Client nat;
    nat.address = V4(0x0a630001);  // 10.99.0.1: the branch router, across the VPN
    nat.lan = 0xac100000;          // 172.16.0.0/16 behind it
    nat.role = Role::kNat;
    nat.mix = &kOfficeMix;
    nat.hosts = Scaled(500);
    nat.suffix = branch;
    nat.ad = true;
    nat.av = Av::kEset;  // the branch kept its own antivirus
    const uint32_t n = AddClient(std::move(nat));
    users_.Add(n, clients_[n].hosts);
    machines_.Add(n, clients_[n].hosts);
    sessions_.Add(n, clients_[n].hosts);
    for (uint32_t i = 0; i < 12; ++i) {  // file, print, application and build servers
      Client s;
      s.address = V4(0x0a14fa64 + i);  // 10.20.250.100 on
      s.device = i < 9 ? Device::kWindows : Device::kLinux;
      s.name = fmt::format("SRV-{}{:02}", i < 9 ? "APP" : "BLD", i + 1);
      s.suffix = hq;
      s.ad = i < 9;
      s.av = i < 9 ? Av::kTrellix : Av::kNone;
      machines_.Add(AddClient(std::move(s)), 1);
    }
    // Postfix/SpamAssassin gateways: the lists of a common postscreen setup.
    const uint32_t gateway_config =
        AddMailConfig({"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "bl.mailspike.net",
                       "psbl.surriel.com", "list.dnswl.org", "dnsbl-1.uceprotect.net", "bl.spameatingmonkey.net"},
                      {"multi.surbl.org", "multi.uribl.com", "dbl.spamhaus.org"}, false);
    for (uint32_t i = 0; i < 2; ++i) {
      Client m;
      m.address = V4(0x0a14fa19 + i);  // 10.20.250.25
      m.role = Role::kMailGateway;
      m.device = Device::kLinux;
      m.mail = gateway_config;
      mail_in_.Add(AddClient(std::move(m)), 1);
    }
    for (uint32_t i = 0; i < 2; ++i) {
      Client m;
      m.address = V4(0x0a14fa1b + i);  // 10.20.250.27
      m.role = Role::kMailRelay;
      m.device = Device::kLinux;
      mail_out_.Add(AddClient(std::move(m)), 1);
    }
    for (uint32_t i = 0; i < 2; ++i) {
      Client l;
      l.address = V4(0x0a14fa28 + i);  // 10.20.250.40: SIEM collectors enriching firewall logs
      l.role = Role::kLogServer;
      l.device = Device::kLinux;
      log_servers_.Add(AddClient(std::move(l)), 1);
    }
    Client nsm;
    nsm.address = V4(0x0a14fa32);  // 10.20.250.50: Zeek on the Internet uplink
    nsm.role = Role::kNsmSensor;
    nsm.device = Device::kLinux;
    nsm_.Add(AddClient(std::move(nsm)), 1);

    AddStream(Kind::kUser, kOfficeHours, 240'000);
    AddStream(Kind::kBackground, kOfficeMachines, 330'000);
    AddStream(Kind::kSession, kMornings, 6'000);
    AddStream(Kind::kMailIn, kMail, 16'000);
    AddStream(Kind::kMailOut, kOfficeHours, 9'000);
    AddStream(Kind::kDmarcReports, kNights, 400);
    AddStream(Kind::kNsm, kOfficeHours, 1'500);
    AddStream(Kind::kLogJobs, kFlat, 52);  // hourly jobs on both collectors, and an admin's sweeps
  }

  // An ISP's resolver: IPv4 home routers forwarding their LAN's queries,
  // IPv6 devices asking it directly, business and campus NATs (one of
  // them a forwarder randomising case), mail and web servers.
  void BuildIsp() {
    server4_ = V4(0xc6336435);  // 198.51.100.53
    server6_ = *dns::Address::Parse("2001:db8:53::53");
    // Home routers hand out these search domains (or none); the names leak
    // to the ISP when the router does not answer them itself.
    const std::array<uint32_t, 4> home_suffixes = {AddSuffix("home"), AddSuffix("lan"), AddSuffix("localdomain"),
                                                   AddSuffix("domain")};
    const uint32_t homes4 = Scaled(41'000), homes6 = Scaled(9'000);
    std::unordered_set<uint32_t> used;
    for (uint32_t i = 0; i < homes4; ++i) {
      uint32_t ip;
      do ip = 0x64400000 + d_.Uniform(1u << 22);  // 100.64.0.0/10: the CGN space the ISP numbers routers from
      while (!used.insert(ip).second);
      Client c;
      c.address = V4(ip);
      c.mix = &kHomeMix;
      c.hosts = 2 + d_.Uniform(9);
      c.suffix = d_.Chance(0.45) ? home_suffixes[d_.Uniform(4)] : 0;
      c.av = HomeAv();
      c.ddns = HashChars(Key(1, i), kAlnum, 16);  // the router's MyFRITZ! address label
      // The routers' default LANs: FRITZ!Box, most others, Telekom Speedport, some cable modems.
      static constexpr std::array<uint32_t, 5> kLans = {0xc0a8b200, 0xc0a80100, 0xc0a80000, 0xc0a80200, 0x0a000000};
      c.lan = d_.Pick(kLans);
      const double a = c.hosts * Activity(1.1);
      const uint32_t id = AddClient(std::move(c));
      users_.Add(id, a);
      machines_.Add(id, clients_[id].hosts);
      sessions_.Add(id, clients_[id].hosts);
    }
    for (uint32_t i = 0; i < homes6; ++i) {
      const uint32_t devices = 1 + d_.Uniform(6);
      for (uint32_t k = 0; k < devices; ++k) {
        Client c;
        c.address.family = 6;
        // 2001:db8:<home>:<lan>00:<SLAAC interface id>
        const uint64_t iid = d_.engine()();
        c.address.bytes = {0x20, 0x01, 0x0d, 0xb8, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 0, 0};
        for (int b = 0; b < 8; ++b) c.address.bytes[8 + b] = static_cast<uint8_t>(iid >> (8 * b));
        c.device = PickDevice(kHomeMix);
        c.name = DeviceName(c.device);
        c.av = c.device == Device::kWindows || c.device == Device::kMac ? HomeAv() : Av::kNone;
        const double a = Activity(1.1);
        const uint32_t id = AddClient(std::move(c));
        users_.Add(id, a);
        machines_.Add(id, 1);
        sessions_.Add(id, 1);
      }
    }
    // Business customers and a university behind one address each.
    static constexpr std::array<uint32_t, 5> kNatHosts = {300, 500, 800, 1'500, 5'000};
    const std::array<uint32_t, 5> nat_suffixes = {AddSuffix("corp"), AddSuffix("intranet"), AddSuffix("office.lan"),
                                                  AddSuffix("ad.local"), 0};
    for (uint32_t i = 0; i < kNatHosts.size(); ++i) {
      Client c;
      c.address = V4(0xcb00710a + i);        // 203.0.113.10
      c.lan = 0x0a000000 | ((i + 1) << 16);  // 10.<n>.0.0/16 behind it
      c.role = Role::kNat;
      c.hosts = Scaled(kNatHosts[i]);
      c.mix = i == 4 ? &kCampusMix : &kBusinessMix;
      c.suffix = nat_suffixes[i];
      c.av = i == 4 ? Av::kNone : i % 2 ? Av::kSophos : Av::kDefender;
      // Its own Unbound forwards to us with use-caps-for-id: every name
      // arrives in random case (draft-vixie-dnsext-dns0x20).
      c.caps = i == 2;
      const uint32_t id = AddClient(std::move(c));
      // Hosts on a business or campus network are busier than a home's
      // devices behind the home router's cache.
      users_.Add(id, 6.0 * clients_[id].hosts);
      machines_.Add(id, clients_[id].hosts);
      sessions_.Add(id, clients_[id].hosts);
    }
    // Business mail servers: rspamd's default lists, Spamhaus DQS or
    // Abusix with the account's key in every name.
    const uint32_t rspamd =
        AddMailConfig({"zen.spamhaus.org", "bl.mailspike.net", "wl.mailspike.net", "bl.score.senderscore.com",
                       "dnsbl-1.uceprotect.net", "bl.spameatingmonkey.net", "list.dnswl.org"},
                      {"multi.surbl.org", "multi.uribl.com", "dbl.spamhaus.org"}, true);
    for (uint32_t i = 0; i < 40; ++i) {
      Client m;
      m.address = V4(0xcb007119 + i);  // 203.0.113.25
      m.role = Role::kMailGateway;
      m.device = Device::kLinux;
      if (i % 4 == 1) {
        const std::string key = HashChars(Key(2, i), kAlnum, 26);
        m.mail = AddMailConfig({key + ".zen.dq.spamhaus.net", key + ".authbl.dq.spamhaus.net"},
                               {key + ".dbl.dq.spamhaus.net", key + ".zrd.dq.spamhaus.net"}, false);
      } else if (i % 4 == 3) {
        const std::string key = HashChars(Key(3, i), kAlnum, 32);
        m.mail = AddMailConfig({key + ".combined.mail.abusix.zone"}, {key + ".dblack.mail.abusix.zone"}, false);
      } else {
        m.mail = rspamd;
      }
      mail_in_.Add(AddClient(std::move(m)), 0.3 + d_.Unit());
    }
    for (uint32_t i = 0; i < 8; ++i) {
      Client w;
      w.address = V4(0xcb007150 + i);  // 203.0.113.80: hosting customers' web servers
      w.role = Role::kWebServer;
      w.device = Device::kLinux;
      web_servers_.Add(AddClient(std::move(w)), 1);
    }
    AddStream(Kind::kUser, kEvenings, 430'000);
    AddStream(Kind::kBackground, kHomeMachines, 560'000);
    AddStream(Kind::kSession, kEvenings, 45'000);
    AddStream(Kind::kMailIn, kMail, 22'000);
    AddStream(Kind::kWebLogs, kNights, 8);
    // Devices stuck in a loop: one name every few seconds all day.
    for (uint32_t i = 0; i < Scaled(25); ++i) {
      const uint32_t client = users_.ids[d_.Uniform(homes4)];
      const double gap = (5 + d_.Uniform(55)) * 1e6;
      processes_[AddSeries(Kind::kRetry, client, static_cast<uint32_t>(kDay / gap) + 1, gap, i)].periodic = true;
    }
  }

  Av HomeAv() {
    static constexpr std::array<Av, 10> kShare = {Av::kDefender,    Av::kDefender, Av::kDefender, Av::kNone,
                                                  Av::kAvast,       Av::kMcAfee,   Av::kMcAfee,   Av::kEset,
                                                  Av::kBitdefender, Av::kSophos};
    return d_.Pick(kShare);
  }
  Device PickDevice(const Mix& mix) {
    double u = d_.Unit();
    for (size_t i = 0; i < kDevices; ++i) {
      if ((u -= mix[i]) < 0) return static_cast<Device>(i);
    }
    return Device::kWindows;
  }
  Device DeviceOf(const Client& c) { return c.mix ? PickDevice(*c.mix) : c.device; }
  // The IPv4 address of the host that asked: its own, or one on the
  // network behind the NAT or home router (0 for IPv6 hosts).
  uint32_t HostAddress(const Client& c) {
    if (c.address.family != 4) return 0;
    if (!c.mix) {
      const auto& a = c.address.bytes;
      return uint32_t{a[0]} << 24 | uint32_t{a[1]} << 16 | uint32_t{a[2]} << 8 | a[3];
    }
    const uint32_t subnet = (c.lan & 0xffff) == 0 ? d_.Uniform(c.hosts / 200 + 1) << 8 : 0;  // /24s of a /16
    return c.lan | subnet | d_.Between(2, 254);
  }
  // The name of the host that asked: its own, or one of the many behind the address.
  std::string HostName(const Client& c, Device d) {
    if (!c.mix && !c.name.empty()) return c.name;
    return DeviceName(d);
  }
  template <size_t N>
  size_t Weighted(const std::array<double, N>& w) {
    double total = 0;
    for (double x : w) total += x;
    double u = d_.Unit() * total;
    for (size_t i = 0; i < N; ++i) {
      if ((u -= w[i]) < 0) return i;
    }
    return N - 1;
  }
  uint32_t Pick(const Population& p) {
    const double u = d_.Unit() * p.cumulative.back();
    const size_t i = std::upper_bound(p.cumulative.begin(), p.cumulative.end(), u) - p.cumulative.begin();
    return p.ids[std::min(i, p.ids.size() - 1)];
  }

  struct MailConfig {
    std::vector<std::string> ip_lists, uri_lists;
    bool rspamd = false;  // also rspamd's hashed address list
  };
  uint32_t AddMailConfig(std::vector<std::string> ip_lists, std::vector<std::string> uri_lists, bool rspamd) {
    mail_configs_.push_back({std::move(ip_lists), std::move(uri_lists), rspamd});
    return static_cast<uint32_t>(mail_configs_.size() - 1);
  }

  // ---- Time ----

  // The next fire of a stream after `t`: an inhomogeneous Poisson process,
  // the hourly rate integrated until an exponential draw is used up.
  bool NextArrival(const Process& p, int64_t* t) {
    double need = d_.Exponential(1);
    int64_t now = *t;
    while (now < end_) {
      const int64_t hour = (now - o_.start_us) / (3600 * kSecond);
      const int64_t hour_end = o_.start_us + (hour + 1) * 3600 * kSecond;
      const double rate = p.per_hour[hour] / (3600.0 * kSecond);
      const double have = rate * static_cast<double>(hour_end - now);
      if (rate > 0 && have >= need) {
        *t = now + std::max<int64_t>(1, static_cast<int64_t>(need / rate));
        return true;
      }
      need -= have;
      now = hour_end;
    }
    return false;
  }
  void Schedule(uint32_t process, int64_t now) {
    Process& p = processes_[process];
    int64_t t = now;
    if (p.gap_us > 0) {
      if (p.left == 0) return;
      --p.left;
      t += static_cast<int64_t>(p.periodic ? p.gap_us * (0.9 + 0.2 * d_.Unit()) : d_.Exponential(p.gap_us));
    } else if (!NextArrival(p, &t)) {
      return;
    }
    Push(t, process | kProcessBit);
  }
  void Push(int64_t t, uint32_t ref) {
    due_.push_back({t, seq_++, ref});
    std::push_heap(due_.begin(), due_.end(), Later);
  }

  void Fire(uint32_t process, int64_t t) {
    const Process p = processes_[process];
    switch (p.kind) {
      case Kind::kUser:
        UserAction(t, Pick(users_));
        break;
      case Kind::kBackground:
        Background(t, Pick(machines_));
        break;
      case Kind::kSession:
        Session(t, Pick(sessions_));
        break;
      case Kind::kMailIn:
        MailConnection(t, Pick(mail_in_));
        break;
      case Kind::kMailOut:
        OutboundMail(t, Pick(mail_out_));
        break;
      case Kind::kDmarcReports:
        DmarcReport(t, mail_in_.ids.front());
        break;
      case Kind::kNsm:
        MalwareHashLookup(t, nsm_.ids.front());
        break;
      case Kind::kLogJobs:
        LogJob(t, Pick(log_servers_));
        break;
      case Kind::kWebLogs:
        WebLogJob(t, Pick(web_servers_));
        break;
      case Kind::kStorm:
        StormLookup(t, p.client);
        break;
      case Kind::kSweep:
        SweepLookup(t, p.client, p.state, p.left);
        break;
      case Kind::kRetry:
        RetryLookup(t, p.client, p.state);
        break;
    }
    Schedule(process, t);
  }

  // ---- Events ----

  Pending& Emit(int64_t t, uint32_t client, Family f, std::string name, uint16_t qtype, int rcode = kNoError) {
    uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    Pending& p = slots_[slot];
    p.ts = t;
    p.client = client;
    p.family = f;
    p.qname = std::move(name);
    p.qtype = qtype;
    p.rcode = rcode;
    p.transport = ingest::Transport::kUdp;
    p.answers.clear();
    Push(t, slot);
    return p;
  }
  static void Answer(Pending& p, uint16_t type, std::string data, uint32_t ttl = 300) {
    p.answers.push_back({Lower(p.qname), type, ttl, std::move(data)});
  }
  static std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c | ((c >= 'A' && c <= 'Z') << 5));
    return out;
  }
  static std::string AddressFor(uint64_t h, int family) {
    if (family == 4)
      return fmt::format("{}.{}.{}.{}", 1 + (h >> 8) % 223, (h >> 16) & 255, (h >> 24) & 255, 1 + (h >> 32) % 254);
    return fmt::format("2a0{}:{:x}:{:x}::{:x}", 1 + h % 9, (h >> 8) & 0xffff, (h >> 24) & 0xffff, (h >> 40) & 0xffff);
  }

  // A and AAAA answers of an existing name; three in ten sit behind a CDN's CNAME.
  void AddressAnswers(Pending& p, uint64_t h, int family) {
    if (family == 6 && h % 5 < 2) return;  // no AAAA: NOERROR without data
    std::string owner = Lower(p.qname);
    if (h % 10 < 3) {
      std::string target;
      switch ((h >> 20) % 3) {
        case 0:
          target = fmt::format("e{}.{}.akamaiedge.net", (h >> 24) % 9999, (h >> 40) % 2 ? "dscb" : "a");
          break;
        case 1:
          target = owner + ".cdn.cloudflare.net";
          break;
        default:
          target = "d" + HashChars(h, kAlnum, 13) + ".cloudfront.net";
      }
      p.answers.push_back({owner, kCNAME, 300, target});
      owner = target;
    }
    const int n = 1 + static_cast<int>((h >> 50) % 3);
    for (int i = 0; i < n; ++i) {
      p.answers.push_back({owner, family == 4 ? kA : kAAAA, 60, AddressFor(SplitMix(h + i), family)});
    }
  }

  // A name the device resolves: A, and AAAA and HTTPS as that device asks.
  // An intranet name (`internal`) resolves to a private address, no CNAME,
  // no HTTPS record. A service on another port than 443 has its HTTPS
  // record at _<port>._https.<name> (RFC 9460 §2.3).
  void Lookup(int64_t t, uint32_t c, Device d, std::string name, Family f, uint16_t port = 443, bool internal = false,
              bool browser = false) {
    const uint64_t h = NameHash(name);
    const DeviceTraits& traits = kTraits[static_cast<size_t>(d)];
    // Android's Private DNS in automatic mode uses DNS over TLS (RFC 7858)
    // wherever the resolver offers it, as the ISP's does.
    const auto transport = d == Device::kAndroid && o_.day == Day::kIsp && d_.Chance(0.6) ? ingest::Transport::kDot
                                                                                          : ingest::Transport::kUdp;
    if (d_.Chance(traits.aaaa)) {
      Pending& aaaa = Emit(t + 300, c, f, name, kAAAA);
      aaaa.transport = transport;
      if (!internal) AddressAnswers(aaaa, h, 6);
    }
    if (d_.Chance(browser ? std::max(traits.https_rr, traits.browser_https) : traits.https_rr)) {
      Pending& https =
          Emit(t + 200, c, Family::kHttpsRr, port == 443 ? name : fmt::format("_{}._https.{}", port, name), kHTTPS);
      https.transport = transport;
      // RFC 9460 records where the zone publishes one (Cloudflare does for
      // its customers by default); NODATA elsewhere.
      if (!internal && h % 4 == 0) {
        Answer(https, kHTTPS, fmt::format("1 . alpn=\"h3,h2\" ipv4hint={}", AddressFor(h, 4)));
      }
    }
    Pending& a = Emit(t, c, f, std::move(name), kA);
    a.transport = transport;
    if (internal) return Answer(a, kA, fmt::format("10.20.250.{}", 100 + h % 12));
    AddressAnswers(a, h, 4);
  }

  // A lookup of the device's browser.
  void BrowserLookup(int64_t t, uint32_t c, Device d, std::string name, Family f, uint16_t port = 443,
                     bool internal = false) {
    Lookup(t, c, d, std::move(name), f, port, internal, true);
  }

  std::string_view Site() { return sites_[d_.ZipfRank(sites_.size())]; }
  const std::string& Host() { return hosts_[d_.ZipfRank(hosts_.size())]; }
  // The customer part of a site: "example" of "example.co.uk".
  static std::string_view Label(std::string_view site) { return site.substr(0, site.find('.')); }
  // A customer's name in a provider's label, which joins it with other
  // parts: as short as the providers keep project names (Firebase project
  // ids 6-30 characters, Cloud Run services 49), so the label stays a label.
  std::string_view Customer() {
    std::string_view name = Label(Site()).substr(0, 24);
    while (name.size() > 1 && name.back() == '-') name.remove_suffix(1);
    return name;
  }
  std::string_view SuffixOf(const Client& c) const { return suffixes_[c.suffix]; }

  // ---- What people do ----

  void UserAction(int64_t t, uint32_t c) {
    const Device d = DeviceOf(clients_[c]);
    switch (Weighted(kActions[static_cast<size_t>(d)])) {
      case kPage:
        return PageLoad(t, c, d);
      case kApp:
        return AppLookups(t, c, d);
      case kFiles:
        return FileScans(t, c, d);
      case kIntranet:
        return Intranet(t, c, d);
      case kMistype:
        return Mistype(t, c, d);
      default:
        return MiscUser(t, c, d);
    }
  }

  // A page: its host, then third-party hosts, CDN objects and, on pages
  // with Google Ad Manager slots, the ads.
  void PageLoad(int64_t t, uint32_t c, Device d) {
    std::string host = Host();
    if (host.find('.') == host.rfind('.') && d_.Chance(0.3)) host = "www." + host;
    BrowserLookup(t, c, d, std::move(host), Family::kBrowsing);
    int64_t at = t;
    for (int n = static_cast<int>(d_.Exponential(4)); n > 0; --n) {
      at += static_cast<int64_t>(d_.Exponential(150 * kMs));
      const double r = d_.Unit();
      if (r < 0.5) {
        BrowserLookup(at, c, d, Host(), Family::kBrowsing);
      } else if (r < 0.7) {
        BrowserLookup(at, c, d, CdnName(), Family::kCdn);
      } else if (r < 0.82) {
        BrowserLookup(at, c, d, CloudName(c), Family::kCloud);
      } else if (r < 0.9) {
        BrowserLookup(at, c, d, AmpCacheName(), Family::kCdn);
      } else {
        static constexpr std::array<std::string_view, 8> kStatic = {
            "fonts.googleapis.com", "fonts.gstatic.com", "ajax.googleapis.com", "cdnjs.cloudflare.com",
            "cdn.jsdelivr.net",     "code.jquery.com",   "unpkg.com",           "use.typekit.net"};
        BrowserLookup(at, c, d, std::string(d_.Pick(kStatic)), Family::kBrowsing);
      }
    }
    if (d_.Chance(0.25)) Ads(at + static_cast<int64_t>(d_.Exponential(300 * kMs)), c, d);
  }

  // Google Publisher Tag slots. Since January 2022 every SafeFrame renders
  // on a randomized subdomain of safeframe.googlesyndication.com (Google
  // Ad Manager help, "Render creatives using SafeFrame"): 32 hex
  // characters, a new name, and so a new lookup, per rendered ad.
  void Ads(int64_t t, uint32_t c, Device d) {
    BrowserLookup(t, c, d, "securepubads.g.doubleclick.net", Family::kAdTech);
    static constexpr std::array<std::string_view, 12> kAdHosts = {"pagead2.googlesyndication.com",
                                                                  "tpc.googlesyndication.com",
                                                                  "googleads.g.doubleclick.net",
                                                                  "ad.doubleclick.net",
                                                                  "static.doubleclick.net",
                                                                  "cm.g.doubleclick.net",
                                                                  "ib.adnxs.com",
                                                                  "hbopenbid.pubmatic.com",
                                                                  "fastlane.rubiconproject.com",
                                                                  "bidder.criteo.com",
                                                                  "c.amazon-adsystem.com",
                                                                  "aax.amazon-adsystem.com"};
    int64_t at = t;
    for (int k = static_cast<int>(d_.Between(0, 3)); k > 0; --k) {
      at += static_cast<int64_t>(d_.Exponential(80 * kMs));
      BrowserLookup(at, c, d, std::string(d_.Pick(kAdHosts)), Family::kAdTech);
    }
    for (int slot = static_cast<int>(d_.Between(1, 3)); slot > 0; --slot) {
      at += static_cast<int64_t>(d_.Exponential(200 * kMs));
      BrowserLookup(at, c, d, d_.Hex(32) + ".safeframe.googlesyndication.com", Family::kAdTech);
    }
    // Floodlight tags carry the advertiser's numeric id as a label.
    if (d_.Chance(0.2))
      BrowserLookup(at, c, d, fmt::format("{}.fls.doubleclick.net", d_.Between(1'000'000, 99'999'999)),
                    Family::kAdTech);
    // Microsoft Clarity spreads its collectors over one-letter hosts.
    if (d_.Chance(0.15))
      BrowserLookup(at, c, d, fmt::format("{}.clarity.ms", kLetters[d_.Uniform(26)]), Family::kAdTech);
  }

  // CDN node and object names, each as its CDN forms them.
  std::string CdnName() {
    switch (d_.Uniform(9)) {
      case 0: {  // YouTube's caches: rrN---sn-<node>.googlevideo.com, nodes near the viewer
        const uint32_t rr = d_.Between(1, 20);
        return fmt::format("rr{}---sn-{}.googlevideo.com", rr, NodeCode(d_.Uniform(48)));
      }
      case 1: {  // Chrome and Android downloads through redirector.gvt1.com
        const uint32_t r = d_.Between(1, 8);
        return fmt::format("r{}---sn-{}.gvt1.com", r, NodeCode(d_.Uniform(48)));
      }
      case 2:  // CloudFront distributions: d + 13 characters (AWS docs: d111111abcdef8.cloudfront.net)
        return "d" + HashChars(Key(10, d_.ZipfRank(20'000)), kAlnum, 13) + ".cloudfront.net";
      case 3: {  // Akamai edge hosts, numbered
        static constexpr std::array<std::string_view, 6> kMaps = {"dscb", "g2", "b", "e", "dspw65", "w10"};
        const bool edge = d_.Chance(0.5);
        if (!edge) {
          const size_t a = 1 + d_.ZipfRank(2'000);
          return fmt::format("a{}.{}.akamai.net", a, d_.Pick(kMaps));
        }
        const size_t e = 1 + d_.ZipfRank(9'999);
        return fmt::format("e{}.{}.akamaiedge.net", e, d_.Chance(0.5) ? "dscx" : "a");
      }
      case 4: {  // Netflix Open Connect appliances: c<cache>-<site><n>, in IXPs and inside ISPs with the ISP's name
        // (ipv4-c001-den001-t-mobile-isp.1.oca.nflxvideo.net, as fast.com shows)
        const std::string_view airport = kAirports[d_.ZipfRank(kAirports.size())];
        if (d_.Chance(0.4)) {
          static constexpr std::array<std::string_view, 6> kIsps = {"t-mobile", "vodafone", "telefonica",
                                                                    "comcast",  "bt",       "orange"};
          const int family = d_.Chance(0.3) ? 6 : 4;
          const uint32_t cache = d_.Between(1, 60), site = d_.Between(1, 3);
          return fmt::format("ipv{}-c{:03}-{}{:03}-{}-isp.1.oca.nflxvideo.net", family, cache, airport, site,
                             d_.Pick(kIsps));
        }
        const uint32_t cache = d_.Between(1, 150);
        return fmt::format("ipv4-c{:03}-{}{:03}-ix.1.oca.nflxvideo.net", cache, airport, d_.Between(1, 9));
      }
      case 5: {  // Facebook and Instagram: scontent-<airport><n>-<n>, the ISP-embedded fna nodes
        const std::string_view airport = kAirports[d_.ZipfRank(kAirports.size())];
        const uint32_t kind = d_.Uniform(4), site = d_.Between(1, 9), node = d_.Between(1, 2);
        switch (kind) {
          case 0:
            return fmt::format("scontent-{}{}-{}.xx.fbcdn.net", airport, site, node);
          case 1:
            return fmt::format("scontent.f{}{}-{}.fna.fbcdn.net", airport, site, node);
          case 2:
            return fmt::format("video-{}{}-{}.xx.fbcdn.net", airport, site, node);
          default:
            return fmt::format("scontent-{}{}-{}.cdninstagram.com", airport, site, node);
        }
      }
      case 6: {  // customer-named CDN hosts
        const std::string_view customer = Customer();
        switch (d_.Uniform(5)) {
          case 0:
            return fmt::format("{}.akamaized.net", customer);
          case 1:
            return fmt::format("{}-vh.akamaihd.net", customer);
          case 2:
            return fmt::format("{}.map.fastly.net", customer);
          case 3:
            return fmt::format("{}.azureedge.net", customer);
          default:  // Azure Front Door endpoints carry a 16-character hash
            return fmt::format("{}-{}.z01.azurefd.net", customer, HashChars(NameHash(customer), kAlnum, 16));
        }
      }
      case 7:  // CDN77 resources are numbered
        return fmt::format("{}.rsc.cdn77.org", 1'000'000'000 + d_.ZipfRank(5'000) * 7919);
      default: {  // WhatsApp media
        const std::string_view airport = kAirports[d_.ZipfRank(kAirports.size())];
        const uint32_t site = d_.Between(1, 9);
        return fmt::format("media-{}{}-{}.cdn.whatsapp.net", airport, site, d_.Between(1, 2));
      }
    }
  }
  // Google's node codes ("4g5e6nzl"): a per-day set near the users.
  std::string NodeCode(uint32_t i) const { return HashChars(Key(11, i), "0123456789abcdefghijklmnopqrstuvwxyz", 8); }

  // Google AMP Cache: the publisher's host with '-' doubled and '.' as '-'
  // (amp.dev, "AMP Cache URL format"); when that is no valid label, the
  // base32 of its SHA-256 (52 characters) instead.
  std::string AmpCacheName() {
    const std::string& host = Host();
    std::string label;
    for (char ch : host) {
      if (ch == '-')
        label += "--";
      else
        label += ch == '.' ? '-' : ch;
    }
    if (label.size() > 63) label = HashChars(NameHash(host), kBase32, 52);
    return label + ".cdn.ampproject.org";
  }

  // Per-customer cloud names: identifiers as each provider assigns them.
  std::string CloudName(uint32_t c) {
    const std::string_view customer = Customer();
    switch (d_.Uniform(10)) {
      case 0: {  // S3 buckets, virtual-hosted style
        static constexpr std::array<std::string_view, 6> kUses = {"assets",  "static", "media",
                                                                  "uploads", "prod",   "cdn"};
        const bool global = d_.Chance(0.5);
        const std::string_view use = d_.Pick(kUses);
        if (global) return fmt::format("{}-{}.s3.amazonaws.com", customer, use);
        return fmt::format("{}-{}.s3.{}.amazonaws.com", customer, use, d_.Pick(kRegions));
      }
      case 1: {  // API Gateway: a 10-character API id (AWS docs)
        const std::string id = HashChars(Key(12, d_.ZipfRank(5'000)), kAlnum, 10);
        return fmt::format("{}.execute-api.{}.amazonaws.com", id, d_.Pick(kRegions));
      }
      case 2: {  // Lambda function URLs: a 32-character URL id under on.aws (AWS docs)
        const std::string id = HashChars(Key(13, d_.ZipfRank(2'000)), kAlnum, 32);
        return fmt::format("{}.lambda-url.{}.on.aws", id, d_.Pick(kRegions));
      }
      case 3: {  // Azure storage accounts: 3 to 24 lower-case letters and digits (Azure docs)
        std::string account;
        for (char ch : customer) {
          if (ch != '-' && account.size() < 24) account += ch;
        }
        while (account.size() < 3) account += '0';
        return fmt::format("{}.blob.core.windows.net", account);
      }
      case 4:  // Firebase projects: a name and a 5-character suffix
        return fmt::format("{}-{}-default-rtdb.firebaseio.com", customer, HashChars(NameHash(customer), kAlnum, 5));
      case 5:  // Cloud Run: SERVICE-PROJECT_HASH-REGION.a.run.app (Google Cloud docs)
        return fmt::format("{}-{}-{}.a.run.app", customer, HashChars(NameHash(customer) + 1, kAlnum, 10),
                           d_.Pick(std::array<std::string_view, 4>{"uc", "ue", "ew", "an"}));
      case 6:  // SharePoint and OneDrive tenants
        return fmt::format("{}{}.sharepoint.com", customer, d_.Chance(0.5) ? "-my" : "");
      case 7: {  // Google Docs download hosts
        const std::string first = d_.Alnum(2);
        return fmt::format("doc-{}-{}-docs.googleusercontent.com", first, d_.Alnum(2));
      }
      case 8: {  // Plex: <address with dashes>.<32 hex of the server>.plex.direct (Plex's secure connections)
        const uint64_t server = Key(14, c * 4 + d_.Uniform(2));
        const uint32_t ip = d_.Chance(0.5) ? 0xc0a80000 | (server & 0xffff) : static_cast<uint32_t>(server >> 32);
        return fmt::format("{}.{}.plex.direct", Dashed(ip), HashChars(server, kHexDigits, 32));
      }
      default: {  // preview deployments: project-<9 characters>-team.vercel.app
        if (d_.Chance(0.5)) return fmt::format("{}.netlify.app", customer);
        const std::string deployment = d_.Alnum(9);
        return fmt::format("{}-{}-{}.vercel.app", customer, deployment, Customer());
      }
    }
  }

  // Apps and services phoning home, by device.
  void AppLookups(int64_t t, uint32_t c, Device d) {
    int64_t at = t;
    for (int n = static_cast<int>(d_.Between(1, 3)); n > 0; --n) {
      const double r = d_.Unit();
      if (r < 0.55) {
        Lookup(at, c, d, ServiceName(d), Family::kPushTelemetry);
      } else if (r < 0.8) {
        const bool media = d == Device::kTv || d == Device::kConsole || d == Device::kIphone || d == Device::kAndroid;
        Lookup(at, c, d, media ? CdnName() : CloudName(c), media ? Family::kCdn : Family::kCloud);
      } else {
        Lookup(at, c, d, Host(), Family::kBrowsing);
      }
      at += static_cast<int64_t>(d_.Exponential(2 * kSecond));
    }
  }

  // Push, telemetry, connectivity and update hosts of each platform.
  std::string ServiceName(Device d) {
    switch (d) {
      case Device::kWindows: {
        static constexpr std::array<std::string_view, 20> kNames = {"v10.events.data.microsoft.com",
                                                                    "v20.events.data.microsoft.com",
                                                                    "self.events.data.microsoft.com",
                                                                    "settings-win.data.microsoft.com",
                                                                    "watson.events.data.microsoft.com",
                                                                    "client.wns.windows.com",
                                                                    "login.live.com",
                                                                    "arc.msn.com",
                                                                    "slscr.update.microsoft.com",
                                                                    "fe3cr.delivery.mp.microsoft.com",
                                                                    "ctldl.windowsupdate.com",
                                                                    "officeclient.microsoft.com",
                                                                    "nexusrules.officeapps.live.com",
                                                                    "outlook.office365.com",
                                                                    "login.microsoftonline.com",
                                                                    "ecs.office.com",
                                                                    "edge.microsoft.com",
                                                                    "config.edge.skype.com",
                                                                    "geo.prod.do.dsp.mp.microsoft.com",
                                                                    "www.bing.com"};
        if (d_.Chance(0.1)) return fmt::format("{}.tlu.dl.delivery.mp.microsoft.com", d_.Between(1, 9));
        return std::string(d_.Pick(kNames));
      }
      case Device::kMac:
      case Device::kIphone: {
        static constexpr std::array<std::string_view, 12> kNames = {
            "gateway.icloud.com", "gsa.apple.com",          "configuration.ls.apple.com", "gs-loc.apple.com",
            "mesu.apple.com",     "xp.apple.com",           "init.itunes.apple.com",      "bag.itunes.apple.com",
            "api.push.apple.com", "gspe1-ssl.ls.apple.com", "weather-data.apple.com",     "is1-ssl.mzstatic.com"};
        // Apple: "1-courier.push.apple.com through 50-courier.push.apple.com";
        // iCloud's per-account partitions are numbered pNN hosts.
        if (d_.Chance(0.35)) return fmt::format("{}-courier.push.apple.com", d_.Between(1, 50));
        if (d_.Chance(0.15)) {
          const uint32_t partition = d_.Between(1, 180);
          return fmt::format("p{:02}-{}.icloud.com", partition, d_.Chance(0.5) ? "caldav" : "contacts");
        }
        return std::string(d_.Pick(kNames));
      }
      case Device::kAndroid: {
        static constexpr std::array<std::string_view, 12> kNames = {
            "mtalk.google.com",    "android.clients.google.com",
            "play.googleapis.com", "firebaseinstallations.googleapis.com",
            "app-measurement.com", "firebaselogging-pa.googleapis.com",
            "www.googleapis.com",  "graph.facebook.com",
            "g.whatsapp.net",      "mmg.whatsapp.net",
            "chat.signal.org",     "fcm.googleapis.com"};
        if (d_.Chance(0.15)) return fmt::format("alt{}-mtalk.google.com", d_.Between(1, 8));
        return std::string(d_.Pick(kNames));
      }
      case Device::kLinux: {
        static constexpr std::array<std::string_view, 12> kNames = {"connectivity-check.ubuntu.com",
                                                                    "api.snapcraft.io",
                                                                    "security.ubuntu.com",
                                                                    "archive.ubuntu.com",
                                                                    "deb.debian.org",
                                                                    "packages.microsoft.com",
                                                                    "api.github.com",
                                                                    "objects.githubusercontent.com",
                                                                    "registry-1.docker.io",
                                                                    "auth.docker.io",
                                                                    "pypi.org",
                                                                    "registry.npmjs.org"};
        return std::string(d_.Pick(kNames));
      }
      case Device::kTv: {
        static constexpr std::array<std::string_view, 10> kNames = {
            "api-global.netflix.com",     "ichnaea.netflix.com",  "nrdp.prod.ftl.netflix.com",
            "youtubei.googleapis.com",    "scribe.logs.roku.com", "log-config.samsungacr.com",
            "eu-auth2.samsungosp.com",    "atv-ext.amazon.com",   "device-metrics-us.amazon.com",
            "disney.api.edge.bamgrid.com"};
        // Netflix artwork: occ-0-<n>-<n>.1.nflxso.net
        if (d_.Chance(0.25)) {
          const uint32_t a = d_.Between(1, 9999);
          return fmt::format("occ-0-{}-{}.1.nflxso.net", a, d_.Between(1, 9999));
        }
        return std::string(d_.Pick(kNames));
      }
      case Device::kConsole: {
        static constexpr std::array<std::string_view, 8> kNames = {
            "xsts.auth.xboxlive.com",         "title.mgt.xboxlive.com",        "assets1.xboxlive.com",
            "gs2.ww.prod.dl.playstation.net", "auth.np.ac.playstation.net",    "steamcommunity.com",
            "api.steampowered.com",           "cdn.cloudflare.steamstatic.com"};
        return std::string(d_.Pick(kNames));
      }
      case Device::kIot: {
        static constexpr std::array<std::string_view, 9> kNames = {
            "device-metrics-us.amazon.com", "api.amazonalexa.com", "api.smartthings.com", "a1.tuyaeu.com",
            "n-devs.tplinkcloud.com",       "home.nest.com",       "frontdoor.nest.com",  "msmetrics.ws.sonos.com",
            "connectivitycheck.gstatic.com"};
        return std::string(d_.Pick(kNames));
      }
    }
    return "www.msftconnecttest.com";
  }

  // Files opened or downloaded: the antivirus asks its vendor about the
  // ones it does not know.
  void FileScans(int64_t t, uint32_t c, Device d) {
    const Av av = d == Device::kWindows || d == Device::kMac ? clients_[c].av : Av::kNone;
    int64_t at = t;
    for (int n = 1 + static_cast<int>(d_.Exponential(3)); n > 0; --n) {
      at += static_cast<int64_t>(d_.Exponential(400 * kMs));
      AvLookup(at, c, av, d);
    }
  }

  void AvLookup(int64_t t, uint32_t c, Av av, Device d) {
    switch (av) {
      case Av::kTrellix:
      case Av::kMcAfee: {
        // GTI file reputation (Trellix KB53735, KB53782): the file's
        // fields, then its hash as 26 base-36 characters, under
        // avts.mcafee.com (Endpoint Security, VSCore 14.4+) or
        // avqs.mcafee.com (older products); answers in 127.0.0.0/8. Shape
        // from captured queries (github.com/mttaggart/wtfbins issue 33):
        // 13-0.19-b3000081.60082.1838.11b4.2fca.210.0.uqnk1rubb52k9unam8919hj6wq.avqs.mcafee.com
        const bool ens = av == Av::kTrellix;
        const uint32_t first = d_.Between(10, 20);
        const std::string size = d_.Hex(d_.Between(1, 6));
        const bool exe = d_.Chance(0.8);
        const std::string hash = d_.Alnum(26);
        const int rcode = d_.Chance(0.6) ? kNxDomain : kNoError;
        Pending& p = Emit(t, c, Family::kAvReputation,
                          fmt::format("{:x}-0.19-{}.{}.{}.{}.{}.{}.0.{}.{}.mcafee.com", first,
                                      ens ? "b3000489" : "b3000081", size, ens ? "1644" : "1838", ens ? "95b" : "11b4",
                                      ens ? "3ea3" : "2fca", exe ? "210" : "400", hash, ens ? "avts" : "avqs"),
                          kA, rcode);
        if (rcode == kNoError) {
          const uint32_t third = d_.Between(0, 4);
          Answer(p, kA, fmt::format("127.0.{}.{}", third, d_.Between(1, 8)), 60);
        }
        return;
      }
      case Av::kSophos: {
        // Sophos endpoints look files up over HTTPS (https://4.sophosxl.net/lookup);
        // on Macs the SXL lookups go over DNS: a version label, the file's
        // digests as hex with a-f moved to n-s (rot13), 63-byte labels,
        // then i.00.mac.sophosxl.net, TXT. Shape from a captured query
        // kept as a test fixture of Packetbeat's DNS parser (elastic/beats,
        // packetbeat/protos/dns/dns_tcp_test.go):
        // 3.1o19ss00s2s17s4qp375sp...<63>.<63>.<26>.<40>.i.00.mac.sophosxl.net
        if (d != Device::kMac) return Lookup(t, c, d, "4.sophosxl.net", Family::kAvReputation);
        auto rot = [&](size_t n) {
          std::string s = d_.Hex(n);
          for (char& ch : s) {
            if (ch >= 'a') ch = static_cast<char>(ch + 13);
          }
          return s;
        };
        const std::string l1 = rot(63), l2 = rot(63), l3 = rot(26), l4 = rot(40);
        Emit(t, c, Family::kAvReputation, fmt::format("3.{}.{}.{}.{}.i.00.mac.sophosxl.net", l1, l2, l3, l4), kTXT,
             kNxDomain);
        return;
      }
      case Av::kEset: {
        // ESET LiveGrid: 26 base32 characters of the object's hash and a
        // fixed 10-character tail, under a.e.e5.sk, TXT (captured queries
        // in wtfbins, github.com/mttaggart/wtfbins, "ESET Protection Suite":
        // oa5jhh3yxkgu5kpwgnjmgk54pubqeaqbaeaq.a.e.e5.sk).
        Emit(t, c, Family::kAvReputation, d_.Chars(kBase32, 26) + "bqeaqbaeaq.a.e.e5.sk", kTXT, kNxDomain);
        return;
      }
      case Av::kDefender:  // cloud protection goes over HTTPS to fixed hosts
        Lookup(t, c, d, d_.Chance(0.7) ? "wdcp.microsoft.com" : "wdcpalt.microsoft.com", Family::kAvReputation);
        return;
      case Av::kAvast: {
        static constexpr std::array<std::string_view, 3> kNames = {"outside-scanner.ff.avast.com",
                                                                   "deviceid.ff.avast.com", "netrep.svc.avast.com"};
        Lookup(t, c, d, std::string(d_.Pick(kNames)), Family::kAvReputation);
        return;
      }
      case Av::kBitdefender: {
        static constexpr std::array<std::string_view, 3> kNames = {
            "nimbus.bitdefender.net", "elb-iow-gcp.nimbus.bitdefender.net", "mclb-gcp.nimbus.bitdefender.net"};
        Lookup(t, c, d, std::string(d_.Pick(kNames)), Family::kAvReputation);
        return;
      }
      case Av::kNone:
        return;
    }
  }

  // Zeek's detect-MHR policy: the SHA-1 of every executable, PDF or
  // archive seen on the wire, TXT <sha1>.malware.hash.cymru.com; answered
  // "<first seen> <detection %>" when Team Cymru knows it as malware.
  void MalwareHashLookup(int64_t t, uint32_t c) {
    const bool known = d_.Chance(0.005);
    Pending& p =
        Emit(t, c, Family::kAvReputation, d_.Hex(40) + ".malware.hash.cymru.com", kTXT, known ? kNoError : kNxDomain);
    if (known) {
      const uint32_t first_seen = 1'700'000'000 + d_.Uniform(90'000'000);
      Answer(p, kTXT, fmt::format("\"{} {}\"", first_seen, d_.Between(5, 80)));
    }
  }

  // Names of the local network: intranet hosts, and what the search list
  // and name fallbacks make of other names.
  void Intranet(int64_t t, uint32_t c, Device d) {
    const Client& client = clients_[c];
    const std::string_view suffix = SuffixOf(client);
    static constexpr std::array<std::string_view, 10> kHosts = {
        "intranet", "fileserver01", "print01", "sharepoint", "jira", "wiki", "git", "vpn", "nas", "ci"};
    const double r = d_.Unit();
    if (!suffix.empty() && r < 0.45) {
      const std::string_view host = d_.Pick(kHosts);
      // At home and in the ISP's business customers the names are the
      // local network's (the router's, the company's own DNS); those that
      // reach the ISP's resolver find nothing.
      if (o_.day == Day::kIsp) {
        Emit(t, c, Family::kLocalLeak, fmt::format("{}.{}", host, suffix), kA, kNxDomain);
        return;
      }
      // The office's DNS serves them. Jira and Jenkins serve HTTPS on 8443 by default.
      return BrowserLookup(t, c, d, fmt::format("{}.{}", host, suffix), Family::kBrowsing,
                           host == "jira" || host == "ci" ? 8443 : 443, true);
    }
    if (r < 0.85) return SearchSuffixNoise(t, c, d);
    LocalLeak(t, c, d);
  }

  // A search list at work (RFC 1535's worry): names tried with a suffix
  // first (resolv.conf ndots:5 in Kubernetes pods, Windows appending its
  // suffixes after a failure), a suffix doubled by a tool that was given
  // a name without its final dot, WPAD with Windows' devolution, ISATAP.
  void SearchSuffixNoise(int64_t t, uint32_t c, Device d) {
    const std::string_view suffix = SuffixOf(clients_[c]);
    if (suffix.empty()) return Lookup(t, c, d, Host(), Family::kBrowsing);
    switch (d_.Uniform(5)) {
      case 0:
      case 1: {
        std::string host = Host();
        Emit(t, c, Family::kSearchSuffix, fmt::format("{}.{}", host, suffix), kA, kNxDomain);
        if (d == Device::kLinux && d_.Chance(0.5)) {
          Emit(t + 2 * kMs, c, Family::kSearchSuffix, fmt::format("{}.{}", host, suffix), kAAAA, kNxDomain);
        }
        return Lookup(t + 5 * kMs, c, d, std::move(host), Family::kBrowsing);
      }
      case 2: {
        static constexpr std::array<std::string_view, 4> kHosts = {"intranet", "git", "jira", "wiki"};
        Emit(t, c, Family::kSearchSuffix, fmt::format("{}.{}.{}", d_.Pick(kHosts), suffix, suffix), kA, kNxDomain);
        return;
      }
      case 3: {
        Emit(t, c, Family::kSearchSuffix, fmt::format("wpad.{}", suffix), kA, kNxDomain);
        // Devolution: the parent, down to two labels.
        for (size_t dot = suffix.find('.');
             dot != std::string_view::npos && suffix.find('.', dot + 1) != std::string_view::npos;
             dot = suffix.find('.', dot + 1)) {
          Emit(t + 3 * kMs, c, Family::kSearchSuffix, fmt::format("wpad.{}", suffix.substr(dot + 1)), kA, kNxDomain);
        }
        return;
      }
      default:
        Emit(t, c, Family::kSearchSuffix, fmt::format("isatap.{}", suffix), kA, kNxDomain);
    }
  }

  // Names meant for the link that reach unicast DNS: single labels
  // (LLMNR/NetBIOS names), .local (RFC 6762 reserves it for mDNS), and
  // wide-area Bonjour's browse domains (RFC 6763 §11), also under the
  // reverse name of the host's own network.
  void LocalLeak(int64_t t, uint32_t c, Device d) {
    const Client& client = clients_[c];
    switch (d_.Uniform(4)) {
      case 0: {
        static constexpr std::array<std::string_view, 8> kNames = {"NAS",         "PRINTER",   "SYNOLOGY", "fileserver",
                                                                   "RASPBERRYPI", "localhost", "router",   "HP-PRINT"};
        Emit(t, c, Family::kLocalLeak, std::string(d_.Pick(kNames)), kA, kNxDomain);
        return;
      }
      case 1: {
        std::string name = HostName(client, d) + ".local";
        Emit(t, c, Family::kLocalLeak, std::move(name), d_.Chance(0.5) ? kA : kAAAA, kNxDomain);
        return;
      }
      case 2: {
        static constexpr std::array<std::string_view, 5> kServices = {
            "_airplay._tcp", "_googlecast._tcp", "_spotify-connect._tcp", "_ipp._tcp", "_services._dns-sd._udp"};
        Emit(t, c, Family::kLocalLeak, fmt::format("{}.local", d_.Pick(kServices)), kPTR, kNxDomain);
        return;
      }
      default: {
        static constexpr std::array<std::string_view, 4> kBrowse = {"b", "db", "lb", "r"};
        // The reverse name of the host's own /24 (RFC 6763 §11), as
        // the host knows it: a LAN address behind a router.
        const std::string_view suffix = SuffixOf(client);
        std::string domain;
        if (!suffix.empty() && (client.address.family != 4 || d_.Chance(0.5))) {
          domain = suffix;
        } else if (client.address.family == 4) {
          const uint32_t ip = HostAddress(client);
          domain = fmt::format("0.{}.{}.{}.in-addr.arpa", (ip >> 8) & 255, (ip >> 16) & 255, ip >> 24);
        } else {
          Emit(t, c, Family::kLocalLeak, "local", kSOA, kNxDomain);
          return;
        }
        Emit(t, c, Family::kLocalLeak, fmt::format("{}._dns-sd._udp.{}", d_.Pick(kBrowse), domain), kPTR, kNxDomain);
      }
    }
  }

  // A mistyped host (one letter of its first label replaced by another):
  // NXDOMAIN, and on Windows the suffixes tried after it.
  void Mistype(int64_t t, uint32_t c, Device d) {
    std::string h = Host();
    const size_t dot = h.find('.');
    if (dot != std::string::npos && dot > 0) {
      const size_t at = d_.Uniform(dot);
      char typo = static_cast<char>('a' + d_.Uniform(25));
      if (typo >= h[at]) ++typo;  // never the letter that was there
      h[at] = typo;
    }
    const std::string_view suffix = SuffixOf(clients_[c]);
    if (d == Device::kWindows && !suffix.empty()) {
      Emit(t + 20 * kMs, c, Family::kSearchSuffix, fmt::format("{}.{}", h, suffix), kA, kNxDomain);
    }
    Emit(t, c, Family::kTypo, std::move(h), kA, kNxDomain);
  }

  void MiscUser(int64_t t, uint32_t c, Device d) {
    const DeviceTraits& traits = kTraits[static_cast<size_t>(d)];
    if (d == Device::kMac && d_.Chance(0.5)) return LocalLeak(t, c, d);
    if (d_.Chance(traits.firefox * 4)) return FirefoxStart(t, c);
    if (o_.day == Day::kIsp && d_.Chance(0.02)) return LegacyEsni(t, c);
    PageLoad(t, c, d);
  }

  // Firefox asks the DoH canary before turning DNS over HTTPS on by
  // default; a network that wants its resolver used answers NXDOMAIN
  // (Mozilla, "Canary domain - use-application-dns.net").
  void FirefoxStart(int64_t t, uint32_t c) {
    const bool office = o_.day == Day::kOffice;
    Pending& p = Emit(t, c, Family::kDohCanary, "use-application-dns.net", kA, office ? kNxDomain : kNoError);
    if (!office) Answer(p, kA, AddressFor(NameHash(p.qname), 4));
  }

  // Encrypted SNI drafts (-02 to -04) published keys at _esni.<host> TXT;
  // Firefox 64-84 asked for them when the option was on. Long gone from
  // the zones: NXDOMAIN.
  void LegacyEsni(int64_t t, uint32_t c) {
    const std::string& host = Host();
    Emit(t, c, Family::kEsni, "_esni." + host, kTXT, kNxDomain);
    Lookup(t + 10 * kMs, c, Device::kWindows, host, Family::kBrowsing);
  }

  // ---- What machines do on their own ----

  void Background(int64_t t, uint32_t c) {
    const Client& client = clients_[c];
    const Device d = DeviceOf(client);
    const double r = d_.Unit();
    if (client.ad && (d == Device::kWindows || d == Device::kMac) && r < 0.15) return DirectoryLookups(t, c, d);
    if (r >= 0.15 && r < 0.25) return TimeLookup(t, c, d);
    if (client.mix == &kHomeMix && r >= 0.25 && r < 0.33) return RouterLookups(t, c);
    if (r >= 0.33 && r < 0.38 && client.av != Av::kNone) return AvLookup(t, c, client.av, d);
    Lookup(t, c, d, ServiceName(d), Family::kPushTelemetry);
  }

  // NTP: the pool's zones (numbered 0-3, by vendor and by continent) and
  // the vendors' own servers; domain-joined Windows syncs with its DC.
  void TimeLookup(int64_t t, uint32_t c, Device d) {
    std::string name;
    switch (d) {
      case Device::kWindows:
        if (clients_[c].ad) return Lookup(t, c, d, ServiceName(d), Family::kPushTelemetry);
        name = "time.windows.com";
        break;
      case Device::kMac:
        name = d_.Chance(0.5) ? "time.apple.com" : "time-macos.apple.com";
        break;
      case Device::kIphone:
        name = d_.Chance(0.5) ? "time.apple.com" : "time-ios.apple.com";
        break;
      case Device::kAndroid:
        name = d_.Chance(0.6) ? "time.android.com" : fmt::format("{}.android.pool.ntp.org", d_.Uniform(4));
        break;
      case Device::kLinux:
        name = d_.Chance(0.4) ? "ntp.ubuntu.com" : fmt::format("{}.debian.pool.ntp.org", d_.Uniform(4));
        break;
      default: {
        static constexpr std::array<std::string_view, 3> kZones = {"pool.ntp.org", "europe.pool.ntp.org",
                                                                   "de.pool.ntp.org"};
        if (d_.Chance(0.15)) {
          name = "time.nist.gov";
        } else {
          const uint32_t n = d_.Uniform(4);
          name = fmt::format("{}.{}", n, d_.Pick(kZones));
        }
      }
    }
    Lookup(t, c, d, std::move(name), Family::kTime);
  }

  // A home router's own lookups: its NTP zone, its dynamic DNS name
  // (MyFRITZ! gives each box <16 characters>.myfritz.net), firmware checks.
  void RouterLookups(int64_t t, uint32_t c) {
    const Client& client = clients_[c];
    switch (d_.Uniform(4)) {
      case 0:
        return Lookup(t, c, Device::kIot, fmt::format("{}.openwrt.pool.ntp.org", d_.Uniform(4)), Family::kTime);
      case 1:
        return Lookup(t, c, Device::kIot, client.ddns + ".myfritz.net", Family::kCloud);
      case 2:
        return Lookup(t, c, Device::kIot, "jws.avm.de", Family::kPushTelemetry);
      default:
        return Lookup(t, c, Device::kIot, fmt::format("{}.europe.pool.ntp.org", d_.Uniform(4)), Family::kTime);
    }
  }

  // Active Directory's DC locator (MS-ADTS 6.3.6): SRV names under
  // _msdcs, by site and by role, the domain's GUID, the domain itself for
  // Group Policy; Macs and Linux ask MIT Kerberos' names with the realm in
  // upper case, and its TXT for the realm.
  void DirectoryLookups(int64_t t, uint32_t c, Device d) {
    const std::string_view domain = SuffixOf(clients_[c]);
    const std::string_view site = clients_[c].mix ? kAdSites[1] : kAdSites[d_.Uniform(2) * 2];
    Pending* p;
    if (d == Device::kMac) {
      const std::string realm = Upper(std::string(domain));
      switch (d_.Uniform(3)) {
        case 0:
          p = &Emit(t, c, Family::kActiveDirectory, "_kerberos._udp." + realm, kSRV);
          break;
        case 1:
          p = &Emit(t, c, Family::kActiveDirectory, "_kerberos-master._udp." + realm, kSRV, kNxDomain);
          return;
        default:
          p = &Emit(t, c, Family::kActiveDirectory, fmt::format("_kerberos.{}", domain), kTXT);
          Answer(*p, kTXT, fmt::format("\"{}\"", realm));
          return;
      }
    } else {
      switch (d_.Uniform(8)) {
        case 0:
          p = &Emit(t, c, Family::kActiveDirectory, fmt::format("_ldap._tcp.dc._msdcs.{}", domain), kSRV);
          break;
        case 1:
          p = &Emit(t, c, Family::kActiveDirectory, fmt::format("_ldap._tcp.{}._sites.dc._msdcs.{}", site, domain),
                    kSRV);
          break;
        case 2:
          p = &Emit(t, c, Family::kActiveDirectory, fmt::format("_kerberos._tcp.dc._msdcs.{}", domain), kSRV);
          break;
        case 3:
          p = &Emit(t, c, Family::kActiveDirectory, fmt::format("_kerberos._tcp.{}._sites.dc._msdcs.{}", site, domain),
                    kSRV);
          break;
        case 4:
          p = &Emit(t, c, Family::kActiveDirectory, fmt::format("_ldap._tcp.pdc._msdcs.{}", domain), kSRV);
          break;
        case 5:
          p = &Emit(t, c, Family::kActiveDirectory, fmt::format("_gc._tcp.{}", domain), kSRV);
          break;
        case 6: {
          const uint64_t g = Key(20, clients_[c].suffix);
          p = &Emit(t, c, Family::kActiveDirectory,
                    fmt::format("_ldap._tcp.{}-{}-{}-{}-{}.domains._msdcs.{}", HashChars(g, kHexDigits, 8),
                                HashChars(g + 1, kHexDigits, 4), HashChars(g + 2, kHexDigits, 4),
                                HashChars(g + 3, kHexDigits, 4), HashChars(g + 4, kHexDigits, 12), domain),
                    kSRV);
          break;
        }
        default:  // \\domain\SYSVOL: the domain name resolves to every DC
          p = &Emit(t, c, Family::kActiveDirectory, std::string(domain), kA);
          Answer(*p, kA, "10.20.0.10");
          Answer(*p, kA, "10.20.0.11");
          return;
      }
    }
    Answer(*p, kSRV,
           fmt::format("0 100 {} dc{:02}.{}", p->qname.find("_ldap") == 0 || p->qname.find("_gc") == 0 ? 389 : 88,
                       1 + d_.Uniform(2), domain));
  }

  // A device starting or joining a network: connectivity checks, DoH and
  // Private Relay canaries, Discovery of Designated Resolvers, Chromium's
  // probes, and on Windows the dynamic update of its own name.
  void Session(int64_t t, uint32_t c) {
    const Client& client = clients_[c];
    const Device d = DeviceOf(client);
    const DeviceTraits& traits = kTraits[static_cast<size_t>(d)];
    int64_t at = t;
    auto later = [&](double mean_ms) { return at += static_cast<int64_t>(d_.Exponential(mean_ms * kMs)); };
    switch (d) {
      case Device::kWindows:
        Lookup(at, c, d, "www.msftconnecttest.com", Family::kPushTelemetry);
        Lookup(later(50), c, d, "dns.msftncsi.com", Family::kPushTelemetry);
        DynamicUpdate(later(800), c);
        if (client.ad) {
          for (int k = 0; k < 3; ++k) DirectoryLookups(later(200), c, d);
        }
        if (d_.Chance(0.5)) Ddr(later(100), c);
        if (!SuffixOf(client).empty()) {
          Emit(later(2000), c, Family::kSearchSuffix, fmt::format("wpad.{}", SuffixOf(client)), kA, kNxDomain);
        }
        break;
      case Device::kMac:
      case Device::kIphone:
        Lookup(at, c, d, "captive.apple.com", Family::kPushTelemetry);
        PrivateRelayCanary(later(30), c);
        Ddr(later(30), c);
        later(500);
        Lookup(at, c, d, fmt::format("{}-courier.push.apple.com", d_.Between(1, 50)), Family::kPushTelemetry);
        if (d == Device::kMac && client.ad) DirectoryLookups(later(300), c, d);
        break;
      case Device::kAndroid:
        Lookup(at, c, d, "connectivitycheck.gstatic.com", Family::kPushTelemetry);
        Lookup(later(20), c, d, "www.google.com", Family::kBrowsing);
        if (d_.Chance(0.6)) Ddr(later(50), c);  // Android 13 and later
        Lookup(later(300), c, d, "mtalk.google.com", Family::kPushTelemetry);
        break;
      case Device::kLinux:
        Lookup(at, c, d, "connectivity-check.ubuntu.com", Family::kPushTelemetry);
        break;
      default:
        Lookup(at, c, d, ServiceName(d), Family::kPushTelemetry);
    }
    TimeLookup(later(1000), c, d);
    if (d_.Chance(traits.chromium)) ChromiumProbes(later(7000), c, d);
    if (d_.Chance(traits.firefox)) FirefoxStart(later(3000), c);
  }

  // RFC 9462: SVCB for _dns.resolver.arpa, asking the resolver for its
  // encrypted endpoints. The ISP's resolver offers DoT and DoH.
  void Ddr(int64_t t, uint32_t c) {
    Pending& p = Emit(t, c, Family::kDohCanary, "_dns.resolver.arpa", kSVCB);
    if (o_.day == Day::kIsp) {
      Answer(p, kSVCB, "1 dns.isp.example. alpn=\"dot\" port=853");
      Answer(p, kSVCB, "2 dns.isp.example. alpn=\"h2,h3\" dohpath=\"/dns-query{?dns}\"");
    }
  }

  // iCloud Private Relay checks mask.icloud.com and mask-h2.icloud.com; a
  // network that does not allow it answers NXDOMAIN (Apple, "Prepare your
  // network or web server for iCloud Private Relay").
  void PrivateRelayCanary(int64_t t, uint32_t c) {
    const bool office = o_.day == Day::kOffice;
    for (std::string_view name : {"mask.icloud.com", "mask-h2.icloud.com"}) {
      for (uint16_t type : {kA, kAAAA, kHTTPS}) {
        Pending& p = Emit(t, c, Family::kDohCanary, std::string(name), type, office ? kNxDomain : kNoError);
        if (!office && type != kHTTPS) AddressAnswers(p, NameHash(name), type == kA ? 4 : 6);
        t += 2 * kMs;
      }
    }
  }

  // Chromium's IntranetRedirectDetector at start and on network change:
  // three random names of 7 to 15 letters a-z (intranet_redirect_detector.cc;
  // Verisign, "Chromium's impact on root DNS traffic", 2020). Windows
  // sends a single label with its suffixes appended; stub resolvers with
  // a search list try it suffixed, then bare.
  void ChromiumProbes(int64_t t, uint32_t c, Device d) {
    const std::string_view suffix = SuffixOf(clients_[c]);
    for (int i = 0; i < 3; ++i) {
      const std::string probe = d_.Chars(kLetters, d_.Between(7, 15));
      const int64_t at = t + i * 3 * kMs;
      if (!suffix.empty()) Emit(at, c, Family::kChromeProbe, fmt::format("{}.{}", probe, suffix), kA, kNxDomain);
      if (suffix.empty() || d != Device::kWindows) Emit(at + kMs, c, Family::kChromeProbe, probe, kA, kNxDomain);
    }
  }

  // Windows registers its name (RFC 2136, DHCP client service): SOA of
  // its own name to find the zone's primary, then for secure updates a
  // GSS-TSIG TKEY exchange over TCP (RFC 3645) whose key name Windows
  // forms as <n>-ms-7.1-<hex4>.<uuid> (as in captures); the same for its
  // reverse zone. The UPDATE messages themselves are not events: capture
  // and dnstap sources keep queries only.
  void DynamicUpdate(int64_t t, uint32_t c) {
    const Client& client = clients_[c];
    const std::string_view suffix = SuffixOf(client);
    if (suffix.empty()) return;
    const std::string host = HostName(client, Device::kWindows);
    const bool office = o_.day == Day::kOffice;
    Emit(t, c, Family::kDynamicUpdate, fmt::format("{}.{}", host, suffix), kSOA, office ? kNoError : kNxDomain);
    if (!office) return;
    const uint32_t n = d_.Between(100, 9999);
    const std::string context = d_.Hex(4), time_low = d_.Hex(8), time_mid = d_.Hex(4), clock = d_.Hex(4),
                      node = d_.Hex(12);
    Pending& tkey =
        Emit(t + 40 * kMs, c, Family::kDynamicUpdate,
             fmt::format("{}-ms-7.1-{}.{}-{}-11ee-{}-{}", n, context, time_low, time_mid, clock, node), kTKEY);
    tkey.transport = ingest::Transport::kTcp;
    if (client.address.family == 4) {
      Emit(t + 90 * kMs, c, Family::kDynamicUpdate, Reversed(HostAddress(client)) + ".in-addr.arpa", kSOA);
    }
  }

  // ---- Mail ----

  // An SMTP connection to a gateway: reverse DNS of the peer and the
  // forward lookup that confirms it (Postfix reject_unknown_client_hostname),
  // the IP blocklists (RFC 5782: octets reversed, nibbles for IPv6), then
  // for each accepted message SPF, DKIM, DMARC and the URI lists.
  void MailConnection(int64_t t, uint32_t m) {
    const MailConfig& config = mail_configs_[clients_[m].mail];
    const bool legit = d_.Chance(0.4);
    const bool v6 = legit && d_.Chance(0.15);
    int64_t at = t;
    auto later = [&](double mean_ms) { return at += static_cast<int64_t>(d_.Exponential(mean_ms * kMs)); };
    const uint32_t sender = d_.Uniform(v6 ? 2 : 5);  // Google and Microsoft send over IPv6
    uint32_t ip = 0;
    std::string ptr_name;
    std::array<uint8_t, 16> ip6{};
    if (v6) {
      ip6 = {0x2a, 0x01, 0x01, 0x11, 0xf4, 0x00};  // 2a01:111:f400::/48
      for (size_t i = 8; i < 16; ++i) ip6[i] = static_cast<uint8_t>(d_.Uniform(256));
      Pending& p = Emit(at, m, Family::kReverseDns, Nibbles(ip6) + ".ip6.arpa", kPTR);
      ptr_name = SenderPtr(sender);
      Answer(p, kPTR, ptr_name + ".");
    } else {
      ip = legit ? SenderAddress(sender) : RandomPublicV4();
      const bool has_ptr = legit || (NameHash(Dotted(ip)) % 4 != 0);
      Pending& p =
          Emit(at, m, Family::kReverseDns, Reversed(ip) + ".in-addr.arpa", kPTR, has_ptr ? kNoError : kNxDomain);
      if (has_ptr) {
        ptr_name = legit ? SenderPtr(sender) : AccessPtr(ip);
        Answer(p, kPTR, ptr_name + ".");
      }
    }
    if (!ptr_name.empty()) {
      Pending& f = Emit(later(20), m, Family::kForwardConfirm, ptr_name, v6 ? kAAAA : kA);
      Answer(f, v6 ? kAAAA : kA, v6 ? "2a01:111:f400::1" : Dotted(ip));
    }
    for (const std::string& zone : config.ip_lists) {
      const bool listed = !legit && d_.Chance(zone.find("zen") != std::string::npos ? 0.35 : 0.15);
      const bool whitelist = zone.find("dnswl") != std::string::npos || zone.find("wl.mailspike") != std::string::npos;
      if (v6 && zone.find("zen") == std::string::npos && zone.find("dnswl") == std::string::npos) continue;
      const bool answer = whitelist ? legit : listed;
      Pending& p = Emit(later(5), m, Family::kIpBlocklist, fmt::format("{}.{}", v6 ? Nibbles(ip6) : Reversed(ip), zone),
                        kA, answer ? kNoError : kNxDomain);
      if (answer && whitelist) {
        const uint32_t category = d_.Between(2, 20);
        Answer(p, kA, fmt::format("127.0.{}.{}", category, d_.Between(0, 3)));
      } else if (answer) {
        Answer(p, kA, fmt::format("127.0.0.{}", d_.Pick(std::array<int, 6>{2, 3, 4, 9, 10, 11})));
      }
    }
    if (!legit && d_.Chance(0.6)) return;  // refused by postscreen
    for (int msg = legit ? static_cast<int>(d_.Between(1, 3)) : 1; msg > 0; --msg) {
      Message(later(1500), m, config, legit, ip);
    }
  }

  void Message(int64_t t, uint32_t m, const MailConfig& config, bool legit, uint32_t ip) {
    const std::string domain(Site());
    int64_t at = t;
    auto later = [&](double mean_ms) { return at += static_cast<int64_t>(d_.Exponential(mean_ms * kMs)); };
    // SPF (RFC 7208): the sender domain's TXT, its includes; Salesforce's
    // include uses exists:%{i}._spf.mta.salesforce.com, the sender's
    // address as labels.
    static constexpr std::array<std::string_view, 12> kIncludes = {"_spf.google.com",
                                                                   "_spf.google.com",
                                                                   "_spf.google.com",
                                                                   "spf.protection.outlook.com",
                                                                   "spf.protection.outlook.com",
                                                                   "spf.protection.outlook.com",
                                                                   "servers.mcsv.net",
                                                                   "sendgrid.net",
                                                                   "amazonses.com",
                                                                   "mailgun.org",
                                                                   "_spf.salesforce.com",
                                                                   "spf.mandrillapp.com"};
    const size_t includes = d_.Uniform(3);
    std::string spf = "\"v=spf1 mx";
    std::vector<std::string_view> chosen;
    for (size_t i = 0; i < includes; ++i) {
      chosen.push_back(d_.Pick(kIncludes));
      spf += fmt::format(" include:{}", chosen.back());
    }
    spf += " ~all\"";
    Pending& txt = Emit(at, m, Family::kMailPolicy, domain, kTXT);
    Answer(txt, kTXT, spf);
    for (std::string_view include : chosen) {
      Pending& p = Emit(later(10), m, Family::kMailPolicy, std::string(include), kTXT);
      if (include == "_spf.salesforce.com") {
        Answer(p, kTXT, "\"v=spf1 exists:%{i}._spf.mta.salesforce.com -all\"");
        if (ip != 0) Emit(later(10), m, Family::kMailPolicy, Dotted(ip) + "._spf.mta.salesforce.com", kA, kNxDomain);
      } else {
        Answer(p, kTXT, "\"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all\"");
      }
    }
    if (legit) {
      for (int sig = static_cast<int>(d_.Between(1, 2)); sig > 0; --sig) Dkim(later(10), m, domain);
    }
    // DMARC (RFC 7489): the policy at _dmarc.<domain>.
    Pending& dmarc =
        Emit(later(10), m, Family::kMailPolicy, "_dmarc." + domain, kTXT, NameHash(domain) % 3 ? kNoError : kNxDomain);
    if (dmarc.rcode == kNoError) {
      Answer(
          dmarc, kTXT,
          fmt::format("\"v=DMARC1; p={}; rua=mailto:dmarc@{}\"", NameHash(domain) % 2 ? "none" : "quarantine", domain));
    }
    // URI blocklists: each link's registered domain under each list.
    for (int n = static_cast<int>(d_.Uniform(6)); n > 0; --n) {
      const std::string_view link = Site();
      for (const std::string& zone : config.uri_lists) {
        const bool listed = !legit && d_.Chance(0.05);
        Pending& p = Emit(later(5), m, Family::kDomainBlocklist, fmt::format("{}.{}", link, zone), kA,
                          listed ? kNoError : kNxDomain);
        if (listed) Answer(p, kA, fmt::format("127.0.1.{}", d_.Between(2, 6)));
      }
    }
    // rspamd's hashed address list: blake2 of the address, 32 characters
    // of base32 (rspamd docs, RBL module, RSPAMD_EMAILBL).
    if (config.rspamd) {
      static constexpr std::string_view kZBase32 = "ybndrfg8ejkmcpqxot1uwisza345h769";
      later(5);
      Emit(at, m, Family::kDomainBlocklist, d_.Chars(kZBase32, 32) + ".email.rspamd.com", kA, kNxDomain);
    }
    // BIMI (draft-brand-indicators-for-message-identification): receivers
    // showing logos ask default._bimi.<domain>.
    if (legit && d_.Chance(0.08)) {
      Emit(later(10), m, Family::kMailPolicy, "default._bimi." + domain, kTXT, kNxDomain);
    }
  }

  // DKIM (RFC 6376): <selector>._domainkey.<domain> TXT. Selectors as the
  // big senders name them: Google Workspace "google", Microsoft 365
  // selector1/2 (a CNAME into onmicrosoft.com), Mailchimp k1-k3, SendGrid
  // s1/s2, Amazon SES's 32-character tokens, Gmail's dated ones.
  void Dkim(int64_t t, uint32_t m, const std::string& domain) {
    std::string selector;
    std::string cname;
    switch (d_.Uniform(7)) {
      case 0:
        selector = "google";
        break;
      case 1: {
        selector = d_.Chance(0.5) ? "selector1" : "selector2";
        std::string dashed = domain;
        std::replace(dashed.begin(), dashed.end(), '.', '-');
        cname = fmt::format("{}-{}._domainkey.{}.onmicrosoft.com", selector, dashed, Label(domain));
        break;
      }
      case 2:
        selector = fmt::format("k{}", d_.Between(1, 3));
        break;
      case 3:
        selector = fmt::format("s{}", d_.Between(1, 2));
        break;
      case 4:
        selector = HashChars(Key(30, NameHash(domain) + d_.Uniform(3)), kAlnum, 32);
        cname = selector + ".dkim.amazonses.com";
        break;
      case 5:
        selector = d_.Pick(std::array<std::string_view, 4>{"20161025", "20210112", "20221208", "20230601"});
        break;
      default:
        selector = d_.Pick(std::array<std::string_view, 5>{"default", "dkim", "mail", "s1024", "s2048"});
    }
    Pending& p = Emit(t, m, Family::kDkim, fmt::format("{}._domainkey.{}", selector, domain), kTXT);
    if (!cname.empty()) {
      p.answers.push_back({Lower(p.qname), kCNAME, 3600, cname + "."});
    }
    // A 2048-bit RSA key: 392 base64 characters, the same for the same name.
    std::string key = "\"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" +
                      HashChars(NameHash(p.qname), kBase64, 336) + "IDAQAB\"";
    p.answers.push_back({cname.empty() ? Lower(p.qname) : cname, kTXT, 3600, std::move(key)});
  }

  // Outbound mail from the relays: MX and its address, MTA-STS
  // (RFC 8461: _mta-sts TXT), DANE (RFC 7672: TLSA of _25._tcp.<mx>).
  void OutboundMail(int64_t t, uint32_t m) {
    const std::string domain(Site());
    const uint64_t h = NameHash(domain);
    std::string mx;
    switch (h % 20) {
      case 0:
      case 1:
      case 2:
      case 3:
        mx = "aspmx.l.google.com";
        break;
      case 4:
      case 5:
      case 6:
      case 7: {
        std::string dashed = domain;
        std::replace(dashed.begin(), dashed.end(), '.', '-');
        if (dashed.size() <= 63) {
          mx = dashed + ".mail.protection.outlook.com";
          break;
        }
        mx = "mx1." + domain;
        break;
      }
      case 8:  // Proofpoint: the customer's number in the name
        mx = fmt::format("mxa-{:08}.gslb.pphosted.com", h % 100'000'000);
        break;
      default:
        mx = fmt::format("mx{}.{}", 1 + h % 2, domain);
    }
    Pending& q = Emit(t, m, Family::kMailPolicy, domain, kMX);
    Answer(q, kMX, fmt::format("10 {}.", mx), 3600);
    Pending& a = Emit(t + 15 * kMs, m, Family::kMailPolicy, mx, kA);
    Answer(a, kA, AddressFor(NameHash(mx), 4));
    Pending& sts = Emit(t + 25 * kMs, m, Family::kMailPolicy, "_mta-sts." + domain, kTXT, h % 9 ? kNxDomain : kNoError);
    if (sts.rcode == kNoError) Answer(sts, kTXT, fmt::format("\"v=STSv1; id={}\"", 20'240'000'000'000 + h % 1'000'000));
    if (h % 7 == 0) Emit(t + 30 * kMs, m, Family::kMailPolicy, "_25._tcp." + mx, kTLSA, kNxDomain);
  }

  // The night's aggregate reports (RFC 7489 §7.1): before sending one to a
  // report address outside the policy's domain, the reporter checks
  // <domain>._report._dmarc.<report domain>; TLS-RPT (RFC 8460) policies
  // at _smtp._tls.<domain> say where TLS reports go.
  void DmarcReport(int64_t t, uint32_t m) {
    const std::string_view domain = Site();
    static constexpr std::array<std::string_view, 5> kReporters = {
        "rua.agari.com", "ag.dmarcian.com", "dmarc.postmarkapp.com", "rep.valimail.com", "ruf.uriports.com"};
    Pending& p =
        Emit(t, m, Family::kMailPolicy, fmt::format("{}._report._dmarc.{}", domain, d_.Pick(kReporters)), kTXT);
    Answer(p, kTXT, "\"v=DMARC1\"");
    Emit(t + 30 * kMs, m, Family::kMailPolicy, fmt::format("_smtp._tls.{}", domain), kTXT, kNxDomain);
  }

  // The large senders (Gmail, Microsoft 365, Amazon SES, Mailchimp,
  // Yahoo): an address in one of their ranges, and its PTR name as each
  // forms them (mail-<pool>-f<n>.google.com,
  // mail-<dc><n>on<n>.outbound.protection.outlook.com, ...).
  uint32_t SenderAddress(uint32_t sender) {
    static constexpr std::array<uint32_t, 5> kRanges = {0xd155a000, 0x28650000, 0x36f00000, 0xcdc9e000, 0x4a06a000};
    return kRanges[sender] | d_.Uniform(1u << 12);
  }
  std::string SenderPtr(uint32_t sender) {
    switch (sender) {
      case 0: {
        const std::string_view pool = d_.Pick(std::array<std::string_view, 6>{"wm", "ej", "lj", "pl", "qk", "yb"});
        return fmt::format("mail-{}1-f{}.google.com", pool, d_.Between(41, 182));
      }
      case 1: {
        const std::string_view pool = d_.Pick(
            std::array<std::string_view, 6>{"dm6nam10", "bn8nam12", "co1nam11", "am7eur03", "db5eur02", "he1eur04"});
        return fmt::format("mail-{}on{}.outbound.protection.outlook.com", pool, d_.Between(2040, 2180));
      }
      case 2: {
        const uint32_t a = d_.Between(8, 48);
        return fmt::format("a{}-{}.smtp-out.amazonses.com", a, d_.Between(1, 250));
      }
      case 3: {
        const uint32_t n = d_.Between(1, 250);
        const std::string_view site = d_.Pick(std::array<std::string_view, 3>{"atl", "suw", "sea"});
        return fmt::format("mail{}.{}{}.mcsv.net", n, site, d_.Between(11, 121));
      }
      default: {
        const uint32_t a = d_.Between(300, 330), b = d_.Between(1, 40);
        return fmt::format("sonic{}-{}.consmr.mail.{}.yahoo.com", a, b,
                           d_.Pick(std::array<std::string_view, 3>{"ne1", "bf2", "gq1"}));
      }
    }
  }

  uint32_t RandomPublicV4() {
    for (;;) {
      const uint32_t ip = static_cast<uint32_t>(d_.engine()());
      const uint32_t a = ip >> 24, b = (ip >> 16) & 255;
      if (a == 0 || a == 10 || a == 127 || a >= 224 || (a == 100 && b >= 64 && b < 128) || (a == 169 && b == 254) ||
          (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168)) {
        continue;
      }
      return ip;
    }
  }

  // The PTR name of an address in access or hosting networks. The
  // operator is a property of the network (its /16). A few operators whose
  // naming is well known get their share of the address space; the rest
  // are many operators with the common schemes (the address dashed or
  // dotted, forwards or reversed, with a pool word), their domains taken
  // from the real host list: which operator it is matters less than that
  // there are many.
  std::string AccessPtr(uint32_t ip) {
    const uint32_t a = ip >> 24, b = (ip >> 16) & 255, c = (ip >> 8) & 255, d = ip & 255;
    const uint64_t h = SplitMix(ip >> 16);
    const uint32_t share = h % 100;
    if (share < 2) {
      static constexpr std::array<std::string_view, 6> kStates = {"ca", "fl", "il", "pa", "wa", "ga"};
      return fmt::format("c-{}.hsd1.{}.comcast.net", Dashed(ip), kStates[(h >> 8) % kStates.size()]);
    }
    if (share < 3) {
      static constexpr std::array<std::string_view, 4> kCities = {"nycmny", "washdc", "bstnma", "phlapa"};
      return fmt::format("pool-{}.{}.fios.verizon.net", Dashed(ip), kCities[(h >> 8) % kCities.size()]);
    }
    if (share < 5) {
      static constexpr std::array<std::string_view, 4> kMarkets = {"socal", "nyc", "twcny", "austin"};
      return fmt::format("cpe-{}.{}.res.rr.com", Dashed(ip), kMarkets[(h >> 8) % kMarkets.size()]);
    }
    if (share < 7) return fmt::format("p{:08x}.dip0.t-ipconnect.de", ip);  // Deutsche Telekom: the address in hex
    if (share < 9) return fmt::format("{}.{}.{}.{}.bc.googleusercontent.com", d, c, b, a);
    if (share < 12) {
      return fmt::format("ec2-{}.{}.compute.amazonaws.com", Dashed(ip), kRegions[(h >> 8) % kRegions.size()]);
    }
    if (share < 14) return fmt::format("static.{}.{}.{}.{}.clients.your-server.de", d, c, b, a);  // Hetzner
    if (share < 15) return fmt::format("{}.ip.linodeusercontent.com", Dashed(ip));
    if (share < 16) return fmt::format("host{}.range{}-{}.btcentralplus.com", Dashed(ip), a, b);
    const std::string_view op = operators_[(h >> 8) % operators_.size()];
    static constexpr std::array<std::string_view, 6> kPools = {"static", "dynamic", "dsl", "cable", "pool", "dhcp"};
    const std::string_view pool = kPools[(h >> 24) % kPools.size()];
    switch ((h >> 32) % 4) {
      case 0:
        return fmt::format("{}-{}.{}", pool, Dashed(ip), op);
      case 1:
        return fmt::format("{}.{}.{}", Dashed(ip), pool, op);
      case 2:
        return fmt::format("{}.{}.{}.{}.{}.{}", d, c, b, a, pool, op);
      default:
        return fmt::format("{}{}.{}", pool, Dashed(ip), op);
    }
  }

  // ---- Servers' batch lookups ----

  // A SIEM collector's enrichment job: every new address in the last
  // hour's firewall logs gets its PTR and, for half, Team Cymru's origin
  // ASN (TXT <reversed address>.origin.asn.cymru.com, answered
  // "ASN | prefix | CC | registry | date"). Some jobs are an admin's
  // nmap -sL of an internal /24 instead: 256 PTRs in seconds.
  void LogJob(int64_t t, uint32_t c) {
    if (d_.Chance(0.1)) {
      const uint32_t net = 0x0a140000 | (d_.Between(16, 23) << 8);
      Schedule(AddSeries(Kind::kSweep, c, 256, 40 * kMs, net), t);
      return;
    }
    const uint32_t n = d_.Between(800, 4'000);
    Schedule(AddSeries(Kind::kStorm, c, n, 3.0 * 60 * kSecond / n, 0), t);
  }
  // The web server's nightly statistics run resolves its visitors.
  void WebLogJob(int64_t t, uint32_t c) {
    const uint32_t n = d_.Between(3'000, 12'000);
    Schedule(AddSeries(Kind::kStorm, c, n, 20.0 * 60 * kSecond / n, 0), t);
  }
  void StormLookup(int64_t t, uint32_t c) {
    // Firewall logs repeat the popular far ends hour after hour: a Zipf
    // pool of addresses; web visitors come from anywhere.
    const bool web = clients_[c].role == Role::kWebServer;
    const uint32_t ip = web ? RandomPublicV4() : static_cast<uint32_t>(SplitMix(Key(40, d_.ZipfRank(300'000))));
    const bool has_ptr = NameHash(Dotted(ip)) % 10 < 7;
    if (!web && d_.Chance(0.15)) {
      std::array<uint8_t, 16> a{0x2a, 0x02};
      for (size_t i = 2; i < 16; ++i) a[i] = static_cast<uint8_t>(SplitMix(ip + i));
      Emit(t, c, Family::kReverseDns, Nibbles(a) + ".ip6.arpa", kPTR, kNxDomain);
      if (d_.Chance(0.5)) {
        Pending& p = Emit(t + 30 * kMs, c, Family::kReverseDns, Nibbles(a) + ".origin6.asn.cymru.com", kTXT);
        Answer(p, kTXT, fmt::format("\"{} | 2a02::/16 | EU | ripencc | 2004-05-11\"", 3320 + ip % 60000));
      }
      return;
    }
    Pending& p = Emit(t, c, Family::kReverseDns, Reversed(ip) + ".in-addr.arpa", kPTR, has_ptr ? kNoError : kNxDomain);
    if (has_ptr) Answer(p, kPTR, AccessPtr(ip) + ".");
    if (!web && d_.Chance(0.5)) {
      Pending& asn = Emit(t + 30 * kMs, c, Family::kReverseDns, Reversed(ip) + ".origin.asn.cymru.com", kTXT);
      Answer(asn, kTXT,
             fmt::format("\"{} | {}.{}.{}.0/24 | US | arin | 2010-03-02\"", 100 + ip % 60000, ip >> 24,
                         (ip >> 16) & 255, (ip >> 8) & 255));
    }
  }
  void SweepLookup(int64_t t, uint32_t c, uint32_t net, uint32_t left) {
    const uint32_t ip = net | (255 - left);
    const bool used = SplitMix(ip) % 3 == 0;
    Pending& p = Emit(t, c, Family::kReverseDns, Reversed(ip) + ".in-addr.arpa", kPTR, used ? kNoError : kNxDomain);
    if (used) Answer(p, kPTR, fmt::format("{}.{}.", Upper(HashChars(ip, kAlnum, 7)), kOfficeDomain));
  }

  // A device stuck in a loop: the same name all day, every few seconds.
  void RetryLookup(int64_t t, uint32_t c, uint32_t which) {
    // AWS IoT Core endpoints: <account prefix>-ats.iot.<region>.amazonaws.com.
    switch (which % 3) {
      case 0:
        return Lookup(t, c, Device::kIot,
                      fmt::format("{}-ats.iot.{}.amazonaws.com", HashChars(Key(50, which), kAlnum, 14),
                                  kRegions[which % kRegions.size()]),
                      Family::kRetryLoop);
      case 1:
        return Lookup(t, c, Device::kIot, "pool.ntp.org", Family::kRetryLoop);
      default:
        Emit(t, c, Family::kRetryLoop, fmt::format("cloud.{}.com", HashChars(Key(51, which), kLetters, 9)), kA,
             kNxDomain);
    }
  }

  // ---- The event ----

  // Moves the pending event into ev_ (the slot keeps ev_'s old buffers).
  void Finish(Pending& p) {
    const Client& c = clients_[p.client];
    ev_.Clear();
    ev_.ts_us = p.ts;
    ev_.qname = Lower(p.qname);
    ev_.qname_raw.swap(p.qname);
    if (c.caps) {
      for (char& ch : ev_.qname_raw) {
        if (std::isalpha(static_cast<unsigned char>(ch)) && d_.Chance(0.5)) ch = static_cast<char>(ch ^ 0x20);
      }
    }
    ev_.qtype = p.qtype;
    ev_.qclass = 1;
    ev_.rcode = p.rcode;
    ev_.id = static_cast<uint16_t>(d_.Uniform(65536));
    ev_.has_query = ev_.has_response = true;
    ev_.transport = p.transport;
    ev_.client = c.address;
    ev_.server = c.address.family == 6 ? server6_ : server4_;
    ev_.client_port = static_cast<uint16_t>(1024 + d_.Uniform(64511));
    ev_.server_port = p.transport == ingest::Transport::kDot ? 853 : 53;
    ev_.answers.swap(p.answers);
    // Wire sizes: header, question, EDNS OPT; answers with compressed
    // owners; a negative answer's SOA.
    const uint32_t name_bytes = static_cast<uint32_t>(ev_.qname.size() + 2);
    ev_.query_size = 12 + name_bytes + 4 + 11 + (p.transport == ingest::Transport::kTcp ? 2 : 0);
    uint32_t answers = 0;
    for (const auto& a : ev_.answers) {
      answers += 12 + static_cast<uint32_t>(a.type == kA ? 4 : a.type == kAAAA ? 16 : a.data.size() + 1);
    }
    ev_.response_size = ev_.query_size + (ev_.answers.empty() ? 64 : answers);
    ingest::SetRegisteredDomain(psl_, &ev_);
  }

  DayOptions o_;
  Draws d_;
  std::vector<std::string> hosts_;
  const dns::PublicSuffixList& psl_;
  const int64_t end_;
  std::vector<std::string_view> sites_, operators_;
  std::vector<std::string> suffixes_;
  std::vector<Client> clients_;
  std::vector<MailConfig> mail_configs_;
  Population users_, machines_, sessions_, mail_in_, mail_out_, log_servers_, nsm_, web_servers_;
  std::vector<Process> processes_;
  std::deque<Pending> slots_;
  std::vector<uint32_t> free_;
  std::vector<Due> due_;
  uint64_t seq_ = 0;
  dns::Address server4_, server6_;
  ingest::DnsEvent ev_;
  DayCounts counts_;
};

}  // namespace

DayCounts ReplayBenignDay(const std::vector<std::string>& hosts, const DayOptions& options, const DaySink& sink) {
  if (hosts.empty() || !(options.scale > 0)) return {};
  return DayGenerator(hosts, options).Run(sink);
}

}  // namespace nsradar::detect::testing
