// JSON-lines DNS logs: Zeek's dns.log in JSON, and Suricata EVE `dns`
// events in the v2 layout (type query/answer, rrname, grouped or detailed
// answers) and the v3 layout (type request/response, queries[] and
// answers[]; Suricata 8's default), plus the `dns` object of `alert`
// events. EVE splits a transaction into a query and an answer event; they
// are paired by client endpoint and message id.
#include <fmt/format.h>
#include <simdjson.h>

#include <deque>
#include <unordered_set>

#include "ingest/internal/log_formats.h"
#include "util/time.h"

namespace nsradar::ingest {
namespace {

// The DOM API rather than On-Demand: a log line is small, fields are read
// in any order, and a malformed line must leave no iterator in a bad state
// (the fuzzer found On-Demand crashing after an error).
using object = simdjson::dom::object;

std::string_view Str(const object& o, std::string_view key) {
  std::string_view v;
  if (o.at_key(key).get_string().get(v)) return {};
  return v;
}

// The integer field `key` into *out when present (absent or null leaves
// *out as it is). A value that is not a whole number in [0, max] (negative,
// fractional, too large, a string) is counted as json_bad_number, naming
// the field, and false tells the caller to skip the line.
bool Number(const object& o, std::string_view key, uint64_t max, uint64_t* out, LineContext& ctx) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e) || e.is_null()) return true;
  uint64_t v;
  if (!e.get_uint64().get(v) && v <= max) {
    *out = v;
    return true;
  }
  ctx.Skip("json_bad_number", fmt::format("{}: {}", key, simdjson::minify(e)));
  return false;
}

class JsonLogFormat : public LineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    if (line.front() != '{') return ctx.Skip("json_not_an_object", line);
    padded_.assign(line);
    padded_.append(simdjson::SIMDJSON_PADDING, ' ');
    object root;
    if (parser_.parse(padded_.data(), line.size(), false).get_object().get(root)) {
      return ctx.Skip("json_invalid", line);
    }
    std::string_view event_type = Str(root, "event_type");
    if (!event_type.empty()) return Eve(root, event_type, line, ctx);
    Zeek(root, line, ctx);
  }

  void Finish(LineContext& ctx) override { pairing_.Flush(ctx); }

 private:
  void Zeek(const object& o, std::string_view line, LineContext& ctx) {
    DnsEvent& ev = ctx.event();
    ev.Clear();
    // ts: epoch seconds (default) or an ISO 8601 string (JSON::TS_ISO8601).
    simdjson::dom::element ts_value;
    if (o.at_key("ts").get(ts_value)) return ctx.Skip("zeek_bad_time", line);
    double ts = 0;
    std::string_view ts_text;
    if (!ts_value.get_double().get(ts) && ts >= 0 && ts < 1e12) {
      ev.ts_us = static_cast<int64_t>(ts * 1e6 + 0.5);
    } else if (!ts_value.get_string().get(ts_text)) {
      auto t = ParseTime(ts_text.substr(0, 19));
      if (!t || *t < 0 || *t >= kMaxEventSeconds) return ctx.Skip("zeek_bad_time", line);
      ev.ts_us = *t * 1'000'000;
    } else {
      return ctx.Skip("zeek_bad_time", line);
    }
    std::string_view query = Str(o, "query");
    if (query.empty()) return ctx.Skip("zeek_no_query", line);
    if (!ReadLoggedName(query, &ev)) return ctx.Skip("zeek_bad_query", query);
    if (auto a = dns::Address::Parse(Str(o, "id.orig_h"))) ev.client = *a;
    if (auto a = dns::Address::Parse(Str(o, "id.resp_h"))) ev.server = *a;
    constexpr uint64_t kNoRcode = UINT64_MAX;
    uint64_t client_port = 0, server_port = 0, id = 0, qclass = 0, qtype = 0, rcode = kNoRcode;
    if (!Number(o, "id.orig_p", 65535, &client_port, ctx) || !Number(o, "id.resp_p", 65535, &server_port, ctx) ||
        !Number(o, "trans_id", 65535, &id, ctx) || !Number(o, "qclass", 65535, &qclass, ctx) ||
        !Number(o, "qtype", 65535, &qtype, ctx) || !Number(o, "rcode", 4095, &rcode, ctx)) {
      return;
    }
    ev.client_port = static_cast<uint16_t>(client_port);
    ev.server_port = static_cast<uint16_t>(server_port);
    std::string_view proto = Str(o, "proto");
    ev.transport = proto == "udp" ? Transport::kUdp : proto == "tcp" ? Transport::kTcp : Transport::kUnknown;
    ev.id = static_cast<uint16_t>(id);
    ev.qclass = static_cast<uint16_t>(qclass);
    ev.qtype = static_cast<uint16_t>(qtype);
    ev.has_query = true;
    ev.has_response = rcode != kNoRcode;
    ev.rcode = ev.has_response ? static_cast<int>(rcode) : -1;
    simdjson::dom::array answers;
    if (!o.at_key("answers").get_array().get(answers)) {
      for (auto a : answers) {
        std::string_view data;
        if (a.get_string().get(data)) continue;
        DnsRecordData& r = ev.answers.emplace_back();
        r.name = ev.qname;
        r.data.assign(data);
      }
      ev.has_response = true;
    }
    ctx.Emit(ev);
  }

  void Eve(const object& o, std::string_view event_type, std::string_view line, LineContext& ctx) {
    if (event_type != "dns" && event_type != "alert") return;  // flow, http, ...: not ours, not an error
    DnsEvent ev;
    std::string_view ts = Str(o, "timestamp");
    auto t = ParseTime(ts.substr(0, 19));
    if (!t || *t < 0 || *t >= kMaxEventSeconds) return ctx.Skip("eve_bad_timestamp", line);
    int64_t us = *t * 1'000'000;
    if (ts.size() > 20 && ts[19] == '.') {
      int64_t frac = 0;
      size_t k = 20;
      for (; k < ts.size() && k < 26 && std::isdigit(static_cast<unsigned char>(ts[k])); ++k)
        frac = frac * 10 + (ts[k] - '0');
      for (; k < 26; ++k) frac *= 10;
      us += frac;
    }
    dns::Address src, dst;
    if (auto a = dns::Address::Parse(Str(o, "src_ip"))) src = *a;
    if (auto a = dns::Address::Parse(Str(o, "dest_ip"))) dst = *a;
    uint64_t src_port = 0, dest_port = 0;
    if (!Number(o, "src_port", 65535, &src_port, ctx) || !Number(o, "dest_port", 65535, &dest_port, ctx)) return;
    const auto sport = static_cast<uint16_t>(src_port), dport = static_cast<uint16_t>(dest_port);
    std::string_view proto = Str(o, "proto");
    Transport transport = proto == "UDP" ? Transport::kUdp : proto == "TCP" ? Transport::kTcp : Transport::kUnknown;
    object d;
    if (o.at_key("dns").get_object().get(d)) {
      if (event_type == "dns") ctx.Skip("eve_no_dns_object", line);
      return;
    }
    std::string_view type = Str(d, "type");
    uint64_t message_id = 0;
    if (!Number(d, "id", 65535, &message_id, ctx)) return;
    std::string rrname, rrtype;
    // v2 carries the question in rrname/rrtype; v3 in queries[0].
    if (auto name = Str(d, "rrname"); !name.empty()) {
      rrname = name;
      rrtype = Str(d, "rrtype");
    } else {
      // v3 "queries", or the "query" list of v2 alerts.
      simdjson::dom::array queries;
      if (!d.at_key("queries").get_array().get(queries) || !d.at_key("query").get_array().get(queries)) {
        for (auto q : queries) {
          object qo;
          if (q.get_object().get(qo)) break;
          rrname = Str(qo, "rrname");
          rrtype = Str(qo, "rrtype");
          if (type.empty()) type = Str(qo, "type");
          if (message_id == 0 && !Number(qo, "id", 65535, &message_id, ctx)) return;
          break;
        }
      }
    }
    if (rrname.empty()) return ctx.Skip("eve_no_question", line);
    const auto id = static_cast<uint16_t>(message_id);
    const bool query = type == "query" || type == "request";
    if (!query && type != "answer" && type != "response") return ctx.Skip("eve_unknown_dns_type", type);
    ev.ts_us = us;
    if (!ReadLoggedName(rrname, &ev)) return ctx.Skip("eve_bad_rrname", rrname);
    if (!ReadLoggedType(rrtype, &ev.qtype)) ev.qtype = 0;
    ev.qclass = 1;
    ev.id = id;
    ev.transport = transport;
    if (query) {
      ev.client = src;
      ev.client_port = sport;
      ev.server = dst;
      ev.server_port = dport;
      ev.has_query = true;
      std::string key = Key(ev.client, ev.client_port, id);
      if (event_type == "alert") {
        // An alert's dns object repeats a transaction the dns events may
        // already have logged; it is an event only when they did not.
        if (!seen_.contains(key)) ctx.Emit(ev);
        return;
      }
      Remember(key);
      pairing_.Query(key, ev, ctx);
      return;
    }
    int rcode = -1;
    if (!ReadLoggedRcode(Str(d, "rcode"), &rcode)) rcode = 0;
    std::vector<DnsRecordData> answers;
    simdjson::dom::array list;
    if (!d.at_key("answers").get_array().get(list)) {
      for (auto a : list) {
        object ao;
        if (a.get_object().get(ao)) continue;
        DnsRecordData r;
        r.name = Str(ao, "rrname");
        uint16_t rt = 0;
        if (ReadLoggedType(Str(ao, "rrtype"), &rt)) r.type = rt;
        uint64_t ttl = 0;
        if (!Number(ao, "ttl", UINT32_MAX, &ttl, ctx)) return;
        r.ttl = static_cast<uint32_t>(ttl);
        r.data = Str(ao, "rdata");
        answers.push_back(std::move(r));
      }
    }
    // Alone, the answer's view: its destination is the client.
    ev.client = dst;
    ev.client_port = dport;
    ev.server = src;
    ev.server_port = sport;
    pairing_.Reply(
        Key(dst, dport, id), ev,
        [&](DnsEvent& e) {
          e.rcode = rcode;
          e.answers = answers;
        },
        ctx);
  }

  void Remember(const std::string& key) {
    if (!seen_.insert(key).second) return;
    seen_order_.push_back(key);
    if (seen_order_.size() > 65536) {
      seen_.erase(seen_order_.front());
      seen_order_.pop_front();
    }
  }

  static std::string Key(const dns::Address& client, uint16_t port, uint16_t id) {
    return fmt::format("{}|{}|{}", client.ToString(), port, id);
  }

  simdjson::dom::parser parser_;
  std::string padded_;
  LinePairing pairing_;
  // Transactions the dns events logged lately, to tell alerts' repeats.
  std::unordered_set<std::string> seen_;
  std::deque<std::string> seen_order_;
};

}  // namespace

bool LooksLikeSuricataEve(std::string_view line) {
  return line.starts_with("{") && line.find("\"event_type\"") != std::string_view::npos;
}
bool LooksLikeZeekJson(std::string_view line) {
  return line.starts_with("{") && !LooksLikeSuricataEve(line) &&
         (line.find("\"id.orig_h\"") != std::string_view::npos || line.find("\"query\"") != std::string_view::npos);
}

std::unique_ptr<LineFormat> NewJsonLogFormat() { return std::make_unique<JsonLogFormat>(); }

}  // namespace nsradar::ingest
