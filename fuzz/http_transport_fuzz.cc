// The HTTP transport end to end: the input is raw bytes a client sends to
// the real server (Boost.Beast under api::HttpServer, the service behind it
// over a small store) on a loopback connection, which the client then
// half-closes. The server must answer or close within its deadlines: a
// connection still open after three seconds is a hang, and any crash or
// sanitizer finding in the server's threads ends the run as well.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "api/http_server.h"

namespace {

constexpr char kKey[] = "at_abcdefghijklmnopqrstuvwxyz012";

struct Server {
  Server() {
    dir = std::filesystem::temp_directory_path() / ("nsradar-http-fuzz-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "keys") << kKey << "\n";
    if (!keys.Load((dir / "keys").string()).ok()) __builtin_trap();
    if (!nsradar::nsdb::Store::Open((dir / "store").string(), {}, &store).ok()) __builtin_trap();
    service = std::make_unique<nsradar::api::Service>(store.get(), &keys, &metrics, nsradar::api::ServiceOptions{});
    nsradar::api::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.header_limit = 2048;
    o.body_limit = 16384;
    o.first_byte_timeout = std::chrono::milliseconds(300);
    o.request_timeout = std::chrono::milliseconds(600);
    o.idle_timeout = std::chrono::milliseconds(300);
    server = std::make_unique<nsradar::api::HttpServer>(service.get(), &metrics, o);
    if (!server->Listen().ok()) __builtin_trap();
    thread = std::thread([this] { server->Run(); });
  }

  std::filesystem::path dir;
  nsradar::api::ApiKeys keys;
  std::unique_ptr<nsradar::nsdb::Store> store;
  nsradar::api::Metrics metrics;
  std::unique_ptr<nsradar::api::Service> service;
  std::unique_ptr<nsradar::api::HttpServer> server;
  std::thread thread;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Server* s = new Server();  // lives as long as the fuzzer
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(s->server->port());
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) __builtin_trap();
  for (size_t done = 0; done < size;) {
    ssize_t n = send(fd, data + done, size - done, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server refused and closed: fine
    done += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  char buf[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;  // closed: done
    }
    if (std::chrono::steady_clock::now() > deadline) __builtin_trap();  // a hang
  }
  close(fd);
  return 0;
}
