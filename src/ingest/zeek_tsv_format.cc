// Zeek dns.log in its default tab-separated form. Columns come from the
// `#fields` header (so Zeek versions that add columns, like 8.1's opcode,
// read the same); `#unset_field` and `#empty_field` markers; vectors split
// on `#set_separator`; \xNN escapes in strings.
#include <charconv>
#include <cstring>
#include <vector>

#include "ingest/log_formats.h"

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

template <typename T>
bool ParseUint(std::string_view s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "1300475167.096535" -> microseconds, without floating point.
bool ParseZeekTime(std::string_view s, int64_t* us) {
  size_t dot = s.find('.');
  int64_t sec = 0;
  if (!ParseUint(s.substr(0, dot), &sec) || sec >= kMaxLogSeconds) return false;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    std::string_view f = s.substr(dot + 1, 6);
    if (!f.empty() && !ParseUint(f, &frac)) return false;
    for (size_t k = f.size(); k < 6; ++k) frac *= 10;
  }
  *us = sec * 1'000'000 + frac;
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
    ParseUint(get(kOrigP), &ev.client_port);
    ParseUint(get(kRespP), &ev.server_port);
    std::string_view proto = get(kProto);
    ev.transport = proto == "udp" ? Transport::kUdp : proto == "tcp" ? Transport::kTcp : Transport::kUnknown;
    ParseUint(get(kTransId), &ev.id);
    ParseUint(get(kQclass), &ev.qclass);
    ParseUint(get(kQtype), &ev.qtype);
    ev.has_query = true;
    std::string_view rcode = get(kRcode);
    if (rcode != unset_ && ParseUint(rcode, &ev.rcode)) ev.has_response = true;
    std::string_view answers = get(kAnswers), ttls = get(kTtls);
    if (answers != unset_ && answers != empty_) {
      ev.has_response = true;
      while (!answers.empty()) {
        DnsRecordData& r = ev.answers.emplace_back();
        r.name = ev.qname;
        r.data.assign(NextField(&answers, set_sep_));
        std::string_view ttl = ttls == unset_ ? std::string_view() : NextField(&ttls, set_sep_);
        double t = 0;
        auto [end, ec] = std::from_chars(ttl.data(), ttl.data() + ttl.size(), t);
        if (ec == std::errc()) r.ttl = static_cast<uint32_t>(t);
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

std::unique_ptr<LineFormat> NewZeekTsvFormat() { return std::make_unique<ZeekTsvFormat>(); }

}  // namespace nsradar::ingest
