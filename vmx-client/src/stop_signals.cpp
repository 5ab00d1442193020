#include "vmx-client/stop_signals.h"

#include <ctime>

namespace vmx {

StopSignals::StopSignals() {
  sigemptyset(&stops_);
  sigaddset(&stops_, SIGINT);
  sigaddset(&stops_, SIGTERM);
  sigaddset(&stops_, SIGHUP);
  sigprocmask(SIG_BLOCK, &stops_, &oldMask_);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &oldPipe_);
}

StopSignals::~StopSignals() {
  // A second Ctrl-C while the caller cleaned up is still pending: take it
  // here, or unblocking would kill the process with its work done but its
  // exit status lost.
  timespec now{0, 0};
  while (sigtimedwait(&stops_, nullptr, &now) > 0) {
  }
  sigaction(SIGPIPE, &oldPipe_, nullptr);
  sigprocmask(SIG_SETMASK, &oldMask_, nullptr);
}

int StopSignals::wait(std::chrono::milliseconds timeout) {
  auto ms = timeout.count() < 0 ? 0 : timeout.count();
  timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L};
  // On EINTR (another signal interrupted the wait) the caller's loop
  // simply polls a little early.
  int sig = sigtimedwait(&stops_, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

}  // namespace vmx
