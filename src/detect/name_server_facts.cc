#include "detect/name_server_facts.h"

#include <fmt/format.h>

namespace nsradar::detect {

double NameServerPrior(const NameServerFacts& index, const TrafficFacts& traffic, double h, std::string* explain) {
  double prior = 0;
  auto term = [&](bool applies, double weight, std::string_view what) {
    if (!applies) return;
    prior += weight;
    if (explain)
      fmt::format_to(std::back_inserter(*explain), "{}{} {:+.0f}", explain->empty() ? "" : ", ", what, weight);
  };
  // A threat list alone nearly decides; a tunnel's usual set-up adds up
  // to about one deciding threshold when every fact holds.
  term(index.intel_listed, 0.7 * h, "on a threat list");
  term(index.self_hosted || traffic.self_hosted, h / 6, "self-hosted name server");
  term(index.dedicated, h / 10, "dedicated name server");
  term(index.young_domain, h / 6, "young domain");
  term(index.new_name_server, h / 10, "new name server");
  // Shared providers, web sites and crowds: what tunnels are not.
  term(index.shared_provider, -h, "shared provider's name server");
  term(traffic.web_presence, -h / 6, "web presence");
  const double clients = traffic.distinct_clients;
  term(clients >= 32, -h, "a crowd of clients");
  term(clients >= 8 && clients < 32, -h / 3, "many clients");
  term(clients >= 4 && clients < 8, -h / 6, "several clients");
  // A tunnel's domain gets encoded names only; a service's, host names
  // beside its hashes (an ad server's frames beside its page tags).
  if (traffic.queries >= 20) {
    const double plain = static_cast<double>(traffic.plain_queries) / static_cast<double>(traffic.queries);
    term(plain >= 0.1, -h / 2 * plain, fmt::format("{:.0f}% host names", 100 * plain));
  }
  if (explain && explain->empty()) *explain = "nothing known";
  if (explain && !index.known) *explain += " (not in the index)";
  return prior;
}

}  // namespace nsradar::detect
