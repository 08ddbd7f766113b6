// Readiness for systemd's Type=notify services, without libsystemd: the
// sd_notify(3) protocol is one datagram to the AF_UNIX socket named by
// $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@').
#pragma once

#include <string_view>

#include "util/status.h"

namespace nsradar {

// Sends `state` (e.g. "READY=1") to the service manager. Not run by one
// ($NOTIFY_SOCKET unset): does nothing and returns OK. An error names the
// socket; the caller logs it and goes on, as the service still works.
[[nodiscard]] Status NotifyServiceManager(std::string_view state);

}  // namespace nsradar
