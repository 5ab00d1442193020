#include "vmx-engine/daemon.h"

#include "vmx-client/private_file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vmx {
namespace {

constexpr int kReportFd = 3;  // where the daemon keeps its end of the pipe

void writeAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// In the daemon: the standard streams and nothing else inherited stay open.
bool redirectStdio(const std::string& logPath, int reportFd, std::string& error) {
  // Out of the way first: with stdio closed, the pipe may have got fd 0..2.
  reportFd = ::fcntl(reportFd, F_DUPFD_CLOEXEC, 10);
  int in = ::open("/dev/null", O_RDONLY);
  if (reportFd < 0 || in < 0) {
    error = std::string("cannot set up the VM process: ") + std::strerror(errno);
    return false;
  }
  // The log holds what the guest did: the owner's alone (private_file.h).
  int log = openPrivateFile(logPath, O_WRONLY | O_APPEND, FileSharing{}, error).release();
  if (log < 0) return false;
  if (::dup2(in, 0) < 0 || ::dup2(log, 1) < 0 || ::dup2(log, 2) < 0 ||
      ::dup2(reportFd, kReportFd) < 0) {
    error = std::string("cannot set up the VM process's log: ") + std::strerror(errno);
    return false;
  }
  ::fcntl(kReportFd, F_SETFD, FD_CLOEXEC);
  ::close_range(kReportFd + 1, ~0u, 0);
  return true;
}

// The grandchild: never returns on failure.
void becomeDaemon(const std::string& logPath, int reportFd) {
  if (::setsid() < 0) ::_exit(1);
  pid_t pid = ::fork();
  if (pid != 0) ::_exit(pid < 0 ? 1 : 0);  // the session leader leaves
  std::string error = "cannot change to /";
  if (::chdir("/") != 0 || !redirectStdio(logPath, reportFd, error)) {
    writeAll(reportFd, "error\nError: " + error);
    ::_exit(1);
  }
}

// In the launcher: the report, or what went wrong waiting for it.
int awaitReport(int fd, std::chrono::seconds timeout, const std::string& logPath) {
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      std::fprintf(stderr, "Error: the virtual machine did not come up within %llds; see %s\n",
                   static_cast<long long>(timeout.count()), logPath.c_str());
      return 1;
    }
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  if (text == "ok\n") return 0;
  if (text.starts_with("error\n")) {
    std::fprintf(stderr, "%s\n", text.c_str() + 6);
  } else {
    std::fprintf(stderr, "Error: the virtual machine process exited while powering on; see %s\n",
                 logPath.c_str());
  }
  return 1;
}

}  // namespace

void StartupReport::send(std::string_view message) {
  if (!fd_) return;
  writeAll(fd_.get(), message);
  fd_.reset();
}

void StartupReport::ok() { send("ok\n"); }

void StartupReport::fail(std::string_view text) {
  send("error\n" + std::string(text));
}

bool detach(const std::string& logPath, std::chrono::seconds timeout,
            Detached& out, std::string& error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  std::fflush(nullptr);  // nothing buffered may be written twice
  pid_t child = ::fork();
  if (child < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  if (child == 0) {
    ::close(fds[0]);
    becomeDaemon(logPath, fds[1]);  // closes fds[1], keeping kReportFd
    out.isDaemon = true;
    out.report = StartupReport(UniqueFd(kReportFd));
    return true;
  }
  ::close(fds[1]);
  out.isDaemon = false;
  out.launcherStatus = awaitReport(fds[0], timeout, logPath);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);  // the session leader, gone at once
  return true;
}

}  // namespace vmx
