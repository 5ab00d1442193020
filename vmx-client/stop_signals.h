// The signals that end a command which must clean up before it exits:
// `vprobe` has a script loaded in a VM, and a Ctrl-C (SIGINT), SIGTERM or
// a closed terminal (SIGHUP) must unload it, not kill the process with the
// script still running.
//
// While a StopSignals exists those signals are blocked, so they stay
// pending instead of killing the process, and wait() takes them
// synchronously: no handler runs at an arbitrary point. SIGPIPE is ignored,
// so that writing to a closed pipe (`vprobe ... | head`) is an EPIPE error
// the caller handles. Create it before starting any thread (threads
// inherit the mask of their creator); the destructor restores the mask and
// the SIGPIPE disposition.
#pragma once

#include <signal.h>

#include <chrono>

namespace vmx {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits up to `timeout` for one of the signals; returns its number, or 0
  // when none came.
  int wait(std::chrono::milliseconds timeout);

 private:
  sigset_t stops_;
  sigset_t oldMask_;
  struct sigaction oldPipe_ {};
};

}  // namespace vmx
