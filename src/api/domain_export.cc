// GET /v2/ns/{ns}/domains/export?format=csv|json&FILTERS: the name server's
// domain list under the list's filters (/v2/ns/{ns}/domains: kind, active,
// suffix, the first/last-seen fences, a cursor to start after) as a download,
// streamed in chunks of one store page each (internal/domain_export.h).
#include "api/internal/domain_export.h"

#include <fmt/format.h>

#include <memory>

#include "api/internal/handlers.h"
#include "api/internal/params.h"
#include "nsdb/json.h"
#include "util/json_writer.h"

namespace nsradar::api {
namespace {

constexpr std::string_view kCsvHeader = "name,kind,zone,first_seen,last_seen,active,observed\r\n";

void AppendCsvRow(const nsdb::DomainRow& row, std::string* out) {
  AppendCsvField(row.name, out);
  out->push_back(',');
  AppendCsvField(zone::DomainKindName(row.kind), out);
  out->push_back(',');
  AppendCsvField(row.zone, out);
  fmt::format_to(std::back_inserter(*out), ",{},{},{},{}\r\n", row.first_seen, row.last_seen, row.active, row.observed);
}

// The export's state between chunks: the page in hand and where it ends.
class ExportStream {
 public:
  ExportStream(ExportFormat format, nsdb::DomainQuery q, nsdb::DomainPage first, DomainPageReader read,
               std::shared_ptr<bool> failed)
      : format_(format),
        q_(std::move(q)),
        page_(std::move(first)),
        read_(std::move(read)),
        failed_(std::move(failed)) {}

  bool Next(std::string* chunk) {
    if (!started_) {
      started_ = true;
      Head(chunk);
    }
    for (const auto& row : page_.rows) Row(row, chunk);
    if (!page_.rows.empty()) q_.after = page_.rows.back().name;
    if (!page_.more) {
      Tail(chunk);
      return false;
    }
    if (Status s = read_(q_, &page_); !s.ok()) {
      Failed(s, chunk);
      return false;
    }
    return true;
  }

 private:
  void Head(std::string* out) {
    switch (format_) {
      case ExportFormat::kCsv:
        out->append(kCsvHeader);
        return;
      case ExportFormat::kJson:
        JsonWriter(out).BeginObject().Field("ns", q_.ns).Key("domains");
        out->push_back('[');
        return;
    }
  }

  void Row(const nsdb::DomainRow& row, std::string* out) {
    switch (format_) {
      case ExportFormat::kCsv:
        AppendCsvRow(row, out);
        break;
      case ExportFormat::kJson: {
        if (rows_ > 0) out->push_back(',');
        JsonWriter w(out);
        nsdb::WriteDomainRowJson(row, w);
        break;
      }
    }
    ++rows_;
  }

  void Tail(std::string* out) {
    switch (format_) {
      case ExportFormat::kCsv:
        return;
      case ExportFormat::kJson:
        fmt::format_to(std::back_inserter(*out), "],\"count\":{}}}\n", rows_);
        return;
    }
  }

  // The status line is long gone: the body itself must say it is cut short.
  void Failed(const Status& s, std::string* out) {
    if (failed_) *failed_ = true;
    std::string id = LogInternalError("domain export", s);
    switch (format_) {
      case ExportFormat::kCsv:
        fmt::format_to(std::back_inserter(*out),
                       "#error: internal error after {} rows; the export is incomplete (the server's log has the "
                       "details under id {})\r\n",
                       rows_, id);
        return;
      case ExportFormat::kJson:
        fmt::format_to(std::back_inserter(*out),
                       "],\"error\":\"internal error; the export is incomplete\",\"error_id\":\"{}\"\n", id);
        return;
    }
  }

  const ExportFormat format_;
  nsdb::DomainQuery q_;
  nsdb::DomainPage page_;
  const DomainPageReader read_;
  const std::shared_ptr<bool> failed_;
  bool started_ = false;
  uint64_t rows_ = 0;
};

// A file name from a canonical name: its letters, digits, '-', '.' and '_'.
std::string FileName(std::string_view ns, ExportFormat format) {
  std::string out;
  for (char c : ns) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    out.push_back(keep ? c : '_');
  }
  return fmt::format("{}-domains.{}", out, NameOf(kExportFormatNames, format));
}

}  // namespace

void AppendCsvField(std::string_view s, std::string* out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::function<bool(std::string* chunk)> DomainExportStream(ExportFormat format, nsdb::DomainQuery q,
                                                           nsdb::DomainPage first, DomainPageReader read,
                                                           std::shared_ptr<bool> failed) {
  auto stream =
      std::make_shared<ExportStream>(format, std::move(q), std::move(first), std::move(read), std::move(failed));
  return [stream](std::string* chunk) { return stream->Next(chunk); };
}

Response HandleNsDomainsExport(const Call& call) {
  nsdb::DomainQuery q;
  if (std::string err = NormalizeName("ns", call.path.Get("ns"), &q.ns); !err.empty()) return ErrorResponse(400, err);
  ExportFormat format = ExportFormat::kCsv;
  for (const auto& [key, value] : call.req.params.items()) {
    std::string err;
    if (key == "format") {
      if (!ValueOf(kExportFormatNames, value, &format)) err = "format: expected " + NamesOf(kExportFormatNames);
    } else if (key == "limit") {
      err = "limit: an export has every matching row (pages: /v2/ns/{ns}/domains)";
    } else {
      err = ReadDomainFilter(key, value, &q);
    }
    if (!err.empty()) return ErrorResponse(400, err);
  }
  q.limit = kExportPageRows;
  q.want_total = false;
  // The first page before the status line, so that a store that cannot be
  // read is answered 500 rather than with a cut-short body.
  nsdb::DomainPage first;
  if (Status s = call.store.DomainsOnNs(q, &first); !s.ok()) return InternalError("domain export", s);
  Response r;
  r.content_type = format == ExportFormat::kCsv ? "text/csv; charset=utf-8; header=present" : "application/json";
  r.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}\"", FileName(q.ns, format)));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.stream_failed = std::make_shared<bool>(false);
  r.stream = DomainExportStream(
      format, q, std::move(first),
      [&store = call.store](const nsdb::DomainQuery& next, nsdb::DomainPage* page) {
        return store.DomainsOnNs(next, page);
      },
      r.stream_failed);
  return r;
}

}  // namespace nsradar::api
