#include "api/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <thread>

#include "api/params.h"

namespace nsradar::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr auto kTuple = asio::as_tuple(use_awaitable);

// A connection as Stop() sees it: its stream, to close when idle.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  std::atomic<bool> busy{false};  // between the end of a request and its answer
};

Status ParseListen(const std::string& listen, tcp::endpoint* out) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen " + listen + ": expected ADDR:PORT");
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("--listen " + listen + ": '" + host + "' is not an IP address");
  char* end = nullptr;
  unsigned long p = std::strtoul(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p > 65535) {
    return Status::InvalidArgument("--listen " + listen + ": '" + port + "' is not a port");
  }
  *out = tcp::endpoint(addr, static_cast<uint16_t>(p));
  return Status::OK();
}

http::response<http::string_body> ToBeast(Response& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "nsradar");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(Service* service, Metrics* metrics, ServerOptions options)
      : service_(service),
        metrics_(metrics),
        options_(std::move(options)),
        threads_(options_.threads > 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency())),
        ioc_(threads_),
        acceptor_(ioc_),
        signals_(ioc_) {}

  Status Listen() {
    tcp::endpoint ep;
    NSRADAR_RETURN_IF_ERROR(ParseListen(options_.listen, &ep));
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::IOError("cannot listen on " + options_.listen + ": " + ec.message());
    return Status::OK();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Every(std::chrono::milliseconds interval, std::function<void()> task) {
    asio::co_spawn(ioc_, Periodic(interval, std::move(task)), asio::detached);
  }

  void HandleSignals(std::function<void()> on_reload) {
    on_reload_ = std::move(on_reload);
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.add(SIGHUP);
    WaitSignal();
  }

  void Run() {
    asio::co_spawn(ioc_, Accept(), asio::detached);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads_; ++i) pool.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : pool) t.join();
  }

  void Stop() {
    asio::post(ioc_, [this] { BeginShutdown(); });
  }

 private:
  void WaitSignal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        if (on_reload_) on_reload_();
        WaitSignal();
        return;
      }
      BeginShutdown();
    });
  }

  // Runs on a server thread.
  void BeginShutdown() {
    if (stopping_.exchange(true)) return;
    boost::system::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    {
      std::lock_guard lock(mu_);
      for (auto& weak : connections_) {
        if (auto c = weak.lock()) {
          // Idle connections close now; busy ones after their answer.
          asio::post(c->stream.get_executor(), [c] {
            if (!c->busy) c->stream.socket().close();
          });
        }
      }
    }
    // Whatever is still open when the grace period ends is cut.
    auto timer = std::make_shared<asio::steady_timer>(ioc_, options_.shutdown_grace);
    timer->async_wait([this, timer](const boost::system::error_code&) {
      if (metrics_->connections() > 0) ioc_.stop();
    });
    {
      std::lock_guard lock(mu_);
      grace_timer_ = timer;
    }
    MaybeFinish();
  }

  // Once stopping and the last connection closed, nothing may keep Run()
  // from returning.
  void MaybeFinish() {
    if (!stopping_ || metrics_->connections() != 0) return;
    std::lock_guard lock(mu_);
    if (auto t = grace_timer_.lock()) asio::post(t->get_executor(), [t] { t->cancel(); });
    for (auto& p : periodic_) asio::post(p->get_executor(), [p] { p->cancel(); });
  }

  awaitable<void> Periodic(std::chrono::milliseconds interval, std::function<void()> task) {
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    {
      std::lock_guard lock(mu_);
      periodic_.push_back(timer);
    }
    while (!stopping_) {
      timer->expires_after(interval);
      auto [ec] = co_await timer->async_wait(kTuple);
      if (ec || stopping_) break;
      task();
    }
  }

  awaitable<void> Accept() {
    while (!stopping_) {
      tcp::socket socket(asio::make_strand(ioc_));
      auto [ec] = co_await acceptor_.async_accept(socket, kTuple);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) break;
        metrics_->Rejected("accept_error");
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      auto conn = std::make_shared<Connection>(std::move(socket));
      auto executor = conn->stream.get_executor();
      if (static_cast<size_t>(metrics_->connections()) >= options_.max_connections) {
        metrics_->Rejected("busy");
        asio::co_spawn(executor, RefuseBusy(conn), asio::detached);
        continue;
      }
      metrics_->ConnectionOpened();
      {
        std::lock_guard lock(mu_);
        std::erase_if(connections_, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
        connections_.push_back(conn);
      }
      asio::co_spawn(executor, Session(conn), [this](std::exception_ptr) {
        metrics_->ConnectionClosed();
        MaybeFinish();
      });
    }
  }

  awaitable<void> RefuseBusy(std::shared_ptr<Connection> conn) {
    Response r = ErrorResponse(503, "Server busy: too many open connections; retry later.");
    r.headers.emplace_back("Retry-After", "1");
    auto res = ToBeast(r, 11, false);
    conn->stream.expires_after(std::chrono::seconds(2));
    co_await http::async_write(conn->stream, res, kTuple);
    boost::system::error_code ec;
    conn->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  // Answers a request the parser refused, then the connection closes.
  awaitable<void> RefuseRequest(Connection& conn, int status, std::string_view why) {
    metrics_->Rejected(std::to_string(status));
    Response r = ErrorResponse(status, why);
    auto res = ToBeast(r, 11, false);
    conn.stream.expires_after(options_.request_timeout);
    co_await http::async_write(conn.stream, res, kTuple);
  }

  awaitable<void> Session(std::shared_ptr<Connection> conn) {
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping_) break;
      if (buffer.size() == 0) {
        // Waiting for the next request is the idle phase.
        conn->stream.expires_after(options_.idle_timeout);
        auto [ec, n] = co_await conn->stream.async_read_some(buffer.prepare(4096), kTuple);
        if (ec) break;
        buffer.commit(n);
      }
      // From its first byte, a request must arrive whole within the deadline.
      conn->stream.expires_after(options_.request_timeout);
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options_.header_limit));
      parser.body_limit(options_.body_limit);
      auto [ec, n] = co_await http::async_read(conn->stream, buffer, parser, kTuple);
      // A request that misses its deadline is cut: the timed-out stream is
      // already closed, so no 408 can follow.
      if (ec == beast::error::timeout) break;
      if (ec == http::error::header_limit) {
        co_await RefuseRequest(*conn, 431, "Request line and headers are too large.");
        break;
      }
      if (ec == http::error::body_limit) {
        co_await RefuseRequest(*conn, 413, "Request body is too large.");
        break;
      }
      if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
        break;
      }
      if (ec) {
        co_await RefuseRequest(*conn, 400, "Malformed HTTP request: " + ec.message());
        break;
      }
      conn->busy = true;
      http::request<http::string_body> req = parser.release();
      bool keep_alive = req.keep_alive() && !stopping_;
      bool ok = co_await Answer(*conn, req, keep_alive);
      conn->busy = false;
      if (!ok || !keep_alive) break;
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Builds and writes the answer to `req`; false when the connection broke.
  awaitable<bool> Answer(Connection& conn, http::request<http::string_body>& req, bool keep_alive) {
    Response r;
    Request request;
    std::string_view target(req.target().data(), req.target().size());
    if (target.size() > options_.target_limit) {
      r = ErrorResponse(414, "Request target longer than " + std::to_string(options_.target_limit) + " bytes.");
    } else if (std::string err = ParseTarget(target, &request); !err.empty()) {
      r = ErrorResponse(400, err);
    } else {
      request.method = std::string(req.method_string());
      request.body = std::move(req.body());
      request.content_type = std::string(req[http::field::content_type]);
      auto key = req["X-API-Key"];
      r = service_->Handle(request, std::string_view(key.data(), key.size()));
    }
    const bool head = req.method() == http::verb::head;
    conn.stream.expires_after(options_.request_timeout);
    if (!r.stream) {
      auto res = ToBeast(r, req.version(), keep_alive);
      if (head) {
        http::response_serializer<http::string_body> sr{res};
        auto [ec, n] = co_await http::async_write_header(conn.stream, sr, kTuple);
        co_return !ec;
      }
      auto [ec, n] = co_await http::async_write(conn.stream, res, kTuple);
      co_return !ec;
    }
    // Streamed: chunked encoding, one chunk per piece the handler yields,
    // each write under its own deadline so a client that stops reading is
    // dropped rather than holding the producer.
    http::response<http::empty_body> res{static_cast<http::status>(r.status), req.version()};
    res.set(http::field::server, "nsradar");
    res.set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(conn.stream, sr, kTuple);
    if (hec) co_return false;
    if (head) co_return true;
    std::string chunk;
    for (bool more = true; more;) {
      chunk.clear();
      more = r.stream(&chunk);
      if (chunk.empty()) continue;
      conn.stream.expires_after(options_.request_timeout);
      auto [ec, n] = co_await asio::async_write(conn.stream, http::make_chunk(asio::buffer(chunk)), kTuple);
      if (ec) co_return false;
    }
    conn.stream.expires_after(options_.request_timeout);
    auto [ec, n] = co_await asio::async_write(conn.stream, http::make_chunk_last(), kTuple);
    co_return !ec;
  }

  Service* service_;
  Metrics* metrics_;
  const ServerOptions options_;
  const int threads_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  std::function<void()> on_reload_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;  // guards connections_, periodic_ and grace_timer_
  std::list<std::weak_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<asio::steady_timer>> periodic_;
  std::weak_ptr<asio::steady_timer> grace_timer_;
};

HttpServer::HttpServer(Service* service, Metrics* metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(service, metrics, std::move(options))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::Listen() { return impl_->Listen(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Every(std::chrono::milliseconds interval, std::function<void()> task) {
  impl_->Every(interval, std::move(task));
}
void HttpServer::HandleSignals(std::function<void()> on_reload) { impl_->HandleSignals(std::move(on_reload)); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace nsradar::api
