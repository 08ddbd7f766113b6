// POST /v2/bulk/nameservers and /v2/bulk/domains: up to 10,000 names in,
// one NDJSON line per name out, streamed as it is computed.
//
// Body: a JSON array of names, {"names": [...]}, or (text/plain) one name
// per line. Every name is checked before the answer starts, so a bad one
// fails the request with its position rather than a half-sent stream.
#include <fmt/format.h>
#include <simdjson.h>

#include <memory>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "nsdb/json.h"
#include "util/json_writer.h"

namespace nsradar::api {
namespace {

constexpr size_t kMaxBulkNames = 10000;
constexpr size_t kChunkBytes = 64 << 10;

std::string ReadJsonNames(const std::string& body, std::vector<std::string>* raw) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body).get(doc))
    return fmt::format("body: invalid JSON: {}", simdjson::error_message(err));
  simdjson::dom::array names;
  if (doc.is_object()) {
    if (doc["names"].get(names)) return "body: expected {\"names\": [...]} or a JSON array of names";
  } else if (doc.get(names)) {
    return "body: expected {\"names\": [...]} or a JSON array of names";
  }
  size_t i = 0;
  for (auto elem : names) {
    std::string_view s;
    if (elem.get(s)) return fmt::format("names[{}]: not a string", i);
    if (raw->size() == kMaxBulkNames) return fmt::format("body: more than {} names", kMaxBulkNames);
    raw->emplace_back(s);
    ++i;
  }
  return "";
}

std::string ReadTextNames(std::string_view body, std::vector<std::string>* raw) {
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (raw->size() == kMaxBulkNames) return fmt::format("body: more than {} names", kMaxBulkNames);
    raw->emplace_back(line);
  }
  return "";
}

void WriteNameServer(const nsdb::Store& store, const std::string& ns, size_t domains, std::string* out) {
  JsonWriter w(out);
  nsdb::NsCounts counts;
  std::vector<nsdb::GlueRow> glue;
  Status s = store.Counts(ns, &counts);
  if (s.ok()) s = store.HostAddresses(ns, &glue);
  nsdb::DomainPage page;
  if (s.ok() && domains > 0) {
    nsdb::DomainQuery q;
    q.ns = ns;
    q.limit = domains;
    q.want_total = false;
    s = store.DomainsOnNs(q, &page);
  }
  w.BeginObject().Field("ns", ns);
  if (!s.ok()) {
    w.Field("error", "internal error").Field("error_id", LogInternalError("bulk name server", s)).EndObject();
    out->push_back('\n');
    return;
  }
  nsdb::WriteNsCountFields(counts, w);
  nsdb::WriteAddressesField(glue, w);
  if (domains > 0) {
    w.Key("domains").BeginArray();
    for (const auto& row : page.rows) nsdb::WriteDomainRowJson(row, w);
    w.EndArray().Field("more", page.more);
  }
  w.EndObject();
  out->push_back('\n');
}

void WriteDomain(const nsdb::Store& store, const std::string& domain, std::string* out) {
  JsonWriter w(out);
  nsdb::DomainInfo info;
  Status s = store.Domain(domain, &info);
  w.BeginObject().Field("domain", domain);
  if (!s.ok() && !s.IsNotFound()) {
    w.Field("error", "internal error").Field("error_id", LogInternalError("bulk domain", s));
  } else if (!s.ok() || info.edges.empty()) {
    w.Field("error", "not in the index");
  } else {
    int64_t first = info.edges.front().first_seen, last = info.edges.front().last_seen;
    for (const auto& e : info.edges) {
      first = std::min(first, e.first_seen);
      last = std::max(last, e.last_seen);
    }
    w.Field("zone", info.zone).Field("kind", zone::DomainKindName(info.kind)).Key("name_servers").BeginArray();
    for (const auto& ns : info.current()) w.String(ns);
    w.EndArray().Field("first_seen", first).Field("last_seen", last);
  }
  w.EndObject();
  out->push_back('\n');
}

Response HandleBulk(const Call& call, bool name_servers) {
  const Request& req = call.req;
  uint64_t domains = 0;
  for (const auto& [key, value] : req.params.items()) {
    std::string err;
    if (key == "domains" && name_servers) {
      err = ParseCountParam(key, value, 0, nsdb::kMaxPage, &domains);
    } else if (key != "apiKey") {
      err = fmt::format("{}: unknown parameter", key);
    }
    if (!err.empty()) return ErrorResponse(400, err);
  }
  std::vector<std::string> raw;
  bool text = req.content_type.starts_with("text/plain");
  std::string err = text ? ReadTextNames(req.body, &raw) : ReadJsonNames(req.body, &raw);
  if (!err.empty()) return ErrorResponse(400, err);
  if (raw.empty()) return ErrorResponse(400, "body: no names");
  auto names = std::make_shared<std::vector<std::string>>(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (std::string e = NormalizeName(fmt::format("names[{}]", i), raw[i], &(*names)[i]); !e.empty()) {
      return ErrorResponse(400, e);
    }
  }
  Response r;
  r.content_type = "application/x-ndjson";
  r.stream = [&store = call.store, names, next = size_t{0}, name_servers, domains](std::string* chunk) mutable {
    while (next < names->size() && chunk->size() < kChunkBytes) {
      if (name_servers) {
        WriteNameServer(store, (*names)[next], domains, chunk);
      } else {
        WriteDomain(store, (*names)[next], chunk);
      }
      ++next;
    }
    return next < names->size();
  };
  return r;
}

}  // namespace

Response HandleBulkNameServers(const Call& call) { return HandleBulk(call, true); }
Response HandleBulkDomains(const Call& call) { return HandleBulk(call, false); }

}  // namespace nsradar::api
