#include "intel/ns_oracle.h"

#include "util/log.h"

namespace nsradar::intel {

detect::NameServerFacts FactsFromCheck(const CheckResult& c, const CheckOptions& options) {
  detect::NameServerFacts f;
  f.intel_listed = !c.intel.empty();
  int64_t now = options.now;
  bool any_current = false, all_dedicated = true;
  for (const NameServerFinding& ns : c.name_servers) {
    f.known = true;
    f.self_hosted |= ns.in_bailiwick;
    f.intel_listed |= !ns.intel.empty();
    for (const AddressFinding& a : ns.addresses) f.intel_listed |= !a.intel.empty();
    if (!ns.current) continue;
    any_current = true;
    all_dedicated &= ns.domain_count > 0 && ns.domain_count <= options.dedicated_domains;
    f.shared_provider |= ns.domain_count >= options.shared_domains;
    f.new_name_server |= ns.ns_first_seen > 0 && now - ns.ns_first_seen < options.new_seconds;
  }
  f.dedicated = any_current && all_dedicated;
  f.young_domain = c.first_seen > 0 && now - c.first_seen < options.new_seconds;
  return f;
}

StoreNameServerOracle::StoreNameServerOracle(const nsdb::Store* store, CheckOptions options, size_t capacity,
                                             std::chrono::seconds ttl)
    : store_(store), options_(options), capacity_(capacity), ttl_(ttl) {}

detect::NameServerFacts StoreNameServerOracle::Lookup(std::string_view domain, int64_t now_us) {
  std::lock_guard lock(mu_);
  ++lookups_;
  const auto now = std::chrono::steady_clock::now();
  std::string key(domain);
  if (auto it = cache_.find(key); it != cache_.end() && it->second.expires > now) {
    ++hits_;
    return it->second.facts;
  }
  CheckOptions o = options_;
  o.now = now_us / 1'000'000;
  o.co_hosted_per_ns = 0;
  CheckResult check;
  detect::NameServerFacts facts;
  if (Status s = CheckDomain(*store_, domain, o, &check); s.ok()) {
    facts = FactsFromCheck(check, o);
  } else if (!s.IsNotFound()) {
    Log(LogLevel::kWarn, "detect", "name server lookup failed; deciding without the index",
        {{"domain", domain}, {"error", s.ToString()}});
  }
  if (cache_.find(key) == cache_.end()) {
    if (cache_.size() >= capacity_) {
      cache_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
  }
  cache_[key] = Cached{facts, now + ttl_};
  return facts;
}

}  // namespace nsradar::intel
