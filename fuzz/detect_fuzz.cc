// The detector's inputs from outside: allowlist and popularity files (read
// through the real loaders, from a temporary file), and hostile query names
// fed as events (each line: raw name as sent; its canonical form when it
// parses), with every alert rendered as JSON in each envelope.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "detect/alert_json.h"
#include "detect/allowlist.h"
#include "detect/detector.h"
#include "dns/name.h"
#include "dns/public_suffix.h"
#include "ingest/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nsradar;
  static const std::string path = "/tmp/nsradar-detect-fuzz-" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  detect::Allowlist allow = detect::Allowlist::BuiltIn();
  // Hostile files are expected to fail to load; what loads is fuzzed below.
  allow.LoadFile(path, "fuzz").IgnoreError();
  allow.LoadPopularity(path, 100).IgnoreError();

  detect::DetectorOptions options;
  options.min_queries = 2;  // let short inputs reach the alert path
  options.short_info_bytes = 20;
  options.max_domains = 64;
  options.max_suspicious_domains = 8;
  options.client_slots = 16;
  detect::Detector detector(options, std::move(allow));
  std::vector<detect::Alert> alerts;
  std::string text(reinterpret_cast<const char*>(data), size);
  ingest::DnsEvent ev;
  size_t start = 0;
  for (int64_t n = 0; start < text.size(); ++n) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ev.Clear();
    ev.qname_raw = text.substr(start, end - start);
    ev.qname.clear();
    if (dns::ParseName(ev.qname_raw, "", &ev.qname)) ev.qname.clear();  // unparsable: no registered domain
    ev.has_query = true;
    ev.ts_us = n * 1000;
    ev.qtype = static_cast<uint16_t>(n * 7);
    ev.rcode = static_cast<int>(n % 4);
    ev.client = *dns::Address::Parse(n % 2 ? "10.0.0.1" : "2001:db8::1");
    ingest::SetRegisteredDomain(dns::PublicSuffixList::Default(), &ev);
    // The detector takes the subdomain as the part of qname_raw before the
    // registered domain: the two must have the same length, as sources
    // guarantee (qname is qname_raw case-folded).
    if (ev.qname.size() == ev.qname_raw.size()) detector.Add(ev, &alerts);
    start = end + 1;
  }
  for (const auto& a : alerts) {
    for (auto env : {detect::AlertEnvelope::kPlain, detect::AlertEnvelope::kEve, detect::AlertEnvelope::kEcs}) {
      std::string out;
      detect::AppendAlertJson(a, env, &out);
      if (out.empty() || out.front() != '{' || out.back() != '}') __builtin_trap();
    }
  }
  return 0;
}
