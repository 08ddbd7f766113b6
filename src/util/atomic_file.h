// Replacing a file so that readers (a resolver loading the RPZ zone, a
// crash at any moment) see the old content or the new, never a mixture:
// written to PATH.tmp, flushed to disk, renamed over PATH, and the
// directory flushed too, so the rename survives a power cut.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace nsradar {

// On failure PATH is untouched, PATH.tmp is removed and the error names the
// file and the reason (e.g. "No space left on device").
Status ReplaceFile(const std::string& path, std::string_view content);

}  // namespace nsradar
