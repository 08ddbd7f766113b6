// Zeek dns.log in its default tab-separated form. Columns come from the
// `#fields` header (so Zeek versions that add columns, like 8.1's opcode,
// read the same); `#unset_field` and `#empty_field` markers; vectors split
// on `#set_separator`; \xNN escapes in strings.
#include <charconv>
#include <cstring>
#include <vector>

#include "ingest/internal/log_formats.h"

namespace nsradar::ingest {
namespace {

enum Column {
  kTs,
  kOrigH,
  kOrigP,
  kRespH,
  kRespP,
  kProto,
  kTransId,
  kQuery,
  kQclass,
  kQtype,
  kRcode,
  kAnswers,
  kTtls,
  kColumns
};
constexpr const char* kColumnNames[kColumns] = {"ts",    "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                                                "proto", "trans_id",  "query",     "qclass",    "qtype",
                                                "rcode", "answers",   "TTLs"};

// Zeek writes bytes it will not print as \xNN; DNS presentation wants \DDD.
std::string ZeekUnescape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 3 < in.size() + 0 && in[i + 1] == 'x' &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2])) && std::isxdigit(static_cast<unsigned char>(in[i + 3]))) {
      unsigned v = 0;
      std::from_chars(in.data() + i + 2, in.data() + i + 4, v, 16);
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03u", v);
      out += buf;
      i += 3;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// "1300475167.096535" -> microseconds, without floating point. Digits
// only: no sign, no exponent.
bool ParseZeekTime(std::string_view s, int64_t* us) {
  size_t dot = s.find('.');
  uint64_t sec = 0;
  if (!ReadUnsigned(s.substr(0, dot), kMaxEventSeconds - 1, &sec)) return false;
  uint64_t frac = 0;
  if (dot != std::string_view::npos) {
    std::string_view f = s.substr(dot + 1, 6);
    if (!f.empty() && !ReadUnsigned(f, 999'999, &frac)) return false;
    for (size_t k = f.size(); k < 6; ++k) frac *= 10;
  }
  *us = static_cast<int64_t>(sec * 1'000'000 + frac);
  return true;
}

// A TTL as Zeek logs it ("300.0"): a number of seconds that fits the
// record's 32 bits. NaN, infinities, negatives and 4.4e111 do not.
bool ParseZeekTtl(std::string_view s, uint32_t* ttl) {
  double t = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), t);
  if (ec != std::errc() || end != s.data() + s.size() || !(t >= 0 && t <= 4294967295.0)) return false;
  *ttl = static_cast<uint32_t>(t);
  return true;
}

class ZeekTsvFormat : public LineFormat {
 public:
  void Line(std::string_view line, LineContext& ctx) override {
    if (line.front() == '#') return Header(line, ctx);
    if (!have_fields_) return ctx.Skip("zeek_no_fields_header", line);
    // Split into at most as many fields as the header names.
    fields_.clear();
    while (true) {
      const char* tab = static_cast<const char*>(std::memchr(line.data(), sep_, line.size()));
      if (!tab) {
        fields_.push_back(line);
        break;
      }
      fields_.emplace_back(line.data(), static_cast<size_t>(tab - line.data()));
      line.remove_prefix(static_cast<size_t>(tab - line.data()) + 1);
    }
    if (fields_.size() != field_count_) return ctx.Skip("zeek_wrong_field_count", fields_.empty() ? "" : fields_[0]);
    auto get = [&](Column c) -> std::string_view {
      if (index_[c] < 0) return unset_;
      return fields_[static_cast<size_t>(index_[c])];
    };
    DnsEvent& ev = ctx.event();
    ev.Clear();
    std::string_view query = get(kQuery);
    if (query == unset_ || query == empty_) return ctx.Skip("zeek_no_query", get(kTs));
    if (!ParseZeekTime(get(kTs), &ev.ts_us)) return ctx.Skip("zeek_bad_time", get(kTs));
    bool escaped = query.find("\\x") != std::string_view::npos;
    if (!ReadLoggedName(escaped ? std::string_view(unescaped_ = ZeekUnescape(query)) : query, &ev)) {
      return ctx.Skip("zeek_bad_query", query);
    }
    if (auto a = dns::Address::Parse(get(kOrigH))) ev.client = *a;
    if (auto a = dns::Address::Parse(get(kRespH))) ev.server = *a;
    // Numbers are unset ("-") or in their field's range; anything else makes
    // the line a skip that names the field.
    uint64_t client_port = 0, server_port = 0, id = 0, qclass = 0, qtype = 0, rcode = 0;
    const struct {
      Column column;
      uint64_t max;
      uint64_t* out;
    } numbers[] = {{kOrigP, 65535, &client_port}, {kRespP, 65535, &server_port}, {kTransId, 65535, &id},
                   {kQclass, 65535, &qclass},     {kQtype, 65535, &qtype},       {kRcode, 4095, &rcode}};
    for (const auto& n : numbers) {
      std::string_view text = get(n.column);
      if (text == unset_ || text == empty_) continue;
      if (!ReadUnsigned(text, n.max, n.out)) {
        return ctx.Skip("zeek_bad_number", std::string(kColumnNames[n.column]) + " " + std::string(text));
      }
    }
    ev.client_port = static_cast<uint16_t>(client_port);
    ev.server_port = static_cast<uint16_t>(server_port);
    ev.id = static_cast<uint16_t>(id);
    ev.qclass = static_cast<uint16_t>(qclass);
    ev.qtype = static_cast<uint16_t>(qtype);
    std::string_view proto = get(kProto);
    ev.transport = proto == "udp" ? Transport::kUdp : proto == "tcp" ? Transport::kTcp : Transport::kUnknown;
    ev.has_query = true;
    if (std::string_view r = get(kRcode); r != unset_ && r != empty_) {
      ev.rcode = static_cast<int>(rcode);
      ev.has_response = true;
    }
    std::string_view answers = get(kAnswers), ttls = get(kTtls);
    if (answers != unset_ && answers != empty_) {
      ev.has_response = true;
      while (!answers.empty()) {
        DnsRecordData& r = ev.answers.emplace_back();
        r.name = ev.qname;
        r.data.assign(NextField(&answers, set_sep_));
        std::string_view ttl = ttls == unset_ || ttls == empty_ ? std::string_view() : NextField(&ttls, set_sep_);
        if (!ttl.empty() && !ParseZeekTtl(ttl, &r.ttl)) return ctx.Skip("zeek_bad_ttl", ttl);
      }
    }
    ctx.Emit(ev);
  }

 private:
  void Header(std::string_view line, LineContext& ctx) {
    std::string_view rest = line;
    std::string_view key = NextField(&rest, line.starts_with("#separator") ? ' ' : sep_);
    if (key == "#separator") {
      if (rest.starts_with("\\x") && rest.size() == 4) {
        unsigned v = 0;
        std::from_chars(rest.data() + 2, rest.data() + 4, v, 16);
        sep_ = static_cast<char>(v);
      } else if (rest.size() == 1) {
        sep_ = rest[0];
      } else {
        ctx.Skip("zeek_bad_header", line);
      }
    } else if (key == "#set_separator") {
      if (rest.size() == 1) set_sep_ = rest[0];
    } else if (key == "#unset_field") {
      unset_store_.assign(rest);
      unset_ = unset_store_;
    } else if (key == "#empty_field") {
      empty_store_.assign(rest);
      empty_ = empty_store_;
    } else if (key == "#fields") {
      std::fill(std::begin(index_), std::end(index_), -1);
      field_count_ = 0;
      while (!rest.empty() || field_count_ == 0) {
        std::string_view name = NextField(&rest, sep_);
        for (int c = 0; c < kColumns; ++c) {
          if (name == kColumnNames[c]) index_[c] = static_cast<int>(field_count_);
        }
        ++field_count_;
        if (rest.empty()) break;
      }
      have_fields_ = index_[kQuery] >= 0 && index_[kTs] >= 0;
      if (!have_fields_) ctx.Skip("zeek_not_a_dns_log", "no ts or query column");
    }
  }

  char sep_ = '\t', set_sep_ = ',';
  std::string unset_store_ = "-", empty_store_ = "(empty)";
  std::string_view unset_ = unset_store_, empty_ = empty_store_;
  bool have_fields_ = false;
  size_t field_count_ = 0;
  int index_[kColumns];
  std::vector<std::string_view> fields_;
  std::string unescaped_;
};

}  // namespace

bool LooksLikeZeekTsv(std::string_view line) { return line.starts_with("#separator") || line.starts_with("#fields"); }

std::unique_ptr<LineFormat> NewZeekTsvFormat() { return std::make_unique<ZeekTsvFormat>(); }

}  // namespace nsradar::ingest
