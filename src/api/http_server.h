// HttpServer: HTTP/1.1, and HTTPS when given a certificate, over Boost.Beast
// with C++20 coroutines, in front of a Service.
//
// Keep-alive; one strand per connection on a pool of threads. What a
// hostile client can take, and the bound on it (docs/security.md):
//   - memory: the read buffer of a connection never holds more than
//     header_limit + 1 KiB, so headers, chunk-size lines with their
//     extensions and trailer sections are all bounded by it; chunk
//     extensions also count against body_limit, as the body does;
//   - framing: a request is refused (400/501, connection closed) unless its
//     framing is unambiguous: exactly one Host in HTTP/1.1, and
//     Transfer-Encoding absent or exactly "chunked" (never with
//     Content-Length, never in HTTP/1.0), so no byte of a body is ever read
//     as the next request; `Expect: 100-continue` is answered;
//   - time: a new connection must send its first byte (or finish its TLS
//     handshake) within first_byte_timeout, every request must arrive whole
//     within request_timeout, and keep-alive connections wait idle_timeout
//     between requests, first_byte_timeout once half the slots are taken;
//   - slots: at most max_connections are open; at the limit the oldest
//     connection that is not being answered is closed for the newcomer,
//     and only when every connection is being answered is the newcomer
//     refused with 503. max_connections is lowered at Listen() to what the
//     process's descriptor limit allows;
//   - descriptors: when accept fails for lack of descriptors, one spare
//     descriptor kept for the purpose answers the waiting client 503, the
//     oldest idle connection is shed, and accepting backs off (10 ms
//     doubling to 1 s) instead of spinning.
// Stop() is graceful: the listener closes, idle connections close at once,
// busy ones after their answer, and the rest are cut after shutdown_grace.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/metrics.h"
#include "api/service.h"
#include "util/status.h"

namespace nsradar::api {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // ADDR:PORT or [V6ADDR]:PORT; port 0 picks a free one
  int threads = 0;                        // 0: one per core
  size_t max_connections = 1024;
  size_t header_limit = 16 << 10;  // request line and headers together; also trailers, chunk lines
  size_t target_limit = 4096;
  size_t body_limit = 4 << 20;  // 10,000 names fit with room to spare
  std::chrono::milliseconds first_byte_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds shutdown_grace{10000};
  // HTTPS (TLS 1.2 and later) when both are set: PEM files, the certificate
  // file holding the chain. Reloaded by Reload().
  std::string tls_cert;
  std::string tls_key;
  // One JSON line per request (internal/access_log.h): a file, "-" for standard
  // output, or "" for none. Reopened by Reload().
  std::string access_log;
};

class HttpServer {
 public:
  HttpServer(Service* service, Metrics* metrics, ServerOptions options);
  ~HttpServer();

  // Loads the certificate, opens the access log, binds and listens;
  // afterwards port() is the bound port.
  Status Listen();
  uint16_t port() const;
  // After Listen: max_connections as lowered to the descriptor limit.
  size_t max_connections() const;

  // Runs `task` every `interval` on a server thread while the server runs.
  void Every(std::chrono::milliseconds interval, std::function<void()> task);
  // On SIGHUP: Reload(), then `on_reload`. SIGTERM and SIGINT stop the
  // server.
  void HandleSignals(std::function<void()> on_reload);
  // Loads the TLS certificate and key again (new connections use them; a
  // bad pair keeps the old one in force) and reopens the access log.
  Status Reload();

  // Serves until Stop(); returns when every connection is closed.
  void Run();
  // Thread-safe and async-signal-unsafe; may be called before Run returns.
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace nsradar::api
