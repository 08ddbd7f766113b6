#include "ingest/dnstap_socket.h"

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

namespace nsradar::ingest {
namespace {

constexpr size_t kMaxConnections = 64;
constexpr uint32_t kMaxFrame = 1 << 20;
constexpr uint32_t kAccept = 1, kStart = 2, kStop = 3, kReady = 4, kFinish = 5;
constexpr uint32_t kFieldContentType = 1;
constexpr std::string_view kContentType = "protobuf:dnstap.Dnstap";

uint32_t Be32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8 | static_cast<uint8_t>(p[3]);
}
void PutBe32(std::string* s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s->push_back(static_cast<char>(v >> (8 * i)));
}

// A control frame: escape, length, type, and the content type field.
std::string ControlFrame(uint32_t type, bool with_content_type) {
  std::string body;
  PutBe32(&body, type);
  if (with_content_type) {
    PutBe32(&body, kFieldContentType);
    PutBe32(&body, static_cast<uint32_t>(kContentType.size()));
    body.append(kContentType);
  }
  std::string frame;
  PutBe32(&frame, 0);
  PutBe32(&frame, static_cast<uint32_t>(body.size()));
  return frame + body;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
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
    // Resolvers often run as their own user: let them connect.
    chmod(path_.c_str(), 0666);
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
        int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          if (conns.size() >= kMaxConnections) {
            stats_.Skip("dnstap_too_many_senders", path_, options_.max_samples);
            close(fd);
          } else {
            conns.push_back(Conn{fd, {}, false});
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
    std::string buffer;
    bool started;
  };

  // Reads what the sender sent and handles every complete frame; false when
  // the connection is finished or broken.
  bool Serve(Conn& c, DnstapDecoder& decoder, const EventSink& sink) {
    char buf[65536];
    ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      if (!c.buffer.empty())
        stats_.Skip("dnstap_truncated_frame", path_ + ": sender left mid-frame", options_.max_samples);
      return false;
    }
    c.buffer.append(buf, static_cast<size_t>(n));
    size_t pos = 0;
    bool open = true;
    while (open && c.buffer.size() - pos >= 4) {
      uint32_t len = Be32(c.buffer.data() + pos);
      if (len == 0) {  // control frame
        if (c.buffer.size() - pos < 8) break;
        uint32_t clen = Be32(c.buffer.data() + pos + 4);
        if (clen < 4 || clen > 4096) {
          stats_.Skip("dnstap_bad_control_frame", path_, options_.max_samples);
          return false;
        }
        if (c.buffer.size() - pos < 8 + clen) break;
        uint32_t type = Be32(c.buffer.data() + pos + 8);
        pos += 8 + clen;
        if (type == kReady) {
          open = WriteAll(c.fd, ControlFrame(kAccept, true));
        } else if (type == kStart) {
          c.started = true;
        } else if (type == kStop) {
          WriteAll(c.fd, ControlFrame(kFinish, false));
          open = false;
        }
        continue;
      }
      if (len > kMaxFrame) {
        stats_.Skip("dnstap_frame_too_large", fmt::format("{}: {} bytes", path_, len), options_.max_samples);
        return false;  // cannot resynchronise
      }
      if (c.buffer.size() - pos < 4 + len) break;
      if (c.started) {
        decoder.Frame(reinterpret_cast<const uint8_t*>(c.buffer.data() + pos + 4), len, sink);
      } else {
        stats_.Skip("dnstap_data_before_start", path_, options_.max_samples);
      }
      pos += 4 + len;
    }
    c.buffer.erase(0, pos);
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
