// The control thread's event loop: multiplexes the listening socket, the
// client connections, the stop signals and the wake-up from
// ControlServer::stop() with poll(), so that one slow or silent client
// never holds up another, and requests still run one at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <poll.h>

#include "vmx-engine/src/control_handlers.h"
#include "vmx-client/line_reader.h"
#include "vmx-client/unique_fd.h"

namespace vmx {

class ControlLoop {
 public:
  ControlLoop(int listenFd, int wakeFd, UniqueFd signalFd, ControlState state);
  // Serves until the wake fd becomes readable.
  void run();

  // Connections beyond this are told so and closed: fds are finite.
  static constexpr size_t kMaxConnections = 16;
  // A connection with no traffic either way is closed after this long.
  static constexpr std::chrono::seconds kIdleTimeout{60};

 private:
  using Clock = std::chrono::steady_clock;
  struct Connection {
    UniqueFd fd;
    LineReader reader{kMaxRequestBytes};
    std::string out;  // reply bytes not yet sent
    bool closing = false;  // close once `out` is sent
    Clock::time_point lastActive = Clock::now();
  };

  std::vector<pollfd> pollSet() const;
  void acceptAll();
  void refuse(int fd, const std::string& why);
  void readFrom(Connection& c);
  void handleInput(Connection& c);
  void writeTo(Connection& c);
  void onSignal();
  void dropDead();
  void flushBeforeExit();

  int listenFd_, wakeFd_;
  UniqueFd signalFd_;
  ControlState state_;
  std::vector<std::unique_ptr<Connection>> conns_;
};

}  // namespace vmx
