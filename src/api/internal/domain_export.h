// The body of GET /v2/ns/{ns}/domains/export: a name server's filtered
// domain list as a CSV or JSON download, streamed page by page from the
// store's keyset cursor, so an export holds one page whatever its size.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "nsdb/store.h"
#include "util/enum_names.h"
#include "util/status.h"

namespace nsradar::api {

enum class ExportFormat { kCsv, kJson };
inline constexpr EnumName<ExportFormat> kExportFormatNames[] = {
    {ExportFormat::kCsv, "csv"},
    {ExportFormat::kJson, "json"},
};

// Rows per store read: the most rows an export holds at once (about 200 KB
// of body per chunk).
inline constexpr size_t kExportPageRows = 2000;

// Reads the page of rows `q` selects after q.after (Store::DomainsOnNs in
// the server; the tests make it fail).
using DomainPageReader = std::function<Status(const nsdb::DomainQuery& q, nsdb::DomainPage* page)>;

// A Response::stream (request.h) writing `first` (the first page of `q`,
// already read, so that its errors were answered with a status before the
// first byte) and the pages `read` returns after it, in `format`:
//   csv   RFC 4180: a header record `name,kind,zone,first_seen,last_seen,
//         active,observed`, CRLF line ends, a field quoted (quotes doubled)
//         when it holds a comma, a quote, CR or LF; times in UNIX seconds.
//   json  one document {"ns":NS,"domains":[ROW,...],"count":N}, ROW the
//         list's row (nsdb/json.h).
// A read that fails mid-stream ends the body so that no reader takes it
// for a whole export: CSV with a last record `#error: ...` naming the
// server log's error id, JSON with the array closed, "error" and
// "error_id" members and the document left unclosed (no parser accepts it),
// and *failed (the Response's stream_failed; may be null) becomes true, so
// that the server also cuts the chunked transfer short.
std::function<bool(std::string* chunk)> DomainExportStream(ExportFormat format, nsdb::DomainQuery q,
                                                           nsdb::DomainPage first, DomainPageReader read,
                                                           std::shared_ptr<bool> failed);

// `s` as one RFC 4180 field.
void AppendCsvField(std::string_view s, std::string* out);

}  // namespace nsradar::api
