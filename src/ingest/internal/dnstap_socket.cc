#include "ingest/internal/dnstap_socket.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ingest/dnstap_source.h"
#include "ingest/frame_stream.h"

namespace nsradar::ingest {
namespace {

constexpr size_t kMaxConnections = 64;

// Sends what the receiver must answer. The socket is non-blocking and the
// answers are a few dozen bytes a connection: a sender whose socket cannot
// take them does not read its side, and would otherwise stall every other
// sender this one thread serves. False when the answer could not go out.
bool SendAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

class DnstapSocketSource : public EventSource {
 public:
  DnstapSocketSource(std::string path, const SourceOptions& options, const std::atomic<bool>* stop)
      : path_(std::move(path)), options_(options), stop_(stop) {}

  Status Run(const EventSink& sink) override {
    sockaddr_un addr{};
    if (path_.size() >= sizeof(addr.sun_path)) return Status::InvalidArgument(path_ + ": socket path too long");
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return Status::IOError("socket: " + std::string(std::strerror(errno)));
    struct stat st;
    if (lstat(path_.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        close(listener);
        return Status::InvalidArgument(path_ + ": exists and is not a socket");
      }
      unlink(path_.c_str());  // a stale socket of an earlier run
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 16) != 0) {
      std::string why = std::strerror(errno);
      close(listener);
      return Status::IOError(path_ + ": cannot listen: " + why);
    }
    // Whoever can connect can feed events, and events raise alerts that
    // become RPZ rules: only the owner and the directory's group may connect
    // (put the resolver's user in that group; docs/security.md).
    struct stat dir {};
    std::string parent = path_.substr(0, path_.find_last_of('/') == std::string::npos ? 0 : path_.find_last_of('/'));
    if (stat(parent.empty() ? "." : parent.c_str(), &dir) == 0 &&
        chown(path_.c_str(), static_cast<uid_t>(-1), dir.st_gid) != 0) {
      stats_.Skip("dnstap_socket_group", path_ + ": cannot give the socket its directory's group",
                  options_.max_samples);
    }
    chmod(path_.c_str(), 0660);
    DnstapDecoder decoder(options_, &stats_);
    std::vector<Conn> conns;
    while (!(stop_ && stop_->load())) {
      std::vector<pollfd> fds;
      fds.push_back({listener, POLLIN, 0});
      for (const auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
      int n = poll(fds.data(), fds.size(), 100);
      if (n < 0 && errno != EINTR) break;
      if (n <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
          if (conns.size() >= kMaxConnections) {
            stats_.Skip("dnstap_too_many_senders", path_, options_.max_samples);
            close(fd);
          } else {
            conns.push_back(Conn{fd, {}});
          }
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Conn& c = conns[i - 1];
        if (!Serve(c, decoder, sink)) {
          close(c.fd);
          c.fd = -1;
        }
      }
      std::erase_if(conns, [](const Conn& c) { return c.fd < 0; });
    }
    for (auto& c : conns) close(c.fd);
    close(listener);
    unlink(path_.c_str());
    decoder.Finish(sink);
    return Status::OK();
  }

 private:
  struct Conn {
    int fd;
    FrameStreamReceiver receiver;
  };

  // Reads what the sender sent and hands on every complete frame; false when
  // the connection is finished or broken.
  bool Serve(Conn& c, DnstapDecoder& decoder, const EventSink& sink) {
    char buf[65536];
    ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      if (c.receiver.buffered() > 0) {
        stats_.Skip("dnstap_truncated_frame", path_ + ": sender left mid-frame", options_.max_samples);
      }
      return false;
    }
    std::string reply, error;
    const bool open = c.receiver.Feed(
        std::string_view(buf, static_cast<size_t>(n)), &reply,
        [&](std::string_view frame) {
          decoder.Frame(reinterpret_cast<const uint8_t*>(frame.data()), frame.size(), sink);
        },
        &error);
    if (!reply.empty() && !SendAll(c.fd, reply)) {
      stats_.Skip("dnstap_sender_not_reading", path_, options_.max_samples);
      return false;
    }
    if (c.receiver.state() == FrameStreamReceiver::State::kBroken) {
      stats_.Skip("dnstap_protocol_error", path_ + ": " + error, options_.max_samples);
    }
    return open;
  }

  std::string path_;
  SourceOptions options_;
  const std::atomic<bool>* stop_;
};

}  // namespace

std::unique_ptr<EventSource> NewDnstapSocketSource(const std::string& path, const SourceOptions& options,
                                                   const std::atomic<bool>* stop) {
  return std::make_unique<DnstapSocketSource>(path, options, stop);
}

}  // namespace nsradar::ingest
