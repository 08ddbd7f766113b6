// GET /api/v1: the public Reverse NS API's request and answer shapes, so its
// clients work by changing only the base URL.
//
// Pages hold at most 300 rows sorted by name, strictly after `from`; a
// client walks the list by asking again with from = the last name while
// size == 300. Pairs absent from the latest data are still listed: their
// last_visit says when they were last seen.
#include <fmt/format.h>

#include "api/params.h"
#include "api/service.h"
#include "util/json_writer.h"

namespace nsradar::api {
namespace {

constexpr size_t kV1PageSize = 300;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

void RenderJson(const nsdb::DomainPage& page, std::string_view current_page, std::string* out) {
  out->reserve(64 + page.rows.size() * 80);
  JsonWriter w(out);
  w.BeginObject().Key("result").BeginArray();
  for (const auto& row : page.rows) {
    w.BeginObject().Field("name", row.name).Field("first_seen", row.first_seen).Field("last_visit", row.last_seen);
    w.EndObject();
  }
  w.EndArray().Field("current_page", current_page).Field("size", page.rows.size()).EndObject();
}

void RenderXml(const nsdb::DomainPage& page, std::string_view current_page, std::string* out) {
  out->reserve(128 + page.rows.size() * 120);
  out->append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><result>");
  auto o = std::back_inserter(*out);
  for (const auto& row : page.rows) {
    out->append("<item><name>");
    AppendXmlEscaped(row.name, out);
    fmt::format_to(o, "</name><first_seen>{}</first_seen><last_visit>{}</last_visit></item>", row.first_seen,
                   row.last_seen);
  }
  out->append("</result><current_page>");
  AppendXmlEscaped(current_page, out);
  fmt::format_to(o, "</current_page><size>{}</size></response>\n", page.rows.size());
}

}  // namespace

Response HandleV1(const nsdb::Store& store, const Request& req) {
  auto ns_param = req.params.Get("ns");
  if (!ns_param) return ErrorResponse(400, "Missing required parameter: ns");
  nsdb::DomainQuery q;
  if (std::string err = NormalizeName("ns", *ns_param, &q.ns); !err.empty()) return ErrorResponse(422, err);

  bool xml = false;
  if (auto format = req.params.Get("outputFormat")) {
    if (EqualsIgnoreCase(*format, "xml")) {
      xml = true;
    } else if (!EqualsIgnoreCase(*format, "json")) {
      return ErrorResponse(422, "outputFormat: expected JSON or XML");
    }
  }
  auto from = req.params.Get("from");
  if (from && !from->empty() && *from != "1") {
    if (std::string err = NormalizeName("from", *from, &q.after); !err.empty()) return ErrorResponse(422, err);
  }
  q.limit = kV1PageSize;
  q.want_total = false;
  nsdb::DomainPage page;
  if (Status s = store.DomainsOnNs(q, &page); !s.ok()) return ErrorResponse(500, s.ToString());

  std::string_view current_page = from ? *from : "0";
  Response r;
  if (xml) {
    r.content_type = "application/xml";
    RenderXml(page, current_page, &r.body);
  } else {
    RenderJson(page, current_page, &r.body);
  }
  return r;
}

}  // namespace nsradar::api
