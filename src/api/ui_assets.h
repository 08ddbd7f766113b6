// The web UI's files (web/dist, built by web/build.sh and checked in),
// compiled into the binary by web/embed.cmake so `nsradar serve` needs
// nothing on disk and the C++ build needs no Node.
#pragma once

#include <span>
#include <string_view>

namespace nsradar::api {

struct UiAsset {
  std::string_view path;          // "/ui/app.js"; index.html is "/"
  std::string_view content_type;  // with charset for text
  std::string_view body;
  std::string_view gzip;  // the same, gzip'ed at build time
  std::string_view etag;  // a strong validator: "\"<sha256 prefix>\""
};

std::span<const UiAsset> UiAssets();

}  // namespace nsradar::api
