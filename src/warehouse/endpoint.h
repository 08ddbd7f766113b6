// Endpoint: one ClickHouse server of the warehouse, as given on the command
// line: http://[USER[:PASSWORD]@]HOST[:PORT][/]. A list is comma-separated,
// one URL per shard.
//
// The password is a secret: Display() and every error message name the
// endpoint without it, so it never reaches a log or a terminal.
// Only plain http is spoken for now; https is refused with a clear error
// rather than silently downgraded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nsradar::warehouse {

struct Endpoint {
  std::string host;  // name or address (IPv6 without brackets)
  std::string port = "8123";
  std::string user;  // empty: ClickHouse's "default" user
  std::string password;

  // "http://[user@]host:port", never the password.
  std::string Display() const;
};

// Parses a comma-separated list of URLs. Credentials given in the URL win
// over `user`/`password` (the command line's --user/--password); a URL
// with a path, query or fragment, an empty element, a port out of range or
// a scheme other than http is refused, naming the element (without its
// password) and its position in the list.
Status ParseEndpoints(std::string_view list, const std::string& user, const std::string& password,
                      std::vector<Endpoint>* out);

}  // namespace nsradar::warehouse
