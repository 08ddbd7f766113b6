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

}  // namespace nsradar::warehouse
