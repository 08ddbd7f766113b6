#include "intel/import.h"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace nsradar::intel {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Status FetchUrl(const std::string& url, const std::string& path, size_t max_bytes, int timeout_seconds) {
  if (url.starts_with("https://")) return Status::InvalidArgument(url + ": https is not supported; use http or a file");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) {
    return Status::InvalidArgument(url + ": not an http://HOST[:PORT]/PATH URL");
  }
  const std::string host = parsed->host();
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  std::string target(parsed->encoded_target());
  if (target.empty()) target = "/";
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(timeout_seconds));
    asio::ip::tcp::resolver resolver(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, std::string(parsed->encoded_host_and_port()));
    req.set(http::field::user_agent, "nsradar");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_bytes);
    http::read(stream, buffer, parser);
    const auto& res = parser.get();
    if (res.result() != http::status::ok) {
      return Status::IOError(fmt::format("{}: HTTP {}", url, res.result_int()));
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << res.body();
    if (!out) return Status::IOError(path + ": cannot write the downloaded list");
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("{}: {}", url, e.what()));
  }
  return Status::OK();
}

Status ImportIndicators(nsdb::Store& store, const std::string& file_or_url, IndicatorFileOptions options, bool replace,
                        ImportResult* result) {
  *result = ImportResult();
  if (options.source.empty()) {
    options.source = IsUrl(file_or_url) ? file_or_url : std::filesystem::path(file_or_url).filename().string();
  }
  result->source = options.source;
  std::vector<nsdb::Indicator> indicators;
  if (IsUrl(file_or_url)) {
    char tmpl[] = "/tmp/nsradar-intel-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) return Status::IOError("cannot create a temporary file for " + file_or_url);
    close(fd);
    const std::string path = tmpl;
    Status s = FetchUrl(file_or_url, path);
    if (s.ok()) s = ReadIndicatorFile(path, options, &indicators, &result->stats);
    std::remove(path.c_str());
    NSRADAR_RETURN_IF_ERROR(s);
  } else {
    NSRADAR_RETURN_IF_ERROR(ReadIndicatorFile(file_or_url, options, &indicators, &result->stats));
  }
  result->indicators = indicators.size();
  return store.PutIndicators(indicators, replace ? std::string_view(result->source) : std::string_view(),
                             &result->replaced);
}

}  // namespace nsradar::intel
