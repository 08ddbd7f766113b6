// GET /api/v1: the public Reverse NS API's request and answer shapes, so its
// clients work by changing only the base URL.
//
// Pages hold at most 300 rows sorted by name, strictly after `from`; a
// client walks the list by asking again with from = the last name while
// size == 300. Pairs absent from the latest data are still listed: their
// last_visit says when they were last seen.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
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

// Rows are rendered straight from the store's scan, by hand rather than
// through JsonWriter: this is the API's hottest path and its shape is fixed.
// Plain names (nearly all) are written through a raw cursor into room made
// ahead in the body; out_ holds used_ bytes of page and then that room,
// trimmed by Finish.
class JsonPage {
 public:
  explicit JsonPage(std::string* out) : out_(out) {
    out_->resize(64 + kV1PageSize * 80);
    Put("{\"result\":[");
  }
  void Row(const nsdb::DomainRowView& row) {
    // A row's fixed text is 46 bytes and each time at most 20 digits.
    constexpr size_t kRowText = 46 + 2 * 20;
    Room(kRowText + row.name.size());
    Put(rows_++ == 0 ? std::string_view("{\"name\":\"") : std::string_view(",{\"name\":\""));
    if (JsonPlainPrefix(row.name) == row.name.size()) {
      Put(row.name);
    } else {
      out_->resize(used_);
      AppendJsonEscaped(row.name, out_);
      used_ = out_->size();
      Room(kRowText);
    }
    Put("\",\"first_seen\":");
    PutInt(row.first_seen, &first_seen_);
    Put(",\"last_visit\":");
    PutInt(row.last_seen, &last_seen_);
    Put("}");
  }
  void Finish(std::string_view current_page) {
    out_->resize(used_);
    out_->append("],\"current_page\":\"");
    AppendJsonEscaped(current_page, out_);
    out_->append("\",\"size\":");
    char num[24];
    auto [end, ec] = std::to_chars(num, num + sizeof num, rows_);
    out_->append(num, end);
    out_->push_back('}');
  }

 private:
  void Room(size_t n) {
    if (out_->size() - used_ < n) out_->resize(std::max(2 * out_->size(), used_ + n));
  }
  void Put(std::string_view text) {
    std::memcpy(out_->data() + used_, text.data(), text.size());
    used_ += text.size();
  }
  // Rows of a name server mostly share their times (a zone's snapshots):
  // each column keeps the digits of its last value.
  struct Digits {
    int64_t value = 0;
    size_t size = 0;  // 0: none yet
    char text[20];
  };
  void PutInt(int64_t v, Digits* d) {
    if (d->size == 0 || d->value != v) {
      d->value = v;
      d->size = static_cast<size_t>(std::to_chars(d->text, d->text + sizeof d->text, v).ptr - d->text);
    }
    Put(std::string_view(d->text, d->size));
  }
  std::string* out_;
  Digits first_seen_, last_seen_;
  size_t used_ = 0;
  size_t rows_ = 0;
};

class XmlPage {
 public:
  explicit XmlPage(std::string* out) : out_(out) {
    out_->reserve(128 + 300 * 120);
    out_->append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><result>");
  }
  void Row(const nsdb::DomainRowView& row) {
    ++rows_;
    out_->append("<item><name>");
    AppendXmlEscaped(row.name, out_);
    fmt::format_to(std::back_inserter(*out_), "</name><first_seen>{}</first_seen><last_visit>{}</last_visit></item>",
                   row.first_seen, row.last_seen);
  }
  void Finish(std::string_view current_page) {
    out_->append("</result><current_page>");
    AppendXmlEscaped(current_page, out_);
    fmt::format_to(std::back_inserter(*out_), "</current_page><size>{}</size></response>\n", rows_);
  }

 private:
  std::string* out_;
  size_t rows_ = 0;
};

template <typename Page>
Status Render(const nsdb::Store& store, const nsdb::DomainQuery& q, std::string_view current_page, std::string* out) {
  Page page(out);
  bool more = false;
  NSRADAR_RETURN_IF_ERROR(store.VisitDomainsOnNs(
      q, [&page](const nsdb::DomainRowView& row) { page.Row(row); }, &more));
  page.Finish(current_page);
  return Status::OK();
}

}  // namespace

Response HandleV1(const Call& call) {
  const Request& req = call.req;
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
  std::string_view current_page = from ? *from : "0";
  Response r;
  Status s;
  if (xml) {
    r.content_type = "application/xml";
    s = Render<XmlPage>(call.store, q, current_page, &r.body);
  } else {
    s = Render<JsonPage>(call.store, q, current_page, &r.body);
  }
  if (!s.ok()) return InternalError("v1 page", s);
  return r;
}

}  // namespace nsradar::api
