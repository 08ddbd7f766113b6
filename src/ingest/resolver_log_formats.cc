// The query logs resolvers write as text, one class each:
//   BIND 9 query log   27-Nov-2026 05:39:03.751 queries: info: client @0x.. 127.0.0.1#49996 (www.good.test): query:
//   www.good.test IN AAAA +E(0)TK (127.0.10.1) Unbound            [1795772703] unbound[1:0] query: 127.0.0.1
//   www.good.test. A IN
//                      [1795772703] unbound[1:0] reply: 127.0.0.1 www.good.test. A IN NOERROR 0.000000 1 58
//                      (syslog time prefixes, and untagged "info:" lines told apart by field count)
//   dnsmasq / Pi-hole  Nov 27 05:39:45 dnsmasq[15613]: 1 127.0.0.1/51516 query[A] www.good.test from 127.0.0.1
//                      ... 1 127.0.0.1/51516 reply www.good.test is 127.0.10.60   (log-queries=extra)
//   PowerDNS Recursor  msg="Question" ... qname="x.test" qtype="A" remote="127.0.0.1:50408" (structured)
//   CoreDNS log plugin [INFO] 127.0.0.1:55226 - 4372 "A IN example.org. udp 41 false 512" NOERROR qr,rd 76 0.000096s
//   Windows DNS debug  11/27/2026 5:39:03 AM 0E44 PACKET  000001F6B3C0D010 UDP Rcv 127.0.0.1 a1b2   Q [0001   D
//   NOERROR] A (3)www(6)google(3)com(0)
#include <fmt/format.h>

#include <charconv>
#include <chrono>

#include "ingest/internal/log_formats.h"
#include "util/strings.h"
#include "util/time.h"

namespace nsradar::ingest {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Splits on runs of spaces.
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    s = TrimBlanks(s);
    if (s.empty()) break;
    size_t sp = s.find_first_of(" \t");
    out.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp);
  }
  return out;
}

std::string PairKey(const DnsEvent& ev) {
  return fmt::format("{}|{}|{}|{}", ev.client.ToString(), ev.client_port, ev.qname, ev.qtype);
}

// Formats that split a transaction over a query line and a reply line.
class PairedLineFormat : public LineFormat {
 public:
  void Finish(LineContext& ctx) override { pairing_.Flush(ctx); }

 protected:
  int64_t now_ = NowMicros();  // the year of syslog times
  LinePairing pairing_;
};

// ---------------------------------------------------------------- BIND

// "27-Nov-2026 05:39:03.751" -> microseconds, or -1.
int64_t ParseBindTime(std::string_view s) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, ms = 0;
  if (!TakeDigits(&s, 2, &day) || !TakeChar(&s, '-') || s.size() < 4) return -1;
  std::string_view mon = s.substr(0, 3);
  s.remove_prefix(3);
  if (!TakeChar(&s, '-') || !TakeDigits(&s, 4, &year) || !TakeChar(&s, ' ') || !TakeDigits(&s, 2, &hh) ||
      !TakeChar(&s, ':') || !TakeDigits(&s, 2, &mm) || !TakeChar(&s, ':') || !TakeDigits(&s, 2, &ss)) {
    return -1;
  }
  if (TakeChar(&s, '.') && !TakeDigits(&s, 3, &ms)) return -1;
  if (year < 1970 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return -1;
  for (int m = 0; m < 12; ++m) {
    if (mon == kMonths[m]) {
      return UnixFromCivil(year, static_cast<unsigned>(m + 1), static_cast<unsigned>(day), hh, mm, ss) * 1'000'000 +
             ms * 1000;
    }
  }
  return -1;
}

class BindQueryLog : public LineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    size_t client = line.find("client ");
    size_t query = line.find(": query: ");
    if (client == std::string_view::npos || query == std::string_view::npos) return ctx.Skip("bind_not_a_query", line);
    DnsEvent& ev = ctx.event();
    ev.Clear();
    ev.ts_us = ParseBindTime(line);
    if (ev.ts_us < 0) ev.ts_us = 0;  // print-time no: the event has no time
    std::vector<std::string_view> who = Words(line.substr(client + 7, query - client - 7));
    size_t i = 0;
    if (i < who.size() && who[i].starts_with("@0x")) ++i;
    if (i >= who.size() || !ReadLoggedEndpoint(who[i], &ev.client, &ev.client_port)) {
      return ctx.Skip("bind_bad_client", line);
    }
    std::vector<std::string_view> q = Words(line.substr(query + 9));
    // name class type flags (server)
    if (q.size() < 3 || !ReadLoggedName(q[0], &ev)) return ctx.Skip("bind_bad_query", line);
    ev.qclass = q[1] == "IN" ? 1 : q[1] == "CH" ? 3 : 0;
    if (!ReadLoggedType(q[2], &ev.qtype)) return ctx.Skip("bind_bad_type", q[2]);
    if (q.size() >= 4) ev.transport = q[3].find('T') != std::string_view::npos ? Transport::kTcp : Transport::kUdp;
    if (q.size() >= 5 && q[4].size() > 2 && q[4].front() == '(') {
      ev.server = dns::Address::Parse(q[4].substr(1, q[4].size() - 2)).value_or(dns::Address());
    }
    ev.has_query = true;
    ctx.Emit(ev);
  }
};

// ---------------------------------------------------------------- Unbound

class UnboundLog : public PairedLineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    int64_t ts = -1;
    if (line.front() == '[') {
      int64_t sec = 0;
      auto [end, ec] = std::from_chars(line.data() + 1, line.data() + line.size(), sec);
      if (ec == std::errc() && sec >= 0 && sec < kMaxEventSeconds) ts = sec * 1'000'000;
    } else {
      ts = ParseSyslogTime(line, now_);
    }
    size_t tag = line.find("unbound[");
    if (tag == std::string_view::npos) return ctx.Skip("unbound_not_a_log_line", line);
    size_t colon = line.find("] ", tag);
    if (colon == std::string_view::npos) return ctx.Skip("unbound_not_a_log_line", line);
    std::string_view rest = line.substr(colon + 2);
    bool query = false, reply = false;
    if (rest.starts_with("query: ")) {
      query = true;
      rest.remove_prefix(7);
    } else if (rest.starts_with("reply: ")) {
      reply = true;
      rest.remove_prefix(7);
    } else if (rest.starts_with("info: ")) {
      rest.remove_prefix(6);
    } else {
      return;  // start of service, warnings: not traffic
    }
    std::vector<std::string_view> w = Words(rest);
    // client name type class [rcode seconds cached size]
    if (!query && !reply) {
      // Untagged: a query has 4 fields, a reply 8, both led by the client.
      dns::Address a;
      uint16_t p = 0;
      if (w.empty() || !ReadLoggedEndpoint(w[0], &a, &p)) return;  // "service stopped" and the like
      if (w.size() == 4) {
        query = true;
      } else if (w.size() == 8) {
        reply = true;
      } else {
        return;
      }
    }
    if ((query && w.size() != 4) || (reply && w.size() != 8)) return ctx.Skip("unbound_bad_fields", line);
    DnsEvent ev;
    ev.ts_us = ts < 0 ? 0 : ts;
    if (!ReadLoggedEndpoint(w[0], &ev.client, &ev.client_port)) return ctx.Skip("unbound_bad_client", w[0]);
    if (!ReadLoggedName(w[1], &ev)) return ctx.Skip("unbound_bad_name", w[1]);
    if (!ReadLoggedType(w[2], &ev.qtype)) return ctx.Skip("unbound_bad_type", w[2]);
    ev.qclass = w[3] == "IN" ? 1 : w[3] == "CH" ? 3 : 0;
    if (query) {
      ev.has_query = true;
      pairing_.Query(PairKey(ev), ev, ctx);
      return;
    }
    int rcode = -1;
    if (!ReadLoggedRcode(w[4], &rcode)) return ctx.Skip("unbound_bad_rcode", w[4]);
    uint64_t size = 0;
    if (!ReadUnsigned(w[7], UINT32_MAX, &size)) return ctx.Skip("unbound_bad_size", w[7]);
    pairing_.Reply(
        PairKey(ev), ev,
        [&](DnsEvent& e) {
          e.rcode = rcode;
          e.response_size = static_cast<uint32_t>(size);
        },
        ctx);
  }
};

// ---------------------------------------------------------------- dnsmasq

// dnsmasq logs an answer of several records as one reply line per record,
// one after the other (it writes them in one go, so no other line comes
// between). The reply stays open while lines continue it, and is emitted,
// with all its answers, at the first line that does not.
class DnsmasqLog : public PairedLineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    size_t tag = line.find("dnsmasq[");
    if (tag == std::string_view::npos) tag = line.find("pihole-FTL[");
    if (tag == std::string_view::npos) {
      CloseReply(ctx);
      return ctx.Skip("dnsmasq_not_a_log_line", line);
    }
    size_t colon = line.find("]: ", tag);
    if (colon == std::string_view::npos) {
      CloseReply(ctx);
      return ctx.Skip("dnsmasq_not_a_log_line", line);
    }
    int64_t ts = ParseSyslogTime(line, now_);
    std::vector<std::string_view> w = Words(line.substr(colon + 3));
    // log-queries=extra: "<serial> <client>/<port> <what> ..."
    std::string serial;
    dns::Address client;
    uint16_t port = 0;
    size_t i = 0;
    if (w.size() > 2 && std::isdigit(static_cast<unsigned char>(w[0][0])) && w[1].find('/') != std::string_view::npos) {
      serial.assign(w[0]);
      ReadLoggedEndpoint(w[1], &client, &port);
      i = 2;
    }
    // reply/cached/config <name> is <data>: a record of the answer to the
    // query with this serial (or, without serials, this name).
    const bool reply = i < w.size() && (w[i] == "reply" || w[i] == "cached" || w[i] == "config") && w.size() >= i + 4 &&
                       w[i + 2] == "is";
    if (!reply) CloseReply(ctx);
    if (i >= w.size()) return;
    std::string_view what = w[i];
    if (what.starts_with("query[")) {
      // query[A] name from client
      if (w.size() < i + 4 || w[i + 2] != "from") return ctx.Skip("dnsmasq_bad_query", line);
      DnsEvent ev;
      ev.ts_us = ts < 0 ? 0 : ts;
      if (!ReadLoggedType(what.substr(6, what.size() - 7), &ev.qtype)) return ctx.Skip("dnsmasq_bad_type", what);
      if (!ReadLoggedName(w[i + 1], &ev)) return ctx.Skip("dnsmasq_bad_name", w[i + 1]);
      ev.qclass = 1;
      if (client.family) {
        ev.client = client;
        ev.client_port = port;
      } else if (auto a = dns::Address::Parse(w[i + 3])) {
        ev.client = *a;
      }
      ev.has_query = true;
      pairing_.Query(serial.empty() ? "name|" + ev.qname : serial, ev, ctx);
      return;
    }
    if (!reply) return;  // forwarded, validation, DHCP, ...: not events
    DnsEvent probe;
    if (!ReadLoggedName(w[i + 1], &probe)) {
      CloseReply(ctx);
      return ctx.Skip("dnsmasq_bad_name", w[i + 1]);
    }
    std::string key = serial.empty() ? "name|" + probe.qname : serial;
    if (!open_ || key != open_key_) {
      CloseReply(ctx);
      if (!pairing_.Take(key, &reply_)) {  // no query seen: the reply's own view
        reply_ = probe;
        reply_.ts_us = ts < 0 ? 0 : ts;
        reply_.client = client;
        reply_.client_port = port;
      }
      reply_.has_response = true;
      reply_.rcode = 0;
      open_ = true;
      open_key_ = std::move(key);
    }
    std::string_view data = w[i + 3];
    if (data == "NXDOMAIN") {
      reply_.rcode = 3;
    } else if (data == "SERVFAIL") {
      reply_.rcode = 2;
    } else if (data == "REFUSED") {
      reply_.rcode = 5;
    } else if (!data.starts_with("NODATA")) {
      DnsRecordData& r = reply_.answers.emplace_back();
      r.name = probe.qname;
      r.data.assign(data);
    }
  }

  void Finish(LineContext& ctx) override {
    CloseReply(ctx);
    PairedLineFormat::Finish(ctx);
  }

 private:
  void CloseReply(LineContext& ctx) {
    if (!open_) return;
    open_ = false;
    ctx.Emit(reply_);
  }

  bool open_ = false;  // reply_ holds an answer whose record lines may go on
  std::string open_key_;
  DnsEvent reply_;
};

// ---------------------------------------------------------------- PowerDNS

// key="value" pairs of a structured log line.
std::string_view KeyValue(std::string_view line, std::string_view key) {
  std::string pattern = std::string(key) + "=\"";
  for (size_t at = line.find(pattern); at != std::string_view::npos; at = line.find(pattern, at + 1)) {
    if (at > 0 && line[at - 1] != ' ') continue;
    size_t start = at + pattern.size();
    size_t end = line.find('"', start);
    if (end == std::string_view::npos) return {};
    return line.substr(start, end - start);
  }
  return {};
}

class PowerDnsLog : public PairedLineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    std::string_view msg = KeyValue(line, "msg");
    if (msg != "Question" && msg != "Answer") return;  // startup and other messages
    DnsEvent ev;
    std::string_view ts = KeyValue(line, "ts");
    double secs = 0;
    auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), secs);
    ev.ts_us = ec == std::errc() && secs >= 0 && secs < static_cast<double>(kMaxEventSeconds)
                   ? static_cast<int64_t>(secs * 1e6)
                   : ParseSyslogTime(line, now_);
    if (ev.ts_us < 0) ev.ts_us = 0;
    if (!ReadLoggedName(KeyValue(line, "qname"), &ev)) return ctx.Skip("powerdns_bad_qname", line);
    if (!ReadLoggedType(KeyValue(line, "qtype"), &ev.qtype)) return ctx.Skip("powerdns_bad_qtype", line);
    ev.qclass = 1;
    if (!ReadLoggedEndpoint(KeyValue(line, "remote"), &ev.client, &ev.client_port)) {
      return ctx.Skip("powerdns_bad_remote", line);
    }
    std::string_view proto = KeyValue(line, "proto");
    ev.transport = proto == "udp" ? Transport::kUdp : proto == "tcp" ? Transport::kTcp : Transport::kUnknown;
    if (msg == "Question") {
      ev.has_query = true;
      pairing_.Query(PairKey(ev), ev, ctx);
      return;
    }
    int rcode = 0;
    if (std::string_view r = KeyValue(line, "rcode"); !r.empty() && !ReadLoggedRcode(r, &rcode)) {
      return ctx.Skip("powerdns_bad_rcode", r);
    }
    pairing_.Reply(
        PairKey(ev), ev, [&](DnsEvent& e) { e.rcode = rcode; }, ctx);
  }
};

// ---------------------------------------------------------------- CoreDNS

class CoreDnsLog : public LineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    size_t info = line.find("[INFO] ");
    if (info == std::string_view::npos) return;  // [WARNING], [ERROR]: not queries
    DnsEvent& ev = ctx.event();
    ev.Clear();
    if (info > 0) {
      auto t = ParseTime(TrimBlanks(line.substr(0, info)).substr(0, 19));
      if (t && *t >= 0 && *t < kMaxEventSeconds) ev.ts_us = *t * 1'000'000;
    }
    std::string_view rest = line.substr(info + 7);
    size_t q1 = rest.find('"');
    if (q1 == std::string_view::npos) return;  // "[INFO] plugin/reload: ...": not a query
    size_t q2 = rest.find('"', q1 + 1);
    if (q2 == std::string_view::npos) return ctx.Skip("coredns_bad_line", line);
    std::vector<std::string_view> head = Words(rest.substr(0, q1));             // remote - id
    std::vector<std::string_view> q = Words(rest.substr(q1 + 1, q2 - q1 - 1));  // type class name proto size do bufsize
    std::vector<std::string_view> tail = Words(rest.substr(q2 + 1));            // rcode flags size duration
    if (head.size() < 3 || q.size() < 4 || tail.empty()) return ctx.Skip("coredns_bad_line", line);
    if (!ReadLoggedEndpoint(head[0], &ev.client, &ev.client_port)) return ctx.Skip("coredns_bad_remote", head[0]);
    // id, and the sizes where logged: in range or the line is skipped.
    uint64_t id = 0, query_size = 0, response_size = 0;
    if (!ReadUnsigned(head[2], 65535, &id)) return ctx.Skip("coredns_bad_number", head[2]);
    if (q.size() > 4 && !ReadUnsigned(q[4], UINT32_MAX, &query_size)) return ctx.Skip("coredns_bad_number", q[4]);
    if (tail.size() > 2 && !ReadUnsigned(tail[2], UINT32_MAX, &response_size)) {
      return ctx.Skip("coredns_bad_number", tail[2]);
    }
    ev.id = static_cast<uint16_t>(id);
    ev.query_size = static_cast<uint32_t>(query_size);
    ev.response_size = static_cast<uint32_t>(response_size);
    if (!ReadLoggedType(q[0], &ev.qtype)) return ctx.Skip("coredns_bad_type", q[0]);
    ev.qclass = q[1] == "IN" ? 1 : 0;
    if (!ReadLoggedName(q[2], &ev)) return ctx.Skip("coredns_bad_name", q[2]);
    ev.transport = q[3] == "tcp" ? Transport::kTcp : Transport::kUdp;
    ev.has_query = true;
    if (ReadLoggedRcode(tail[0], &ev.rcode)) ev.has_response = true;
    ctx.Emit(ev);
  }
};

// ---------------------------------------------------------------- Windows DNS

// "(3)www(6)google(3)com(0)" -> "www.google.com".
bool WindowsName(std::string_view s, std::string* out) {
  out->clear();
  while (!s.empty()) {
    if (s.front() != '(') return false;
    size_t close = s.find(')');
    if (close == std::string_view::npos) return false;
    int n = 0;
    auto [end, ec] = std::from_chars(s.data() + 1, s.data() + close, n);
    if (ec != std::errc() || n < 0 || n > 63) return false;
    s.remove_prefix(close + 1);
    if (n == 0) return s.empty();
    if (static_cast<size_t>(n) > s.size()) return false;
    if (!out->empty()) out->push_back('.');
    out->append(s.substr(0, static_cast<size_t>(n)));
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

class WindowsDnsLog : public PairedLineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    size_t packet = line.find(" PACKET ");
    if (packet == std::string_view::npos) return;  // headers, EVENT, Note: lines
    std::vector<std::string_view> w = Words(line.substr(packet + 8));
    // context proto dir remote xid [R] opcode [flags... rcode] type name
    if (w.size() < 7) return ctx.Skip("windows_dns_bad_line", line);
    size_t i = 1;
    std::string_view proto = w[i++], dir = w[i++], remote = w[i++], xid = w[i++];
    bool response = w[i] == "R";
    if (response) ++i;
    size_t open = line.find('[', packet), close = line.find(']', packet);
    if (open == std::string_view::npos || close == std::string_view::npos)
      return ctx.Skip("windows_dns_bad_line", line);
    std::vector<std::string_view> flags = Words(line.substr(open + 1, close - open - 1));
    std::vector<std::string_view> after = Words(line.substr(close + 1));
    if (after.size() < 2) return ctx.Skip("windows_dns_bad_line", line);
    DnsEvent ev;
    // "11/27/2026 5:39:03 AM": month/day/year, 12-hour clock.
    int mo = 0, d = 0, y = 0, hh = 0, mm = 0, ss = 0;
    std::string_view when = TrimBlanks(line.substr(0, packet));
    if (TakeDigits(&when, 2, &mo) && TakeChar(&when, '/') && TakeDigits(&when, 2, &d) && TakeChar(&when, '/') &&
        TakeDigits(&when, 4, &y) && TakeChar(&when, ' ') && TakeDigits(&when, 2, &hh) && TakeChar(&when, ':') &&
        TakeDigits(&when, 2, &mm) && TakeChar(&when, ':') && TakeDigits(&when, 2, &ss)) {
      if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) {
        return ctx.Skip("windows_dns_bad_time", line);
      }
      when = TrimBlanks(when);
      if (when.starts_with("PM") && hh < 12) hh += 12;
      if (when.starts_with("AM") && hh == 12) hh = 0;
      ev.ts_us = UnixFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d), hh, mm, ss) * 1'000'000;
    }
    std::string name;
    if (!WindowsName(after[1], &name) || !ReadLoggedName(name, &ev)) return ctx.Skip("windows_dns_bad_name", after[1]);
    if (!ReadLoggedType(after[0], &ev.qtype)) return ctx.Skip("windows_dns_bad_type", after[0]);
    ev.qclass = 1;
    ev.transport = proto == "TCP" ? Transport::kTcp : Transport::kUdp;
    unsigned id = 0;
    auto [id_end, id_ec] = std::from_chars(xid.data(), xid.data() + xid.size(), id, 16);
    if (id_ec != std::errc() || id_end != xid.data() + xid.size() || id > 0xffff) {
      return ctx.Skip("windows_dns_bad_id", xid);
    }
    ev.id = static_cast<uint16_t>(id);
    if (!ReadLoggedEndpoint(remote, &ev.client, &ev.client_port)) return ctx.Skip("windows_dns_bad_remote", remote);
    // Only the server's side with its clients: queries received, responses sent.
    if (!response && dir == "Rcv") {
      ev.has_query = true;
      pairing_.Query(fmt::format("{}|{}", ev.client.ToString(), ev.id), ev, ctx);
    } else if (response && dir == "Snd") {
      int rcode = 0;
      if (!flags.empty()) ReadLoggedRcode(flags.back(), &rcode);
      pairing_.Reply(
          fmt::format("{}|{}", ev.client.ToString(), ev.id), ev, [&](DnsEvent& e) { e.rcode = rcode; }, ctx);
    }
  }
};

}  // namespace

bool LooksLikeBindQueryLog(std::string_view line) {
  return line.find(" client ") != std::string::npos && line.find(": query: ") != std::string::npos;
}
bool LooksLikeUnboundLog(std::string_view line) { return line.find(" unbound[") != std::string::npos; }
bool LooksLikeDnsmasqLog(std::string_view line) {
  return line.find(" dnsmasq[") != std::string::npos || line.find(" pihole-FTL[") != std::string::npos;
}
bool LooksLikePowerDnsLog(std::string_view line) {
  return line.find("msg=\"") != std::string::npos && line.find("subsystem=\"") != std::string::npos;
}
bool LooksLikeCoreDnsLog(std::string_view line) {
  return line.find("[INFO] ") != std::string::npos && std::count(line.begin(), line.end(), '"') >= 2;
}
bool LooksLikeWindowsDnsLog(std::string_view line) {
  return line.find(" PACKET ") != std::string::npos || line.starts_with("DNS Server log file");
}

std::unique_ptr<LineFormat> NewBindQueryLogFormat() { return std::make_unique<BindQueryLog>(); }
std::unique_ptr<LineFormat> NewUnboundLogFormat() { return std::make_unique<UnboundLog>(); }
std::unique_ptr<LineFormat> NewDnsmasqLogFormat() { return std::make_unique<DnsmasqLog>(); }
std::unique_ptr<LineFormat> NewPowerDnsLogFormat() { return std::make_unique<PowerDnsLog>(); }
std::unique_ptr<LineFormat> NewCoreDnsLogFormat() { return std::make_unique<CoreDnsLog>(); }
std::unique_ptr<LineFormat> NewWindowsDnsLogFormat() { return std::make_unique<WindowsDnsLog>(); }

}  // namespace nsradar::ingest
