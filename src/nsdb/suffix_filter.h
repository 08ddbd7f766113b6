// The suffix filter of a name server's domain list (DomainQuery::suffix) as
// people type it, read the same way by the API's `suffix` parameter and the
// CLI's --suffix, so that both take and refuse the same names.
#pragma once

#include <string>
#include <string_view>

namespace nsradar::nsdb {

// `text` written as the list shows names, so that any listed name can be
// taken as a suffix: presentation format with \X and \DDD escapes, any
// case, an optional trailing dot. A public suffix ("com") is a fine filter
// of one name server's list; the root is refused, since it would keep every
// domain. Into *out canonical; "" or the error, without the parameter's
// name, which the caller puts in front.
std::string ParseSuffixFilter(std::string_view text, std::string* out);

}  // namespace nsradar::nsdb
