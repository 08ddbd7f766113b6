// What is known about who serves a registered domain and who uses it, as
// evidence for the detector's decision (not only to explain an alert
// after it): a tunnel's domain is served by the attacker's own server, so
// its name server is usually in the domain itself, dedicated to it, new,
// without a web site beside it, or already on a threat list, and one host
// uses it; the names of shared providers (antivirus clouds, CDNs, mail
// authentication) are served by name servers that serve thousands of
// domains and are asked by crowds.
//
// The facts come from two places: the reverse name-server index (a
// NameServerOracle the program gives the detector, backed by the store)
// and the traffic itself (NS records in responses, answers at the apex or
// www, the domain's clients), which the detector gathers on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nsradar::detect {

struct NameServerFacts {
  bool known = false;            // the index has the domain's delegation
  bool self_hosted = false;      // a name server lies inside the domain (in bailiwick)
  bool dedicated = false;        // every name server serves only a few domains
  bool shared_provider = false;  // a name server serves a great many domains
  bool young_domain = false;     // the domain was first seen recently
  bool new_name_server = false;  // a name server was first seen recently
  bool intel_listed = false;     // the domain, a name server or its address is on a threat list
};

// Lookups must be bounded in time: implementations cache. Called only for
// domains that already looked suspicious, from the detector's thread.
class NameServerOracle {
 public:
  virtual ~NameServerOracle() = default;
  // `now_us`: the event time, so "recent" means recent when the traffic
  // happened, also for old captures.
  virtual NameServerFacts Lookup(std::string_view registered_domain, int64_t now_us) = 0;
};

// What the traffic said about a domain, beside the index.
struct TrafficFacts {
  bool self_hosted = false;   // an NS record of the domain named a host inside it
  bool web_presence = false;  // the apex or www answered with an address
  double distinct_clients = 1;
  uint64_t queries = 0, plain_queries = 0;  // plain: names that look like host names
};

// How much who serves and who uses the domain moves the evidence it needs,
// in the detector's evidence units (`threshold` deciding): positive for a
// tunnel's set-up, negative for shared infrastructure. With `explain`, the
// terms that applied ("self-hosted +5, young domain +5, 1 client").
double NameServerPrior(const NameServerFacts& index, const TrafficFacts& traffic, double threshold,
                       std::string* explain);

}  // namespace nsradar::detect
