#include "api/http_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "api/internal/access_log.h"
#include "api/internal/http_framing.h"
#include "api/internal/params.h"
#include "util/log.h"

namespace nsradar::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(use_awaitable);
constexpr size_t kReadChunk = 4096;
// Room beyond header_limit in a connection's read buffer: the start of a
// pipelined request or of a body behind a full-size header.
constexpr size_t kBufferSlack = 1024;
// Descriptors left for everything but connections: the store's files, logs,
// the spare descriptor, the intel and RPZ writers.
constexpr size_t kReservedDescriptors = 64;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kPlain503 =
    "HTTP/1.1 503 Service Unavailable\r\nServer: nsradar\r\nContent-Type: application/json\r\n"
    "Retry-After: 1\r\nConnection: close\r\nContent-Length: 74\r\n\r\n"
    "{\"code\":503,\"messages\":\"Server busy: out of descriptors; retry later.\"}\r\n";

enum class ConnState { kIdle, kReading, kBusy };

// A connection as the acceptor, Stop() and shedding see it. Exactly one of
// `plain` and `tls` is set; `context` outlives the TLS stream that uses it.
struct Connection {
  Connection(tcp::socket socket, std::shared_ptr<ssl::context> tls_context) : context(std::move(tls_context)) {
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec)
      peer = (ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string()) + ":" +
             std::to_string(ep.port());
    if (context) {
      tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(socket), *context);
    } else {
      plain = std::make_unique<beast::tcp_stream>(std::move(socket));
    }
  }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  std::shared_ptr<ssl::context> context;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  std::unique_ptr<beast::tcp_stream> plain;
  std::string peer;
  std::atomic<ConnState> state{ConnState::kIdle};
  std::atomic<bool> shed{false};  // closed to make room; counted until it ends
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

Status LoadTlsContext(const std::string& cert, const std::string& key, std::shared_ptr<ssl::context>* out) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) return Status::InvalidArgument("--tls-cert " + cert + ": " + ec.message());
  ctx->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("--tls-key " + key + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status::InvalidArgument("--tls-key " + key + ": does not match the certificate in " + cert);
  }
  *out = std::move(ctx);
  return Status::OK();
}

size_t OpenDescriptors() {
  size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
    n = n > 3 ? n - 3 : 0;  // ".", ".." and the directory's own descriptor
  }
  return n;
}

bool OutOfDescriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory ||
         ec == boost::system::errc::too_many_files_open_in_system;
}

// The answer a failed read deserves before the connection closes, if any:
// a timed-out stream is already closed, and a vanished client hears nothing.
std::optional<Refusal> ReadFailure(const boost::system::error_code& ec, bool extensions_over, size_t header_limit) {
  if (extensions_over) return Refusal{400, "Chunk extensions exceed " + std::to_string(header_limit) + " bytes."};
  if (ec == http::error::header_limit) return Refusal{431, "Request line and headers are too large."};
  if (ec == http::error::buffer_overflow) {
    return Refusal{
        431, "A header, chunk-size line or trailer section is larger than " + std::to_string(header_limit) + " bytes."};
  }
  if (ec == http::error::body_limit) return Refusal{413, "Request body is too large."};
  if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      ec == asio::error::bad_descriptor || ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated ||
      ec.category() == asio::error::get_ssl_category()) {
    return std::nullopt;
  }
  return Refusal{400, "Malformed HTTP request: " + ec.message()};
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(Service* service, Metrics* metrics, ServerOptions options)
      : service_(service),
        metrics_(metrics),
        options_(std::move(options)),
        threads_(options_.threads > 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency())),
        max_connections_(options_.max_connections),
        ioc_(threads_),
        acceptor_(ioc_),
        signals_(ioc_) {}

  ~Impl() {
    if (spare_fd_ >= 0) ::close(spare_fd_);
  }

  Status Listen() {
    if (options_.tls_cert.empty() != options_.tls_key.empty()) {
      return Status::InvalidArgument("--tls-cert and --tls-key go together");
    }
    NSRADAR_RETURN_IF_ERROR(Reload());
    tcp::endpoint ep;
    NSRADAR_RETURN_IF_ERROR(ParseListen(options_.listen, &ep));
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::IOError("cannot listen on " + options_.listen + ": " + ec.message());
    FitConnectionsToDescriptors();
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return Status::OK();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  size_t max_connections() const { return max_connections_; }

  Status Reload() {
    Status result;
    if (!options_.tls_cert.empty()) {
      std::shared_ptr<ssl::context> ctx;
      result = LoadTlsContext(options_.tls_cert, options_.tls_key, &ctx);
      if (result.ok()) {
        std::lock_guard lock(mu_);
        tls_context_ = std::move(ctx);
      }
    }
    if (!options_.access_log.empty()) {
      Status s = access_log_.enabled() ? access_log_.Reopen() : access_log_.Open(options_.access_log);
      if (result.ok()) result = s;
    }
    return result;
  }

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
    if (access_log_.enabled()) Every(std::chrono::seconds(1), [this] { access_log_.Flush(); });
    std::vector<std::thread> pool;
    for (int i = 1; i < threads_; ++i) pool.emplace_back([this] { RunLoop(); });
    RunLoop();
    for (auto& t : pool) t.join();
    access_log_.Flush();
  }

  void Stop() {
    asio::post(ioc_, [this] { BeginShutdown(); });
  }

 private:
  // An exception escaping a completion handler would end the thread and
  // the process (std::terminate); it is logged and the loop goes on. None
  // is expected: this is the last line of defence, not error handling.
  void RunLoop() {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        metrics_->Rejected("exception");
        Log(LogLevel::kError, "http", "exception in the server loop", {{"what", e.what()}});
      }
    }
  }

  // Raises the soft descriptor limit to the hard one and keeps
  // max_connections within what remains after the descriptors in use.
  void FitConnectionsToDescriptors() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (rl.rlim_cur < rl.rlim_max) {
      rlimit raised = rl;
      raised.rlim_cur = rl.rlim_max;
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    size_t in_use = OpenDescriptors() + kReservedDescriptors;
    size_t room = rl.rlim_cur > in_use ? static_cast<size_t>(rl.rlim_cur) - in_use : 1;
    if (max_connections_ > room) {
      Log(LogLevel::kWarn, "http", "max connections lowered to fit the descriptor limit",
          {{"asked", std::to_string(max_connections_)},
           {"allowed", std::to_string(room)},
           {"nofile_limit", std::to_string(rl.rlim_cur)}});
      max_connections_ = room;
    }
  }

  std::shared_ptr<ssl::context> TlsContext() {
    std::lock_guard lock(mu_);
    return tls_context_;
  }

  std::chrono::milliseconds IdleTimeout() const {
    bool pressed = static_cast<size_t>(metrics_->connections()) * 2 >= max_connections_;
    return pressed ? std::min(options_.first_byte_timeout, options_.idle_timeout) : options_.idle_timeout;
  }

  void WaitSignal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        if (Status s = Reload(); !s.ok()) {
          Log(LogLevel::kError, "http", "reload failed; the previous certificate stays in force",
              {{"error", s.ToString()}});
        }
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
          asio::post(c->lowest().get_executor(), [c] {
            if (c->state != ConnState::kBusy) c->lowest().close();
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

  // Closes the oldest connection that is not being answered. False when
  // every connection is busy answering.
  bool ShedOldestIdle() {
    std::lock_guard lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto c = it->lock();
      if (!c) {
        it = connections_.erase(it);
        continue;
      }
      if (c->state != ConnState::kBusy && !c->shed.exchange(true)) {
        pending_sheds_.fetch_add(1);
        metrics_->Rejected("shed_idle");
        asio::post(c->lowest().get_executor(), [c] { c->lowest().close(); });
        return true;
      }
      ++it;
    }
    return false;
  }

  // Out of descriptors, the spare one is given up for a moment to tell one
  // waiting client why, so clients see 503 rather than a hanging connect.
  void AnswerFromSpare() {
    if (spare_fd_ < 0) return;
    ::close(spare_fd_);
    int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      if (!TlsContext()) ::send(fd, kPlain503.data(), kPlain503.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(fd);
    }
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  awaitable<void> Accept() {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    auto backoff = std::chrono::milliseconds(10);
    while (!stopping_) {
      tcp::socket socket(asio::make_strand(ioc_));
      auto [ec] = co_await acceptor_.async_accept(socket, kTuple);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) break;
        if (OutOfDescriptors(ec)) {
          metrics_->Rejected("no_descriptors");
          AnswerFromSpare();
          ShedOldestIdle();
          pause.expires_after(backoff);
          backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(1));
        } else {
          metrics_->Rejected("accept_error");  // e.g. the client reset before accept
          pause.expires_after(std::chrono::milliseconds(1));
        }
        co_await pause.async_wait(kTuple);
        continue;
      }
      backoff = std::chrono::milliseconds(10);
      auto conn = std::make_shared<Connection>(std::move(socket), TlsContext());
      auto executor = conn->lowest().get_executor();
      size_t open = static_cast<size_t>(metrics_->connections()) - pending_sheds_.load();
      if (open >= max_connections_ && !ShedOldestIdle()) {
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
      asio::co_spawn(executor, Session(conn), [this, conn](std::exception_ptr e) {
        if (e) LogException(e);
        if (conn->shed) pending_sheds_.fetch_sub(1);
        metrics_->ConnectionClosed();
        MaybeFinish();
      });
    }
  }

  void LogException(std::exception_ptr e) {
    metrics_->Rejected("exception");
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      Log(LogLevel::kError, "http", "exception in a connection", {{"what", ex.what()}});
    } catch (...) {
      Log(LogLevel::kError, "http", "exception in a connection");
    }
  }

  awaitable<void> Session(std::shared_ptr<Connection> conn) {
    if (!conn->tls) {
      co_await Serve(*conn, *conn->plain);
      co_return;
    }
    conn->lowest().expires_after(options_.first_byte_timeout);
    auto [ec] = co_await conn->tls->async_handshake(ssl::stream_base::server, kTuple);
    if (ec) {
      metrics_->Rejected("tls_handshake");
      co_return;
    }
    co_await Serve(*conn, *conn->tls);
  }

  awaitable<void> RefuseBusy(std::shared_ptr<Connection> conn) {
    conn->lowest().expires_after(std::chrono::seconds(2));
    Response r = ErrorResponse(503, "Server busy: too many open connections; retry later.");
    r.headers.emplace_back("Retry-After", "1");
    auto res = ToBeast(r, 11, false);
    if (conn->tls) {
      auto [ec] = co_await conn->tls->async_handshake(ssl::stream_base::server, kTuple);
      if (!ec) co_await http::async_write(*conn->tls, res, kTuple);
    } else {
      co_await http::async_write(*conn->plain, res, kTuple);
    }
    boost::system::error_code ec;
    conn->lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  // Answers a request that may not proceed; the connection closes after.
  template <class Stream>
  awaitable<void> Refuse(Connection& conn, Stream& stream, const Refusal& refusal) {
    metrics_->Rejected(std::to_string(refusal.status));
    Response r = ErrorResponse(refusal.status, refusal.why);
    auto res = ToBeast(r, 11, false);
    conn.lowest().expires_after(options_.request_timeout);
    co_await http::async_write(stream, res, kTuple);
  }

  template <class Stream>
  awaitable<void> Serve(Connection& conn, Stream& stream) {
    // Bounded: what the parser has not consumed yet (a header section, a
    // chunk-size line, a trailer section) must fit, or the read fails.
    beast::flat_buffer buffer(options_.header_limit + kBufferSlack);
    bool first = true;
    bool refused = false;
    for (;;) {
      if (stopping_) break;
      conn.state = ConnState::kIdle;
      if (buffer.size() == 0) {
        conn.lowest().expires_after(first ? options_.first_byte_timeout : IdleTimeout());
        // At most what the bound leaves: a header limit under a read chunk
        // (the transport fuzzer's 2 KiB) made prepare() throw on every read.
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(std::min(kReadChunk, buffer.max_size())), kTuple);
        if (ec) break;
        buffer.commit(n);
      }
      first = false;
      conn.state = ConnState::kReading;
      const auto started = Clock::now();
      // From its first byte, a request must arrive whole within the deadline.
      conn.lowest().expires_after(options_.request_timeout);
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options_.header_limit));
      parser.body_limit(options_.body_limit);
      size_t extension_bytes = 0;
      bool extensions_over = false;
      auto on_chunk_header = [&](uint64_t, beast::string_view extensions, boost::system::error_code& ec) {
        extension_bytes += extensions.size();
        if (extension_bytes > options_.header_limit) {
          extensions_over = true;
          ec = http::error::bad_chunk_extension;
        }
      };
      parser.on_chunk_header(on_chunk_header);

      auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kTuple);
      std::optional<Refusal> refusal;
      if (hec) {
        refusal = ReadFailure(hec, false, options_.header_limit);
        if (!refusal) break;
      } else {
        refusal = CheckFraming(parser.get());
      }
      if (!refusal && !parser.is_done()) {
        if (ExpectsContinue(parser.get())) {
          auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(kContinue), kTuple);
          if (cec) break;
        }
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kTuple);
        if (bec) {
          refusal = ReadFailure(bec, extensions_over, options_.header_limit);
          if (!refusal) break;
        }
      }
      if (refusal) {
        co_await Refuse(conn, stream, *refusal);
        refused = true;
        break;
      }
      conn.state = ConnState::kBusy;
      http::request<http::string_body> req = parser.release();
      bool keep_alive = req.keep_alive() && !stopping_;
      bool ok = co_await Answer(conn, stream, req, keep_alive, started);
      if (!ok || !keep_alive) break;
    }
    conn.state = ConnState::kIdle;
    conn.lowest().expires_after(std::chrono::seconds(1));
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) co_await stream.async_shutdown(kTuple);
    boost::system::error_code ignored;
    conn.lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (refused) co_await Linger(conn);
  }

  // After refusing a request whose rest may still be arriving, the read side
  // stays open a moment and what arrives is discarded: closing at once would
  // reset the connection, which can destroy the answer before the client
  // reads it (RFC 9112 section 9.6, "lingering close"). Bounded: 2 s, 1 MiB.
  awaitable<void> Linger(Connection& conn) {
    conn.lowest().expires_after(std::chrono::seconds(2));
    std::array<char, 16384> scratch;
    for (size_t total = 0; total < (size_t{1} << 20);) {
      auto [ec, n] = co_await conn.lowest().async_read_some(asio::buffer(scratch), kTuple);
      if (ec) break;
      total += n;
    }
  }

  // Builds and writes the answer to `req`; false when the connection must
  // close: it broke, or a stream failed midway.
  template <class Stream>
  awaitable<bool> Answer(Connection& conn, Stream& stream, http::request<http::string_body>& req, bool keep_alive,
                         Clock::time_point started) {
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
      request.cookie = std::string(req[http::field::cookie]);
      request.origin = std::string(req[http::field::origin]);
      request.host = std::string(req[http::field::host]);
      request.if_none_match = std::string(req[http::field::if_none_match]);
      request.accept_encoding = std::string(req[http::field::accept_encoding]);
      request.last_event_id = std::string(req["Last-Event-ID"]);
      request.tls = conn.tls != nullptr;
      r = service_->Handle(request, ApiKeyFromHeaders(req));
    }
    const bool head = req.method() == http::verb::head;
    const int status = r.status;
    uint64_t bytes = 0;
    bool ok = true;
    conn.lowest().expires_after(options_.request_timeout);
    if (!r.stream) {
      auto res = ToBeast(r, req.version(), keep_alive);
      if (head) {
        http::response_serializer<http::string_body> sr{res};
        auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
        ok = !ec;
      } else {
        bytes = res.body().size();
        auto [ec, n] = co_await http::async_write(stream, res, kTuple);
        ok = !ec;
      }
    } else {
      ok = co_await WriteStreamed(conn, stream, r, req.version(), keep_alive, head, &bytes);
    }
    if (access_log_.enabled()) {
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      access_log_.Write(AccessRecord{.client = conn.peer,
                                     .method = std::string_view(req.method_string().data(), req.method_string().size()),
                                     .target = target,
                                     .status = status,
                                     .bytes = bytes,
                                     .ms = ms,
                                     .tls = conn.tls != nullptr});
    }
    co_return ok;
  }

  // Chunked encoding, one chunk per piece the handler yields, each write
  // under its own deadline so a client that stops reading is dropped rather
  // than holding the producer. False, without the last chunk, when the
  // stream says it failed (Response::stream_failed).
  template <class Stream>
  awaitable<bool> WriteStreamed(Connection& conn, Stream& stream, Response& r, unsigned version, bool keep_alive,
                                bool head, uint64_t* bytes) {
    http::response<http::empty_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "nsradar");
    res.set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(stream, sr, kTuple);
    if (hec) co_return false;
    if (head) co_return true;
    std::string chunk;
    std::optional<asio::steady_timer> wait;
    if (r.stream_wait.count() > 0) wait.emplace(co_await asio::this_coro::executor);
    for (bool more = true; more;) {
      chunk.clear();
      more = r.stream(&chunk);
      if (chunk.empty()) {
        if (!wait || !more) continue;
        if (stopping_) break;
        wait->expires_after(r.stream_wait);
        co_await wait->async_wait(kTuple);
        continue;
      }
      *bytes += chunk.size();
      conn.lowest().expires_after(options_.request_timeout);
      auto [ec, n] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(chunk)), kTuple);
      if (ec) co_return false;
    }
    if (r.stream_failed && *r.stream_failed) co_return false;
    conn.lowest().expires_after(options_.request_timeout);
    auto [ec, n] = co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
    co_return !ec;
  }

  Service* service_;
  Metrics* metrics_;
  const ServerOptions options_;
  const int threads_;
  size_t max_connections_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  std::function<void()> on_reload_;
  AccessLog access_log_;
  int spare_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> pending_sheds_{0};
  std::mutex mu_;                                     // guards connections_, periodic_, grace_timer_ and tls_context_
  std::list<std::weak_ptr<Connection>> connections_;  // in accept order, oldest first
  std::vector<std::shared_ptr<asio::steady_timer>> periodic_;
  std::weak_ptr<asio::steady_timer> grace_timer_;
  std::shared_ptr<ssl::context> tls_context_;
};

HttpServer::HttpServer(Service* service, Metrics* metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(service, metrics, std::move(options))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::Listen() { return impl_->Listen(); }
uint16_t HttpServer::port() const { return impl_->port(); }
size_t HttpServer::max_connections() const { return impl_->max_connections(); }
void HttpServer::Every(std::chrono::milliseconds interval, std::function<void()> task) {
  impl_->Every(interval, std::move(task));
}
void HttpServer::HandleSignals(std::function<void()> on_reload) { impl_->HandleSignals(std::move(on_reload)); }
Status HttpServer::Reload() { return impl_->Reload(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace nsradar::api
