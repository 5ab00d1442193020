// Detaching the VM process from the terminal that started it, the way
// daemons do (fork, setsid, fork again), while the process that started it
// waits until the VM is really up, or learns why it is not, so that
// `vmrun start` can say so and exit 1.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "vmx-client/unique_fd.h"

namespace vmx {

// The daemon's side of the start-up handshake. Reporting closes it; a
// daemon that dies before reporting is noticed too (end of file).
class StartupReport {
 public:
  StartupReport() = default;  // not detached: reports go nowhere
  explicit StartupReport(UniqueFd fd) : fd_(std::move(fd)) {}
  void ok();                         // the VM is up and serving
  void fail(std::string_view text);  // printed by the launcher, as is

 private:
  void send(std::string_view message);
  UniqueFd fd_;
};

struct Detached {
  bool isDaemon = false;  // false in the launcher, which should exit
  int launcherStatus = 0;  // launcher: 0 if the VM came up, else 1
  StartupReport report;    // daemon: where to report start-up
};

// Forks the daemon. In the daemon: a new session without a terminal,
// working directory "/", stdin from /dev/null, stdout and stderr appended
// to `logPath`, every other inherited fd closed. In the launcher: waits up
// to `timeout` for the report, prints a failure to stderr, and sets
// launcherStatus. False with `error` if the fork itself fails.
bool detach(const std::string& logPath, std::chrono::seconds timeout,
            Detached& out, std::string& error);

}  // namespace vmx
