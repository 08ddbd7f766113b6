// HttpServer: HTTP/1.1 over Boost.Beast with C++20 coroutines, in front of a
// Service.
//
// Keep-alive; one strand per connection on a pool of threads. Hardening:
// header, request-target and body limits; a deadline for each request to
// arrive whole (slow clients cannot hold a connection by trickling bytes) and
// for each write; an idle timeout between requests; at most
// max_connections open, the next ones answered 503 and closed.
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
  size_t header_limit = 16 << 10;  // request line and headers together
  size_t target_limit = 4096;
  size_t body_limit = 4 << 20;  // 10,000 names fit with room to spare
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds shutdown_grace{10000};
};

class HttpServer {
 public:
  HttpServer(Service* service, Metrics* metrics, ServerOptions options);
  ~HttpServer();

  // Binds and listens; afterwards port() is the bound port.
  Status Listen();
  uint16_t port() const;

  // Runs `task` every `interval` on a server thread while the server runs.
  void Every(std::chrono::milliseconds interval, std::function<void()> task);
  // Calls `on_reload` on SIGHUP; SIGTERM and SIGINT stop the server.
  void HandleSignals(std::function<void()> on_reload);

  // Serves until Stop(); returns when every connection is closed.
  void Run();
  // Thread-safe and async-signal-unsafe; may be called before Run returns.
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace nsradar::api
