// Frame Streams, the dnstap transport: the receiver's state machine fed in
// every split, hostile senders, and the socket source with real sockets
// (a sender that never reads its answers must not stall the others).
#include "ingest/frame_stream.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "ingest/formats.h"
#include "ingest/internal/dnstap_socket.h"
#include "nsdb/store_test_util.h"

namespace nsradar::ingest {
namespace {

using nsdb::testing::FileText;
using nsdb::testing::TempDir;

const std::string kFixtures = std::string(NSRADAR_TESTDATA) + "/ingest/";

std::string DataFrame(std::string_view payload) {
  std::string f;
  for (int i = 3; i >= 0; --i) f.push_back(static_cast<char>(payload.size() >> (8 * i)));
  return f + std::string(payload);
}

// A whole bidirectional session as a sender writes it.
std::string Session(const std::vector<std::string>& frames) {
  std::string s =
      FrameStreamControl(kFstrmReady, kDnstapContentType) + FrameStreamControl(kFstrmStart, kDnstapContentType);
  for (const auto& f : frames) s += DataFrame(f);
  return s + FrameStreamControl(kFstrmStop);
}

struct Outcome {
  std::vector<std::string> frames;
  std::string reply, error;
  bool open = true;
  FrameStreamReceiver::State state;
};

Outcome FeedInPieces(const std::string& bytes, size_t piece) {
  FrameStreamReceiver r;
  Outcome out;
  for (size_t at = 0; at < bytes.size() && out.open; at += piece) {
    out.open = r.Feed(
        std::string_view(bytes).substr(at, piece), &out.reply, [&](std::string_view f) { out.frames.emplace_back(f); },
        &out.error);
  }
  out.state = r.state();
  return out;
}

TEST(FrameStreamReceiver, HandshakeFramesAndFinishInAnySplit) {
  const std::vector<std::string> frames = {"one", std::string(70000, 'x'), "three"};
  const std::string session = Session(frames);
  for (size_t piece : {size_t{1}, size_t{3}, size_t{7}, size_t{64}, session.size()}) {
    SCOPED_TRACE(piece);
    Outcome o = FeedInPieces(session, piece);
    EXPECT_EQ(o.frames, frames);
    EXPECT_FALSE(o.open);
    EXPECT_EQ(o.state, FrameStreamReceiver::State::kFinished);
    EXPECT_EQ(o.reply, FrameStreamControl(kFstrmAccept, kDnstapContentType) + FrameStreamControl(kFstrmFinish));
    EXPECT_EQ(o.error, "");
  }
  // A unidirectional writer starts without READY and hears nothing back.
  Outcome uni = FeedInPieces(FrameStreamControl(kFstrmStart, kDnstapContentType) + DataFrame("x"), 2);
  EXPECT_EQ(uni.frames, std::vector<std::string>{"x"});
  EXPECT_TRUE(uni.open);
  EXPECT_EQ(uni.reply, "");
}

TEST(FrameStreamReceiver, HostileSendersAreRefusedWithAReason) {
  struct Case {
    std::string bytes;
    std::string error;
  };
  std::string huge_control = std::string(4, '\0') + std::string("\x00\x01\x00\x00", 4);
  std::string overrun = FrameStreamControl(kFstrmReady, kDnstapContentType);
  overrun[19] = 100;  // the content type field claims more than its frame holds
  const Case cases[] = {
      {FrameStreamControl(kFstrmReady, "protobuf:other"), "does not offer"},
      {FrameStreamControl(kFstrmReady), "does not offer"},
      {DataFrame("early"), "data before START"},
      {FrameStreamControl(kFstrmReady, kDnstapContentType) + FrameStreamControl(kFstrmReady, kDnstapContentType),
       "READY out of turn"},
      {FrameStreamControl(kFstrmStart, "protobuf:other"), "other than dnstap"},
      {FrameStreamControl(kFstrmStart) + std::string("\x01\x00\x00\x01", 4), "data frame of 16777217 bytes"},
      {huge_control, "control frame of 65536 bytes"},
      {overrun, "overruns its frame"},
      {FrameStreamControl(99), "unexpected control frame type 99"},
      {std::string(4, '\0') + std::string("\x00\x00\x00\x02", 4) + "ab", "without a type"},
  };
  for (const Case& c : cases) {
    Outcome o = FeedInPieces(c.bytes, 1);
    EXPECT_EQ(o.state, FrameStreamReceiver::State::kBroken) << c.error;
    EXPECT_NE(o.error.find(c.error), std::string::npos) << o.error;
    EXPECT_TRUE(o.frames.empty());
  }
}

int Connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  for (int i = 0; i < 200; ++i) {
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  close(fd);
  return -1;
}

// The frames of a real Unbound dnstap file (testdata/ingest), to send again.
std::vector<std::string> FixtureFrames() {
  Outcome o = FeedInPieces(FileText(kFixtures + "unbound.dnstap"), 4096);
  EXPECT_FALSE(o.frames.empty());
  return o.frames;
}

TEST(DnstapSocket, ASenderThatNeverReadsDoesNotStallTheOthers) {
  TempDir dir;
  const std::string path = dir.file("dnstap.sock");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> events{0};
  auto source = NewDnstapSocketSource(path, {}, &stop);
  std::thread runner([&] { EXPECT_TRUE(source->Run([&](const DnsEvent&) { ++events; }).ok()); });

  // The hostile sender: READY after READY, never reading, with the smallest
  // buffer the kernel allows (a receiver that answered every READY would
  // block on it once that buffer filled, and serve no one else).
  int hostile = Connect(path);
  ASSERT_GE(hostile, 0);
  int tiny = 1;
  setsockopt(hostile, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
  const std::string ready = FrameStreamControl(kFstrmReady, kDnstapContentType);
  for (int i = 0; i < 20000; ++i) {
    if (send(hostile, ready.data(), ready.size(), MSG_DONTWAIT | MSG_NOSIGNAL) <= 0) break;
  }
  // A well-behaved sender of real frames is still served.
  const std::vector<std::string> frames = FixtureFrames();
  int good = Connect(path);
  ASSERT_GE(good, 0);
  std::string session = Session(frames);
  ASSERT_EQ(send(good, session.data(), session.size(), MSG_NOSIGNAL), static_cast<ssize_t>(session.size()));
  char answer[256];
  ssize_t n = recv(good, answer, sizeof answer, 0);  // ACCEPT and FINISH
  EXPECT_GT(n, 0);
  for (int i = 0; i < 200 && events < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  close(good);
  close(hostile);
  stop = true;
  runner.join();
  // Every query/response pair of the file came through (a pair per event).
  std::unique_ptr<EventSource> file;
  ASSERT_TRUE(OpenSource(kFixtures + "unbound.dnstap", Format::kAuto, {}, &file).ok());
  uint64_t expected = 0;
  ASSERT_TRUE(file->Run([&](const DnsEvent&) { ++expected; }).ok());
  EXPECT_EQ(events.load(), expected);
  EXPECT_GE(source->stats().skipped.count("dnstap_protocol_error") +
                source->stats().skipped.count("dnstap_sender_not_reading"),
            1u);
}

// Only the owner and the directory's group may connect: anyone who can
// connect can inject the events that become alerts and RPZ rules.
TEST(DnstapSocket, OnlyOwnerAndGroupMayConnect) {
  TempDir dir;
  // Group 4 (adm), as an operator would pick one; only root may give it.
  if (chown(dir.path().c_str(), static_cast<uid_t>(-1), 4) != 0) GTEST_SKIP() << "needs root to choose a group";
  const std::string path = dir.file("dnstap.sock");
  std::atomic<bool> stop{false};
  auto source = NewDnstapSocketSource(path, {}, &stop);
  std::thread runner([&] { EXPECT_TRUE(source->Run([](const DnsEvent&) {}).ok()); });
  int fd = Connect(path);
  ASSERT_GE(fd, 0);
  close(fd);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_EQ(st.st_gid, 4u);
  stop = true;
  runner.join();
}

TEST(DnstapSocket, AtMost64SendersAtOnce) {
  TempDir dir;
  const std::string path = dir.file("dnstap.sock");
  std::atomic<bool> stop{false};
  auto source = NewDnstapSocketSource(path, {}, &stop);
  std::thread runner([&] { EXPECT_TRUE(source->Run([](const DnsEvent&) {}).ok()); });
  std::vector<int> fds;
  for (int i = 0; i < 70; ++i) fds.push_back(Connect(path));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (int fd : fds) close(fd);
  stop = true;
  runner.join();
  EXPECT_EQ(source->stats().skipped.at("dnstap_too_many_senders"), 6u);
}

}  // namespace
}  // namespace nsradar::ingest
