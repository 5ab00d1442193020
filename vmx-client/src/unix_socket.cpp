#include "vmx-client/unix_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmx {
namespace {

bool makeAddress(const std::string& path, sockaddr_un& addr) {
  if (!fitsSocketPath(path)) return false;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

std::string errnoText(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

bool fitsSocketPath(const std::string& path) {
  return !path.empty() && path.size() < sizeof(sockaddr_un{}.sun_path);
}

UniqueFd listenUnix(const std::string& path, std::string& error) {
  sockaddr_un addr;
  if (!makeAddress(path, addr)) {
    error = "socket path too long: " + path;
    return {};
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    error = errnoText("socket");
    return {};
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    error = errnoText(("cannot remove old " + path).c_str());
    return {};
  }
  // bind() creates the file with mode 0777 & ~umask: with umask 0177 it is
  // 0600 from the first instant, so no other user can ever connect.
  mode_t old = ::umask(0177);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int bindErrno = errno;
  ::umask(old);
  if (rc != 0) {
    errno = bindErrno;
    error = errnoText(("cannot create " + path).c_str());
    return {};
  }
  if (::listen(fd.get(), 16) != 0) {
    error = errnoText("listen");
    ::unlink(path.c_str());
    return {};
  }
  return fd;
}

UniqueFd connectUnix(const std::string& path, int& err) {
  sockaddr_un addr;
  if (!makeAddress(path, addr)) {
    err = ENAMETOOLONG;
    return {};
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    err = errno;
    return {};
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    err = errno;
    return {};
  }
  err = 0;
  return fd;
}

bool peerUid(int fd, uid_t& out) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  out = cred.uid;
  return true;
}

bool sendAll(int fd, const std::string& data, std::chrono::milliseconds timeout,
             std::string& error) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t done = 0;
  while (done < data.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLOUT, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      error = "timed out sending the request";
      return false;
    }
    ssize_t n = ::send(fd, data.data() + done, data.size() - done,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      error = errnoText("send");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace vmx
