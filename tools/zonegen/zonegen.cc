// nsradar-zonegen: writes synthetic TLD zones shaped like CZDS files, for
// benchmarks and scale tests that must not depend on downloaded data.
//
// Name-server popularity follows a Zipf law fitted so that the most popular
// provider's hosts serve about 10% of domains; each domain uses 2-4 hosts of
// one provider, 5% host their own name servers in-bailiwick (with glue), 4%
// carry DS records. Snapshot k of the same seed models day k: 0.2% of
// domains are dropped per day, 0.2% are new and 0.5% change name servers.
// Output is deterministic for a given seed and snapshot.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Options {
  uint64_t domains = 1000000;
  uint64_t seed = 1;
  int snapshot = 0;
  std::string tld = "com";
  std::string style = "czds";
  std::string names = "words";
  std::string out = "-";
};

class Generator {
 public:
  explicit Generator(const Options& o) : o_(o) {
    providers_ = std::max<uint64_t>(16, o.domains / 40);
    // Fit the Zipf exponent so the top provider gets ~10% of domains.
    double lo = 0.5, hi = 2.0;
    for (int it = 0; it < 50; ++it) {
      double s = (lo + hi) / 2, h = 0;
      for (uint64_t r = 1; r <= providers_; ++r) h += 1.0 / std::pow(static_cast<double>(r), s);
      if (1.0 / h < 0.10)
        lo = s;
      else
        hi = s;
    }
    double s = (lo + hi) / 2, acc = 0;
    cdf_.resize(providers_);
    for (uint64_t r = 1; r <= providers_; ++r) {
      acc += 1.0 / std::pow(static_cast<double>(r), s);
      cdf_[r - 1] = acc;
    }
    for (double& c : cdf_) c /= acc;
  }

  void Run(FILE* f) {
    buf_.reserve(1 << 20);
    Soa();
    uint64_t total = o_.domains + o_.domains * static_cast<uint64_t>(o_.snapshot) / 500;
    for (uint64_t i = 0; i < total; ++i) {
      if (!Exists(i)) continue;
      Domain(i);
      if (buf_.size() > (1 << 20) - 4096) Flush(f);
    }
    Soa();
    Flush(f);
  }

 private:
  bool Exists(uint64_t i) const {
    // A domain's drop day: 0.2% per day; new domains appear on their birth day.
    uint64_t born = i < o_.domains ? 0 : (i - o_.domains) * 500 / o_.domains + 1;
    uint64_t dies = Mix(i ^ 0xd1e) % 500;  // day index of drop, modelled uniformly over 500 days
    return static_cast<uint64_t>(o_.snapshot) >= born && static_cast<uint64_t>(o_.snapshot) < born + dies + 1;
  }

  // Registered names are mostly words, joined, sometimes with digits or a
  // hyphen; "random" makes incompressible letter strings instead, the worst
  // case for storage. Either way a base-36 form of the index keeps every
  // name unique, at a realistic total length (median about 12 characters).
  std::string Name(uint64_t i) const {
    static const char* const kWords[] = {
        "my",     "the",     "best",   "shop",    "online", "web",    "home",    "tech",    "cloud",  "app",
        "store",  "world",   "life",   "design",  "media",  "group",  "global",  "market",  "health", "travel",
        "news",   "blog",    "art",    "photo",   "studio", "house",  "food",    "city",    "green",  "blue",
        "star",   "sun",     "smart",  "pro",     "hub",    "lab",    "box",     "go",      "get",    "love",
        "book",   "car",     "auto",   "law",     "music",  "game",   "play",    "fit",     "pet",    "kids",
        "team",   "club",    "sport",  "bike",    "eco",    "solar",  "energy",  "water",   "fresh",  "cafe",
        "pizza",  "wine",    "coffee", "tea",     "cake",   "farm",   "garden",  "tree",    "wood",   "stone",
        "gold",   "style",   "beauty", "hair",    "spa",    "dental", "care",    "clinic",  "legal",  "tax",
        "money",  "pay",     "bank",   "invest",  "coin",   "trade",  "deal",    "buy",     "mart",   "supply",
        "tools",  "build",   "roof",   "clean",   "repair", "power",  "data",    "code",    "dev",    "soft",
        "link",   "site",    "host",   "cyber",   "secure", "safe",   "alpha",   "prime",   "max",    "ultra",
        "mega",   "super",   "top",    "first",   "one",    "new",    "big",     "red",     "black",  "north",
        "west",   "river",   "lake",   "ocean",   "bay",    "beach",  "island",  "park",    "hill",   "rock",
        "sky",    "moon",    "fire",   "ice",     "snow",   "rain",   "wind",    "light",   "dream",  "happy",
        "lucky",  "magic",   "royal",  "grand",   "urban",  "local",  "family",  "friend",  "mind",   "soul",
        "yoga",   "dance",   "film",   "video",   "radio",  "print",  "craft",   "event",   "party",  "wedding",
        "hotel",  "tour",    "trip",   "fly",     "jet",    "boat",   "fish",    "hunt",    "camp",   "wild",
        "nature", "plant",   "seed",   "organic", "vegan",  "chef",   "kitchen", "bread",   "grill",  "taco",
        "sushi",  "burger",  "candy",  "toy",     "gift",   "card",   "shoe",    "bag",     "watch",  "ring",
        "jewel",  "fashion", "wear",   "school",  "learn",  "study",  "tutor",   "academy", "career", "job",
    };
    static const char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
    static const char kB36[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    uint64_t h = Mix(i * 7 + o_.seed);
    std::string s;
    if (o_.names == "random") {
      size_t len = 3 + h % 6 + (Mix(h) % 5);
      for (size_t k = 0; k < len; ++k) {
        h = Mix(h);
        s.push_back(kLetters[h % 26]);
      }
    } else {
      size_t words = 1 + h % 3;
      for (size_t k = 0; k < words; ++k) {
        h = Mix(h);
        if (k > 0 && h % 8 == 0) s.push_back('-');
        s += kWords[(h >> 8) % (sizeof(kWords) / sizeof(kWords[0]))];
      }
    }
    if (Mix(h) % 10 == 0) s.push_back('-');
    uint64_t v = i;
    do {
      s.push_back(kB36[v % 36]);
      v /= 36;
    } while (v);
    return s;
  }

  void Soa() {
    if (o_.style == "czds") {
      buf_ += fmt::format("{}.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. {} 1800 900 604800 86400\n",
                          o_.tld, 1700000000 + o_.snapshot);
    } else if (!soa_done_) {
      buf_ += fmt::format(
          "$ORIGIN {}.\n$TTL 172800\n@ IN SOA a.gtld-servers.net. nstld.verisign-grs.com. (\n"
          "\t\t{} ; serial\n\t\t1800 900 604800 86400 )\n\tIN NS a.gtld-servers.net.\n",
          o_.tld, 1700000000 + o_.snapshot);
      soa_done_ = true;
    }
  }

  void Domain(uint64_t i) {
    std::string name = Name(i);
    // Name-server changes: the epoch is the last day (<= snapshot) on which
    // this domain switched provider.
    uint64_t epoch = 0;
    for (int day = 1; day <= o_.snapshot; ++day) {
      if (Mix(i * 131 + static_cast<uint64_t>(day)) % 200 == 0) epoch = static_cast<uint64_t>(day);
    }
    uint64_t h = Mix(i ^ (epoch << 40) ^ o_.seed);
    int count = 2 + static_cast<int>(h % 3);
    bool czds = o_.style == "czds";
    std::string owner = czds ? name + "." + o_.tld + "." : name;
    if (h % 100 < 5) {  // self-hosted, with glue
      for (int k = 1; k <= count; ++k) NsLine(owner, name, fmt::format("ns{}.{}.{}.", k, name, o_.tld), k == 1);
      for (int k = 1; k <= count; ++k) {
        uint64_t a = Mix(h + static_cast<uint64_t>(k));
        std::string host = czds ? fmt::format("ns{}.{}.{}.", k, name, o_.tld) : fmt::format("ns{}.{}", k, name);
        buf_ += fmt::format("{}\t{}\tin\ta\t{}.{}.{}.{}\n", host, czds ? "172800" : "", 1 + a % 223, a >> 8 & 255,
                            a >> 16 & 255, 1 + (a >> 24) % 254);
      }
    } else {
      double u = static_cast<double>(Mix(h) >> 11) / 9007199254740992.0;
      uint64_t p = static_cast<uint64_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
      for (int k = 1; k <= count; ++k) NsLine(owner, name, fmt::format("ns{}.{}.net.", k, Provider(p)), k == 1);
    }
    if (h % 100 >= 96) {
      buf_ += fmt::format("{}\t86400\tin\tds\t{} 8 2 {:016x}{:016x}{:016x}{:016x}\n", owner, h % 65536, Mix(h + 1),
                          Mix(h + 2), Mix(h + 3), Mix(h + 4));
    }
  }

  void NsLine(const std::string& owner, const std::string& name, const std::string& target, bool first) {
    if (o_.style == "czds") {
      buf_ += fmt::format("{}\t172800\tin\tns\t{}\n", owner, target);
    } else if (first) {
      buf_ += fmt::format("{} 172800 IN NS {}\n", name, target);
    } else {
      buf_ += fmt::format("\t\t\tNS\t{} ; secondary\n", target);
    }
  }

  std::string Provider(uint64_t p) const {
    static const char* kWords[] = {"dns", "host", "cloud", "net", "web", "domain", "park", "name", "zone", "srv"};
    uint64_t h = Mix(p + 99);
    return fmt::format("{}{}{}", kWords[h % 10], kWords[(h >> 8) % 10], p);
  }

  void Flush(FILE* f) {
    fwrite(buf_.data(), 1, buf_.size(), f);
    buf_.clear();
  }

  Options o_;
  uint64_t providers_;
  std::vector<double> cdf_;
  std::string buf_;
  bool soa_done_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Synthetic CZDS-style zone generator"};
  Options o;
  app.add_option("--domains", o.domains, "Domains in snapshot 0")->capture_default_str();
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_option("--snapshot", o.snapshot, "Day index: later snapshots drop, add and change domains")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--tld", o.tld)->capture_default_str();
  app.add_option("--style", o.style, "czds (tab-separated, absolute) or general (RFC 1035 features)")
      ->check(CLI::IsMember({"czds", "general"}))
      ->capture_default_str();
  app.add_option("--names", o.names, "words (realistic) or random (incompressible letters)")
      ->check(CLI::IsMember({"words", "random"}))
      ->capture_default_str();
  app.add_option("-o,--out", o.out, "Output file, - for standard output")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  FILE* f = o.out == "-" ? stdout : fopen(o.out.c_str(), "w");
  if (!f) {
    fmt::print(stderr, "error: cannot write {}\n", o.out);
    return 1;
  }
  Generator(o).Run(f);
  if (f != stdout && fclose(f) != 0) {
    fmt::print(stderr, "error: writing {} failed\n", o.out);
    return 1;
  }
  return 0;
}
