// http_flood: many connections held open against an HTTP server, and a probe
// that measures what an ordinary client gets meanwhile (scripts/soak.sh
// api-connections runs both against `nsradar serve`).
//
//   http_flood --port P --mode silent|trickle|keepalive --connections N --seconds S [--report FILE]
//   http_flood --port P --mode probe [--interval-ms 250] --seconds S --out probes.tsv [--report FILE]
//
// Flood modes keep N connections open; one the server closes (or a connect
// that fails) is opened again after --reconnect-ms, as clients that retry
// would:
//   silent     never sends a byte;
//   trickle    sends a request that never ends (a request line, then an
//              endless header) one byte every --trickle-ms (1000);
//   keepalive  sends a whole GET --path every --interval-ms (10000) on the
//              same connection and reads each answer.
// probe: a fresh connection every --interval-ms (250), one GET --path with
//   `Connection: close`; per probe one TSV line: when it started (seconds
//   from the start), the outcome (ok for 200, http_NNN, or how it failed),
//   the status and the milliseconds to the whole answer (or to the
//   failure). A probe not answered within --timeout-ms (5000) is a
//   timeout. Probes started before --seconds are all waited for.
//
// Plain epoll on one thread; at most --max-connecting connects in flight;
// RLIMIT_NOFILE raised (both limits, when allowed) to fit N. The report is
// `key value` lines, on standard output and in --report.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <queue>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string mode;
  size_t connections = 1000;
  double seconds = 60;
  int interval_ms = 0;  // default per mode: keepalive 10000, probe 250
  int trickle_ms = 1000;
  int reconnect_ms = 1000;
  int timeout_ms = 5000;  // probe
  int connect_timeout_ms = 10000;
  size_t max_connecting = 1024;
  std::string path = "/healthz";
  std::string out;     // probe TSV
  std::string report;  // key value lines
};

enum class Mode { kSilent, kTrickle, kKeepalive, kProbe };
enum class State { kIdle, kConnecting, kOpen };
enum class TimerKind { kConnectTimeout, kReconnect, kTrickle, kNextRequest, kProbeTimeout };

struct Slot {
  int fd = -1;
  State state = State::kIdle;
  uint32_t gen = 0;  // bumped at every close: timers and events of an earlier socket are ignored
  Clock::time_point started, opened;
  size_t trickled = 0;  // bytes of the endless request sent
  std::string in;       // answer bytes not yet parsed
  bool answered = false;
  int status = 0;
};

struct Timer {
  Clock::time_point at;
  uint32_t slot, gen;
  TimerKind kind;
  bool operator>(const Timer& o) const { return at > o.at; }
};

volatile std::sig_atomic_t g_stop = 0;

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank > 0 ? rank - 1 : 0)];
}

std::string ErrnoName(int e) {
  switch (e) {
    case ECONNREFUSED:
      return "refused";
    case ECONNRESET:
      return "reset";
    case ETIMEDOUT:
      return "timedout";
    case EADDRNOTAVAIL:
      return "addrnotavail";
    case EMFILE:
      return "emfile";
    case ENFILE:
      return "enfile";
    case EPIPE:
      return "epipe";
    default:
      return fmt::format("errno{}", e);
  }
}

class Flood {
 public:
  Flood(const Options& o, Mode mode) : o_(o), mode_(mode) {
    request_ = fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: http_flood\r\n{}\r\n", o_.path, o_.host,
                           o_.port, mode == Mode::kProbe ? "Connection: close\r\n" : "");
    trickle_ = fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\nX-Trickle: ", o_.path, o_.host, o_.port);
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(o_.port);
    inet_pton(AF_INET, o_.host.c_str(), &addr_.sin_addr);
    ep_ = epoll_create1(EPOLL_CLOEXEC);
  }

  int Run() {
    if (ep_ < 0) return Fail("epoll_create1");
    if (!o_.out.empty() && !(tsv_ = std::fopen(o_.out.c_str(), "w"))) return Fail(o_.out);
    if (tsv_) std::fputs("start_s\toutcome\tstatus\tlatency_ms\n", tsv_);
    start_ = Clock::now();
    const auto end = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
    if (mode_ != Mode::kProbe) {
      slots_.resize(o_.connections);
      for (uint32_t i = 0; i < slots_.size(); ++i) to_connect_.push_back(i);
    }
    auto next_probe = start_;
    auto next_status = start_ + std::chrono::seconds(10);
    auto next_sample = start_ + std::chrono::seconds(1);
    std::vector<epoll_event> events(1024);
    for (;;) {
      auto now = Clock::now();
      const bool running = now < end && !g_stop;
      if (!running && (mode_ != Mode::kProbe || probes_in_flight_ == 0)) break;
      if (mode_ == Mode::kProbe && running) {
        while (next_probe <= now) {
          StartProbe();
          next_probe += Ms(o_.interval_ms);
        }
      }
      RunTimers(now);
      ConnectSome();
      if (now >= next_sample) {
        if (now - start_ >= std::chrono::seconds(5)) open_samples_.push_back(static_cast<double>(open_));
        next_sample += std::chrono::seconds(1);
      }
      if (now >= next_status) {
        PrintStatus(stderr);
        next_status += std::chrono::seconds(10);
      }
      auto wake = std::min(next_sample, next_status);
      if (running) wake = std::min(wake, end);
      if (mode_ == Mode::kProbe && running) wake = std::min(wake, next_probe);
      if (!timers_.empty()) wake = std::min(wake, timers_.top().at);
      int wait_ms = static_cast<int>(std::chrono::ceil<Ms>(wake - Clock::now()).count());
      if (!to_connect_.empty() && connecting_ < o_.max_connecting) wait_ms = 0;
      int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), std::clamp(wait_ms, 0, 1000));
      if (n < 0 && errno != EINTR) return Fail("epoll_wait");
      for (int i = 0; i < n; ++i) Handle(events[i]);
    }
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].fd >= 0) Close(i);
    }
    if (tsv_) std::fclose(tsv_);
    Report();
    return 0;
  }

 private:
  int Fail(const std::string& what) {
    fmt::print(stderr, "http_flood: {}: {}\n", what, std::strerror(errno));
    return 1;
  }

  double Since(Clock::time_point t) const {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  }

  void AddTimer(uint32_t slot, TimerKind kind, int ms) {
    timers_.push(Timer{Clock::now() + Ms(ms), slot, slots_[slot].gen, kind});
  }

  void StartProbe() {
    uint32_t i;
    if (!free_probes_.empty()) {
      i = free_probes_.back();
      free_probes_.pop_back();
    } else {
      i = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    ++probes_in_flight_;
    Slot& s = slots_[i];
    s.started = Clock::now();
    s.answered = false;
    s.status = 0;
    s.in.clear();
    AddTimer(i, TimerKind::kProbeTimeout, o_.timeout_ms);
    if (!Connect(i)) ProbeDone(i, "socket_" + ErrnoName(errno));
  }

  // Starts connects up to the in-flight bound.
  void ConnectSome() {
    while (!to_connect_.empty() && connecting_ < o_.max_connecting && !g_stop) {
      uint32_t i = to_connect_.front();
      to_connect_.pop_front();
      slots_[i].started = Clock::now();
      if (!Connect(i)) {
        ++socket_errors_[ErrnoName(errno)];
        AddTimer(i, TimerKind::kReconnect, o_.reconnect_ms);
      }
    }
  }

  bool Connect(uint32_t i) {
    Slot& s = slots_[i];
    ++connect_attempts_;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    int r = connect(fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_);
    if (r != 0 && errno != EINPROGRESS) {
      int e = errno;
      close(fd);
      errno = e;
      return false;
    }
    s.fd = fd;
    s.state = State::kConnecting;
    ++connecting_;
    Watch(i, EPOLLOUT, EPOLL_CTL_ADD);
    if (mode_ != Mode::kProbe) AddTimer(i, TimerKind::kConnectTimeout, o_.connect_timeout_ms);
    return true;
  }

  void Watch(uint32_t i, uint32_t what, int op) {
    epoll_event ev{};
    ev.events = what;
    ev.data.u64 = static_cast<uint64_t>(slots_[i].gen) << 32 | i;
    epoll_ctl(ep_, op, slots_[i].fd, &ev);
  }

  void Close(uint32_t i) {
    Slot& s = slots_[i];
    if (s.state == State::kConnecting) --connecting_;
    if (s.state == State::kOpen) --open_;
    if (s.fd >= 0) close(s.fd);
    s.fd = -1;
    s.state = State::kIdle;
    s.in.clear();
    s.trickled = 0;
    ++s.gen;
  }

  // A flood connection ended (closed by the server, or failed): open it
  // again later.
  void Lost(uint32_t i) {
    Close(i);
    if (!g_stop) AddTimer(i, TimerKind::kReconnect, o_.reconnect_ms);
  }

  void ProbeDone(uint32_t i, const std::string& outcome) {
    Slot& s = slots_[i];
    double ms = Since(s.started);
    double t = std::chrono::duration<double>(s.started - start_).count();
    if (tsv_) fmt::print(tsv_, "{:.3f}\t{}\t{}\t{:.3f}\n", t, outcome, s.status, ms);
    ++outcomes_[outcome];
    if (outcome == "ok") ok_latencies_.push_back(ms);
    all_latencies_.push_back(ms);
    Close(i);
    free_probes_.push_back(i);
    --probes_in_flight_;
  }

  bool SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void RunTimers(Clock::time_point now) {
    while (!timers_.empty() && timers_.top().at <= now) {
      Timer t = timers_.top();
      timers_.pop();
      Slot& s = slots_[t.slot];
      if (t.kind == TimerKind::kReconnect) {
        if (s.gen == t.gen && s.state == State::kIdle) to_connect_.push_back(t.slot);
        continue;
      }
      if (s.gen != t.gen) continue;  // that socket is gone
      switch (t.kind) {
        case TimerKind::kConnectTimeout:
          if (s.state == State::kConnecting) {
            ++connect_timeouts_;
            Lost(t.slot);
          }
          break;
        case TimerKind::kProbeTimeout:
          ProbeDone(t.slot, "timeout");
          break;
        case TimerKind::kTrickle:
          if (s.state != State::kOpen) break;
          if (!Trickle(t.slot)) {
            ++closed_[std::string("send_") + ErrnoName(errno)];
            lifetimes_.push_back(Since(s.opened));
            Lost(t.slot);
          }
          break;
        case TimerKind::kNextRequest:
          if (s.state != State::kOpen) break;
          if (!SendAll(s.fd, request_)) {
            ++closed_[std::string("send_") + ErrnoName(errno)];
            lifetimes_.push_back(Since(s.opened));
            Lost(t.slot);
          } else {
            ++requests_;
          }
          break;
        case TimerKind::kReconnect:
          break;
      }
    }
  }

  bool Trickle(uint32_t i) {
    Slot& s = slots_[i];
    char c = s.trickled < trickle_.size() ? trickle_[s.trickled] : 'a';
    if (!SendAll(s.fd, std::string_view(&c, 1))) return false;
    ++s.trickled;
    ++trickled_bytes_;
    AddTimer(i, TimerKind::kTrickle, o_.trickle_ms);
    return true;
  }

  void Handle(const epoll_event& ev) {
    uint32_t i = static_cast<uint32_t>(ev.data.u64);
    if (i >= slots_.size() || slots_[i].gen != static_cast<uint32_t>(ev.data.u64 >> 32)) return;
    Slot& s = slots_[i];
    if (s.state == State::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0 || (ev.events & (EPOLLERR | EPOLLHUP))) {
        if (err == 0) err = ECONNRESET;
        if (mode_ == Mode::kProbe) return ProbeDone(i, "connect_" + ErrnoName(err));
        ++connect_failed_[ErrnoName(err)];
        return Lost(i);
      }
      --connecting_;
      ++open_;
      ++connected_;
      max_open_ = std::max(max_open_, open_);
      s.state = State::kOpen;
      s.opened = Clock::now();
      Watch(i, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
      bool sent = true;
      if (mode_ == Mode::kTrickle) sent = Trickle(i);
      if (mode_ == Mode::kKeepalive || mode_ == Mode::kProbe) {
        sent = SendAll(s.fd, request_);
        requests_ += sent;
      }
      if (!sent) {
        if (mode_ == Mode::kProbe) return ProbeDone(i, "send_" + ErrnoName(errno));
        ++closed_[std::string("send_") + ErrnoName(errno)];
        return Lost(i);
      }
      return;
    }
    if (s.state != State::kOpen) return;
    char buf[16384];
    for (;;) {
      ssize_t n = recv(s.fd, buf, sizeof buf, 0);
      if (n > 0) {
        s.in.append(buf, static_cast<size_t>(n));
        if (!ParseAnswers(i)) return;  // the slot was closed
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      // The server closed the connection (n == 0) or reset it.
      std::string how = n == 0 ? "eof" : ErrnoName(errno);
      if (mode_ == Mode::kProbe) return ProbeDone(i, s.answered ? "ok" : "closed_" + how);
      ++closed_[how];
      lifetimes_.push_back(Since(s.opened));
      return Lost(i);
    }
  }

  // Takes whole answers off the slot's input; false when that closed it.
  bool ParseAnswers(uint32_t i) {
    Slot& s = slots_[i];
    for (;;) {
      size_t head_end = s.in.find("\r\n\r\n");
      if (head_end == std::string::npos) {
        if (s.in.size() > 65536) s.in.clear();  // not HTTP; nothing to learn from it
        return true;
      }
      int status = 0;
      if (s.in.starts_with("HTTP/1.")) status = std::atoi(s.in.c_str() + 9);
      size_t body = 0;
      std::string head = s.in.substr(0, head_end);
      std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
      if (size_t p = head.find("\r\ncontent-length:"); p != std::string::npos) {
        body = std::strtoul(head.c_str() + p + 17, nullptr, 10);
      }
      if (s.in.size() < head_end + 4 + body) return true;
      s.in.erase(0, head_end + 4 + body);
      ++answers_[status];
      if (mode_ == Mode::kProbe) {
        s.status = status;
        s.answered = true;
        ProbeDone(i, status == 200 ? "ok" : fmt::format("http_{}", status));
        return false;
      }
      if (mode_ == Mode::kKeepalive && status == 200) {
        AddTimer(i, TimerKind::kNextRequest, o_.interval_ms);
      }
      // Anything else (a 503 or 408 before the server closes) is counted;
      // the close that follows reopens the connection.
    }
  }

  void PrintStatus(std::FILE* f) {
    double t = std::chrono::duration<double>(Clock::now() - start_).count();
    if (mode_ == Mode::kProbe) {
      fmt::print(f, "t={:.0f}s probes={} ok={}\n", t, all_latencies_.size(), ok_latencies_.size());
    } else {
      fmt::print(f, "t={:.0f}s open={} connecting={} waiting={} connected={} closed_by_server={}\n", t, open_,
                 connecting_, to_connect_.size(), connected_, ClosedTotal());
    }
    std::fflush(f);
  }

  uint64_t ClosedTotal() const {
    uint64_t n = 0;
    for (const auto& [k, v] : closed_) n += v;
    return n;
  }

  void Report() {
    std::string r;
    auto line = [&r](const std::string& k, const auto& v) { r += fmt::format("{} {}\n", k, v); };
    line("mode", o_.mode);
    line("seconds", o_.seconds);
    if (mode_ == Mode::kProbe) {
      line("probes", all_latencies_.size());
      line("probes_ok", ok_latencies_.size());
      line("ok_p50_ms", fmt::format("{:.2f}", Quantile(ok_latencies_, 0.5)));
      line("ok_p99_ms", fmt::format("{:.2f}", Quantile(ok_latencies_, 0.99)));
      line("ok_max_ms", fmt::format("{:.2f}", Quantile(ok_latencies_, 1.0)));
      for (const auto& [k, v] : outcomes_) line("outcome_" + k, v);
    } else {
      line("connections", o_.connections);
      line("connect_attempts", connect_attempts_);
      line("connected", connected_);
      line("connect_timeouts", connect_timeouts_);
      for (const auto& [k, v] : connect_failed_) line("connect_failed_" + k, v);
      for (const auto& [k, v] : socket_errors_) line("socket_failed_" + k, v);
      line("closed_by_server", ClosedTotal());
      for (const auto& [k, v] : closed_) line("closed_" + k, v);
      line("lifetime_p50_ms", fmt::format("{:.0f}", Quantile(lifetimes_, 0.5)));
      line("lifetime_p90_ms", fmt::format("{:.0f}", Quantile(lifetimes_, 0.9)));
      line("open_max", max_open_);
      line("open_min_after_5s", fmt::format("{:.0f}", Quantile(open_samples_, 0.0)));
      line("open_mean_after_5s", fmt::format("{:.0f}", [&] {
             double sum = 0;
             for (double v : open_samples_) sum += v;
             return open_samples_.empty() ? 0.0 : sum / static_cast<double>(open_samples_.size());
           }()));
      line("open_at_end", open_);
      line("requests", requests_);
      line("trickled_bytes", trickled_bytes_);
    }
    for (const auto& [k, v] : answers_) line(fmt::format("answers_{}", k), v);
    std::fputs(r.c_str(), stdout);
    if (!o_.report.empty()) {
      if (std::FILE* f = std::fopen(o_.report.c_str(), "w")) {
        std::fputs(r.c_str(), f);
        std::fclose(f);
      }
    }
  }

  Options o_;
  Mode mode_;
  std::string request_, trickle_;
  sockaddr_in addr_{};
  int ep_ = -1;
  std::FILE* tsv_ = nullptr;
  Clock::time_point start_;
  std::vector<Slot> slots_;
  std::deque<uint32_t> to_connect_;
  std::vector<uint32_t> free_probes_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  size_t connecting_ = 0, open_ = 0, max_open_ = 0, probes_in_flight_ = 0;
  uint64_t connect_attempts_ = 0, connected_ = 0, connect_timeouts_ = 0, requests_ = 0, trickled_bytes_ = 0;
  std::map<std::string, uint64_t> connect_failed_, socket_errors_, closed_, outcomes_;
  std::map<int, uint64_t> answers_;
  std::vector<double> lifetimes_, ok_latencies_, all_latencies_, open_samples_;
};

// Room for `need` descriptors: the soft limit up to the hard one, and the
// hard one too when the process may (root).
void RaiseDescriptorLimit(size_t need) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_max < need) {
    rlimit raised{need, need};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
    fmt::print(stderr, "http_flood: cannot raise the descriptor limit to {} (hard limit {}): {}\n", need, rl.rlim_max,
               std::strerror(errno));
  }
  rl.rlim_cur = std::min<rlim_t>(std::max<rlim_t>(rl.rlim_cur, need), rl.rlim_max);
  setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Connections held open against an HTTP server, or a probe of it"};
  Options o;
  app.add_option("--host", o.host, "Server address (IPv4)")->capture_default_str();
  app.add_option("--port", o.port, "Server port")->required();
  app.add_option("--mode", o.mode, "silent, trickle, keepalive or probe")
      ->required()
      ->check(CLI::IsMember({"silent", "trickle", "keepalive", "probe"}));
  app.add_option("--connections", o.connections, "Connections kept open (flood modes)")->capture_default_str();
  app.add_option("--seconds", o.seconds, "How long to run")->capture_default_str();
  app.add_option("--interval-ms", o.interval_ms, "keepalive: between requests (10000); probe: between probes (250)");
  app.add_option("--trickle-ms", o.trickle_ms, "trickle: between bytes")->capture_default_str();
  app.add_option("--reconnect-ms", o.reconnect_ms, "Before a lost connection is opened again")->capture_default_str();
  app.add_option("--timeout-ms", o.timeout_ms, "probe: time for the whole answer")->capture_default_str();
  app.add_option("--connect-timeout-ms", o.connect_timeout_ms, "Flood connects pending longer are retried")
      ->capture_default_str();
  app.add_option("--max-connecting", o.max_connecting, "Connects in flight at most")->capture_default_str();
  app.add_option("--path", o.path, "Request target (keepalive, probe)")->capture_default_str();
  app.add_option("--out", o.out, "probe: one TSV line per probe");
  app.add_option("--report", o.report, "Also write the report (key value lines) here");
  CLI11_PARSE(app, argc, argv);

  Mode mode = o.mode == "silent"      ? Mode::kSilent
              : o.mode == "trickle"   ? Mode::kTrickle
              : o.mode == "keepalive" ? Mode::kKeepalive
                                      : Mode::kProbe;
  if (o.interval_ms <= 0) o.interval_ms = mode == Mode::kProbe ? 250 : 10000;
  size_t probes_in_flight = static_cast<size_t>(o.timeout_ms / o.interval_ms + 2);
  RaiseDescriptorLimit((mode == Mode::kProbe ? probes_in_flight : o.connections) + 64);
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGPIPE, SIG_IGN);
  return Flood(o, mode).Run();
}
