#include "vmx-engine/control_server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "vmx-engine/src/control_loop.h"
#include "vmx-client/unix_socket.h"

namespace vmx {

ControlServer::ControlServer(std::string path, UniqueFd listenFd,
                             UniqueFd wakeFd)
    : path_(std::move(path)), listenFd_(std::move(listenFd)),
      wakeFd_(std::move(wakeFd)) {}

std::unique_ptr<ControlServer> ControlServer::listen(const std::string& path,
                                                     std::string& error) {
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) {
    error = std::string("eventfd: ") + std::strerror(errno);
    return nullptr;
  }
  UniqueFd fd = listenUnix(path, error);
  if (!fd) return nullptr;
  return std::unique_ptr<ControlServer>(
      new ControlServer(path, std::move(fd), std::move(wake)));
}

ControlServer::~ControlServer() {
  stop();
  ::unlink(path_.c_str());
}

void ControlServer::start(ControlTargets targets, UniqueFd stopSignalFd) {
  auto loop = std::make_shared<ControlLoop>(
      listenFd_.get(), wakeFd_.get(), std::move(stopSignalFd),
      ControlState{std::move(targets)});
  thread_ = std::thread([loop] { loop->run(); });
}

void ControlServer::stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  ssize_t ignored = ::write(wakeFd_.get(), &one, sizeof one);
  (void)ignored;  // an eventfd write of 1 cannot fail short of overflow
  thread_.join();
}

}  // namespace vmx
