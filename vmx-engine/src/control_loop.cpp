#include "vmx-engine/src/control_loop.h"

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "vmx-client/unix_socket.h"
#include "vmx-engine/vmx_log.h"

namespace vmx {

ControlLoop::ControlLoop(int listenFd, int wakeFd, UniqueFd signalFd,
                         ControlState state)
    : listenFd_(listenFd), wakeFd_(wakeFd), signalFd_(std::move(signalFd)),
      state_(std::move(state)) {}

// Layout: [listen, wake, signal, connections...]; an fd of -1 is ignored by
// poll().
std::vector<pollfd> ControlLoop::pollSet() const {
  std::vector<pollfd> fds = {{listenFd_, POLLIN, 0},
                             {wakeFd_, POLLIN, 0},
                             {signalFd_.get(), POLLIN, 0}};
  for (const auto& c : conns_) {
    short events = 0;
    // A client that does not read its replies is not read from either.
    if (!c->closing && c->out.size() < kMaxReplyBytes) events |= POLLIN;
    if (!c->out.empty()) events |= POLLOUT;
    fds.push_back({c->fd.get(), events, 0});
  }
  return fds;
}

void ControlLoop::run() {
  for (;;) {
    std::vector<pollfd> fds = pollSet();
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) {
      logLine("control: poll failed; stopping the control thread");
      return;
    }
    if (fds[1].revents != 0) break;
    if (fds[2].revents != 0) onSignal();
    for (size_t i = 0; i < conns_.size(); ++i) {
      short revents = fds[3 + i].revents;
      if (revents & (POLLIN | POLLHUP | POLLERR)) readFrom(*conns_[i]);
      if (revents & POLLOUT) writeTo(*conns_[i]);
    }
    if (fds[0].revents != 0) acceptAll();
    dropDead();
  }
  flushBeforeExit();
}

void ControlLoop::refuse(int fd, const std::string& why) {
  std::string reply = encodeReply(ErrorReply{why});
  ssize_t ignored = ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  (void)ignored;  // best effort: the connection is closed either way
}

void ControlLoop::acceptAll() {
  for (;;) {
    UniqueFd fd(::accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) return;
    uid_t uid = 0;
    if (!peerUid(fd.get(), uid) || !peerAllowed(uid, ::geteuid())) {
      logLine("control: refused a connection from uid " + std::to_string(uid));
      refuse(fd.get(), "permission denied: only the virtual machine's owner "
                       "and root may control it");
      continue;
    }
    if (conns_.size() >= kMaxConnections) {
      refuse(fd.get(), "too many control connections; try again");
      continue;
    }
    auto c = std::make_unique<Connection>();
    c->fd = std::move(fd);
    conns_.push_back(std::move(c));
  }
}

void ControlLoop::readFrom(Connection& c) {
  char buf[65536];
  ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  c.lastActive = Clock::now();
  if (n <= 0) {
    std::string rest;
    if (n == 0 && c.reader.takeRest(rest)) c.out += handleLine(state_, rest);
    c.closing = true;  // end of input (or an error): finish and close
    return;
  }
  c.reader.feed(std::string_view(buf, static_cast<size_t>(n)));
  handleInput(c);
}

void ControlLoop::handleInput(Connection& c) {
  std::string line;
  for (;;) {
    switch (c.reader.next(line)) {
      case LineReader::Status::Line:
        c.out += handleLine(state_, line);
        break;
      case LineReader::Status::TooLong:
        c.out += encodeReply(ErrorReply{"request too large: the limit is " +
                                        std::to_string(kMaxRequestBytes) + " bytes per line"});
        break;
      case LineReader::Status::NeedMore:
        return;
    }
  }
}

void ControlLoop::writeTo(Connection& c) {
  ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(),
                     MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n < 0) {
    c.out.clear();  // the client went away; its replies go nowhere
    c.closing = true;
    return;
  }
  c.out.erase(0, static_cast<size_t>(n));
  c.lastActive = Clock::now();
}

void ControlLoop::onSignal() {
  signalfd_siginfo info{};
  if (::read(signalFd_.get(), &info, sizeof info) != sizeof info) return;
  logLine("signal " + std::to_string(info.ssi_signo) + ": stopping");
  if (!state_.stopping) stopVm(state_);
}

void ControlLoop::dropDead() {
  auto now = Clock::now();
  std::erase_if(conns_, [&](const std::unique_ptr<Connection>& c) {
    bool idle = now - c->lastActive > kIdleTimeout;
    return (c->closing && c->out.empty()) || idle;
  });
}

void ControlLoop::flushBeforeExit() {
  auto deadline = Clock::now() + std::chrono::seconds(1);
  for (;;) {
    std::erase_if(conns_, [](const auto& c) { return c->out.empty(); });
    if (conns_.empty() || Clock::now() >= deadline) return;
    std::vector<pollfd> fds;
    for (const auto& c : conns_) fds.push_back({c->fd.get(), POLLOUT, 0});
    ::poll(fds.data(), fds.size(), 50);
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (fds[i].revents & (POLLOUT | POLLERR | POLLHUP)) writeTo(*conns_[i]);
      if (fds[i].revents & (POLLERR | POLLHUP)) conns_[i]->out.clear();
    }
  }
}

}  // namespace vmx
