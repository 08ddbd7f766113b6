// Name server checks, threat intelligence and RPZ output:
// nsradar check, nsradar intel import|list, nsradar rpz export.
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>

#include "commands.h"
#include "detect/allowlist.h"
#include "dns/name.h"
#include "intel/check.h"
#include "intel/import.h"
#include "intel/rpz.h"
#include "nsdb/store.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace nsradar::cli {
namespace {

std::unique_ptr<nsdb::Store> Open(const GlobalOptions& g, bool read_only) {
  nsdb::StoreOptions so;
  so.read_only = read_only;
  std::unique_ptr<nsdb::Store> store;
  if (Status s = nsdb::Store::Open(g.store, so, &store); !s.ok()) Fail(s);
  return store;
}

const char* KindName(nsdb::IndicatorKind k) {
  return k == nsdb::IndicatorKind::kDomain ? "domain" : k == nsdb::IndicatorKind::kNameServer ? "ns" : "ip";
}

std::string IndicatorText(const nsdb::Indicator& i) {
  if (i.kind != nsdb::IndicatorKind::kAddress) return i.value;
  auto a = dns::Address::FromKey(i.value);
  return a ? a->ToString() : "?";
}

void RunCheck(const GlobalOptions& g, const std::string& domain_text) {
  const std::string domain = NameArgument(domain_text, "DOMAIN");
  auto store = Open(g, true);
  intel::CheckResult r;
  if (Status s = intel::CheckDomain(*store, domain, {}, &r); !s.ok()) Fail(s);
  if (g.json) {
    std::string out;
    intel::AppendCheckJson(r, &out);
    fmt::print("{}\n", out);
    return;
  }
  fmt::print("{}: {}\n", dns::ToDisplay(r.domain), intel::VerdictName(r.verdict));
  for (const auto& why : r.reasons) fmt::print("  - {}\n", why);
  if (!r.name_servers.empty()) {
    fmt::print("\n");
    Table t({"NAME SERVER", "DOMAINS", "IN-BAILIWICK", "PAIR FIRST SEEN", "ADDRESSES", "INTEL"});
    for (const auto& ns : r.name_servers) {
      std::string addrs, intel;
      for (const auto& a : ns.addresses) addrs += (addrs.empty() ? "" : " ") + a.address.ToString();
      for (const auto& i : ns.intel) intel += (intel.empty() ? "" : " ") + i.category;
      t.Add({ns.name + (ns.current ? "" : " (former)"), WithCommas(ns.domain_count), ns.in_bailiwick ? "yes" : "no",
             ns.first_seen ? FormatTime(ns.first_seen) : "-", addrs, intel});
    }
    t.Print(stdout);
  }
  if (!r.co_hosted.empty()) {
    fmt::print("\nAlso on the same name servers (first page):\n");
    Table t({"DOMAIN", "NAME SERVER", "FIRST SEEN", "LAST SEEN", "FLAGS"});
    for (const auto& c : r.co_hosted) {
      std::string flags = c.intel.empty() ? "" : "intel:" + c.intel[0].category;
      if (c.alerted) flags += (flags.empty() ? "" : " ") + std::string("alerted");
      t.Add({c.name, c.ns, FormatTime(c.first_seen), FormatTime(c.last_seen), flags});
    }
    t.Print(stdout);
  }
}

struct ImportOptions {
  std::vector<std::string> files;
  std::string category = "malicious", source, type = "auto";
  bool replace = false;
  bool verbose = false;
  std::string ca_file;
};

void RunImport(const GlobalOptions& g, const ImportOptions& o) {
  intel::IndicatorFileOptions fo;
  fo.default_category = o.category;
  fo.source = o.source;
  fo.added = static_cast<int64_t>(std::time(nullptr));
  if (o.type == "ns") {
    fo.default_kind = nsdb::IndicatorKind::kNameServer;
  } else if (o.type != "auto" && o.type != "domain") {
    throw CLI::ValidationError("--type", "'" + o.type + "': expected auto, domain or ns (addresses are recognised)");
  }
  uint64_t shown = 0;
  fo.on_error = [&](const std::string& place, const std::string& why) {
    if (o.verbose || ++shown <= 10) fmt::print(stderr, "{}: {}\n", place, why);
  };
  auto store = Open(g, false);
  bool ok = true;
  for (const auto& file : o.files) {
    intel::ImportResult r;
    intel::FetchOptions fetch;
    fetch.ca_file = o.ca_file;
    if (Status s = intel::ImportIndicators(*store, file, fo, o.replace, &r, fetch); !s.ok()) {
      PrintError(s.ToString());
      ok = false;
      continue;
    }
    fmt::print(stderr, "{}: {} indicators ({}), {} lines skipped{}\n", file, r.indicators, r.stats.format,
               r.stats.errors,
               o.replace ? fmt::format(", {} earlier indicators of the source replaced", r.replaced) : "");
  }
  if (!ok) throw CLI::RuntimeError(1);
}

void RunList(const GlobalOptions& g) {
  auto store = Open(g, true);
  Table t({"TYPE", "INDICATOR", "CATEGORY", "SOURCE", "ADDED"});
  std::string line;
  Status s = store->ScanIndicators([&](const nsdb::Indicator& i) {
    if (g.json) {
      line.clear();
      JsonWriter w(&line);
      w.BeginObject()
          .Field("type", KindName(i.kind))
          .Field("indicator", IndicatorText(i))
          .Field("category", i.category)
          .Field("source", i.source)
          .Field("added", i.added)
          .EndObject();
      fmt::print("{}\n", line);
    } else {
      t.Add({KindName(i.kind), IndicatorText(i), i.category, i.source, i.added ? FormatTime(i.added) : "-"});
    }
  });
  if (!s.ok()) Fail(s);
  if (!g.json) t.Print(stdout);
}

struct RpzCommandOptions {
  std::string out = "nsradar.rpz", origin = "rpz.nsradar", action = "nxdomain", reload;
  std::vector<std::string> allowlists;
};

void RunRpzExport(const GlobalOptions& g, const RpzCommandOptions& o) {
  detect::Allowlist allow = detect::Allowlist::BuiltIn();
  for (const auto& path : o.allowlists) {
    if (Status s = allow.LoadFile(path, "allowlisted"); !s.ok()) throw CLI::ValidationError("--allowlist", s.message());
  }
  intel::RpzOptions ro;
  ro.origin = NameArgument(o.origin, "--origin");
  if (!intel::ParseRpzAction(o.action, &ro.action)) {
    throw CLI::ValidationError("--action", "'" + o.action + "': expected " + NamesOf(intel::kRpzActionNames));
  }
  ro.allowlist = &allow;
  auto store = Open(g, true);
  intel::RpzStats stats;
  if (Status s = intel::ExportRpz(*store, ro, o.out, &stats); !s.ok()) Fail(s);
  fmt::print(stderr, "{}: serial {}, {} QNAME, {} NSDNAME, {} NSIP triggers; {} left out by the allowlist\n", o.out,
             stats.serial, stats.qname, stats.nsdname, stats.nsip, stats.allowlisted);
  if (!o.reload.empty()) {
    const int rc = std::system(o.reload.c_str());
    if (rc != 0) {
      PrintError(fmt::format("--reload-command '{}' failed (status {})", o.reload, rc));
      throw CLI::RuntimeError(1);
    }
  }
}

}  // namespace

void AddIntelCommands(CLI::App& app, const GlobalOptions& global) {
  {
    auto domain = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("check", "Name server check of a domain: who serves it, what else, a verdict");
    cmd->add_option("domain", *domain, "The domain")->required();
    cmd->callback([domain, &global] { RunCheck(global, *domain); });
  }
  CLI::App* intel = app.add_subcommand("intel", "Threat intelligence in the store");
  intel->require_subcommand(1);
  {
    auto o = std::make_shared<ImportOptions>();
    CLI::App* cmd = intel->add_subcommand("import", "Load indicator lists (plain, hosts, CSV, RPZ zones)");
    cmd->add_option("files", o->files, "List files (gzip/zstd/xz read transparently) or http(s):// URLs")->required();
    cmd->add_option("--ca-file", o->ca_file, "https: trust this PEM bundle instead of the system's CA store");
    cmd->add_option("--category", o->category, "Category of indicators whose list gives none")->capture_default_str();
    cmd->add_option("--source", o->source, "Source name (default: the file name)");
    cmd->add_option("--type", o->type, "What plain names are: auto (domains), domain or ns")->capture_default_str();
    cmd->add_flag("--replace", o->replace, "Drop the source's earlier indicators in the same write");
    cmd->add_flag("-v,--verbose", o->verbose, "Show every skipped line, not the first 10");
    cmd->callback([o, &global] { RunImport(global, *o); });
  }
  intel->add_subcommand("list", "Every indicator")->callback([&global] { RunList(global); });
  CLI::App* rpz = app.add_subcommand("rpz", "Response Policy Zone output");
  rpz->require_subcommand(1);
  {
    auto o = std::make_shared<RpzCommandOptions>();
    CLI::App* cmd = rpz->add_subcommand("export", "Write the RPZ zone from alerts, verdicts and intelligence");
    cmd->add_option("--out", o->out, "Zone file, replaced atomically")->capture_default_str();
    cmd->add_option("--origin", o->origin, "The zone's name, as the resolvers load it")->capture_default_str();
    cmd->add_option("--action", o->action, "nxdomain, nodata or drop")->capture_default_str();
    cmd->add_option("--allowlist", o->allowlists, "Names never blocked, as for detect (repeatable)");
    cmd->add_option("--reload-command", o->reload, "Run after writing, e.g. 'rndc reload rpz.nsradar'");
    cmd->callback([o, &global] { RunRpzExport(global, *o); });
  }
}

}  // namespace nsradar::cli
