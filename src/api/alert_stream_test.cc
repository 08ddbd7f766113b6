// GET /v2/alerts/stream over real HTTP on 127.0.0.1, read from plain
// sockets as alerts are published: the events, keys and the UI's session
// cookie, Last-Event-ID, heartbeats, the client limit, a client that stops
// reading, and a server stopping under open streams.
#include "api/alert_stream.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "api/server_fixture.h"
#include "nsdb/store_test_util.h"

namespace nsradar::api {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kKey = testing::kFixtureKey;

// A server whose Service has an AlertStream, running until the test ends.
struct StreamServer {
  explicit StreamServer(AlertStreamOptions options = {}) : stream(options), fixture(Options(), 0, &stream) {}
  static ServerOptions Options() {
    ServerOptions so;
    so.request_timeout = std::chrono::milliseconds(2000);  // how long a write to a stalled client may wait
    return so;
  }
  uint16_t port() const { return fixture.port(); }

  AlertStream stream;  // outlives the server
  testing::ServerFixture fixture;
};

// A raw client socket: what it sent and read is exactly what went over the
// wire (chunk framing included).
class Socket {
 public:
  explicit Socket(uint16_t port, int receive_buffer = 0) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Socket() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& s) { ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), ssize_t(s.size())); }
  // Reads until `needle` appears in what was read (from `from` on), the
  // peer closes, or `timeout`; whether the needle came.
  bool ReadUntil(std::string_view needle, std::chrono::milliseconds timeout = std::chrono::seconds(5),
                 size_t from = 0) {
    const auto end = Clock::now() + timeout;
    while (got_.find(needle, from) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        return got_.find(needle, from) != std::string::npos;
      }
      got_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  bool closed() const { return closed_; }
  const std::string& got() const { return got_; }

 private:
  int fd_;
  bool connected_ = false, closed_ = false;
  std::string got_;
};

std::string StreamRequest(uint16_t port, const std::string& extra_headers) {
  return "GET /v2/alerts/stream HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" + extra_headers +
         "Accept: text/event-stream\r\n\r\n";
}
std::string WithKey() { return std::string("X-API-Key: ") + kKey + "\r\n"; }

std::string Alert(int i) { return "{\"registered_domain\":\"t" + std::to_string(i) + ".test\",\"alert_time_us\":1}"; }

// The id of the event whose data is Alert(i), from what a client read.
std::string IdOf(const std::string& got, int i) {
  const size_t data = got.find("data: " + Alert(i));
  if (data == std::string::npos) return "";
  const size_t id = got.rfind("id: ", data);
  return got.substr(id + 4, got.find('\n', id) - id - 4);
}

TEST(AlertStream, ClientsGetEachAlertAsItIsPublished) {
  StreamServer s;
  Socket a(s.port()), b(s.port());
  a.Send(StreamRequest(s.port(), WithKey()));
  b.Send(StreamRequest(s.port(), WithKey()));
  ASSERT_TRUE(a.ReadUntil("alert stream")) << a.got();
  ASSERT_TRUE(b.ReadUntil("alert stream")) << b.got();
  EXPECT_NE(a.got().find("HTTP/1.1 200"), std::string::npos) << a.got();
  EXPECT_NE(a.got().find("Content-Type: text/event-stream"), std::string::npos) << a.got();
  EXPECT_NE(a.got().find("Transfer-Encoding: chunked"), std::string::npos) << a.got();
  EXPECT_NE(a.got().find("Cache-Control: no-store"), std::string::npos) << a.got();
  EXPECT_EQ(s.stream.clients(), 2u);
  for (int i = 1; i <= 3; ++i) {
    const auto published = Clock::now();
    s.stream.Publish(Alert(i));
    ASSERT_TRUE(a.ReadUntil("data: " + Alert(i) + "\n\n")) << a.got();
    // Heard within the poll interval (200 ms), with room for a loaded machine.
    EXPECT_LT(Clock::now() - published, std::chrono::milliseconds(1500));
    ASSERT_TRUE(b.ReadUntil("data: " + Alert(i) + "\n\n")) << b.got();
  }
  EXPECT_NE(a.got().find("event: alert\ndata: " + Alert(1)), std::string::npos) << a.got();
  // Ids count up within one stream.
  const std::string id1 = IdOf(a.got(), 1), id3 = IdOf(a.got(), 3);
  ASSERT_FALSE(id1.empty());
  EXPECT_EQ(id1.substr(0, id1.find('-')), id3.substr(0, id3.find('-')));
  EXPECT_EQ(id1.substr(id1.find('-') + 1), "1");
  EXPECT_EQ(id3.substr(id3.find('-') + 1), "3");
  EXPECT_EQ(IdOf(b.got(), 3), id3);
}

TEST(AlertStream, KeysAndTheUiSessionCookieAdmitAsOnEveryRoute) {
  StreamServer s;
  Socket none(s.port());
  none.Send(StreamRequest(s.port(), ""));
  ASSERT_TRUE(none.ReadUntil("\r\n\r\n"));
  EXPECT_NE(none.got().find("HTTP/1.1 403"), std::string::npos) << none.got();
  Socket wrong(s.port());
  wrong.Send(StreamRequest(s.port(), "X-API-Key: at_wrongwrongwrongwrongwrongwrong0\r\n"));
  ASSERT_TRUE(wrong.ReadUntil("\r\n\r\n"));
  EXPECT_NE(wrong.got().find("HTTP/1.1 403"), std::string::npos) << wrong.got();
  // Sign in as the web UI does, then stream with the cookie alone.
  Socket sign_in(s.port());
  const std::string host = "127.0.0.1:" + std::to_string(s.port());
  sign_in.Send("POST /ui/session HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host +
               "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(std::strlen(kKey)) + "\r\n\r\n" +
               kKey);
  ASSERT_TRUE(sign_in.ReadUntil("\r\n\r\n"));
  const size_t at = sign_in.got().find("nsradar_session=");
  ASSERT_NE(at, std::string::npos) << sign_in.got();
  const std::string cookie = sign_in.got().substr(at, sign_in.got().find(';', at) - at);
  Socket ui(s.port());
  ui.Send(StreamRequest(s.port(), "Cookie: " + cookie + "\r\n"));
  ASSERT_TRUE(ui.ReadUntil("alert stream")) << ui.got();
  s.stream.Publish(Alert(1));
  EXPECT_TRUE(ui.ReadUntil("data: " + Alert(1))) << ui.got();
}

TEST(AlertStream, LastEventIdResumesAndAnUnknownIdResets) {
  StreamServer s;
  Socket first(s.port());
  first.Send(StreamRequest(s.port(), WithKey()));
  ASSERT_TRUE(first.ReadUntil("alert stream"));
  for (int i = 1; i <= 4; ++i) s.stream.Publish(Alert(i));
  ASSERT_TRUE(first.ReadUntil("data: " + Alert(4)));
  const std::string id2 = IdOf(first.got(), 2);
  // Back after the second: the third and the fourth, at once, in order.
  Socket resumed(s.port());
  resumed.Send(StreamRequest(s.port(), WithKey() + "Last-Event-ID: " + id2 + "\r\n"));
  ASSERT_TRUE(resumed.ReadUntil("data: " + Alert(4))) << resumed.got();
  EXPECT_EQ(resumed.got().find("data: " + Alert(2)), std::string::npos);
  EXPECT_LT(resumed.got().find("data: " + Alert(3)), resumed.got().find("data: " + Alert(4)));
  EXPECT_EQ(resumed.got().find("event: reset"), std::string::npos);
  // Another process's id, or garbage: reset, then live alerts.
  for (const std::string& id : {std::string("1-2"), std::string("not-an-id"), std::string("99999999999999999999")}) {
    Socket other(s.port());
    other.Send(StreamRequest(s.port(), WithKey() + "Last-Event-ID: " + id + "\r\n"));
    ASSERT_TRUE(other.ReadUntil("event: reset\ndata: {}\n\n")) << id << ": " << other.got();
    EXPECT_EQ(other.got().find("data: " + Alert(3)), std::string::npos) << id;
  }
}

TEST(AlertStream, IdleStreamsCarryHeartbeats) {
  AlertStreamOptions o;
  o.heartbeat = std::chrono::milliseconds(300);
  StreamServer s(o);
  Socket c(s.port());
  c.Send(StreamRequest(s.port(), WithKey()));
  ASSERT_TRUE(c.ReadUntil("alert stream"));
  const size_t after = c.got().size();
  EXPECT_TRUE(c.ReadUntil(": heartbeat\n\n", std::chrono::seconds(5), after)) << c.got();
}

TEST(AlertStream, ClientsBeyondTheLimitAreRefused) {
  AlertStreamOptions o;
  o.max_clients = 2;
  StreamServer s(o);
  auto a = std::make_unique<Socket>(s.port());
  Socket b(s.port());
  a->Send(StreamRequest(s.port(), WithKey()));
  b.Send(StreamRequest(s.port(), WithKey()));
  ASSERT_TRUE(a->ReadUntil("alert stream"));
  ASSERT_TRUE(b.ReadUntil("alert stream"));
  Socket c(s.port());
  c.Send(StreamRequest(s.port(), WithKey()));
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n"));
  EXPECT_NE(c.got().find("HTTP/1.1 503"), std::string::npos) << c.got();
  EXPECT_NE(c.got().find("Retry-After"), std::string::npos) << c.got();
  // A client that leaves frees its place (once the server notices: its
  // next write fails).
  a.reset();
  s.stream.Publish(Alert(1));
  bool admitted = false;
  for (int i = 0; i < 50 && !admitted; ++i) {
    Socket d(s.port());
    d.Send(StreamRequest(s.port(), WithKey()));
    admitted = d.ReadUntil("alert stream", std::chrono::milliseconds(500));
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(admitted);
}

// A client that stops reading: the server's writes to it wait, its queue
// fills, and it is dropped and counted; a reading client gets everything.
TEST(AlertStream, AClientThatStopsReadingIsDroppedAndCounted) {
  AlertStreamOptions o;
  o.queue = 8;
  o.history = 16;
  StreamServer s(o);
  Socket stalled(s.port(), /*receive_buffer=*/4096);
  stalled.Send(StreamRequest(s.port(), WithKey()));
  ASSERT_TRUE(stalled.ReadUntil("alert stream"));
  Socket reader(s.port());
  reader.Send(StreamRequest(s.port(), WithKey()));
  ASSERT_TRUE(reader.ReadUntil("alert stream"));
  // 64 KB alerts: a few fill the socket buffers between the server and the
  // stalled client.
  const std::string padding(64 << 10, 'x');
  for (int i = 0; i < 200 && s.stream.dropped_clients() == 0; ++i) {
    const size_t from = reader.got().size();
    s.stream.Publish("{\"n\":" + std::to_string(i) + ",\"pad\":\"" + padding + "\"}");
    ASSERT_TRUE(reader.ReadUntil(padding + "\"}\n\n", std::chrono::seconds(10), from)) << i;
  }
  EXPECT_EQ(s.stream.dropped_clients(), 1u);
  std::string metrics;
  s.stream.AppendMetrics(&metrics);
  EXPECT_NE(metrics.find("nsradar_alert_stream_dropped_total 1\n"), std::string::npos) << metrics;
  // The dropped client's answer ends; the reader's goes on.
  const size_t from = reader.got().size();
  s.stream.Publish(Alert(7));
  EXPECT_TRUE(reader.ReadUntil("data: " + Alert(7), std::chrono::seconds(5), from));
  EXPECT_TRUE([&] {
    for (int i = 0; i < 100; ++i) {
      if (s.stream.clients() == 1) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }()) << s.stream.clients();
}

// Stop() ends open streams with their last chunk, well within the grace
// period, and Run returns.
TEST(AlertStream, StreamsEndCleanlyWhenTheServerStops) {
  auto s = std::make_unique<StreamServer>();
  Socket a(s->port()), b(s->port());
  a.Send(StreamRequest(s->port(), WithKey()));
  b.Send(StreamRequest(s->port(), WithKey()));
  ASSERT_TRUE(a.ReadUntil("alert stream"));
  ASSERT_TRUE(b.ReadUntil("alert stream"));
  const auto stopping = Clock::now();
  s->fixture.StopAndJoin();
  EXPECT_LT(Clock::now() - stopping, std::chrono::seconds(3));  // the grace period is 10 s
  EXPECT_TRUE(a.ReadUntil("\r\n0\r\n\r\n", std::chrono::seconds(2))) << a.got();
  EXPECT_TRUE(b.ReadUntil("\r\n0\r\n\r\n", std::chrono::seconds(2))) << b.got();
}

TEST(AlertStream, AServerWithoutAStreamAnswers404) {
  testing::ServerFixture f;  // a read-only serve: no stream
  Socket c(f.port());
  c.Send(StreamRequest(f.port(), WithKey()));
  ASSERT_TRUE(c.ReadUntil("serve --config")) << c.got();
  EXPECT_NE(c.got().find("HTTP/1.1 404"), std::string::npos) << c.got();
}

}  // namespace
}  // namespace nsradar::api
