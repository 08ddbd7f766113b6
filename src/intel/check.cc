#include "intel/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "detect/alert.h"
#include "dns/name.h"
#include "intel/store_allowlist.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::intel {
namespace {

bool Malicious(const std::vector<nsdb::Indicator>& intel) { return !intel.empty(); }

std::string Describe(const std::vector<nsdb::Indicator>& intel) {
  const auto& i = intel.front();
  return fmt::format("{} ({}, from {})", i.kind == nsdb::IndicatorKind::kAddress ? "" : i.value, i.category, i.source);
}

void WriteIntel(JsonWriter& w, const std::vector<nsdb::Indicator>& intel) {
  w.Key("intel").BeginArray();
  for (const auto& i : intel) {
    std::string value = i.value;
    if (i.kind == nsdb::IndicatorKind::kAddress) {
      if (auto a = dns::Address::FromKey(i.value)) value = a->ToString();
    }
    w.BeginObject()
        .Field("indicator", value)
        .Field("type", i.kind == nsdb::IndicatorKind::kDomain       ? "domain"
                       : i.kind == nsdb::IndicatorKind::kNameServer ? "ns"
                                                                    : "ip")
        .Field("category", i.category)
        .Field("source", i.source)
        .EndObject();
  }
  w.EndArray();
}

}  // namespace

std::vector<nsdb::Indicator> MatchNameIntel(const nsdb::Store& store, nsdb::IndicatorKind kind, std::string_view name) {
  std::vector<nsdb::Indicator> out;
  nsdb::Indicator i;
  for (std::string_view n = name; !n.empty(); n = dns::Parent(n)) {
    if (store.FindIndicator(kind, n, &i).ok()) out.push_back(i);
  }
  return out;
}

Status CheckDomain(const nsdb::Store& store, std::string_view domain, const CheckOptions& o, CheckResult* out) {
  *out = CheckResult();
  out->domain.assign(domain);
  const int64_t now = o.now ? o.now : static_cast<int64_t>(std::time(nullptr));
  out->intel = MatchNameIntel(store, nsdb::IndicatorKind::kDomain, domain);
  NSRADAR_RETURN_IF_ERROR(store.Alerts(domain, 20, &out->alerts));
  detect::Allowlist marked;  // the analysts' false positives
  NSRADAR_RETURN_IF_ERROR(AddStoreAllowlist(store, &marked));
  auto false_positive = [&](std::string_view name) {
    std::string_view category;
    return !marked.MatchEntries(name, &category).empty();
  };
  out->false_positive = false_positive(domain);

  nsdb::DomainInfo info;
  Status s = store.Domain(domain, &info);
  if (!s.ok() && !s.IsNotFound()) return s;
  out->indexed = s.ok();
  for (const auto& e : info.edges) {
    if (out->name_servers.size() >= o.max_name_servers) break;
    NameServerFinding f;
    f.name = e.ns;
    f.observed = e.observed;
    f.current = e.active || !e.from_zone;  // zone-active, or known from traffic only
    f.first_seen = e.first_seen;
    f.last_seen = e.last_seen;
    f.in_bailiwick = dns::IsAtOrBelow(e.ns, domain);
    nsdb::NsCounts counts;
    NSRADAR_RETURN_IF_ERROR(store.Counts(e.ns, &counts));
    f.domain_count = counts.total;
    f.active_domain_count = counts.active;
    f.intel = MatchNameIntel(store, nsdb::IndicatorKind::kNameServer, e.ns);
    for (auto& i : MatchNameIntel(store, nsdb::IndicatorKind::kDomain, e.ns)) f.intel.push_back(std::move(i));
    std::vector<nsdb::GlueRow> glue;
    NSRADAR_RETURN_IF_ERROR(store.HostAddresses(e.ns, &glue));
    for (const auto& g : glue) {
      AddressFinding a;
      a.address = g.address;
      nsdb::Indicator i;
      if (store.FindIndicator(nsdb::IndicatorKind::kAddress, g.address.ToKey(), &i).ok()) a.intel.push_back(i);
      std::vector<nsdb::GlueRow> hosts;
      NSRADAR_RETURN_IF_ERROR(store.AddressHosts(g.address, &hosts));
      for (const auto& h : hosts) {
        if (h.host != e.ns && a.other_hosts.size() < 10) a.other_hosts.push_back(h.host);
      }
      f.addresses.push_back(std::move(a));
    }
    // The first page of what else it serves; for a name server with few
    // domains, the whole list, which also dates the server itself.
    nsdb::DomainQuery q;
    q.ns = e.ns;
    q.limit = f.domain_count <= 1000 ? 1000 : o.co_hosted_per_ns + 1;
    q.want_total = false;
    nsdb::DomainPage page;
    NSRADAR_RETURN_IF_ERROR(store.DomainsOnNs(q, &page));
    size_t listed = 0;
    for (const auto& row : page.rows) {
      if (f.domain_count <= 1000 && (f.ns_first_seen == 0 || row.first_seen < f.ns_first_seen)) {
        f.ns_first_seen = row.first_seen;
      }
      if (row.name == domain || listed >= o.co_hosted_per_ns) continue;
      ++listed;
      CoHostedDomain c;
      c.name = row.name;
      c.ns = e.ns;
      c.first_seen = row.first_seen;
      c.last_seen = row.last_seen;
      c.intel = MatchNameIntel(store, nsdb::IndicatorKind::kDomain, row.name);
      std::vector<nsdb::StoredAlert> alerts;
      NSRADAR_RETURN_IF_ERROR(store.Alerts(row.name, 1, &alerts));
      c.alerted = !alerts.empty();
      c.false_positive = c.alerted && false_positive(row.name);
      out->co_hosted.push_back(std::move(c));
    }
    if (out->first_seen == 0 || (f.first_seen && f.first_seen < out->first_seen)) out->first_seen = f.first_seen;
    out->name_servers.push_back(std::move(f));
  }
  for (const auto& ev : info.history) {
    if (ev.time >= now - o.new_seconds) out->recent_changes.push_back(ev);
  }

  // The verdict: the strongest finding decides; every finding is a reason.
  auto& why = out->reasons;
  bool malicious = false, suspicious = false;
  if (Malicious(out->intel)) {
    malicious = true;
    why.push_back("the domain is in threat intelligence: " + Describe(out->intel));
  }
  if (out->false_positive && !out->alerts.empty()) {
    why.push_back("its alerts were marked as false positives: they do not count");
  }
  for (const auto& a : out->alerts) {
    detect::AlertCategory category;
    if (out->false_positive) break;
    if (detect::ParseCategory(a.category, &category) && detect::IsDataChannel(category)) {
      suspicious = true;
      why.push_back(
          fmt::format("nsradar raised a {} alert on it at {}", a.category, FormatTime(a.alert_time_us / 1'000'000)));
      break;
    }
  }
  bool all_shared = !out->name_servers.empty();
  for (const auto& f : out->name_servers) {
    if (!f.current) continue;
    const bool dedicated = f.domain_count <= o.dedicated_domains;
    all_shared &= f.domain_count >= o.shared_domains && !f.in_bailiwick;
    if (Malicious(f.intel)) {
      malicious = true;
      why.push_back(fmt::format("name server {} is in threat intelligence: {}", f.name, Describe(f.intel)));
    }
    for (const auto& a : f.addresses) {
      if (Malicious(a.intel)) {
        malicious = true;
        why.push_back(fmt::format("name server {} has address {}, in threat intelligence ({}, from {})", f.name,
                                  a.address.ToString(), a.intel[0].category, a.intel[0].source));
      }
    }
    if (dedicated && f.in_bailiwick) {
      why.push_back(fmt::format("name server {} is self-hosted inside the domain and serves {} domain{}", f.name,
                                f.domain_count, f.domain_count == 1 ? "" : "s"));
    } else if (dedicated) {
      why.push_back(fmt::format("name server {} is dedicated: it serves {} domain{}", f.name, f.domain_count,
                                f.domain_count == 1 ? "" : "s"));
    } else if (f.domain_count >= o.shared_domains) {
      why.push_back(fmt::format("name server {} is a shared provider: {} domains", f.name, f.domain_count));
    }
    const bool fresh = f.first_seen >= now - o.new_seconds;
    if (fresh) why.push_back(fmt::format("the domain first used {} at {}", f.name, FormatTime(f.first_seen)));
    // A tunnel's usual set-up: its own new, dedicated, in-bailiwick server.
    if (dedicated && f.in_bailiwick && fresh) suspicious = true;
  }
  size_t bad_neighbours = 0;
  for (const auto& c : out->co_hosted) {
    if (Malicious(c.intel) || (c.alerted && !c.false_positive)) {
      if (++bad_neighbours <= 3) {
        why.push_back(fmt::format("{} shares name server {} and is {}", c.name, c.ns,
                                  Malicious(c.intel) ? "in threat intelligence" : "alerted on by nsradar"));
      }
    }
  }
  if (bad_neighbours) suspicious = true;
  if (!out->recent_changes.empty()) {
    why.push_back(fmt::format("{} name-server change{} within {} days", out->recent_changes.size(),
                              out->recent_changes.size() == 1 ? "" : "s", o.new_seconds / 86400));
  }
  if (malicious) {
    out->verdict = Verdict::kMalicious;
  } else if (suspicious) {
    out->verdict = Verdict::kSuspicious;
  } else if (all_shared) {
    out->verdict = Verdict::kBenignInfrastructure;
    why.push_back("every name server is a shared provider and nothing points at the domain");
  } else {
    out->verdict = Verdict::kUnknown;
    if (!out->indexed) why.push_back("the index holds no name server for the domain");
  }
  return Status::OK();
}

void AppendCheckJson(const CheckResult& r, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Field("domain", r.domain).Field("verdict", VerdictName(r.verdict));
  w.Key("reasons").BeginArray();
  for (const auto& s : r.reasons) w.String(s);
  w.EndArray();
  w.Field("indexed", r.indexed).Field("false_positive", r.false_positive);
  if (r.first_seen) w.Field("first_seen", r.first_seen);
  w.Key("name_servers").BeginArray();
  for (const auto& f : r.name_servers) {
    w.BeginObject()
        .Field("name", f.name)
        .Field("current", f.current)
        .Field("observed", f.observed)
        .Field("domain_count", f.domain_count)
        .Field("active_domain_count", f.active_domain_count)
        .Field("in_bailiwick", f.in_bailiwick)
        .Field("first_seen", f.first_seen)
        .Field("last_seen", f.last_seen);
    if (f.ns_first_seen) w.Field("ns_first_seen", f.ns_first_seen);
    w.Key("addresses").BeginArray();
    for (const auto& a : f.addresses) {
      w.BeginObject().Field("address", a.address.ToString());
      w.Key("other_hosts").BeginArray();
      for (const auto& h : a.other_hosts) w.String(h);
      w.EndArray();
      WriteIntel(w, a.intel);
      w.EndObject();
    }
    w.EndArray();
    WriteIntel(w, f.intel);
    w.EndObject();
  }
  w.EndArray().Key("co_hosted").BeginArray();
  for (const auto& c : r.co_hosted) {
    w.BeginObject()
        .Field("name", c.name)
        .Field("ns", c.ns)
        .Field("first_seen", c.first_seen)
        .Field("last_seen", c.last_seen)
        .Field("alerted", c.alerted)
        .Field("false_positive", c.false_positive);
    WriteIntel(w, c.intel);
    w.EndObject();
  }
  w.EndArray().Key("recent_changes").BeginArray();
  for (const auto& e : r.recent_changes) {
    w.BeginObject().Field("time", e.time).Field("event", nsdb::DomainEventName(e.type));
    w.Key("name_servers").BeginArray();
    for (const auto& n : e.name_servers) w.String(n);
    w.EndArray().EndObject();
  }
  w.EndArray().Key("alerts").BeginArray();
  for (const auto& a : r.alerts) {
    w.BeginObject()
        .Field("category", a.category)
        .Field("alert_time", FormatTime(a.alert_time_us / 1'000'000))
        .EndObject();
  }
  w.EndArray();
  WriteIntel(w, r.intel);
  w.EndObject();
}

}  // namespace nsradar::intel
