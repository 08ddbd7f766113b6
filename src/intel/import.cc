#include "intel/import.h"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace nsradar::intel {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

struct ParsedUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
  std::string host_header;
};

Status ParseUrl(const std::string& url, ParsedUrl* out) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty()) {
    return Status::InvalidArgument(url + ": not an http(s)://HOST[:PORT]/PATH URL");
  }
  out->tls = parsed->scheme() == "https";
  out->host = parsed->host_address();
  out->port = parsed->has_port() ? std::string(parsed->port()) : (out->tls ? "443" : "80");
  out->target = std::string(parsed->encoded_target());
  if (out->target.empty()) out->target = "/";
  out->host_header = std::string(parsed->encoded_host_and_port());
  return Status::OK();
}

struct Answer {
  int status = 0;
  std::string body;
  std::string location;  // of a redirect
};

// One GET, over TLS for https with the peer's certificate verified against
// the system's CA store (or options.ca_file) and the URL's host. Every step
// is asynchronous: Beast's deadline (expires_after) applies only to
// asynchronous operations, and a server that accepts and never answers must
// not hold the pipeline's intel import (at start and at every reload)
// forever.
Status GetOnce(const std::string& url, const ParsedUrl& u, const FetchOptions& options, Answer* out) {
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    http::request<http::empty_body> req(http::verb::get, u.target, 11);
    req.set(http::field::host, u.host_header);
    req.set(http::field::user_agent, "nsradar");
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_bytes);
    beast::error_code failure;
    const auto deadline = std::chrono::seconds(options.timeout_seconds);
    auto exchange = [&](auto& stream) {
      http::async_write(stream, req, [&](beast::error_code written, size_t) {
        if (written) {
          failure = written;
          return;
        }
        http::async_read(stream, buffer, parser, [&](beast::error_code read, size_t) { failure = read; });
      });
    };
    // Connects `stream`'s TCP layer, then runs `then`.
    auto connect = [&](beast::tcp_stream& tcp, auto then) {
      resolver.async_resolve(u.host, u.port, [&, then](beast::error_code resolved, auto results) {
        if (resolved) {
          failure = resolved;
          return;
        }
        tcp.expires_after(deadline);
        tcp.async_connect(results, [&, then](beast::error_code connected, auto) {
          if (connected) {
            failure = connected;
            return;
          }
          then();
        });
      });
    };
    if (!u.tls) {
      beast::tcp_stream stream(io);
      connect(stream, [&] { exchange(stream); });
      io.run();
      if (failure) return Status::IOError(fmt::format("{}: {}", url, failure.message()));
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    } else {
      ssl::context ctx(ssl::context::tls_client);
      SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
      beast::error_code ec;
      if (options.ca_file.empty()) {
        ctx.set_default_verify_paths(ec);
      } else {
        ctx.load_verify_file(options.ca_file, ec);
      }
      if (ec) {
        return Status::InvalidArgument(fmt::format(
            "{}: CA certificates {}: {}", url, options.ca_file.empty() ? "(system)" : options.ca_file, ec.message()));
      }
      ctx.set_verify_mode(ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
      stream.set_verify_callback(ssl::host_name_verification(u.host));
      boost::system::error_code not_ip;
      asio::ip::make_address(u.host, not_ip);
      if (not_ip) {  // SNI names hosts only; SSL_set_tlsext_host_name is this call behind a C cast
        SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(u.host.c_str()));
      }
      connect(beast::get_lowest_layer(stream), [&] {
        stream.async_handshake(ssl::stream_base::client, [&](beast::error_code shaken) {
          if (shaken) {
            failure = shaken;
            return;
          }
          exchange(stream);
        });
      });
      io.run();
      if (failure) return Status::IOError(fmt::format("{}: {}", url, failure.message()));
      // Many servers close without close_notify; the body is complete already.
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
      stream.async_shutdown([](beast::error_code) {});
      io.restart();
      io.run();
    }
    auto& res = parser.get();
    out->status = res.result_int();
    out->location = std::string(res[http::field::location]);
    out->body = std::move(res.body());
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("{}: {}", url, e.what()));
  }
  return Status::OK();
}

}  // namespace

Status FetchUrl(const std::string& url, const std::string& path, const FetchOptions& options) {
  std::string current = url;
  for (int redirects = 0;; ++redirects) {
    ParsedUrl u;
    NSRADAR_RETURN_IF_ERROR(ParseUrl(current, &u));
    Answer a;
    NSRADAR_RETURN_IF_ERROR(GetOnce(current, u, options, &a));
    const bool redirect = a.status == 301 || a.status == 302 || a.status == 303 || a.status == 307 || a.status == 308;
    if (redirect && !a.location.empty()) {
      if (redirects == options.max_redirects) {
        return Status::IOError(fmt::format("{}: more than {} redirects", url, options.max_redirects));
      }
      auto base = boost::urls::parse_uri(current);
      auto ref = boost::urls::parse_uri_reference(a.location);
      boost::urls::url next;
      if (!base || !ref || !boost::urls::resolve(*base, *ref, next)) {
        return Status::IOError(fmt::format("{}: redirect to a bad location '{}'", current, a.location));
      }
      if (u.tls && next.scheme() != "https") {
        return Status::IOError(fmt::format("{}: redirect from https to '{}' refused", current, a.location));
      }
      current = std::string(next.buffer());
      continue;
    }
    if (a.status != 200) return Status::IOError(fmt::format("{}: HTTP {}", current, a.status));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << a.body;
    if (!out) return Status::IOError(path + ": cannot write the downloaded list");
    return Status::OK();
  }
}

Status ImportIndicators(nsdb::Store& store, const std::string& file_or_url, IndicatorFileOptions options, bool replace,
                        ImportResult* result, const FetchOptions& fetch) {
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
    Status s = FetchUrl(file_or_url, path, fetch);
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
