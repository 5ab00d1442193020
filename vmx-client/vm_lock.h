// The lock that makes a VM run at most once: X.vmx.lck beside the .vmx,
// held with flock(LOCK_EX) by the VM process for its whole life. The
// kernel drops a flock when its holder dies, so a lock file left behind by
// a killed VM process is simply taken over (a stale lock needs no
// guessing from pids). The file also records the holder's pid and socket
// path, for messages and for `vmrun`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "vmx-client/unique_fd.h"

namespace vmx {

class VmLock {
 public:
  // Takes the lock at `path` (creating the file). Fails when another process
  // holds it, with `error` naming that process's pid, or on I/O errors.
  static std::unique_ptr<VmLock> acquire(const std::string& path,
                                         std::string& error);

  // Removes the file, then releases the lock (closing it), so that whoever
  // sees the lock free also sees the VM's other files gone.
  ~VmLock();

  // Writes "PID\nSOCKET\n" into the file.
  bool record(pid_t pid, const std::string& socketPath, std::string& error);

  // Whether some process holds the lock at `path` now.
  static bool isHeld(const std::string& path);

  // Waits until no process holds the lock at `path`; false on timeout.
  static bool waitReleased(const std::string& path,
                           std::chrono::milliseconds timeout);

  // The pid recorded in the file at `path`, or 0.
  static pid_t recordedPid(const std::string& path);

 private:
  VmLock(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  std::string path_;
  UniqueFd fd_;
};

}  // namespace vmx
