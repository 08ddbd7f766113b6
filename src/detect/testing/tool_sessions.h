// Tool sessions: the DNS traffic of tunneling, exfiltration and C2 tools
// that are not run by tests/tunnels (not in Debian, or only their
// handshakes), generated from each tool's published protocol and source,
// for recall tests. Not a capture of anything: every name, type, answer,
// size and time is computed here from the tool's rules, and each
// generator's comment in tool_sessions.cc names the source it follows and
// what it had to assume. docs/tool-protocols.md describes the traffic;
// tool_sessions_test.cc decodes it back against each protocol.
//
// A session is the transactions between one client and the DNS server it
// asks (usually its resolver), as a sensor beside that server sees them:
// one DnsEvent per query with its response (none when the query goes
// unanswered), in time order, with the registered domain set from the
// default public suffix list. Deterministic for SessionContext::seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/address.h"
#include "dns/rr_type.h"
#include "ingest/event.h"

namespace nsradar::detect::testing {

struct SessionContext {
  dns::Address client = *dns::Address::Parse("10.1.7.23");
  dns::Address resolver = *dns::Address::Parse("10.1.0.1");
  int64_t start_us = 1'790'000'000'000'000;
  // Query to answer through the resolver to the tool's server and back.
  int64_t rtt_us = 40'000;
  uint64_t seed = 1;
};

// dnscat2 (iagox86/dnscat2, client v0.07): a command session.
struct Dnscat2Options {
  std::string domain = "c2.example.com";  // --dns domain=
  // No domain: "dnscat.<hex>" sent straight to `server` (--dns server=),
  // instead of "<hex>.<domain>" through the resolver.
  bool prefix_mode = false;
  dns::Address server = *dns::Address::Parse("203.0.113.53");
  std::vector<uint16_t> qtypes = {dns::rr::kTXT, dns::rr::kCNAME, dns::rr::kMX};  // type=; one drawn per query
  bool encrypted = true;                                                          // false: --no-encryption
  size_t bytes_up = 0;                                                            // client to server (command output)
  size_t bytes_down = 0;         // server to client (the operator's commands)
  int64_t idle_us = 0;           // empty polls after the data, a shell left open
  int64_t delay_us = 1'000'000;  // --delay between polls without data
  bool close = true;             // ends with the client's FIN
};
std::vector<ingest::DnsEvent> Dnscat2Session(const SessionContext& ctx, const Dnscat2Options& o);

// DNSExfiltrator (Arno0x/DNSExfiltrator, dnsExfiltrator.cs): one file.
struct DnsExfiltratorOptions {
  std::string domain = "exfil.example.net";
  std::string file_name = "passwords.xlsx";
  size_t file_size = 4096;
  bool base32 = false;         // -b32 (also forced by h=cloudflare); default Base64URL
  int request_max_size = 255;  // r=; the tool takes only values below 255
  int label_max_size = 63;     // l=; the tool takes only values below 63
  int64_t throttle_us = 0;     // t=
};
std::vector<ingest::DnsEvent> DnsExfiltratorSession(const SessionContext& ctx, const DnsExfiltratorOptions& o);

// Cobalt Strike DNS Beacon (4.x, default malleable dns-beacon block).
enum class BeaconChannel { kA, kAAAA, kTxt };  // `mode dns`, `mode dns6`, `mode dns-txt` (the default)
struct CobaltStrikeDnsOptions {
  std::string domain = "updates.example.org";  // a DNS Host of the listener
  int64_t sleep_us = 60'000'000;
  int jitter_percent = 0;
  int checkins = 20;  // pings, the first at start
  // The check-ins (0-based) at which a task waits; at the others the beacon
  // only pings. The first task also asks for the beacon's metadata.
  std::vector<int> task_checkins;
  size_t task_bytes = 64;   // each task's arguments
  size_t output_bytes = 0;  // each task's output, sent back
  BeaconChannel channel = BeaconChannel::kTxt;
  // dns-beacon profile settings.
  std::string beacon = "", get_a = "cdn.", get_aaaa = "www6.", get_txt = "api.", put_metadata = "www.",
              put_output = "post.";
  uint32_t dns_idle = 0;     // 0.0.0.0, big endian
  int maxdns = 255;          // longest name when uploading
  int dns_max_txt = 252;     // longest TXT answer when downloading
  int64_t dns_sleep_us = 0;  // between the requests of one transfer
};
std::vector<ingest::DnsEvent> CobaltStrikeDnsSession(const SessionContext& ctx, const CobaltStrikeDnsOptions& o);

// Sliver DNS C2 (BishopFox/sliver 1.5), an interactive session.
struct SliverDnsOptions {
  std::string domain = "ns1.example.io";  // the listener's parent domain
  size_t register_bytes = 420;            // the Register envelope, before encryption
  int tasks = 1;                          // tasks, one every `polls_between_tasks` polls
  int polls_between_tasks = 20;
  size_t task_bytes = 120, result_bytes = 2000;  // each envelope, before encryption
  int64_t idle_us = 30'000'000;                  // polling after the last task
};
std::vector<ingest::DnsEvent> SliverDnsSession(const SessionContext& ctx, const SliverDnsOptions& o);

// iodine 0.7 (yarrick/iodine): the client's handshake, then idle pings.
struct IodineOptions {
  std::string topdomain = "t.example.com";
  uint16_t qtype = 0;         // -T NULL or TXT; 0: autodetect, as by default
  char downstream_codec = 0;  // -O: 'T' Base32, 'S' Base64, 'U' Base64u, 'V' Base128, 'R' Raw; 0: autodetect
  bool raw_mode = true;       // false: -r
  bool lazy = true;           // -L
  // What the DNS path between client and server lets through.
  bool path_passes_null = true;  // NULL and PRIVATE queries get answers
  bool path_keeps_8bit = true;   // bytes 0xBC-0xFD in names and answers arrive intact
  bool path_keeps_case = true;
  bool raw_udp_reaches_server = false;  // a direct UDP login to the server succeeds (then DNS stops)
  int path_max_fragsize = 1200;         // the largest downstream fragment that arrives
  int pings = 3;                        // idle pings after the handshake
};
std::vector<ingest::DnsEvent> IodineSession(const SessionContext& ctx, const IodineOptions& o);

// dns2tcp 0.5 (dns2tcpc): authentication, then a resource listing or a
// connection and its idle polls.
struct Dns2tcpOptions {
  std::string domain = "d.example.com";  // -z
  uint16_t qtype = dns::rr::kTXT;        // -T TXT or KEY (25)
  std::string resource = "ssh";          // -r; empty: list the server's resources
  std::vector<std::string> server_resources = {"ssh:127.0.0.1:22", "smtp:127.0.0.1:25"};
  bool compression = false;  // -c
  int polls = 8;             // idle NOP polls after connecting
  // Each idle NOP is answered and replaced at this pace (measured in
  // tests/tunnels against dns2tcpd through Unbound).
  int64_t poll_interval_us = 50'000;
};
std::vector<ingest::DnsEvent> Dns2tcpSession(const SessionContext& ctx, const Dns2tcpOptions& o);

}  // namespace nsradar::detect::testing
