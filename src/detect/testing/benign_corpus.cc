#include "detect/testing/benign_corpus.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <random>

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

constexpr uint16_t kHTTPS = 65;
constexpr uint16_t kSRV = dns::rr::kSRV, kPTR = dns::rr::kPTR;

class Generator {
 public:
  Generator(const std::vector<std::string>& hosts, const CorpusOptions& o)
      : o_(o), rng_(o.seed), hosts_(hosts), psl_(dns::PublicSuffixList::Default()) {
    // Popularity: a fixed shuffle of the alphabetical list, then Zipf.
    std::shuffle(hosts_.begin(), hosts_.end(), rng_);
    for (size_t i = 0; i < hosts_.size() && popular_.size() < 300; ++i) {
      std::string_view d = psl_.RegisteredDomain(hosts_[i]);
      if (!d.empty() && std::find(popular_.begin(), popular_.end(), d) == popular_.end()) popular_.emplace_back(d);
    }
    for (int i = 0; i < 500; ++i) safeframe_.push_back(Hex(32));
    for (uint32_t c = 0; c < o_.clients; ++c) workstation_.push_back("DESKTOP-" + Upper(Alnum(7)));
  }

  void Run(const std::function<void(const ingest::DnsEvent&)>& sink) {
    const double gap = static_cast<double>(o_.span_us) / static_cast<double>(o_.queries);
    double t = static_cast<double>(o_.start_us);
    std::exponential_distribution<double> next(1.0);
    for (uint64_t i = 0; i < o_.queries; ++i) {
      t += gap * next(rng_);
      ev_.Clear();
      ev_.ts_us = static_cast<int64_t>(t);
      ev_.rcode = 0;
      client_ = Uniform(o_.clients);
      Draw();
      Finish();
      sink(ev_);
    }
  }

 private:
  uint32_t Uniform(uint64_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::string Chars(const char* alphabet, size_t alphabet_size, size_t n) {
    std::string s(n, 'a');
    for (char& c : s) c = alphabet[Uniform(alphabet_size)];
    return s;
  }
  std::string Hex(size_t n) { return Chars("0123456789abcdef", 16, n); }
  std::string Alnum(size_t n) { return Chars("abcdefghijklmnopqrstuvwxyz0123456789", 36, n); }
  static std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  template <size_t N>
  std::string_view Pick(const std::array<std::string_view, N>& a) {
    return a[Uniform(N)];
  }
  // Zipf(1) rank over the host list: rank = N^u.
  const std::string& PopularHost() {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    size_t rank = static_cast<size_t>(std::pow(static_cast<double>(hosts_.size()), u)) - 1;
    return hosts_[std::min(rank, hosts_.size() - 1)];
  }
  const std::string& PopularDomain() {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    size_t rank = static_cast<size_t>(std::pow(static_cast<double>(popular_.size()), u)) - 1;
    return popular_[std::min(rank, popular_.size() - 1)];
  }

  void Query(std::string name, uint16_t qtype, int rcode = 0) {
    ev_.qname_raw = std::move(name);
    ev_.qtype = qtype;
    ev_.rcode = rcode;
  }

  void Draw() {
    const uint32_t roll = Uniform(100);
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
    Query(Chance(0.1) && host.find('.') == host.rfind('.') ? "www." + host : host, kTypes[Uniform(4)]);
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
    switch (Uniform(6)) {
      case 0:
        return Query(fmt::format("img{}.{}", Uniform(100), d), dns::rr::kA);
      case 1:
        return Query(fmt::format("cdn{}-{}.{}", Uniform(20), Pick(kRegions), d), dns::rr::kA);
      case 2:  // per-user sites
        return Query(fmt::format("{}{}{}.{}", Pick(kWords), Pick(kWords), Uniform(1000), d), dns::rr::kA);
      case 3: {  // AMP cache: the publisher's host with dots as dashes
        std::string h = PopularHost();
        std::replace(h.begin(), h.end(), '.', '-');
        if (h.size() > 63) h.resize(63);
        while (h.back() == '-') h.pop_back();
        return Query(h + ".cdn.ampproject.org", dns::rr::kA);
      }
      case 4:  // streaming cache nodes
        return Query(
            fmt::format("ipv4-c{:03}-{}{:03}-ix.1.oca.nflxvideo.net", Uniform(200), Pick(kAirports), 1 + Uniform(9)),
            dns::rr::kA);
      default:
        return Query(fmt::format("rr{}---sn-{}{}.googlevideo.com", 1 + Uniform(5), Alnum(4), Uniform(10)), dns::rr::kA);
    }
  }

  void CloudHashes() {
    switch (Uniform(7)) {
      case 0:
        return Query("d" + Alnum(13) + ".cloudfront.net", dns::rr::kA);
      case 1:
        return Query(safeframe_[Uniform(safeframe_.size())] + ".safeframe.googlesyndication.com", dns::rr::kA);
      case 2:
        return Query(fmt::format("o{}.ingest.sentry.io", 100000 + Uniform(400)), dns::rr::kA);
      case 3:
        return Query(fmt::format("{}-{}-{}-{}-{}.s3.amazonaws.com", Hex(8), Hex(4), Hex(4), Hex(4), Hex(12)),
                     dns::rr::kA);
      case 4:
        return Query(fmt::format("e{}.{}.akamaiedge.net", Uniform(10000), "abg"[Uniform(3)]), dns::rr::kA);
      case 5:
        return Query(fmt::format("{}.execute-api.{}.amazonaws.com", Alnum(10), "us-east-1"), dns::rr::kA);
      default:
        return Query(fmt::format("{}.firebaseio.com", "proj-" + Hex(6)), dns::rr::kA);
    }
  }

  void Antivirus() {
    switch (Uniform(3)) {
      case 0:
        return Query(fmt::format("{}.{}.sxl.sophosxl.net", Hex(32), 1 + Uniform(4)), dns::rr::kA, Chance(0.9) ? 3 : 0);
      case 1:
        return Query(fmt::format("0.0.0.0.1.0.0.4e.{}.{}.avqs.mcafee.com", Hex(16), Alnum(12)), dns::rr::kA);
      default:
        return Query(Chars("abcdefghijklmnopqrstuvwxyz234567", 32, 52) + ".e5.sk", dns::rr::kA);
    }
  }

  std::string ReversedIp() {
    return fmt::format("{}.{}.{}.{}", Uniform(256), Uniform(256), Uniform(256), 1 + Uniform(223));
  }

  void Blocklists() {
    client_ = 25 + Uniform(5);  // the mail servers
    switch (Uniform(4)) {
      case 0:
        return Query(ReversedIp() + ".zen.spamhaus.org", dns::rr::kA, Chance(0.95) ? 3 : 0);
      case 1:
        return Query(ReversedIp() + ".b.barracudacentral.org", dns::rr::kA, Chance(0.95) ? 3 : 0);
      case 2:
        return Query(PopularHost() + ".multi.surbl.org", dns::rr::kA, 3);
      default:
        return Query(Hex(40) + "._vouch.dwl.spamhaus.org", dns::rr::kA, 3);
    }
  }

  void MailAuthentication() {
    client_ = 25 + Uniform(5);
    std::string_view d = psl_.RegisteredDomain(PopularHost());
    if (d.empty()) d = "example.com";
    static constexpr std::array<std::string_view, 6> kSelectors = {"selector1", "selector2", "google",
                                                                   "s1",        "k1",        "default"};
    switch (Uniform(4)) {
      case 0:
        return Query(fmt::format("{}._domainkey.{}", Chance(0.3) ? Hex(24) : std::string(Pick(kSelectors)), d),
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
    if (Chance(0.8)) return Query(ReversedIp() + ".in-addr.arpa", kPTR, Chance(0.3) ? 3 : 0);
    std::string name;
    for (int i = 0; i < 32; ++i) name += fmt::format("{}.", "0123456789abcdef"[Uniform(16)]);
    return Query(name + "ip6.arpa", kPTR, 3);
  }

  // The office's own domain: search-suffix noise, Active Directory.
  void OfficeDomain() {
    constexpr std::string_view kOffice = "corp.acme-widgets.com";
    switch (Uniform(5)) {
      case 0:  // a name tried with the search suffix appended first
        return Query(fmt::format("{}.{}", PopularHost(), kOffice), dns::rr::kA, 3);
      case 1:  // workstations registering and finding each other
        return Query(fmt::format("{}.{}", workstation_[Uniform(workstation_.size())], kOffice), dns::rr::kA);
      case 2:
        return Query(fmt::format("_ldap._tcp.dc._msdcs.{}", kOffice), kSRV);
      case 3:
        return Query(fmt::format("_kerberos._tcp.site{}._sites.dc._msdcs.{}", Uniform(4), kOffice), kSRV);
      default:
        return Query(fmt::format("wpad.{}", kOffice), dns::rr::kA, 3);
    }
  }

  void Telemetry() {
    switch (Uniform(4)) {
      case 0:
        return Query(fmt::format("{}-courier.push.apple.com", 1 + Uniform(50)), dns::rr::kA);
      case 1:
        return Query(fmt::format("{}.pool.ntp.org", Uniform(4)), dns::rr::kA);
      case 2:
        return Query("v10.events.data.microsoft.com", dns::rr::kA);
      default:  // Chrome's intranet-redirect probes: one random label
        return Query(Chars("abcdefghijklmnopqrstuvwxyz", 26, 7 + Uniform(9)), dns::rr::kA, 3);
    }
  }

  void Typo() {
    std::string h = PopularHost();
    size_t dot = h.find('.');
    if (dot > 1) h[Uniform(dot)] = static_cast<char>('a' + Uniform(26));
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
    ev_.client_port = static_cast<uint16_t>(1024 + Uniform(60000));
    ev_.query_size = static_cast<uint32_t>(ev_.qname.size() + 18);
    ev_.response_size = ev_.query_size + (ev_.rcode == 0 ? 16 : 0);
    ingest::SetRegisteredDomain(psl_, &ev_);
  }

  CorpusOptions o_;
  std::mt19937_64 rng_;
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

}  // namespace nsradar::detect::testing
