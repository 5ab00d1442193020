#include "vmx-client/control_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "vmx-client/line_reader.h"
#include "vmx-client/unix_socket.h"

namespace vmx {
namespace {

using Clock = std::chrono::steady_clock;

// Reads until one full line arrives; false with `error` on EOF, timeout or
// an oversized reply.
bool readLine(int fd, Clock::time_point deadline, std::string& line,
              std::string& error) {
  LineReader reader(kMaxReplyBytes);
  for (;;) {
    switch (reader.next(line)) {
      case LineReader::Status::Line: return true;
      case LineReader::Status::TooLong:
        error = "the virtual machine's reply is too large";
        return false;
      case LineReader::Status::NeedMore: break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      error = "timed out waiting for the virtual machine's reply";
      return false;
    }
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      error = "the virtual machine closed the connection without replying";
      return false;
    }
    reader.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
}

}  // namespace

SendStatus exchangeLine(const std::string& socketPath, const std::string& requestLine,
                        std::string& line, std::string& error,
                        std::chrono::milliseconds timeout) {
  int err = 0;
  UniqueFd fd = connectUnix(socketPath, err);
  if (!fd) {
    if (err == ENOENT || err == ECONNREFUSED) return SendStatus::NotRunning;
    error = "cannot connect to " + socketPath + ": " + std::strerror(err);
    return SendStatus::Failed;
  }
  auto deadline = Clock::now() + timeout;
  std::string ignored;
  bool sent = sendAll(fd.get(), requestLine, timeout, error);
  // A VM that refuses the connection (wrong user, too many clients) says why
  // and closes it, maybe before the request was sent: read that reply.
  if (!sent && !readLine(fd.get(), Clock::now() + std::chrono::milliseconds(500), line, ignored)) {
    return SendStatus::Failed;
  }
  if (sent && !readLine(fd.get(), deadline, line, error)) return SendStatus::Failed;
  return SendStatus::Ok;
}

}  // namespace vmx
