// Runs one SQL statement on a ClickHouse server over its HTTP interface
// (POST /, the statement as the body; credentials as HTTP Basic auth) and
// returns the answer's body.
//
// Errors name the endpoint (Display(): never the password): a refused or
// timed-out connection, a host that does not resolve, a peer that is not
// ClickHouse, and an HTTP error with ClickHouse's own message.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"
#include "warehouse/endpoint.h"

namespace nsradar::warehouse {

struct QueryOptions {
  int timeout_seconds = 30;
  size_t max_answer_bytes = 64 << 20;
};

Status Execute(const Endpoint& endpoint, std::string_view sql, std::string* answer, const QueryOptions& options = {});

// The general form: POST `target` (a path with its query string, e.g.
// "/?query=INSERT...&insert_distributed_sync=1") with `body` as it is
// (RowBinary rows). When the server answers an error, *server_code (if
// given) is ClickHouse's error code from the answer's "Code: N", 0 when
// there is none (no answer at all, or not ClickHouse's error text).
// "/?query=SQL", the statement percent-encoded: the target of an insert,
// whose body is the rows.
std::string QueryTarget(std::string_view sql);

Status Post(const Endpoint& endpoint, std::string_view target, std::string_view body, std::string* answer,
            const QueryOptions& options = {}, int* server_code = nullptr);

}  // namespace nsradar::warehouse
