// PassiveDns: the reverse-NS facts in observed traffic. NS records of
// responses (answer and authority sections) become (name server, domain)
// observations; A and AAAA answers become address observations when their
// owner is a name server (seen as an NS target in this stream, or known to
// the caller), and so does glue (the additional section's A and AAAA) for
// the name servers of the response's authority section. Resolver-side
// referrals thus give every delegation the resolver walks: the zone cut (the
// authority records' owner), its name servers and their glue. Records
// outside the event's bailiwick, when it has one, are not taken. Nothing
// here touches the store: the caller drains batches into
// nsdb::Store::Observe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "dns/address.h"
#include "ingest/event.h"

namespace nsradar::ingest {

struct PassiveNsRecord {
  std::string ns, domain;
  int64_t time = 0;  // UNIX seconds
};
struct PassiveAddressRecord {
  std::string host;
  dns::Address address;
  int64_t time = 0;
};

class PassiveDns {
 public:
  // `is_known_ns` answers whether a host is a name server the index already
  // knows (may be null).
  explicit PassiveDns(std::function<bool(const std::string&)> is_known_ns = nullptr)
      : is_known_ns_(std::move(is_known_ns)) {}

  void Add(const DnsEvent& ev);
  size_t pending() const { return ns_records_.size() + address_records_.size(); }
  // Moves the collected observations out.
  void Drain(std::vector<PassiveNsRecord>* ns, std::vector<PassiveAddressRecord>* addresses);

 private:
  static constexpr size_t kMaxRememberedHosts = 1 << 20;
  std::function<bool(const std::string&)> is_known_ns_;
  std::unordered_set<std::string> ns_hosts_;    // NS targets seen, bounded
  std::vector<std::string> authority_targets_;  // of the event in Add, kept for its capacity
  std::vector<PassiveNsRecord> ns_records_;
  std::vector<PassiveAddressRecord> address_records_;
};

}  // namespace nsradar::ingest
