#include "util/service_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace nsradar {
namespace {

// A service manager's end: a datagram socket bound at `name` (a path, or
// '@' for the abstract namespace), as $NOTIFY_SOCKET names it.
class FakeManager {
 public:
  explicit FakeManager(const std::string& name) : name_(name) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr),
                  static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0;
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~FakeManager() {
    unsetenv("NOTIFY_SOCKET");
    close(fd_);
    if (name_[0] == '/') unlink(name_.c_str());
  }
  bool bound() const { return bound_; }
  std::string Receive() {
    char buf[256];
    ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(ServiceNotify, NoManagerIsNotAnError) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(NotifyServiceManager("READY=1").ok());
}

TEST(ServiceNotify, PathSocketGetsTheState) {
  FakeManager m((std::filesystem::temp_directory_path() / ("nsradar-notify-" + std::to_string(getpid()))).string());
  ASSERT_TRUE(m.bound());
  ASSERT_TRUE(NotifyServiceManager("READY=1").ok());
  EXPECT_EQ(m.Receive(), "READY=1");
}

TEST(ServiceNotify, AbstractSocketGetsTheState) {
  FakeManager m("@nsradar-notify-" + std::to_string(getpid()));
  ASSERT_TRUE(m.bound());
  ASSERT_TRUE(NotifyServiceManager("STATUS=ready").ok());
  EXPECT_EQ(m.Receive(), "STATUS=ready");
}

TEST(ServiceNotify, BadSocketNamesIt) {
  setenv("NOTIFY_SOCKET", "relative/path", 1);
  Status s = NotifyServiceManager("READY=1");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("relative/path"), std::string::npos);
  setenv("NOTIFY_SOCKET", "/nonexistent/nsradar-notify.sock", 1);
  s = NotifyServiceManager("READY=1");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("/nonexistent/nsradar-notify.sock"), std::string::npos);
  unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace nsradar
